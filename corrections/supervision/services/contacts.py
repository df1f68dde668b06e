"""Contacts (谈话、走访、报告) and voiding a mistaken record."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from corrections.auth.models import User
from corrections.core import voiding
from corrections.core.guards import not_future, require_decider, require_writer
from corrections.core.records import add_recorded
from corrections.supervision import schemas
from corrections.supervision.models import (
    Contact,
    CorrectionCase,
    MedicalReview,
    Sanction,
)
from corrections.supervision.services.common import not_before_reception, require_open
from corrections.supervision.services.due import refresh_due_state
from corrections.validation import Fields


def record_contact(actor: User, case: CorrectionCase, data: dict[str, Any]) -> Contact:
    require_writer(actor)
    f = Fields(data)
    v = f.read(schemas.ContactBody)
    kind, occurred_on, unannounced, at_night = v.kind, v.occurred_on, v.unannounced, v.at_night
    not_future(f, "occurred_on", occurred_on)
    not_before_reception(f, "occurred_on", occurred_on, case)
    if (unannounced or at_night) and kind and kind != "field_visit":
        f.error("kind", _("“突击”“夜间”只适用于实地查访。"))
    f.raise_if_errors()
    require_open(case, occurred_on)
    contact = Contact(
        case_id=case.id,
        kind=kind,
        occurred_on=occurred_on,
        note=v.note,
        unannounced=unannounced,
        at_night=at_night,
        recorded_by_id=actor.id,
    )
    return add_recorded(
        actor, contact, "correction.contact", "contact", after_flush=lambda: refresh_due_state(case)
    )


VOIDABLE = {"contact": Contact, "sanction": Sanction, "medical_review": MedicalReview}


def void_record(
    actor: User, case: CorrectionCase, kind: str, record_id: int, data: dict[str, Any]
) -> Any:
    def check(obj: Any) -> None:
        if kind == "sanction" and obj.status == "decided":
            require_decider(actor, _("已决定的奖惩只能由县局主管作废。"))

    return voiding.void_record(
        actor,
        case,
        VOIDABLE,
        kind,
        record_id,
        data,
        programme="correction",
        refresh=refresh_due_state,
        check=check,
    )
