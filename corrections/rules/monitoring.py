"""Electronic monitoring (电子定位) rules that are pure functions of dates (docs/domain.md §3.10, §7.4).

* Episodes of one case may not overlap: an episode occupies ``starts_on`` to its
  current approved end, or to its removal when removed earlier.
* An extension must be approved on or before the episode's current end; from
  the day after, the monitoring has lapsed and a new episode (with its legal
  ground) is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = ["EpisodeSpan", "occupied_until", "overlapping", "extension_lapsed"]


@dataclass(frozen=True)
class EpisodeSpan:
    id: int | None
    starts_on: date
    ends_on: date
    removed_on: date | None = None


def occupied_until(span: EpisodeSpan) -> date:
    """The last day the episode runs: its current end, or its removal when earlier."""
    if span.removed_on is not None and span.removed_on < span.ends_on:
        return max(span.removed_on, span.starts_on)
    return span.ends_on


def overlapping(
    starts_on: date, ends_on: date, others: Iterable[EpisodeSpan]
) -> EpisodeSpan | None:
    """The first of ``others`` (by start) sharing a day with ``[starts_on, ends_on]``."""
    clashes = [o for o in others if o.starts_on <= ends_on and starts_on <= occupied_until(o)]
    return min(clashes, key=lambda o: (o.starts_on, o.id or 0)) if clashes else None


def extension_lapsed(current_end: date, extended_on: date) -> bool:
    """True when an extension approved on ``extended_on`` comes after the episode ended."""
    return extended_on > current_end
