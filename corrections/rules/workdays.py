"""Working days: weekends, statutory holidays and 调休 make-up workdays (docs/domain.md §3.2).

Two sources, combined by `WorkdayCalendar`:

* the `chinese_calendar` package for the years it ships data for (the range is
  found by probing the package, so a newer release extends it automatically);
* an admin-editable table of days (date, is_workday) plus the set of years the
  admin has declared complete. In a complete year a day without an entry
  follows the weekday rule (Monday to Friday work). An admin entry always wins,
  also over the package, so a late change to the national arrangement can be
  entered without waiting for a new package release.

A day that neither source knows is *unknown* (`None`): deadlines that need it
are not computed rather than guessed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar

__all__ = [
    "WorkdayCalendar",
    "assessment_due",
    "library_years",
    "uncovered_note",
]

# Probe window for the package's data; wide enough for any release in the
# system's lifetime, cheap (one failed lookup per uncovered year).
_PROBE_FIRST_YEAR = 1990
_PROBE_LAST_YEAR = 2200


@functools.cache
def library_years() -> frozenset[int]:
    """Years for which the installed `chinese_calendar` has holiday data."""
    years = set()
    for year in range(_PROBE_FIRST_YEAR, _PROBE_LAST_YEAR + 1):
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except (NotImplementedError, ValueError):
            continue
        years.add(year)
    return frozenset(years)


def uncovered_note(year: int) -> str:
    """The plain explanation shown where a deadline cannot be computed yet."""
    return f"{year}年的节假日安排尚未录入，录入后自动计算期限"


class WorkdayCalendar:
    """Answers "is this a working day?" from the package and the admin table.

    `entries`: admin table rows `(date, is_workday)`.
    `covered_years`: years the admin table declares complete.
    `use_library`: consult `chinese_calendar` (tests may turn it off).
    """

    def __init__(
        self,
        entries: Iterable[tuple[date, bool]] = (),
        covered_years: Iterable[int] = (),
        *,
        use_library: bool = True,
    ) -> None:
        self._entries: dict[date, bool] = {d: bool(flag) for d, flag in entries}
        self._covered_years = frozenset(covered_years)
        self._library_years = library_years() if use_library else frozenset()

    def covers_year(self, year: int) -> bool:
        """True when every day of `year` is known."""
        return year in self._library_years or year in self._covered_years

    def is_workday(self, d: date) -> bool | None:
        """True for a working day, False for a rest day, None when unknown."""
        if d in self._entries:
            return self._entries[d]
        if d.year in self._library_years:
            return bool(chinese_calendar.is_workday(d))
        if d.year in self._covered_years:
            return d.weekday() < 5
        return None

    def add_working_days(self, received_on: date, n: int) -> date | None:
        """The `n`-th working day after the day of receipt (the receipt day itself is not counted).

        Returns None when a day needed for the count is not covered by either source.
        `n == 0` gives the receipt day.
        """
        result, _ = self.locate_working_day(received_on, n)
        return result

    def locate_working_day(self, received_on: date, n: int) -> tuple[date | None, date | None]:
        """`(the n-th working day after received_on, None)`, or `(None, first unknown day)`."""
        if n < 0:
            raise ValueError("n must not be negative")
        d = received_on
        remaining = n
        one = timedelta(days=1)
        while remaining > 0:
            d += one
            known = self.is_workday(d)
            if known is None:
                return None, d
            if known:
                remaining -= 1
        return d, None


def assessment_due(
    received_on: date,
    fast_track: bool,
    extensions: Iterable[int],
    calendar: WorkdayCalendar,
    base_days: int = 10,
    fast_track_days: int = 5,
) -> tuple[date | None, str | None]:
    """Due date of a 调查评估 (docs/domain.md §3.2) and, when it cannot be computed, why.

    The deadline is `base_days` (or `fast_track_days` for 速裁) working days after
    the day of receipt, plus every recorded extension (in working days).
    Returns `(due_on, None)`, or `(None, note)` when the working-day calendar does
    not cover the days needed yet.
    """
    n = (fast_track_days if fast_track else base_days) + sum(extensions)
    due_on, unknown = calendar.locate_working_day(received_on, n)
    if due_on is None:
        assert unknown is not None
        return None, uncovered_note(unknown.year)
    return due_on, None
