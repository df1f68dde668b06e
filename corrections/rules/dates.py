"""Calendar arithmetic used by every legal period.

Month arithmetic clamps to the end of the month (docs/domain.md §3.7): 31 January
plus one month is 28 or 29 February, and 29 February plus one year is
28 February.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "add_months",
    "add_years",
    "inclusive_days",
    "days_in_range",
    "Span",
    "occupied_until",
    "overlapping",
]


def add_months(d: date, n: int) -> date:
    """Return `d` moved by `n` calendar months (negative `n` goes back), clamped to month end."""
    months = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(months, 12)
    month = month0 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))


def add_years(d: date, n: int) -> date:
    """Return the same calendar date `n` years later; 29 February gives 28 February."""
    return add_months(d, 12 * n)


def inclusive_days(start: date, end: date) -> int:
    """Number of days from `start` to `end`, both counted (1–7 March is 7).

    An empty range (`end` before `start`) has 0 days.
    """
    return max(0, (end - start).days + 1)


def days_in_range(start: date, end: date):
    """Yield every date from `start` to `end`, both included."""
    d = start
    one = timedelta(days=1)
    while d <= end:
        yield d
        d += one


@dataclass(frozen=True)
class Span:
    """A dated record of a case that occupies days: a leave (cut short by an early
    return) or a monitoring episode (cut short by removal)."""

    id: int | None
    starts_on: date
    ends_on: date
    cut_short_on: date | None = None


def occupied_until(span: Span) -> date:
    """The last day the span occupies: its end, or the day it was cut short when earlier."""
    if span.cut_short_on is not None and span.cut_short_on < span.ends_on:
        return max(span.cut_short_on, span.starts_on)
    return span.ends_on


def overlapping(starts_on: date, ends_on: date, others: Iterable[Span]) -> Span | None:
    """The first of ``others`` (by start) that shares at least one day with
    ``[starts_on, ends_on]`` (both ends counted), or None (docs/domain.md §7.3, §7.4)."""
    clashes = [o for o in others if o.starts_on <= ends_on and starts_on <= occupied_until(o)]
    return min(clashes, key=lambda o: (o.starts_on, o.id or 0)) if clashes else None
