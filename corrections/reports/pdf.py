"""The monthly printable summary (ReportLab platypus, A4): header with the unit and the
month, the figures of the place it covers (named as the paragraph names it) for the month
and the year to date, the same per station, the year-to-date paragraph, the 12-month
chart, the sign-off block (填报单位（盖章）…), page numbers and the generation time.

A closed month prints its stored figures ("已关账（冻结数据）"); the year to date is
always computed from the records.
"""

from __future__ import annotations

import math

from flask_babel import force_locale
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table
from reportlab.platypus.tables import CellStyle

from corrections import periods
from corrections.auth.models import User
from corrections.reports import summary as summaries
from corrections.reports.monthly import (
    STOCK_SECTION,
    Monthly,
    label,
    monthly,
    period_sections,
    stock_keys,
    unit_of,
)
from corrections.reports.printing import (
    HEAD_BG,
    INK,
    SECTION_BG,
    Styles,
    build_pdf,
    china_now,
    chunks,
    cjk_font,
    cn_date,
    frame_width,
    grid_style,
    sign_off,
    table,
)

STATIONS_PER_TABLE = 6
EMPTY_LEADING = CellStyle("default").leading  # an empty cell's line height (ReportLab's default)
BAR = colors.HexColor("#4a6fa5")
BAR_2 = colors.HexColor("#c8553d")
LINE = colors.HexColor("#2f6f4f")


def monthly_pdf(user: User, month_text: str | None, station_code: str | None = None) -> bytes:
    """The PDF for ``month_text`` (YYYY-MM) and the user's stations or one of them."""
    report = monthly(user, month_text, station_code)
    return render(report)


def render(report: Monthly) -> bytes:
    font = cjk_font()
    styles = Styles(font.name)
    generated = china_now()
    with force_locale("zh"):
        story = _story(report, styles) + _sign_off(report, styles) + _anchor_note(styles)
    return build_pdf(
        story,
        font=font.name,
        title=report.title,
        header=report.title,
        generated=generated,
        subject="社区矫正和安置帮教工作月报",
    )


# --------------------------------------------------------------------------- story


def _story(r: Monthly, s: Styles) -> list:
    story: list = [
        Paragraph(f"{r.unit} 社区矫正和安置帮教工作月报", s.title),
        Paragraph(r.month_label, s.subtitle),
        Spacer(1, 1.5 * mm),
        Paragraph(_meta_line(r), s.meta),
        Spacer(1, 4 * mm),
    ]
    story += _status_notes(r, s)
    story.append(Paragraph(f"一、{r.place}主要数据", s.h2))
    story.append(_unit_table(r, s))
    story.append(
        Paragraph(
            f"注：时期数统计{cn_month_range(r)}内发生的事项，本年累计自{r.ytd_label}；"
            f"时点数为{cn_date(r.end)}当日情况。",
            s.note,
        )
    )
    number = 2
    if len(r.stations) > 1 and len({st.unit_id for st in r.stations}) > 1:
        story.append(
            Paragraph("统计范围包含多个单位，分所数据见同月工作簿（统计数据表）。", s.note)
        )
    elif len(r.stations) > 1:
        story.append(CondPageBreak(60 * mm))
        story.append(Paragraph(f"{_cn_number(number)}、分所数据（{r.month_label}）", s.h2))
        story += _station_tables(r, s, r.month, period_sections(), with_stock=True)
        number += 1
        story.append(CondPageBreak(60 * mm))
        story.append(Paragraph(f"{_cn_number(number)}、分所数据（本年累计）", s.h2))
        story += _station_tables(r, s, r.ytd, period_sections(), with_stock=False)
        story.append(
            Paragraph(f"本年累计为{r.ytd_label}；时点数见上表（{cn_date(r.end)}）。", s.note)
        )
        number += 1
    story.append(
        KeepTogether(
            [
                Paragraph(f"{_cn_number(number)}、本年工作情况", s.h2),
                Paragraph(r.ytd_text, s.body),
            ]
        )
    )
    number += 1
    story.append(
        KeepTogether(
            [
                Paragraph(f"{_cn_number(number)}、近12个月情况", s.h2),
                _chart(r, s),
                Paragraph(
                    "在册人数为各月末时点数；接收、解除、联系记录为各月发生数"
                    "（接收不含变更执行地转入）" + ("；图表按当前记录统计。" if r.frozen else "。"),
                    s.note,
                ),
            ]
        )
    )
    if r.frozen and r.station_code is None and r.month["closed"] is not None:
        story += _differences(r, s, number + 1)
    return story


