"""Calendar months and quarters: the one place that computes a month's first and last
day, steps from month to month, and reads or writes a month as ``YYYY-MM``.

Legal periods that move a date by months (clamped to the month end) are
``corrections.rules.dates.add_months``; this module is about whole months (reports,
month-end figures, monthly hours).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

__all__ = [
    "month_start",
    "month_end",
    "month_of",
    "month_bounds",
    "previous_month",
    "whole_month",
    "month_text",
    "parse_month",
    "month_ends_before",
    "month_starts_until",
    "quarter_bounds",
]

_MONTH_TEXT = re.compile(r"^(\d{4})-(\d{2})$")


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month (28 February, 29 February in a leap year, …)."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_of(day: date) -> tuple[date, date]:
    """(first day, last day) of ``day``'s month."""
    return month_start(day), month_end(day)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """(first day, last day) of the month ``year``-``month``."""
    return month_of(date(year, month, 1))


def previous_month(day: date) -> date:
    """The first day of the month before ``day``'s month (January gives last December)."""
    return month_start(month_start(day) - timedelta(days=1))


def whole_month(start: date, end: date) -> date | None:
    """``start`` when ``start``–``end`` is exactly one calendar month, else None."""
    if start.day == 1 and end == month_end(start):
        return start
    return None


def month_text(day: date) -> str:
    """``day``'s month as ``YYYY-MM``."""
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(text: str | None) -> date | None:
    """The first day of the month written ``YYYY-MM`` (surrounding blanks ignored); None when
    the text is empty or is not such a month (``2026-13``, ``2026-3``, ``2026-03-01``)."""
    match = _MONTH_TEXT.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_ends_before(on: date, count: int) -> list[date]:
    """The ``count`` latest month ends strictly before ``on``, oldest first."""
    ends = []
    end = month_start(on) - timedelta(days=1)
    for _ in range(count):
        ends.append(end)
        end = month_start(end) - timedelta(days=1)
    return ends[::-1]


def month_starts_until(last: date, count: int) -> list[date]:
    """The first days of the ``count`` months ending with ``last``'s month, oldest first."""
    if count < 1:
        return []
    firsts = [month_start(last)]
    while len(firsts) < count:
        firsts.append(previous_month(firsts[-1]))
    return firsts[::-1]


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """(first day, last day) of quarter 1–4 of ``year``."""
    first = date(year, 3 * quarter - 2, 1)
    return first, month_end(date(year, 3 * quarter, 1))
