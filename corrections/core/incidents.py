"""An open incident of either programme — a 脱管 incident (docs/domain.md §3.9) or a
失联 record of a resettlement case: the same search-log and closing forms and checks."""

from __future__ import annotations

from datetime import date
from typing import Any

from corrections.core.guards import not_before, not_future
from corrections.errors import RuleViolation
from corrections.validation import Fields


def search_values(
    data: dict[str, Any],
    methods: tuple[str, ...],
    started_on: date,
    closed_on: date | None,
    *,
    too_early: str,
    closed: str,
) -> tuple[date, str, str]:
    """A search's date, method and note: not in the future, not before ``started_on``
    (``too_early`` says so), and only while the incident is open (``closed`` says it is not)."""
    f = Fields(data)
    searched_on = f.date("searched_on")
    method = f.choice("method", methods)
    note = f.text("note", limit=2000)
    _check(f, "searched_on", searched_on, started_on, too_early)
    _require_open(closed_on, closed)
    return searched_on, method, note


def closing_values(
    data: dict[str, Any],
    body: type,
    key: str,
    started_on: date,
    closed_on: date | None,
    *,
    too_early: str,
    closed: str,
) -> tuple[date, str]:
    """The end date (under ``key``) and the outcome of an open incident, read as ``body``
    declares them and checked as a search's date is."""
    f = Fields(data)
    values = f.read(body)
    ended_on, outcome = getattr(values, key), values.outcome
    _check(f, key, ended_on, started_on, too_early)
    _require_open(closed_on, closed)
    return ended_on, outcome


def _check(f: Fields, key: str, on: date | None, started_on: date, too_early: str) -> None:
    not_future(f, key, on)
    not_before(f, key, on, started_on, lambda _start: too_early)
    f.raise_if_errors()


def _require_open(closed_on: date | None, closed: str) -> None:
    if closed_on is not None:
        raise RuleViolation(closed, code="incident_closed")
