"""What every printable report shares: the CJK font, paragraph styles, the page frame with
its running header and "第 i 页 共 N 页" footer, and table helpers.

Design: embed a TrueType CJK font when one is found (``CJK_FONT_PATH``; Debian's
fonts-wqy-zenhei works with ``TTFont(..., subfontIndex=0)`` and subsets to a few KB).
Outside development and testing the application refuses to start without one
(``check_print_font``): ReportLab's built-in ``STSong-Light`` CID font is not embedded,
and a reader without the Adobe-GB1 pack shows such a paper as blanks. In development
and testing it is the fallback, with a warning.

Papers that are stamped and filed (decision documents, docs/domain.md §7.9) print in a serif
font (``CJK_SERIF_FONT_PATH``, AR PL UMing by default; else the font above) and carry no
running header or footer: the generation time is in the PDF's metadata (CreationDate, and
the keywords), as it is for every printed paper. Statistics reports end with a sign-off
block (``sign_off``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, has_app_context
from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus import paragraph as rl_paragraph

from corrections import clock

log = logging.getLogger("corrections")
CID_FONT = "STSong-Light"
_lock = threading.Lock()
_fonts: dict[str, str] = {}  # path -> registered font name ("" when it cannot be)
_fell_back: set[str] = set()  # paths whose fallback to the CID font was logged

# Chinese line-breaking (避头): ReportLab's CJK wrapper lets a full-width comma or semicolon
# start a line; with these in its "cannot start a line" set they hang at the line's end.
_CANNOT_START = "，。、；：！？）》」』】〕…％"
for _module in (rl_textsplit, rl_paragraph):  # one-fragment and several-fragment paragraphs
    _module.ALL_CANNOT_START += "".join(
        c for c in _CANNOT_START if c not in _module.ALL_CANNOT_START
    )

INK = colors.HexColor("#1a1a1a")
RULE = colors.HexColor("#555555")
GRID = colors.HexColor("#8c8c8c")
HEAD_BG = colors.HexColor("#e6e9ee")
SECTION_BG = colors.HexColor("#f3f4f6")
MUTED = colors.HexColor("#666666")


FONT_PACKAGES = "fonts-wqy-zenhei or fonts-arphic-uming"
_FALLBACK_ENVS = ("development", "testing")


@dataclass(frozen=True)
class Font:
    name: str
    embedded: bool


def _registered(path: str | None) -> str:
    """The ReportLab name of the TrueType font at ``path`` (registered once), or "" when
    there is no such file or it cannot be embedded (said once in the log)."""
    if not path:
        return ""
    with _lock:
        if path in _fonts:
            return _fonts[path]
        name = ""
        if os.path.isfile(path):
            name = "CJK-" + hashlib.sha1(path.encode()).hexdigest()[:8]
            try:
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
            except Exception as exc:  # CFF/OpenType or damaged: fall back, say so once
                log.warning("CJK font %s cannot be embedded (%s)", path, exc)
                name = ""
        else:
            log.warning("CJK font file %s does not exist", path)
        _fonts[path] = name
        return name


def cjk_font(path: str | None = None) -> Font:
    """The CJK font to print with: the TrueType file at ``path`` (default: the app's
    ``CJK_FONT_PATH``) when it loads, else the built-in CID font."""
    if path is None:
        path = current_app.config.get("CJK_FONT_PATH")
    name = _registered(path)
    if name:
        return Font(name, True)
    if has_app_context() and current_app.config.get("ENV_NAME") not in _FALLBACK_ENVS:
        # the start-up check passed, so the font went away since: never print unembedded
        raise RuntimeError(
            f"The CJK font {path} can no longer be embedded; printing stopped. Install "
            f"{FONT_PACKAGES} or set CJK_FONT_PATH."
        )
    with _lock:
        if path and path not in _fell_back:
            _fell_back.add(path)
            log.warning("CJK_FONT_PATH %s cannot be embedded; using %s", path, CID_FONT)
        if CID_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return Font(CID_FONT, False)


def serif_font() -> Font:
    """The serif (宋体-like) CJK font of the papers that are stamped and filed: the TrueType
    file at ``CJK_SERIF_FONT_PATH`` (default: AR PL UMing of fonts-arphic-uming), embedded;
    when it is missing or cannot be embedded, the font of every other paper (``cjk_font``)."""
    name = _registered(current_app.config.get("CJK_SERIF_FONT_PATH"))
    return Font(name, True) if name else cjk_font()


def check_print_font(app) -> None:
    """At start: outside development and testing, stop with a clear error unless
    ``CJK_FONT_PATH`` names a TrueType CJK font that printed PDFs can embed; in development
    and testing, warn that papers print with the non-embedded fallback."""
    path = app.config.get("CJK_FONT_PATH")
    embedded = bool(path) and cjk_font(path).embedded
    if embedded:
        return
    problem = (
        f"CJK_FONT_PATH={path} is missing or cannot be embedded"
        if path
        else "CJK_FONT_PATH is not set and no usual CJK font file was found"
    )
    if app.config.get("ENV_NAME") in _FALLBACK_ENVS:
        log.warning(
            "%s: printed PDFs use the built-in %s font, not embedded (development and "
            "testing only). Install %s or set CJK_FONT_PATH.",
            problem,
            CID_FONT,
            FONT_PACKAGES,
        )
        return
    raise RuntimeError(
        f"No embeddable CJK font for printed documents: {problem}. Install the Debian "
        f"package {FONT_PACKAGES} (apt-get install fonts-wqy-zenhei), or set CJK_FONT_PATH "
        "to a TrueType CJK font file (.ttf, or a .ttc whose first face is TrueType)."
    )


def paragraph_style(
    font: str, name: str, size: float, leading=None, align=TA_LEFT, color=INK, **kw
) -> ParagraphStyle:
    """A paragraph style in ``font`` with CJK line breaking (``leading`` 1.35 × the size
    unless given)."""
    return ParagraphStyle(
        name,
        fontName=font,
        fontSize=size,
        leading=leading or size * 1.35,
        alignment=align,
        textColor=color,
        wordWrap="CJK",
        **kw,
    )


class Styles:
    """Paragraph styles in one font; CJK line breaking everywhere."""

    def __init__(self, font: str):
        self.font = font

        def style(name, size, leading=None, align=TA_LEFT, color=INK, **kw):
            return paragraph_style(font, name, size, leading, align, color, **kw)

        self.title = style("title", 17, 24, TA_CENTER, spaceAfter=2)
        self.subtitle = style("subtitle", 12, 17, TA_CENTER, spaceAfter=2)
        self.meta = style("meta", 9, 13, TA_CENTER, color=MUTED)
        self.h2 = style("h2", 12.5, 18, spaceBefore=10, spaceAfter=5)
        self.body = style("body", 10.5, 19, TA_JUSTIFY, firstLineIndent=21)
        self.note = style("note", 8.5, 12, color=MUTED)
        self.cell = style("cell", 8.5, 11)
        self.cell_center = style("cell_center", 8.5, 11, TA_CENTER)
        self.cell_right = style("cell_right", 8.5, 11, TA_RIGHT)
        self.head = style("head", 8.5, 10.5, TA_CENTER)
        self.small_head = style("small_head", 7.5, 9, TA_CENTER)
        self.sign = style("sign", 10, 14)


def china_now() -> datetime:
    return clock.now_utc().astimezone(clock.CHINA)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(day: date) -> str:
    return f"{day.year}年{day.month}月"


def unit_name(stations) -> str:
    """The issuing unit: the bureau of the stations (several bureaux: all of them)."""
    names = sorted({s.unit.name for s in stations})
    if len(names) == 1:
        return names[0]
    return "、".join(names) if 1 < len(names) <= 2 else "全部单位"


def filing_unit(stations) -> str:
    """The unit that signs and stamps a statistics paper (填报单位): the station when the
    paper covers one, else its bureau; "" (filled in by hand) for several bureaux."""
    if len(stations) == 1:
        return stations[0].name
    names = {s.unit.name for s in stations}
    return names.pop() if len(names) == 1 else ""


def _numbered_canvas(
    font: str, header: str, footer_left: str, generated: datetime, stamped: bool
) -> type[pdfcanvas.Canvas]:
    """A canvas that draws the running header (from page 2) and the footer
    "第 i 页 共 N 页" once the page count is known, and dates the document (its metadata's
    CreationDate and ModDate) at ``generated``. A paper that is stamped (``stamped``) has no
    header and no footer but the page number "— i —" of an official document (公文) when it
    runs to more than one page."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []
            stamp = self._doc._timeStamp  # what ReportLab writes as CreationDate/ModDate
            offset = int((generated.utcoffset() or timedelta(0)).total_seconds() // 60)
            stamp.t = generated.timestamp()
            stamp.YMDhms = tuple(generated.timetuple())[:6]
            hours, minutes = divmod(abs(offset), 60)
            stamp.dhh, stamp.dmm = (hours if offset >= 0 else -hours), minutes

        def showPage(self):  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                if stamped:
                    self._page_number(number, total)
                else:
                    self._decorate(number, total)
                super().showPage()
            super().save()

        def _page_number(self, number: int, total: int) -> None:
            if total < 2:
                return
            width, _height = self._pagesize
            self.saveState()
            self.setFillColor(INK)
            self.setFont(font, 11)
            self.drawCentredString(width / 2, 10 * mm, f"— {number} —")
            self.restoreState()

        def _decorate(self, number: int, total: int) -> None:
            width, height = self._pagesize
            left, right = 18 * mm, width - 18 * mm
            self.saveState()
            self.setFillColor(MUTED)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.4)
            if number > 1:
                self.setFont(font, 8.5)
                self.drawCentredString(width / 2, height - 11 * mm, header)
                self.line(left, height - 12.8 * mm, right, height - 12.8 * mm)
            self.line(left, 13.5 * mm, right, 13.5 * mm)
            self.setFont(font, 8.5)
            self.drawCentredString(width / 2, 9 * mm, f"第 {number} 页 共 {total} 页")
            self.setFont(font, 7.5)
            self.drawString(left, 9 * mm, footer_left)
            self.restoreState()

    return NumberedCanvas


