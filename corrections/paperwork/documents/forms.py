"""What every paper is made of: the registry of kinds, the page, the styles and the pieces
of an official form (公文, docs/domain.md §7.9), and the checks the kinds share."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import HRFlowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from corrections.errors import RuleViolation
from corrections.labels import label
from corrections.reports.printing import INK, paragraph_style
from corrections.reports.printing import cn_date as _cn_date
from corrections.supervision.models import CorrectionCase, Sanction

log = logging.getLogger("corrections")


@dataclass
class Doc:
    """What a renderer gets: the records and the number."""

    kind: DocKind
    number: str
    unit: str
    case: Any  # CorrectionCase, ResettlementCase or Assessment
    record: Any  # Leave, Sanction, Assessment or None
    on: date


@dataclass(frozen=True)
class DocKind:
    code: str
    title: str
    abbrev: str  # in the number: 示范县{abbrev}〔2026〕3号
    programme: str  # correction / resettlement / assessment
    record: type | None  # the record it is made from, by record_id
    check: Callable[[Any, Any], None]
    render: Callable[[Doc, Any], list]
    addressee: str = ""
    heading: str = ""  # the title printed on the paper when it differs from ``title``


KINDS: dict[str, DocKind] = {}


def paper(code, title, abbrev, programme, record_model=None, addressee="", heading=""):
    def register(render):
        def decorate(check):
            KINDS[code] = DocKind(
                code, title, abbrev, programme, record_model, check, render, addressee, heading
            )
            return check

        return decorate

    return register


# --- helpers --------------------------------------------------------------------------


def cn_date(day: date | None) -> str:
    return _cn_date(day) if day else "____年__月__日"


def fail(message: str, code: str = "document_not_applicable") -> None:
    raise RuleViolation(message, code=code)


# The page of a paper that is stamped and filed (docs/domain.md §7.9): the
# margins of an official document (公文) less a little, so the forms keep their columns.
MARGINS = (30 * mm, 24 * mm, 28 * mm, 26 * mm)  # top, right, bottom, left
FRAME_WIDTH = 210 * mm - MARGINS[1] - MARGINS[3] - 12  # less the frame's 6 pt paddings
BLANK = "__________"  # a fact the records do not hold: filled in by hand


class Look:
    """The styles of an official form (公文): a large centred title, 12 pt body indented two
    characters, in the serif font of stamped papers."""

    def __init__(self, font: str):
        def style(name, size, leading, align=TA_LEFT, **kw):
            return paragraph_style(font, name, size, leading, align, **kw)

        self.font = font
        self.issuer = style("issuer", 16, 24, TA_CENTER)
        self.title = style("title", 22, 32, TA_CENTER, spaceBefore=4, spaceAfter=8)
        self.number = style("number", 12, 18, TA_RIGHT)
        self.addressee = style("addressee", 12, 24, spaceBefore=8)
        self.body = style("body", 12, 22, firstLineIndent=24)
        self.plain = style("plain", 12, 22)
        self.sign = style("sign", 12, 22, TA_CENTER)
        self.cell = style("cell", 10.5, 15)
        self.cell_label = style("cell_label", 10.5, 15, TA_CENTER)
        self.small = style("small", 9, 13)


# Doubled brackets (a number typed with its brackets and printed inside a second pair, or a
# pair wrapped around a bracketed number) and empty ones never reach a paper.
_DOUBLED = [
    (re.compile(r"〔〔([^〔〕]*)〕〕"), r"〔\1〕"),
    (re.compile(r"（（([^（）]*)））"), r"（\1）"),
    (re.compile(r"\(\(([^()]*)\)\)"), r"(\1)"),
    (re.compile(r"（（([^（）]*)）([^（）]*)）"), r"（\1）\2"),  # （（2026）示刑初1号）
    (re.compile(r"〔〔([^〔〕]*)〕([^〔〕]*)〕"), r"〔\1〕\2"),
    (re.compile(r"（\s*）|〔\s*〕|\(\s*\)"), ""),
]


def tidy(text: str) -> str:
    """``text`` with doubled brackets made single and empty brackets dropped."""
    for pattern, repl in _DOUBLED:
        previous = None
        while previous != text:
            previous, text = text, pattern.sub(repl, text)
    return text


def esc(value: Any) -> str:
    text_value = tidy("" if value is None else str(value))
    return text_value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def head(doc: Doc, look: Look) -> list:
    return [
        Paragraph(esc(doc.unit), look.issuer),
        Paragraph(esc(doc.kind.heading or doc.kind.title), look.title),
        Paragraph(esc(doc.number), look.number),
        Spacer(1, 4 * mm),
    ]


def paras(look: Look, *texts: str) -> list:
    return [Paragraph(esc(t), look.body) for t in texts if t]


def signature(
    doc: Doc,
    look: Look,
    *,
    before: list[str] | None = None,
    after: list[str] | None = None,
    receipt: list[str] | None = None,
    dated: date | None = None,
):
    """The end of a paper as an official document (公文) has it: ``before`` (附件…) under the
    body; the issuing organ centred over the date, the date four characters from the right
    margin, with room above and over them for the seal (印章 is stamped over both); then
    ``after`` (抄送…) under a rule; then, on a paper served on the person, ``receipt``: the
    lines they sign (签收) under a rule."""
    out: list = [Spacer(1, 6 * mm)] if before else []
    for line in before or []:  # 附件说明: a line under the body, indented two characters
        out.append(Paragraph(esc(line), look.body))
    organ, day = esc(doc.unit), cn_date(dated or doc.on)
    day_width = stringWidth(day, look.font, 12)
    width = max(day_width, stringWidth(organ, look.font, 12)) + 2
    # 右空四字: the date ends four characters from the right margin, the organ centred on it
    right_gap = max(4 * 12 - (width - day_width) / 2, 0)
    block = Table(
        [[Paragraph(organ, look.sign), ""], [Paragraph(day, look.sign), ""]],
        colWidths=[width, right_gap],
        rowHeights=[10 * mm, 10 * mm],
        hAlign="RIGHT",
    )
    block.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), look.font),  # the empty cells too
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    out += [Spacer(1, 16 * mm), block]  # the seal (about 42 mm across) sits over the block
    for group in (after, receipt):
        if group:
            out += [
                Spacer(1, 6 * mm),
                HRFlowable(width="100%", thickness=0.6, color=INK, spaceAfter=2 * mm),
            ]
            out += [Paragraph(esc(line), look.plain) for line in group]
    return [KeepTogether(out)]


def served(paper: str, who: str = "社区矫正对象") -> list[str]:
    """The 签收 lines of a paper served on the person."""
    return [
        f"签收：本{paper}已于______年____月____日收到。",
        f"{who}（签名、捺印）：____________　　　　送达人：____________",
    ]


def announced() -> list[str]:
    """The lines under a 宣告书: who announced it, and the person's 签收."""
    return ["宣告人：____________", *served("宣告书")]


