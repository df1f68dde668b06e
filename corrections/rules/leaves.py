"""Leave (外出) rules that are pure functions of dates (docs/domain.md §3.7, §7.3).

* Leaves of one case may not overlap: a leave occupies ``starts_on`` to ``ends_on``
  (both ends counted), or to its return (销假) when the person came back early.
* A return is overdue on D when D is after ``ends_on`` and the person had not
  returned on or before D; it is late by ``D - ends_on`` days (1 on the first
  day after the end).
"""

from __future__ import annotations

from datetime import date

from .dates import Span as LeaveSpan  # a leave, cut short by an early return (销假)
from .dates import occupied_until, overlapping
from .deadlines import is_return_overdue

__all__ = ["LeaveSpan", "occupied_until", "overlapping", "return_days_late", "is_return_overdue"]


def return_days_late(ends_on: date, returned_on: date | None, on: date) -> int:
    """Days the return is overdue on ``on`` (0 when not overdue)."""
    if not is_return_overdue(ends_on, returned_on, on):
        return 0
    return (on - ends_on).days