def build_pdf(
    story: list,
    *,
    font: str,
    title: str,
    header: str,
    generated: datetime,
    landscape_pages: bool = False,
    subject: str = "",
    stamped: bool = False,
    margins: tuple[float, float, float, float] | None = None,
) -> bytes:
    """Lay out ``story`` on A4 with the shared header and footer; return the PDF bytes.
    ``generated`` is the document's creation time in its metadata; a report also prints it
    in the footer, a paper that is stamped (``stamped``) does not (no footer at all).
    ``margins`` (top, right, bottom, left) replace the reports' margins."""
    buffer = io.BytesIO()
    size = landscape(A4) if landscape_pages else A4
    top, right, bottom, left = margins or (17 * mm, 18 * mm, 18 * mm, 18 * mm)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        author="矫正帮教管理系统",
        subject=subject or title,
        creator="矫正帮教管理系统",
        keywords=f"生成时间 {generated:%Y-%m-%d %H:%M}（北京时间）",
        initialFontName=font,  # else every page references Helvetica
    )
    footer_left = f"生成时间：{generated:%Y-%m-%d %H:%M}（北京时间）"
    doc.build(story, canvasmaker=_numbered_canvas(font, header, footer_left, generated, stamped))
    return buffer.getvalue()


def sign_off(styles: Styles, unit: str, width: float) -> Table:
    """The block a statistics report is signed and stamped with before it is sent up:
    填报单位（盖章）, 负责人, 审核人, 填表人, 报送日期 (filled in by hand)."""
    blank = "_" * 14  # ReportLab's CJK wrapping would collapse blank full-width spaces
    rows = [
        [
            Paragraph(f"填报单位（盖章）：{unit or blank}", styles.sign),
            Paragraph(f"负责人：{blank}", styles.sign),
            Paragraph(f"审核人：{blank}", styles.sign),
        ],
        [
            Paragraph("报送日期：______年____月____日", styles.sign),
            Paragraph(f"填表人：{blank}", styles.sign),
            Paragraph(f"联系电话：{blank}", styles.sign),
        ],
    ]
    result = Table(
        rows,
        colWidths=[width * 0.44, width * 0.28, width * 0.28],
        rowHeights=[16 * mm, 10 * mm],
        hAlign="CENTER",
    )
    result.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), styles.font),
                ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                ("VALIGN", (0, 1), (-1, 1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE),
            ]
        )
    )
    return result


def frame_width(landscape_pages: bool = False) -> float:
    size = landscape(A4) if landscape_pages else A4
    return size[0] - 36 * mm


def grid_style(font: str, header_rows: int = 1, extra: Sequence[tuple] = ()) -> TableStyle:
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BOX", (0, 0), (-1, -1), 0.8, RULE),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    return TableStyle(commands + list(extra))


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def number_cell(value, styles: Styles) -> Paragraph:
    return Paragraph("" if value is None else str(value), styles.cell_right)


def table(rows: list[list], widths: list[float], style: TableStyle, repeat: int = 1, **kw) -> Table:
    result = Table(rows, colWidths=widths, repeatRows=repeat, hAlign="CENTER", **kw)
    result.setStyle(style)
    return result
