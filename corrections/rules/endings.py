"""Endings (docs/domain.md §7.6): pure rules about a case's end date and term end.

Nothing here reads the database; services pass in the facts. Other code that
needs the term end of a 暂予监外执行 case after absconding calls
``term_end_effective``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class DatedRecord:
    """A record of a case with the date that binds an end date (``kind`` as in the API)."""

    kind: str
    record_id: int
    on: date


def records_after(records: Iterable[DatedRecord], end: date) -> list[DatedRecord]:
    """The records dated after ``end``, by date: an end date may not be earlier than any of
    them (an end on the day of the last record is allowed)."""
    return sorted((r for r in records if r.on > end), key=lambda r: (r.on, r.kind, r.record_id))


def absconded_days(
    periods: Iterable[tuple[date, date | None]], on: date, until: date | None = None
) -> int:
    """Days absconded as of ``on``: each period runs from the day contact was lost
    (``occurred_on``) to the day the person was found (``closed_on``) — an open period up to
    ``on`` — counting the days between the two dates (lost on the 1st, found on the 11th:
    10 days). Nothing counts after ``on`` or after ``until`` (the case's end). Overlapping
    periods count once."""
    stop = min(on, until) if until is not None else on
    spans = []
    for start, found in periods:
        end = stop if found is None else min(found, stop)
        if end > start:
            spans.append((start, end))
    total = 0
    current_start: date | None = None
    current_end: date | None = None
    for start, end in sorted(spans):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_end is not None:
        total += (current_end - current_start).days
    return total


def term_end_effective(
    correction_type: str,
    term_end: date,
    periods: Iterable[tuple[date, date | None]],
    on: date,
    until: date | None = None,
) -> date:
    """The term end after absconding (docs/domain.md §7.6): for 暂予监外执行 the days
    absconded as of ``on`` do not count toward the sentence, so the term end moves by them;
    for every other type it is ``term_end``."""
    if correction_type != "temporary_release":
        return term_end
    return term_end + timedelta(days=absconded_days(periods, on, until))
