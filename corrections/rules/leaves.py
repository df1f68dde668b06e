"""Leave (外出) rules that are pure functions of dates (docs/domain.md §3.7, §7.3).

* Leaves of one case may not overlap: a leave occupies ``starts_on`` to ``ends_on``
  (both ends counted), or to its return (销假) when the person came back early.
* A return is overdue on D when D is after ``ends_on`` and the person had not
  returned on or before D; it is late by ``D - ends_on`` days (1 on the first
  day after the end).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .deadlines import is_return_overdue

__all__ = ["LeaveSpan", "occupied_until", "overlapping", "return_days_late", "is_return_overdue"]


@dataclass(frozen=True)
class LeaveSpan:
    """Another leave of the same case (approved or still pending)."""

    id: int | None
    starts_on: date
    ends_on: date
    returned_on: date | None = None


def occupied_until(span: LeaveSpan) -> date:
    """The last day the leave occupies: its end, or the return day when earlier."""
    if span.returned_on is not None and span.returned_on < span.ends_on:
        return max(span.returned_on, span.starts_on)
    return span.ends_on


def overlapping(starts_on: date, ends_on: date, others: Iterable[LeaveSpan]) -> LeaveSpan | None:
    """The first of ``others`` (by start) that shares at least one day with
    ``[starts_on, ends_on]``, or None."""
    clashes = [
        other
        for other in others
        if other.starts_on <= ends_on and starts_on <= occupied_until(other)
    ]
    return min(clashes, key=lambda o: (o.starts_on, o.id or 0)) if clashes else None


def return_days_late(ends_on: date, returned_on: date | None, on: date) -> int:
    """Days the return is overdue on ``on`` (0 when not overdue)."""
    if not is_return_overdue(ends_on, returned_on, on):
        return 0
    return (on - ends_on).days
