"""Migrations run on a database that already holds records (SQLite batch mode included)."""

from __future__ import annotations

import flask_migrate
from sqlalchemy import func, select

from corrections.extensions import db
from corrections.supervision.models import Contact, CorrectionCase
from tests.helpers import open_case, user

BEFORE_THE_DUE_STATE_COLUMNS = "cb9e8b1788e7"


def test_down_and_up_again_with_cases_and_contacts(app, ctx, county, person_id):
    from corrections import clock
    from corrections.supervision import services

    case = open_case(person_id)
    services.record_contact(user("off1"), case, {"kind": "phone", "occurred_on": "2026-11-20"})
    db.session.commit()
    case_id = case.id
    before = db.session.execute(select(func.count()).select_from(Contact)).scalar_one()
    db.session.remove()
    flask_migrate.downgrade(revision=BEFORE_THE_DUE_STATE_COLUMNS)
    flask_migrate.upgrade()
    db.session.remove()
    assert db.session.execute(select(func.count()).select_from(Contact)).scalar_one() == before
    case = db.session.get(CorrectionCase, case_id)
    assert case.has_moves is False and case.due_computed_on is None  # recomputed at night
    services.refresh_due_state(case)
    assert case.due_computed_on == clock.today() and case.next_due_on is not None
    assert case.month_ends_to is not None and case.on_time_total > 0
    db.session.rollback()
