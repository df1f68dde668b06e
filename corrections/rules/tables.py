"""Reading the rule tables: what services pass to the pure rule functions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from corrections.deferred import memoised
from corrections.extensions import db
from corrections.rules import engine
from corrections.rules.models import DeadlineRuleRow


def contact_rules() -> list[engine.ContactRule]:
    return memoised("contact_rules", _contact_rules)


def _contact_rules() -> list[engine.ContactRule]:
    from corrections.rules.services import engine_contact_rules  # kept per process

    return engine_contact_rules()


def deadline(key: str, on: date) -> int:
    """The value of deadline ``key`` in force on ``on`` (latest effective_from ≤ on)."""
    return memoised(("deadline", key, on), lambda: _deadline(key, on))


def _deadline(key: str, on: date) -> int:
    value = db.session.execute(
        select(DeadlineRuleRow.value)
        .where(DeadlineRuleRow.key == key, DeadlineRuleRow.effective_from <= on)
        .order_by(DeadlineRuleRow.effective_from.desc(), DeadlineRuleRow.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if value is None:
        value = engine.default_deadlines()[key]
    return value


def deadlines(on: date) -> dict[str, int]:
    return dict(memoised(("deadlines", on), lambda: _deadlines(on)))


def _deadlines(on: date) -> dict[str, int]:
    rows = db.session.execute(
        select(DeadlineRuleRow)
        .where(DeadlineRuleRow.effective_from <= on)
        .order_by(DeadlineRuleRow.effective_from, DeadlineRuleRow.id)
    ).scalars()
    values = dict(engine.default_deadlines())
    for row in rows:
        values[row.key] = row.value
    return values


def deadline_segments(key: str) -> list[tuple[date | None, date | None, int]]:
    """The value of deadline ``key`` over time: ``(from, until, value)`` with ``from``
    inclusive, ``until`` exclusive (None: unbounded), as ``deadline(key, on)`` reads it.
    The SQL twins (``twins.py``) use these to apply a rule row as it stood on a date column."""
    return list(memoised(("deadline_segments", key), lambda: _deadline_segments(key)))


def _deadline_segments(key: str) -> list[tuple[date | None, date | None, int]]:
    rows = db.session.execute(
        select(DeadlineRuleRow.effective_from, DeadlineRuleRow.value)
        .where(DeadlineRuleRow.key == key)
        .order_by(DeadlineRuleRow.effective_from, DeadlineRuleRow.id)
    ).all()
    by_date: dict[date, int] = {}
    for effective_from, value in rows:
        by_date[effective_from] = value  # the latest id wins on the same date
    segments: list[tuple[date | None, date | None, int]] = []
    start: date | None = None
    value = engine.default_deadlines()[key]
    for effective_from in sorted(by_date):
        if start is None or effective_from > start:
            segments.append((start, effective_from, value))
        start, value = effective_from, by_date[effective_from]
    segments.append((start, None, value))
    return segments
