"""The monthly workbook (openpyxl, write-only so a province's register fits in memory):

- 统计数据: every figure of docs/domain.md §5 (by its printed name, not its key) for the month
  and the year to date, per station, the year-to-date paragraph and the sign-off block;
- 社区矫正人员情况统计表: the legacy form (docs/domain.md §6) with its sign-off block;
- 社区矫正台账 / 安置帮教台账: one row per case in scope that was on the register at some
  point in the year up to the month end, as of the month end, with the columns officers keep;
- 预警处置台账: every alert of the month with its steps (corrections/alerts/register.py).

Every sheet sets its column widths, freezes its header rows and repeats them at the top of
every printed page (print titles), landscape A4 one page wide.

Register rows stream from the database in batches (``yield_per``) straight into the sheet.
ID numbers are masked unless the user is a supervisor or an admin; names and ID numbers
of people with a minor's case are masked for viewers (people.privacy).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import case, or_, select

from corrections.auth.models import User
from corrections.exports import xlsx_cell
from corrections.extensions import db
from corrections.labels import label as code_label
from corrections.people import privacy
from corrections.people.models import Person
from corrections.reports import figures
from corrections.reports import legacy as legacy_form
from corrections.reports.monthly import Monthly, label, monthly, period_sections, stock_keys
from corrections.reports.printing import china_now, cn_date
from corrections.resettlement.models import ResettlementCase
from corrections.rules import deadlines as deadline_rules
from corrections.supervision.models import CorrectionCase

CC = CorrectionCase
RC = ResettlementCase
BATCH = 1000
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TITLE_FONT = Font(bold=True, size=14)
HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E6E9EE")
SECTION_FILL = PatternFill("solid", fgColor="F3F4F6")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
DATE_FORMAT = "yyyy-mm-dd"

CC_COLUMNS = [
    ("序号", 6),
    ("姓名", 10),
    ("性别", 5),
    ("身份证号", 21),
    ("出生日期", 11),
    ("民族", 7),
    ("矫正类别", 18),
    ("罪名", 16),
    ("原判刑罚", 16),
    ("矫正期限起", 11),
    ("矫正期限止", 11),
    ("接收日期", 11),
    ("管理等级", 8),
    ("司法所", 12),
    ("责任人", 14),
    ("状态", 16),
    ("解除/终止日期", 13),
]
RS_COLUMNS = [
    ("序号", 6),
    ("姓名", 10),
    ("性别", 5),
    ("身份证号", 21),
    ("来源", 14),
    ("原服刑场所", 20),
    ("释放日期", 11),
    ("衔接日期", 11),
    ("衔接方式", 20),
    ("是否重点", 8),
    ("帮教期满日", 11),
    ("安置情况", 10),
    ("状态", 12),
    ("司法所", 12),
]


def monthly_workbook(user: User, month_text: str | None, station_code: str | None = None) -> bytes:
    report = monthly(user, month_text, station_code)
    return render(report)


def render(report: Monthly) -> bytes:
    book = Workbook(write_only=True)
    with force_locale("zh"):
        _figures_sheet(book, report)
        form = legacy_form.compute(report.stations, report.start, report.end, report.station_code)
        _legacy_sheet(book, report, form)
        _correction_register(book, report)
        _resettlement_register(book, report)
        from corrections.alerts.register import alert_sheet

        alert_sheet(book, report)  # 预警处置台账
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- helpers


def _cell(sheet, value, *, font=None, fill=None, border=True, align=None, fmt=None):
    cell = xlsx_cell(sheet, value)  # text stays text: never a formula (docs/security.md)
    _restyle(cell, _style(sheet, font, fill, border, align, fmt))
    return cell


def _restyle(cell, style: StyleArray) -> None:
    """Give ``cell`` a copy of ``style``, keeping the quote prefix ``xlsx_cell`` set on text
    that looks like a formula (docs/security.md, "Exports")."""
    quoted = cell._style.quotePrefix if cell._style is not None else 0
    cell._style = StyleArray(style)
    if quoted:
        cell._style.quotePrefix = quoted


def _style(sheet, font, fill, border, align, fmt) -> StyleArray:
    """The cell style of this combination, registered with the workbook once.

    Setting ``cell.font`` and the like looks the style up in the workbook's lists, hashing
    it, on every cell: that was most of a province unit's workbook's time (some 27,000
    register rows of 14–17 cells). A combination is worked out once per workbook on a probe cell (the same
    assignments, in the same order, as a cell of its own would get) and each cell gets a
    copy of the probe's style ids. The styles are the module's constants, so they are
    told apart by identity (and kept alive with it)."""
    book = sheet.parent
    kept = book.__dict__.setdefault("_corrections_styles", {})
    key = (id(font), id(fill), bool(border), id(align), fmt)
    found = kept.get(key)
    if found is None:
        probe = WriteOnlyCell(sheet)
        if font is not None:
            probe.font = font
        if fill is not None:
            probe.fill = fill
        if border:
            probe.border = BOX
        if align is not None:
            probe.alignment = align
        if fmt is not None:
            probe.number_format = fmt
        style = StyleArray(probe._style) if probe.has_style else StyleArray()
        # the objects are kept with it, so their ids cannot be reused while the book lives
        found = kept[key] = (style, (font, fill, align))
    return found[0]


def _header(sheet, texts) -> list:
    return [_cell(sheet, t, font=HEAD_FONT, fill=HEAD_FILL, align=WRAP) for t in texts]


def _widths(sheet, widths) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _print_setup(sheet, title_rows: str, *, landscape: bool = True) -> None:
    """Printed on A4, as wide as the page, the header rows (``title_rows``, e.g. "4:4")
    repeated at the top of every printed page."""
    sheet.print_title_rows = title_rows
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


SIGN_OFF = ("填报单位（盖章）", "负责人", "审核人", "填表人", "报送日期")


def _sign_off(sheet, unit: str) -> None:
    """The block the form is signed and stamped with before it is sent up (as on the PDF)."""
    sheet.append([])
    sheet.append(
        [
            _cell(sheet, f"填报单位（盖章）：{unit}", border=False),
            None,
            _cell(sheet, "负责人：", border=False),
            None,
            _cell(sheet, "审核人：", border=False),
        ]
    )
    sheet.append(
        [
            _cell(sheet, "报送日期：　　　　年　　月　　日", border=False),
            None,
            _cell(sheet, "填表人：", border=False),
            None,
            _cell(sheet, "联系电话：", border=False),
        ]
    )


def _title(sheet, text: str, note: str) -> None:
    sheet.append([_cell(sheet, text, font=TITLE_FONT, border=False)])
    sheet.append([_cell(sheet, note, border=False)])


def _state(report: Monthly) -> str:
    return "已关账（冻结数据）" if report.frozen else "实时统计"


def _row(sheet, values) -> list:
    """Body cells: dates as dates, everything with a thin border (``_cell``'s two body
    styles, looked up once per row)."""
    plain = _style(sheet, None, None, True, None, None)
    dated = _style(sheet, None, None, True, None, DATE_FORMAT)
    cells = []
    for value in values:
        cell = xlsx_cell(sheet, value)  # text stays text: never a formula (docs/security.md)
        _restyle(cell, dated if isinstance(value, date) else plain)
        cells.append(cell)
    return cells


# --------------------------------------------------------------------------- 统计数据


def _figures_sheet(book: Workbook, report: Monthly) -> None:
    sheet = book.create_sheet("统计数据")
    columns = [(s.code, s.name) for s in report.stations]
    multi = len(columns) > 1
    blocks = [(None, "合计")] + columns if multi else columns
    _widths(sheet, [18, 30, 8, 14] + [14] * (2 * len(blocks)))
    sheet.freeze_panes = "C5"  # the header row and the figure's name stay in view
    _print_setup(sheet, "4:4")
    _title(
        sheet,
        f"{report.title} 统计数据",
        f"统计范围：{_scope(report)}；本月：{cn_date(report.start)}至{cn_date(report.end)}"
        f"（{_state(report)}）；本年累计：{report.ytd_label}（实时统计）；"
        f"时点数为{cn_date(report.end)}情况；生成时间：{china_now():%Y-%m-%d %H:%M}（北京时间）",
    )
    sheet.append([])
    sheet.append(
        _header(
            sheet,
            ["类别", "指标", "单位", "口径"]
            + [f"本月·{name}" for _c, name in blocks]
            + [f"本年累计·{name}" for _c, name in blocks],
        )
    )
    sections = [(t, keys, "时期数") for t, keys in period_sections()]
    sections.append(("月末在册情况", stock_keys(), "时点数（月末）"))
    for title, keys, kind in sections:
        for key in keys:
            values = [report.column(report.month, code).get(key, 0) for code, _n in blocks]
            values += [report.column(report.ytd, code).get(key, 0) for code, _n in blocks]
            sheet.append(
                _row(sheet, [title, label(key).strip("　"), figures.BY_KEY[key].unit, kind])
                + _row(sheet, [int(v) for v in values])
            )
    sheet.append([])
    sheet.append([_cell(sheet, "本年工作情况", font=HEAD_FONT, border=False)])
    sheet.append([_cell(sheet, report.ytd_text, border=False)])
    _sign_off(sheet, report.filing_unit)


def _scope(report: Monthly) -> str:
    return report.scope_label


# --------------------------------------------------------------------------- legacy form


def _legacy_sheet(book: Workbook, report: Monthly, form: legacy_form.LegacyForm) -> None:
    sheet = book.create_sheet(legacy_form.FORM_TITLE)
    columns = [(g, k, t) for g, items in legacy_form.GROUPS for k, t in items]
    _widths(sheet, [16] + [10] * len(columns))
    sheet.freeze_panes = "B6"  # the two header rows and the unit column stay in view
    _print_setup(sheet, "4:5")
    _title(
        sheet,
        form.title,
        f"统计范围：{form.place}；统计期间：{cn_date(form.start)}至{cn_date(form.end)}；"
        f"在册人员构成为{cn_date(form.end)}情况；实时统计",
    )
    sheet.append([])
    groups = []
    previous = None
    for group, _k, _t in columns:
        groups.append(group if group != previous else "")
        previous = group
    sheet.append(_header(sheet, ["单位"] + groups))
    sheet.append(_header(sheet, [""] + [t for _g, _k, t in columns]))
    for name, values in form.rows():
        row = _row(sheet, [name] + [int(values.get(k, 0)) for _g, k, _t in columns])
        if name == "合计":
            for cell in row:
                cell.font = HEAD_FONT
                cell.fill = SECTION_FILL
        sheet.append(row)
    _sign_off(sheet, form.filing_unit)


# --------------------------------------------------------------------------- registers


def _register_sheet(book: Workbook, title: str):
    """A write-only sheet for a register's rows of ready-made cells.

    ``append`` takes a row of values: openpyxl first tries each value as a cell's value and,
    when it is a cell, catches the failure (formatting the cell's repr for the message) and
    then makes a fresh cell for the next column; on a province unit's registers that was a
    third of the time. A row made only of cells (and empty columns) is now handed on as it
    is, with the same row and column numbers; any other row goes the usual way. This
    replaces openpyxl's (3.1) ``WriteOnlyWorksheet._values_to_row`` on the sheet;
    tests/reports/test_workbook_cells.py compares the result with the usual way."""
    sheet = book.create_sheet(title)
    usual = sheet._values_to_row

    def cells_to_row(values, row_idx):
        if not isinstance(values, list) or not all(
            v is None or isinstance(v, Cell) for v in values
        ):
            yield from usual(values, row_idx)
            return
        for col_idx, cell in enumerate(values, 1):
            if cell is None:
                continue
            cell.column, cell.row = col_idx, row_idx
            yield cell

    sheet._values_to_row = cells_to_row
    return sheet


def _stream(query) -> Iterator:
    """Rows in batches: a server-side cursor on PostgreSQL, fetchmany on SQLite."""
    yield from db.session.execute(query.execution_options(yield_per=BATCH))


def _station_order(station, stations):
    return case({s.id: i for i, s in enumerate(stations)}, value=station, else_=len(stations))


def _labels():
    """``code_label`` remembered for one sheet: a register repeats a few codes on every row."""
    memo: dict[tuple[str, str | None], str] = {}

    def labels(kind: str, code: str | None) -> str:
        text = memo.get((kind, code))
        if text is None:
            text = memo[(kind, code)] = code_label(kind, code)
        return text

    return labels


def _officer_name(display: str | None, username: str | None) -> str:
    return display or username or ""


def _correction_register(book: Workbook, report: Monthly) -> None:
    sheet = _register_sheet(book, "社区矫正台账")
    labels = _labels()
    _widths(sheet, [w for _t, w in CC_COLUMNS])
    sheet.freeze_panes = "C4"
    _print_setup(sheet, "3:3")
    end = report.end
    _title(
        sheet,
        f"{report.unit} 社区矫正对象台账（{report.start.year}年在册，截至{cn_date(end)}）",
        f"{report.start.year}年1月1日至{cn_date(end)}曾在册的社区矫正对象；"
        f"管理等级、司法所、状态为{cn_date(end)}情况。",
    )
    sheet.append(_header(sheet, [t for t, _w in CC_COLUMNS]))
    names = {s.id: s.name for s in report.stations}
    privacy.prefetch_all(report.user)
    for number, r in enumerate(_stream(_correction_rows(report, names)), start=1):
        sheet.append(_row(sheet, _correction_cells(report, labels, names, number, r)))


def _correction_rows(report: Monthly, names: dict):
    """The register's query: every case on the register some day of the year to the
    month's end, with level and station as at the month's end."""
    end = report.end
    station = figures.station_at(end)
    return (
        select(
            Person.id.label("person_id"),
            Person.name,
            Person.sex,
            Person.id_number,
            Person.birth_date,
            Person.ethnicity,
            CC.correction_type,
            CC.grounds,
            CC.crime,
            CC.sentence,
            CC.term_start,
            CC.term_end,
            CC.received_on,
            figures.level_at(end).label("level"),
            station.label("station_id"),
            User.display_name,
            User.username,
            CC.status,
            CC.end_reason,
            CC.ended_on,
        )
        .select_from(CC)
        .join(Person, Person.id == CC.person_id)
        .outerjoin(User, User.id == CC.officer_id)
        .where(
            CC.received_on <= end,
            or_(CC.ended_on.is_(None), CC.ended_on >= report.year_start),
            station.in_(list(names)),
        )
        .order_by(_station_order(station, report.stations), CC.received_on, CC.id)
    )


def _correction_status(labels, r, ended: bool) -> str:
    if not ended:
        return labels("case_status", "active")
    status = labels("case_status", r.status)
    if r.status == "terminated" and r.end_reason:
        status += f"（{labels('termination_reason', r.end_reason)}）"
    elif r.status == "released" and r.end_reason == "pardon":
        status += "（赦免）"
    return status


def _correction_cells(report: Monthly, labels, names: dict, number: int, r) -> list:
    ended = r.ended_on is not None and r.ended_on <= report.end
    ctype = labels("correction_type", r.correction_type)
    if r.correction_type == "temporary_release" and r.grounds:
        ctype += f"（{labels('grounds', r.grounds)}）"
    return [
        number,
        privacy.display_name(report.user, r.person_id, r.name),
        labels("sex", r.sex),
        privacy.display_id(report.user, r.person_id, r.id_number),
        r.birth_date,
        r.ethnicity or "",
        ctype,
        r.crime or "",
        r.sentence or "",
        r.term_start,
        r.term_end,
        r.received_on,
        labels("level", r.level) if r.level else "",
        names.get(r.station_id, ""),
        _officer_name(r.display_name, r.username),
        _correction_status(labels, r, ended),
        r.ended_on if ended else None,
    ]


def _resettlement_register(book: Workbook, report: Monthly) -> None:
    sheet = _register_sheet(book, "安置帮教台账")
    labels = _labels()
    _widths(sheet, [w for _t, w in RS_COLUMNS])
    sheet.freeze_panes = "C4"
    _print_setup(sheet, "3:3")
    end, year_start = report.end, report.year_start
    _title(
        sheet,
        f"{report.unit} 安置帮教对象台账（{report.start.year}年在册，截至{cn_date(end)}）",
        f"{report.start.year}年1月1日至{cn_date(end)}曾在册的安置帮教对象；"
        f"是否重点、状态为{cn_date(end)}情况。",
    )
    sheet.append(_header(sheet, [t for t, _w in RS_COLUMNS]))
    names = {s.id: s.name for s in report.stations}
    privacy.prefetch_all(report.user)
    query = (
        select(
            Person.id.label("person_id"),
            Person.name,
            Person.sex,
            Person.id_number,
            RC.source,
            RC.facility,
            RC.released_on,
            RC.handed_over_on,
            RC.handover_method,
            figures.key_at(end).label("is_key"),
            RC.period_ends_on,
            RC.placement,
            RC.ended_on,
            RC.end_reason,
            RC.station_id,
        )
        .select_from(RC)
        .join(Person, Person.id == RC.person_id)
        .where(
            RC.released_on <= end,
            or_(RC.ended_on.is_(None), RC.ended_on >= year_start),
            # on register until the day the support period ends (docs/domain.md §7.7)
            or_(RC.period_ends_on.is_(None), RC.period_ends_on >= year_start),
            RC.station_id.in_(list(names)),
        )
        .order_by(_station_order(RC.station_id, report.stations), RC.released_on, RC.id)
    )
    for number, r in enumerate(_stream(query), start=1):
        handed = r.handed_over_on is not None and r.handed_over_on <= end
        if r.ended_on is not None and r.ended_on <= end:
            status = labels("rs_status", "ended")
            if r.end_reason:
                status += f"（{labels('rs_end_reason', r.end_reason)}）"
        elif deadline_rules.is_support_period_over(r.period_ends_on, end):
            status = "帮教期满未结案"
        elif handed:
            status = labels("rs_status", "active")
        else:
            status = labels("rs_status", "released")
        sheet.append(
            _row(
                sheet,
                [
                    number,
                    privacy.display_name(report.user, r.person_id, r.name),
                    labels("sex", r.sex),
                    privacy.display_id(report.user, r.person_id, r.id_number),
                    labels("rs_source", r.source),
                    r.facility or "",
                    r.released_on,
                    r.handed_over_on if handed else None,
                    labels("handover_method", r.handover_method) if handed else "",
                    "是" if r.is_key else "否",
                    r.period_ends_on,
                    labels("placement", r.placement) if r.placement else "",
                    status,
                    names.get(r.station_id, ""),
                ],
            )
        )
