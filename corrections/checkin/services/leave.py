"""The person's leave applications from their phone (the normal leave service)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.checkin.models import CheckinEnrolment
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.supervision import services as supervision
from corrections.supervision.models import Leave

# --------------------------------------------------------------------------- the person's leave


class PersonActor:
    """The person applying from their phone: audited as "本人", no user row."""

    id = None
    can_write = True
    is_admin = is_supervisor = is_officer = is_viewer = False

    def __init__(self, enrolment: CheckinEnrolment):
        self.username = f"person:{enrolment.case.person_id}"


def apply_leave(enrolment: CheckinEnrolment, data: dict) -> Leave:
    """The normal leave service; the application waits as ``applied`` for the officer."""
    case = enrolment.case
    if case.status != "active":
        raise RuleViolation(_("案件已结束。"), code="case_not_active")
    clean = {
        k: data.get(k) for k in ("starts_on", "ends_on", "destination", "reason", "reason_detail")
    }
    clean["kind"] = "leave"
    clean["applied_on"] = clock.today().isoformat()
    leave = supervision.apply_leave(PersonActor(enrolment), case, clean)
    leave.applied_via = "self"
    db.session.flush()
    return leave


def person_leaves(case_id: int) -> list[Leave]:
    return list(
        db.session.execute(
            select(Leave)
            .where(Leave.case_id == case_id)
            .order_by(Leave.starts_on.desc(), Leave.id.desc())
        ).scalars()
    )
