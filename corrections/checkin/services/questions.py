"""The unit's check-in questions and the notices an officer leaves for the person."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from corrections.audit.services import record, snapshot
from corrections.checkin.models import CheckinNotice, CheckinQuestion
from corrections.core.guards import require_writer
from corrections.errors import Forbidden
from corrections.extensions import db
from corrections.supervision.models import CorrectionCase
from corrections.validation import Fields

# --------------------------------------------------------------------------- unit settings


def questions_for(unit_id: int) -> list[CheckinQuestion]:
    return list(
        db.session.execute(
            select(CheckinQuestion)
            .where(CheckinQuestion.unit_id == unit_id, CheckinQuestion.active.is_(True))
            .order_by(CheckinQuestion.id)
        ).scalars()
    )


def add_question(actor, unit_id: int, text: str) -> CheckinQuestion:
    if not (actor.is_admin or actor.is_supervisor):
        raise Forbidden(_("只有县局主管或管理员可以维护报到问题。"))
    f = Fields({"text": text})
    value = f.text("text", required=True, limit=200)
    f.raise_if_errors()
    row = CheckinQuestion(unit_id=unit_id, text=value, active=True)
    db.session.add(row)
    db.session.flush()
    record(actor, "checkin.question_add", "checkin_question", row.id, None, snapshot(row))
    return row


def retire_question(actor, row: CheckinQuestion) -> None:
    if not (actor.is_admin or actor.is_supervisor):
        raise Forbidden(_("只有县局主管或管理员可以维护报到问题。"))
    row.active = False
    db.session.flush()
    record(actor, "checkin.question_retire", "checkin_question", row.id, None, None)


def add_notice(actor, case: CorrectionCase, text: str) -> CheckinNotice:
    require_writer(actor)
    f = Fields({"text": text})
    value = f.text("text", required=True, limit=500)
    f.raise_if_errors()
    row = CheckinNotice(case_id=case.id, text=value, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record(actor, "checkin.notice", "checkin_notice", row.id, None, snapshot(row))
    return row


def notices(case_id: int, limit: int = 10) -> list[CheckinNotice]:
    return list(
        db.session.execute(
            select(CheckinNotice)
            .where(CheckinNotice.case_id == case_id)
            .order_by(CheckinNotice.created_at.desc(), CheckinNotice.id.desc())
            .limit(limit)
        ).scalars()
    )
