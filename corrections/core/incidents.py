"""An open incident of either programme — a 脱管 incident (docs/domain.md §3.9) or a
失联 record of a resettlement case: the same search-log and closing forms and checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from corrections.core.guards import read_dated
from corrections.errors import RuleViolation

SEARCH_METHODS = ("phone", "location", "home_visit", "family", "other")


@dataclass(frozen=True)
class Open:
    """An incident as its searches and its closing see it: when it started and closed, and
    how to say that a date is before the start (``too_early``) or that it is closed."""

    started_on: date
    closed_on: date | None
    too_early: str
    closed: str


def read_open(data: dict[str, Any], body: type, incident: Open) -> Any:
    """A search or the closing of an open incident, as ``body`` declares it: its date not in
    the future and not before the start, and only while the incident is open."""
    f, values, _on = read_dated(data, body, incident.started_on, incident.too_early)
    f.raise_if_errors()
    if incident.closed_on is not None:
        raise RuleViolation(incident.closed, code="incident_closed")
    return values