def _sign_off(r: Monthly, s: Styles) -> list:
    """填报单位（盖章）, 负责人, 审核人, 填表人, 报送日期: the paper is signed and stamped
    before it is sent up."""
    return [Spacer(1, 6 * mm), KeepTogether([sign_off(s, r.filing_unit, frame_width())])]


def _anchor_note(s: Styles) -> list:
    """The audit chain's latest anchor, so a printed copy can later prove the log was not
    truncated or rewritten (docs/security.md, Audit)."""
    from corrections.audit.services import latest_anchor

    anchor = latest_anchor()
    if anchor is None:
        return [Spacer(1, 3 * mm), Paragraph("审计日志锚点：尚未生成。", s.note)]
    return [
        Spacer(1, 3 * mm),
        Paragraph(
            f"审计日志锚点：{cn_date(anchor.anchored_on)}，共{anchor.length}条记录，"
            f"末条编号{anchor.last_event_id}，链头哈希{anchor.head_hash[:16]}，"
            f"密钥{anchor.key_id}。",
            s.note,
        ),
    ]


def cn_month_range(r: Monthly) -> str:
    return f"{cn_date(r.start)}至{cn_date(r.end)}"


def _cn_number(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def _meta_line(r: Monthly) -> str:
    scope = r.scope_label
    state = "已关账（冻结数据）" if r.frozen else "实时统计"
    return f"统计范围：{scope}　　统计期间：{cn_month_range(r)}　　数据状态：{state}"


def _status_notes(r: Monthly, s: Styles) -> list:
    notes = []
    if r.frozen and r.month["closed"] is not None:
        closed = r.month["closed"]
        when = closed.closed_at.astimezone(china_now().tzinfo)
        notes.append(
            f"本月已关账（冻结数据）：本月数据为{when:%Y年%m月%d日 %H:%M}关账时保存的数字；"
            "本年累计为实时统计。"
        )
    if r.in_progress:
        notes.append(f"本月尚未结束，数据截至{cn_date(r.end)}前已录入的记录，仅供参考。")
    return [Paragraph(n, s.note) for n in notes] + ([Spacer(1, 2 * mm)] if notes else [])


def _fmt(value) -> str:
    return "" if value is None else f"{int(value):,}"


def _unit_table(r: Monthly, s: Styles) -> Table:
    """指标 | 单位 | 本月 | 本年累计, by section; stock figures span both columns."""
    width = frame_width()
    widths = [width - 14 * mm - 2 * 30 * mm, 14 * mm, 30 * mm, 30 * mm]
    rows = [
        [
            Paragraph("指标", s.head),
            Paragraph("单位", s.head),
            Paragraph(f"本月<br/>（{r.start.month}月）", s.head),
            Paragraph(f"本年累计<br/>（1—{r.end.month}月）", s.head),
        ]
    ]
    extra = _plain_cells(s, 1, 2)
    month, ytd = r.month["figures"], r.ytd["figures"]
    for number, (title, keys) in enumerate(period_sections(), start=1):
        extra += _section_row(len(rows))
        rows.append([Paragraph(f"（{_cn_number(number)}）{title}", s.cell), "", "", ""])
        for key in keys:
            rows.append(
                [
                    Paragraph(label(key), s.cell),
                    unit_of(key),
                    _fmt(month.get(key)),
                    _fmt(ytd.get(key)),
                ]
            )
    extra += _section_row(len(rows))
    stock_title = f"（{_cn_number(len(period_sections()) + 1)}）{STOCK_SECTION}（{cn_date(r.end)}）"
    rows.append([Paragraph(stock_title, s.cell), "", "", ""])
    for key in stock_keys():
        extra.append(("SPAN", (2, len(rows)), (3, len(rows))))
        extra.append(("ALIGN", (2, len(rows)), (3, len(rows)), "CENTER"))
        extra.append(("LEADING", (3, len(rows)), (3, len(rows)), EMPTY_LEADING))  # as before
        rows.append([Paragraph(label(key), s.cell), unit_of(key), _fmt(month.get(key)), ""])
    return table(rows, widths, grid_style(s.font, 1, extra))


def _plain_cells(s: Styles, unit_column: int, first_number: int) -> list[tuple]:
    """Units and numbers are plain text cells (one line each, never wrapped), drawn in the
    font, size, leading and colour of the cell paragraphs, units centred, numbers to the
    right: a Paragraph per number made most of a unit's PDF's layout time."""
    return [
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("LEADING", (unit_column, 1), (-1, -1), s.cell.leading),
        ("ALIGN", (unit_column, 1), (unit_column, -1), "CENTER"),
        ("ALIGN", (first_number, 1), (-1, -1), "RIGHT"),
    ]


def _section_row(index: int) -> list[tuple]:
    return [
        ("SPAN", (0, index), (-1, index)),
        ("BACKGROUND", (0, index), (-1, index), SECTION_BG),
        # the row keeps the height it has always had: its empty cells count at the table's
        # default leading, not at the number cells' (``_plain_cells``)
        ("LEADING", (0, index), (-1, index), EMPTY_LEADING),
    ]


def _station_tables(r: Monthly, s: Styles, result: dict, sections, *, with_stock: bool) -> list:
    """Figures × stations (+ 合计), split into tables of a few stations each."""
    width = frame_width()
    groups = chunks(r.stations, STATIONS_PER_TABLE)
    flow: list = []
    for index, group in enumerate(groups):
        columns = [(st.code, st.name) for st in group]
        last = index == len(groups) - 1
        if last:
            columns.append((None, "合计"))
        label_width = 46 * mm
        unit_width = 10 * mm
        col = min((width - label_width - unit_width) / len(columns), 24 * mm)
        widths = [label_width, unit_width] + [col] * len(columns)
        header = [Paragraph("指标", s.head), Paragraph("单位", s.head)] + [
            Paragraph(name, s.small_head) for _code, name in columns
        ]
        rows = [header]
        extra = _plain_cells(s, 1, 2)
        if last:
            extra.append(("BACKGROUND", (len(widths) - 1, 1), (-1, -1), HEAD_BG))
        all_sections = list(sections)
        if with_stock:
            all_sections.append((f"{STOCK_SECTION}（{cn_date(r.end)}）", stock_keys()))
        for number, (title, keys) in enumerate(all_sections, start=1):
            extra += _section_row(len(rows))
            title = f"（{_cn_number(number)}）{title}"
            rows.append([Paragraph(title, s.cell)] + [""] * (len(widths) - 1))
            for key in keys:
                rows.append(
                    [Paragraph(label(key), s.cell), unit_of(key)]
                    + [_fmt(r.column(result, code).get(key, 0)) for code, _name in columns]
                )
        if len(groups) > 1:
            flow.append(Paragraph(f"（第{index + 1}部分，共{len(groups)}部分）", s.note))
        flow.append(table(rows, widths, grid_style(s.font, 1, extra)))
        flow.append(Spacer(1, 3 * mm))
    return flow


def _differences(r: Monthly, s: Styles, number: int) -> list:
    closed = r.month["closed"]
    changed = summaries.differences(
        r.month["closed_months"] or closed, [st.id for st in r.stations]
    )
    if not changed:
        return []
    rows = [[Paragraph(t, s.head) for t in ("指标", "关账数", "现值", "差额")]]
    for key, (stored, now) in changed.items():
        rows.append(
            [
                Paragraph(label(key).strip("　"), s.cell),
                Paragraph(_fmt(stored), s.cell_right),
                Paragraph(_fmt(now), s.cell_right),
                Paragraph(f"{now - stored:+d}", s.cell_right),
            ]
        )
    width = frame_width()
    return [
        CondPageBreak(40 * mm),
        Paragraph(f"{_cn_number(number)}、关账后记录变动", s.h2),
        Paragraph(
            "关账后补录或更正了日期在本月内的记录，下列数字与关账数不同；"
            "本报告仍以关账数为准，变动明细见系统统计报表页“关账后的改动”。",
            s.note,
        ),
        Spacer(1, 2 * mm),
        table(rows, [width - 3 * 30 * mm, 30 * mm, 30 * mm, 30 * mm], grid_style(s.font, 1)),
    ]


# --------------------------------------------------------------------------- chart


def _nice_axis(values: list[int]) -> tuple[int, int]:
    """(max, step) with integer steps of 1/2/5 × 10^k and about five gridlines."""
    top = max(values + [0])
    top = math.ceil(top * 1.08)  # headroom for the value labels
    if top <= 5:
        return max(top, 1) if top else 1, 1
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return int(step * math.ceil(top / step)), int(step)


def _chart(r: Monthly, s: Styles) -> Drawing:
    # the report's own month is the chart's last: its figures are the ones printed above
    series = summaries.monthly_series(
        r.user, r.start, 12, r.station_code, stations=r.stations, known={r.start: r.month}
    )
    firsts = periods.month_starts_until(r.start, 12)
    names = [f"{d.month}月" for d in firsts]
    width = frame_width()
    panel_w, panel_h = width / 2, 62 * mm
    base = 7 * mm  # room for the period line under the panels
    drawing = Drawing(width, panel_h * 2 + base, initialFontName=s.font)
    panels = [
        ("月末在册社区矫正对象（人）", "cc.on_register", "line", LINE),
        ("接收社区矫正对象（人）", "cc.received", "bar", BAR),
        ("解除社区矫正（人）", "cc.released", "bar", BAR_2),
        ("联系记录（次）", "cc.contacts", "bar", BAR),
    ]
    for index, (title, key, kind, colour) in enumerate(panels):
        x = (index % 2) * panel_w
        y = base + (panel_h if index < 2 else 0)
        values = [int(row.get(key, 0)) for row in series]
        _panel(drawing, s.font, x, y, panel_w, panel_h, title, names, values, kind, colour)
    first, last = firsts[0], firsts[-1]
    end = periods.month_end(last)
    drawing.add(
        String(
            width / 2,
            1.5 * mm,
            f"统计期间：{cn_date(first)}至{cn_date(end)}",
            fontName=s.font,
            fontSize=8,
            fillColor=colors.HexColor("#444444"),
            textAnchor="middle",
        )
    )
    return drawing


def _panel(drawing, font, x, y, w, h, title, names, values, kind, colour) -> None:
    left, bottom = 13 * mm, 11 * mm
    plot_w, plot_h = w - left - 6 * mm, h - bottom - 11 * mm
    drawing.add(
        String(
            x + left + plot_w / 2,
            y + h - 6 * mm,
            title,
            fontName=font,
            fontSize=9.5,
            textAnchor="middle",
        )
    )
    top, step = _nice_axis(values)
    chart = HorizontalLineChart() if kind == "line" else VerticalBarChart()
    chart.x, chart.y = x + left, y + bottom
    chart.width, chart.height = plot_w, plot_h
    chart.data = [values]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.valueAxis.gridStrokeWidth = 0.3
    chart.valueAxis.strokeWidth = 0.5
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 0
    chart.categoryAxis.labels.dy = -3
    chart.categoryAxis.tickDown = 2
    chart.categoryAxis.strokeWidth = 0.5
    if kind == "line":
        chart.lines[0].strokeColor = colour
        chart.lines[0].strokeWidth = 1.4
        from reportlab.graphics.widgets.markers import makeMarker

        chart.lines[0].symbol = makeMarker("FilledCircle", size=3, fillColor=colour)
        chart.lineLabelFormat = "%d"
        chart.lineLabels.fontName = font
        chart.lineLabels.fontSize = 6
        chart.lineLabels.dy = 4
    else:
        chart.bars[0].fillColor = colour
        chart.bars[0].strokeColor = None
        chart.barWidth = 6
        chart.groupSpacing = 4
        chart.barLabelFormat = "%d"
        chart.barLabels.fontName = font
        chart.barLabels.fontSize = 6
        chart.barLabels.nudge = 5
    drawing.add(chart)
