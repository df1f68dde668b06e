"""Contacts (谈话、走访、报告) and voiding a mistaken record."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from corrections.auth.models import User
from corrections.core import voiding
from corrections.core.guards import require_decider, require_writer
from corrections.core.records import add_recorded
from corrections.supervision import schemas
from corrections.supervision.models import (
    Contact,
    CorrectionCase,
    MedicalReview,
    Sanction,
)
from corrections.supervision.services.common import read_on_case, require_open
from corrections.supervision.services.due import refresh_due_state


def record_contact(actor: User, case: CorrectionCase, data: dict[str, Any]) -> Contact:
    require_writer(actor)
    f, v, occurred_on = read_on_case(data, schemas.ContactBody, case)
    kind, unannounced, at_night = v.kind, v.unannounced, v.at_night
    if (unannounced or at_night) and kind and kind != "field_visit":
        f.error("kind", _("“突击”“夜间”只适用于实地查访。"))
    f.raise_if_errors()
    require_open(case, occurred_on)
    contact = Contact(case_id=case.id, recorded_by_id=actor.id, **v.values())
    return add_recorded(
        actor, contact, "correction.contact", "contact", after_flush=lambda: refresh_due_state(case)
    )


def _may_void(actor: User, kind: str, record: Any) -> None:
    if kind == "sanction" and record.status == "decided":
        require_decider(actor, _("已决定的奖惩只能由县局主管作废。"))


void_record = voiding.Voiding(
    "correction",
    {"contact": Contact, "sanction": Sanction, "medical_review": MedicalReview},
    refresh_due_state,
    _may_void,
)
