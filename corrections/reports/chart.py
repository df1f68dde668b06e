"""The summary page's 12-month chart, drawn as inline SVG (no outside service, no JS library).

Two panels share the month axis: people (on register as a line, received and
released as bars) and contacts logged (bars), since contacts run to hundreds a
month and would flatten the people figures on one scale.
"""

from __future__ import annotations

import math
from html import escape

from flask_babel import gettext as _
from markupsafe import Markup

from corrections import periods

WIDTH, HEIGHT = 760, 400
LEFT, RIGHT = 52, 16
PEOPLE_TOP, PEOPLE_BOTTOM = 44, 224
CONTACTS_TOP, CONTACTS_BOTTOM = 270, 350
COLOURS = {
    "cc.on_register": "#0d6efd",
    "cc.received": "#198754",
    "cc.released": "#fd7e14",
    "cc.contacts": "#6f42c1",
}
FONT = "system-ui, -apple-system, 'Noto Sans CJK SC', 'WenQuanYi Zen Hei', sans-serif"


def nice_ticks(top: int, count: int = 4) -> list[int]:
    """Round tick values from 0 to at least ``top`` (1, 2, 5 × 10ⁿ steps)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    ticks = list(range(0, top + step, step))
    if ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def _month_label(month: str, first: bool) -> tuple[str, str]:
    day = periods.parse_month(month)
    sub = _("%(y)s年", y=day.year) if first or day.month == 1 else ""
    return _("%(m)d月", m=day.month), sub


def _text(
    x, y, content, size=12, anchor="middle", fill="#212529", weight="normal", halo=False
) -> str:
    outline = ' stroke="#fff" stroke-width="3" paint-order="stroke"' if halo else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}"{outline}>{escape(str(content))}</text>'
    )


def _scale(top: float, bottom: float, highest: int):
    """The y of a value on a panel from ``top`` to ``bottom`` whose axis ends at ``highest``."""
    return lambda v: bottom - (bottom - top) * v / highest


def monthly_chart(series: list[dict]) -> Markup:
    """SVG for ``summary.monthly_series`` rows: month, cc.on_register, cc.received,
    cc.released, cc.contacts."""
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(series))
    people_max = max(
        [1] + [max(r["cc.on_register"], r["cc.received"], r["cc.released"]) for r in series]
    )
    pt = nice_ticks(people_max)
    ct = nice_ticks(max([1] + [r["cc.contacts"] for r in series]), 2)
    py = _scale(PEOPLE_TOP, PEOPLE_BOTTOM, pt[-1])
    cy = _scale(CONTACTS_TOP, CONTACTS_BOTTOM, ct[-1])
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="report-chart" id="monthly-chart" role="img" font-family="{FONT}" '
        f'aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(_("近12个月社区矫正趋势：在册人数、接收、解除、联系记录"))}</title>',
        '<rect x="0" y="0" width="100%" height="100%" fill="#fff"/>',
        *_legend(),
        _text(LEFT - 8, PEOPLE_TOP - 12, _("人"), 12, "end", "#6c757d"),
        _text(LEFT - 8, CONTACTS_TOP - 12, _("次"), 12, "end", "#6c757d"),
        *_grid(pt, py),
        *_grid(ct, cy),
    ]
    points = []
    for i, row in enumerate(series):
        centre = LEFT + slot * (i + 0.5)
        out += _month(row, i == 0, centre, slot, py, cy)
        points.append((centre, py(row["cc.on_register"]), row["cc.on_register"]))
    out += _register_line(points)
    out.append("</svg>")
    return Markup("".join(out))


def _legend() -> list[str]:
    legend = [
        ("cc.on_register", _("在册人数（月末）"), "line"),
        ("cc.received", _("接收"), "bar"),
        ("cc.released", _("解除"), "bar"),
        ("cc.contacts", _("联系记录（次，下图）"), "bar"),
    ]
    out = []
    x = LEFT
    for key, text, shape in legend:
        colour = COLOURS[key]
        if shape == "line":
            out.append(
                f'<line x1="{x}" y1="14" x2="{x + 18}" y2="14" stroke="{colour}" stroke-width="3"/>'
                f'<circle cx="{x + 9}" cy="14" r="3.5" fill="{colour}"/>'
            )
        else:
            out.append(f'<rect x="{x + 3}" y="8" width="12" height="12" fill="{colour}"/>')
        out.append(_text(x + 24, 19, text, 13, "start"))
        x += 30 + 14 * len(text) + 14
    return out


def _grid(ticks: list[int], y_of) -> list[str]:
    """A panel's grid lines and their values."""
    out = []
    for tick in ticks:
        y = y_of(tick)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="{"#adb5bd" if tick == 0 else "#e9ecef"}" stroke-width="1"/>'
        )
        out.append(_text(LEFT - 8, y + 4, tick, 12, "end", "#6c757d"))
    return out


def _month(row: dict, first: bool, centre: float, slot: float, py, cy) -> list[str]:
    """One month's group: its tooltip, the people bars, the contacts bar and the axis label."""
    month, year = _month_label(row["month"], first)
    tip = _(
        "%(m)s：在册%(r)d人，接收%(a)d人，解除%(b)d人，联系记录%(c)d次",
        m=row["month"],
        r=row["cc.on_register"],
        a=row["cc.received"],
        b=row["cc.released"],
        c=row["cc.contacts"],
    )
    out = [
        f'<g class="chart-month" data-month="{escape(row["month"])}">',
        f"<title>{escape(tip)}</title>",
        f'<rect x="{centre - slot / 2:.1f}" y="{PEOPLE_TOP - 6}" width="{slot:.1f}" '
        f'height="{CONTACTS_BOTTOM - PEOPLE_TOP + 6}" fill="transparent"/>',
    ]
    bar = min(18.0, slot * 0.26)
    for offset, key in ((-bar - 1, "cc.received"), (1, "cc.released")):
        value = row[key]
        top = py(value)
        out.append(
            f'<rect x="{centre + offset:.1f}" y="{top:.1f}" width="{bar:.1f}" '
            f'height="{PEOPLE_BOTTOM - top:.1f}" fill="{COLOURS[key]}"/>'
        )
        if value:
            out.append(_text(centre + offset + bar / 2, top - 3, value, 11, fill=COLOURS[key]))
    value = row["cc.contacts"]
    top = cy(value)
    width = min(30.0, slot * 0.55)
    out.append(
        f'<rect x="{centre - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" '
        f'height="{CONTACTS_BOTTOM - top:.1f}" fill="{COLOURS["cc.contacts"]}" opacity=".85"/>'
    )
    out.append(_text(centre, top - 3, value, 11, fill=COLOURS["cc.contacts"]))
    out.append(_text(centre, CONTACTS_BOTTOM + 18, month, 13))
    if year:
        out.append(_text(centre, CONTACTS_BOTTOM + 34, year, 11, fill="#6c757d"))
    out.append("</g>")
    return out


def _register_line(points: list[tuple[float, float, int]]) -> list[str]:
    """The on-register line through the months, with each month's value."""
    if not points:
        return []
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v in points)
    colour = COLOURS["cc.on_register"]
    out = [
        f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
        f'stroke-linejoin="round"/>'
    ]
    for x, y, value in points:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
        out.append(_text(x, y - 8, value, 12, fill=colour, weight="600", halo=True))
    return out
