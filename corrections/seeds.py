"""Reference rows every database needs. Migrations insert them on `db upgrade`;
tests call ``seed_reference_data()`` after clearing tables."""

from __future__ import annotations

from sqlalchemy import select

from corrections.auth.models import Unit
from corrections.auth.services import DEFAULT_UNIT_NAME
from corrections.extensions import db


def _seeders():
    from corrections.rules.models import seed_rule_tables

    return [seed_rule_tables]


def seed_reference_data() -> None:
    if db.session.execute(select(Unit.id).where(Unit.is_default.is_(True))).first() is None:
        db.session.add(Unit(name=DEFAULT_UNIT_NAME, is_default=True, active=True))
        db.session.flush()
    for seeder in _seeders():
        seeder()