def grid(look: Look, rows: list[list], widths: list[float], spans=()) -> Table:
    """A ruled form across the page (``widths`` are proportions), label cells centred, value
    cells left; ``None`` continues a span."""
    data = []
    for row in rows:
        cells = []
        for c, value in enumerate(row):
            if value is None:
                cells.append("")
                continue
            style = look.cell_label if c % 2 == 0 and len(row) > 1 else look.cell
            cells.append(Paragraph(esc(value).replace("\n", "<br/>"), style))
        data.append(cells)
    table = Table(data, colWidths=fit(widths))
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), look.font),  # the empty cells of spans too
        ("GRID", (0, 0), (-1, -1), 0.7, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]
    for span in spans:
        commands.append(("SPAN", *span))
    table.setStyle(TableStyle(commands))
    return table


def fit(widths: list[float]) -> list[float]:
    """Column widths in the proportions of ``widths`` that fill the page's width."""
    total = sum(widths)
    return [FRAME_WIDTH * w / total for w in widths]


def person_line(person) -> str:
    age = ""
    if person.birth_date:
        age = f"，{cn_date(person.birth_date)}出生"
    return (
        f"{person.name}，{label('sex', person.sex)}{age}，身份证号码{person.id_number}，"
        f"居住地{person.residence_address or person.household_address or BLANK}。"
    )


