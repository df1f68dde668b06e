"""Reading the rule tables: what services pass to the pure rule functions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from corrections.deferred import memoised
from corrections.extensions import db
from corrections.rules import engine
from corrections.rules.models import ContactRuleRow, DeadlineRuleRow


def contact_rules() -> list[engine.ContactRule]:
    return memoised("contact_rules", _contact_rules)


def _contact_rules() -> list[engine.ContactRule]:
    rows = db.session.execute(select(ContactRuleRow).order_by(ContactRuleRow.id)).scalars()
    return [row.to_engine() for row in rows]


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
