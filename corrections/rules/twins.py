"""SQL twins of the time rules in ``deadlines.py`` (docs/domain.md §7.1).

Each function here is the same rule as the pure function it names, written as a
SQLAlchemy condition over the columns it is given, so that lists, the dashboard,
the reminder job and the figures select exactly the cases the Python rule
answers yes for. Where a rule row (a deadline-table value) is involved, it is
applied as it stood on the date the rule speaks of (the release date, the term
end, the due date …): the condition is an ``OR`` over the periods in which each
row was in force (``tables.deadline_segments``), so no date arithmetic runs in
the database and both SQLite and PostgreSQL answer alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import and_, false, or_
from sqlalchemy.sql import ColumnElement

from corrections.rules.tables import deadline_segments

__all__ = [
    "per_rule",
    "missed_intake",
    "still_missing",
    "handover_overdue",
    "past_term_end",
    "checklist_open",
    "due_soon",
    "return_overdue",
    "support_period_over",
    "resettlement_on_register",
    "period_end_alert",
]


def per_rule(key: str, column, condition: Callable[[int], ColumnElement]) -> ColumnElement:
    """``condition(value)`` with the value of deadline ``key`` in force on ``column``'s date."""
    parts = []
    for start, until, value in deadline_segments(key):
        bounds = []
        if start is not None:
            bounds.append(column >= start)
        if until is not None:
            bounds.append(column < until)
        parts.append(and_(*bounds, condition(value)))
    return or_(*parts) if parts else false()


# --------------------------------------------------------------------------- intake


def missed_intake(source, deadline, received_on, on: date) -> ColumnElement:
    """Twin of ``deadlines.missed_intake``: 漏管 on ``on``."""
    return and_(
        or_(source.is_(None), source != "transfer_in"),
        deadline < on,
        or_(received_on.is_(None), received_on > deadline),
    )


def still_missing(status, source, deadline, received_on, on: date) -> ColumnElement:
    """Twin of ``deadlines.is_missed_intake``: expected and 漏管 on ``on``."""
    return and_(status == "expected", missed_intake(source, deadline, received_on, on))


# --------------------------------------------------------------------------- resettlement


def handover_overdue(released_on, handed_over_on, on: date) -> ColumnElement:
    """Twin of ``deadlines.is_handover_overdue`` with ``handover_alert_days`` as it stood on
    the release date."""
    return and_(
        released_on.is_not(None),
        or_(handed_over_on.is_(None), handed_over_on > on),
        per_rule(
            "handover_alert_days", released_on, lambda days: released_on < on - timedelta(days)
        ),
    )


def support_period_over(period_ends_on, on: date) -> ColumnElement:
    """Twin of ``deadlines.is_support_period_over``."""
    return and_(period_ends_on.is_not(None), period_ends_on < on)


def resettlement_on_register(released_on, ended_on, period_ends_on, on: date) -> ColumnElement:
    """Twin of ``deadlines.is_resettlement_on_register``."""
    return and_(
        released_on <= on,
        or_(ended_on.is_(None), ended_on > on),
        or_(period_ends_on.is_(None), period_ends_on >= on),
    )


def period_end_alert(period_ends_on, on: date) -> ColumnElement:
    """Twin of ``deadlines.is_period_end_alert`` with ``resettlement_period_end_alert_days``
    as it stood on the period's end."""
    return and_(
        period_ends_on.is_not(None),
        per_rule(
            "resettlement_period_end_alert_days",
            period_ends_on,
            lambda days: period_ends_on <= on + timedelta(days),
        ),
    )


# --------------------------------------------------------------------------- supervision


def past_term_end(term_end, on: date) -> ColumnElement:
    """Twin of ``deadlines.is_past_term_end``."""
    return term_end < on


def checklist_open(term_end, on: date) -> ColumnElement:
    """Twin of ``deadlines.is_checklist_open`` with ``term_end_checklist_days`` as it stood on
    the term end."""
    return per_rule(
        "term_end_checklist_days", term_end, lambda days: term_end <= on + timedelta(days)
    )


def due_soon(key: str, due_on, on: date) -> ColumnElement:
    """Twin of ``deadlines.is_due_soon`` with window row ``key`` as it stood on the due date."""
    return and_(due_on >= on, per_rule(key, due_on, lambda days: due_on <= on + timedelta(days)))


def return_overdue(ends_on, returned_on, on: date) -> ColumnElement:
    """Twin of ``deadlines.is_return_overdue``."""
    return and_(ends_on < on, or_(returned_on.is_(None), returned_on > on))