def opening(doc: Doc, look: Look, *texts: str, addressee: str = "") -> list:
    """The start of a paper about the person of a correction case: the head, the addressee
    if any, the person, the case, then ``texts``."""
    story = head(doc, look)
    if addressee:
        story.append(Paragraph(esc(addressee) + "：", look.addressee))
    story.append(person_para(look, doc.case.person))
    return story + paras(look, case_line(doc.case), *texts)


def person_para(look: Look, person) -> Paragraph:
    """社区矫正对象：王伟，男，… — the person a paper is about."""
    return Paragraph("社区矫正对象：" + esc(person_line(person)), look.plain)


# What put the case into community corrections, by its type (the kind of the sentencing
# document: a 管制 or 缓刑 is a judgment, a 假释 a ruling, a 暂予监外执行 a decision).
_SENTENCING = {
    "control": ("刑事判决书", "判处", ""),
    "probation": ("刑事判决书", "判处", ""),
    "parole": ("刑事裁定书", "裁定", "假释"),
    "temporary_release": ("暂予监外执行决定书", "决定", "暂予监外执行"),
}


def sentencing_document(case: CorrectionCase) -> str:
    """The name of the document that sentenced the person (刑事判决书, 刑事裁定书 or
    暂予监外执行决定书), from the case's type."""
    return _SENTENCING.get(case.correction_type, _SENTENCING["probation"])[0]


def sentenced(case: CorrectionCase) -> str:
    """经示范县人民法院以（2026）示刑初12号刑事判决书判处有期徒刑一年，缓刑二年 — the verb
    and the document that apply to the case's type, never "判决（裁定、决定）"."""
    document, verb, outcome = _SENTENCING.get(case.correction_type, _SENTENCING["probation"])
    body = case.decision_body or BLANK
    ref = f"以{case.decision_document}{document}" if case.decision_document else ""
    sentence = (case.sentence or "").strip().rstrip("。")
    if not outcome:
        return f"经{body}{ref}{verb}{sentence or BLANK}"
    # 假释 / 暂予监外执行: the outcome once, the original sentence in brackets
    original = re.sub(rf"[，,、；;\s]*{outcome}$", "", sentence)
    return f"经{body}{ref}{verb}{outcome}" + (f"（原判{original}）" if original else "")


# The last step of the ladder for the case's type (docs/domain.md §3.8): none for 管制.
_ESCALATION = {
    "probation": "提请撤销缓刑",
    "parole": "提请撤销假释",
    "temporary_release": "提请收监执行",
}


def escalation(case: CorrectionCase, joiner: str) -> str:
    step = _ESCALATION.get(case.correction_type)
    return f"{joiner}{step}" if step else ""


def case_line(case: CorrectionCase, subject: str = "该人员") -> str:
    kind = label("correction_type", case.correction_type)
    return (
        f"{subject}因犯{case.crime or BLANK}，{sentenced(case)}，依法实行社区矫正，"
        f"矫正类别为{kind}，矫正期限自{cn_date(case.term_start)}起至{cn_date(case.term_end)}止。"
    )


def require_received(case: CorrectionCase, _record) -> None:
    if case.status == "expected" or case.received_on is None:
        fail(_("该社区矫正对象尚未报到接收，不能制作此文书。"))


def require_released(case: CorrectionCase, _record) -> None:
    if case.status != "released":
        fail(_("只有已解除社区矫正的案件可以制作解除文书。"))


def sanction_check(kind: str, *types: str):
    def check(case: CorrectionCase, sanction: Sanction) -> None:
        if sanction.kind != kind or sanction.is_void:
            fail(_("所选记录不是有效的%(kind)s。", kind=label("sanction_kind", kind)))
        if sanction.status != "decided":
            fail(_("只有已作出决定的%(kind)s可以制作文书。", kind=label("sanction_kind", kind)))
        if types and case.correction_type not in types:
            fail(_("该文书不适用于此矫正类别。"))

    return check
