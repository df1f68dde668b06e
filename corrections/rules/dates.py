"""Calendar arithmetic used by every legal period.

Month arithmetic clamps to the end of the month (docs/domain.md §3.7): 31 January
plus one month is 28 or 29 February, and 29 February plus one year is
28 February.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

__all__ = ["add_months", "add_years", "inclusive_days", "days_in_range"]


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
