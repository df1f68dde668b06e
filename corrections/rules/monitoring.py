"""Electronic monitoring (电子定位) rules that are pure functions of dates (docs/domain.md §3.10, §7.4).

* Episodes of one case may not overlap: an episode occupies ``starts_on`` to its
  current approved end, or to its removal when removed earlier.
* An extension must be approved on or before the episode's current end; from
  the day after, the monitoring has lapsed and a new episode (with its legal
  ground) is needed.
"""

from __future__ import annotations

from datetime import date

from .dates import Span as EpisodeSpan  # an episode, cut short by removal
from .dates import occupied_until, overlapping

__all__ = ["EpisodeSpan", "occupied_until", "overlapping", "extension_lapsed"]


def extension_lapsed(current_end: date, extended_on: date) -> bool:
    """True when an extension approved on ``extended_on`` comes after the episode ended."""
    return extended_on > current_end
