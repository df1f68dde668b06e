"""Endings: release, termination, transfer out (docs/domain.md §7.6)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections.auth.models import User
from corrections.core.endings import dated_after, refuse_records_after_end
from corrections.core.guards import require_decider
from corrections.core.records import recorded_change
from corrections.errors import RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.rules import endings as ending_rules
from corrections.supervision import schemas
from corrections.supervision.models import (
    CORRECTION_TYPES,
    Contact,
    CorrectionCase,
    Incident,
    Leave,
    Sanction,
)
from corrections.supervision.services.common import read_on_case
from corrections.supervision.services.due import refresh_due_state, term_end_effective
from corrections.supervision.services.sanctions import pending_requests
from corrections.validation import Fields


def _read_end(data: dict[str, Any], body: type, case: CorrectionCase) -> tuple[Fields, Any]:
    """The ending's values as ``body`` declares them, its date (the first field) not after
    today and not before reception; records dated after it are refused by
    refuse_records_after_end once the form is valid (docs/domain.md §7.6)."""
    f, v, _when = read_on_case(data, body, case)
    return f, v


def _end(
    actor: User,
    case: CorrectionCase,
    status: str,
    when: date,
    reason: str,
    action: str,
    destination: str | None = None,
) -> CorrectionCase:
    with recorded_change(actor, action, "correction_case", case):
        case.status = status
        case.ended_on = when
        case.end_reason = reason
        if destination is not None:
            case.transfer_destination = destination
        refresh_due_state(case)
    from corrections.checkin.services import end_enrolment, enrolment_of

    enrolment = enrolment_of(case)
    if enrolment is not None:  # the case's end ends self check-in (docs/domain.md §7.12)
        end_enrolment(actor, enrolment, "case_ended", on=when)
    return case


def _require_active(case: CorrectionCase) -> None:
    if case.is_ended:
        raise RuleViolation(
            _("该案件已于%(d)s结束。", d=case.ended_on.isoformat()), code="case_ended"
        )
    if case.status != "active":
        raise RuleViolation(_("该对象尚未报到接收。"), code="not_received")


def records_after_end(case: CorrectionCase, end: date) -> list[ending_rules.DatedRecord]:
    """The case's non-voided records dated after ``end`` (docs/domain.md §7.6): contacts
    (occurred_on), sanctions and requests (proposed_on / decided_on), leaves not refused
    (applied_on / starts_on / returned_on), incidents (occurred_on) and attendances at
    sessions not voided (the session's held_on; the id is the session's)."""
    from corrections.activities.models import Activity, Attendance

    found = dated_after("contact", case, Contact.occurred_on, end)
    rows = db.session.execute(
        select(Sanction.id, Sanction.proposed_on, Sanction.decided_on).where(
            Sanction.case_id == case.id, Sanction.voided_at.is_(None)
        )
    )
    for i, *dates in rows:
        on = max((x for x in dates if x is not None), default=None)
        if on is not None:
            found.append(ending_rules.DatedRecord("sanction", i, on))
    rows = db.session.execute(
        select(Leave.id, Leave.applied_on, Leave.starts_on, Leave.returned_on).where(
            Leave.case_id == case.id, Leave.status != "refused"
        )
    )
    for i, *dates in rows:
        found.append(ending_rules.DatedRecord("leave", i, max(x for x in dates if x)))
    found += dated_after("incident", case, Incident.occurred_on, end, voidable=False)
    rows = db.session.execute(
        select(Activity.id, Activity.held_on)
        .join(Attendance, Attendance.activity_id == Activity.id)
        .where(Attendance.case_id == case.id, Activity.voided_at.is_(None), Activity.held_on > end)
    )
    found += [ending_rules.DatedRecord("attendance", i, on) for i, on in rows]
    return ending_rules.records_after(found, end)


def _refuse_expiry_release(case: CorrectionCase) -> None:
    """Release on expiry waits for a 脱管 to end and for a 重新犯罪 to be decided
    (docs/domain.md §7.6)."""
    incidents = (
        db.session.execute(
            select(Incident).where(
                Incident.case_id == case.id, Incident.kind.in_(("absconded", "reoffended"))
            )
        )
        .scalars()
        .all()
    )
    for incident in incidents:
        if incident.kind == "absconded" and incident.closed_on is None:
            raise RuleViolation(
                _(
                    "对象自 %(d)s 起脱管，尚未归案，不能期满解除：请先登记脱管结束（查找到的日期）。",
                    d=incident.occurred_on.isoformat(),
                ),
                fields={"reason": _("脱管未结束")},
                code="absconded_open",
            )
    requests = db.session.execute(
        select(Sanction.decided_on).where(
            Sanction.case_id == case.id,
            Sanction.kind.in_(("revocation_request", "custody_request")),
            Sanction.status == "decided",
            Sanction.outcome.is_not(None),
            Sanction.voided_at.is_(None),
        )
    ).scalars()
    decided = [d for d in requests if d is not None]
    for incident in incidents:
        if incident.kind == "reoffended" and not any(d >= incident.occurred_on for d in decided):
            raise RuleViolation(
                _(
                    "已登记 %(d)s 的重新犯罪，尚无已有结果的撤销或收监提请，不能期满解除："
                    "请先提请撤销缓刑、假释或收监执行并登记结果。",
                    d=incident.occurred_on.isoformat(),
                ),
                fields={"reason": _("重新犯罪尚未处理")},
                code="reoffence_undecided",
            )


def _require_terminable(case: CorrectionCase, terminated_on: date) -> None:
    """A case never received may be terminated too (docs/domain.md §7.2), not before
    its judgment took effect."""
    if case.status != "expected":
        _require_active(case)
    elif terminated_on < case.judgment_effective_on:
        raise ValidationFailed(
            _("终止日期不能早于判决（裁定、决定）生效日期。"),
            fields={
                "terminated_on": _("不能早于 %(d)s。", d=case.judgment_effective_on.isoformat())
            },
        )


def release_case(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionCase:
    require_decider(actor, _("解除社区矫正需要县局主管操作。"))
    f, v = _read_end(data, schemas.Release, case)
    released_on, reason = v.released_on, v.reason
    if reason == "expiry" and released_on and released_on < case.term_end:
        f.error(
            "released_on",
            _("期满解除的日期不能早于矫正期限止日 %(d)s。", d=case.term_end.isoformat()),
        )
    f.raise_if_errors()
    _require_active(case)
    if pending_requests(case):
        raise RuleViolation(_("有尚无结果的撤销或收监提请，不能解除。"), code="request_pending")
    if reason == "expiry":
        _refuse_expiry_release(case)
        effective = term_end_effective(case, released_on)
        if released_on < effective:
            raise ValidationFailed(
                _(
                    "脱管期间不计入执行刑期，矫正期限顺延%(n)d天至 %(d)s：期满解除的日期不能早于该日。",
                    n=(effective - case.term_end).days,
                    d=effective.isoformat(),
                ),
                fields={"released_on": _("不能早于 %(d)s。", d=effective.isoformat())},
            )
    refuse_records_after_end(records_after_end(case, released_on), "released_on", released_on)
    return _end(actor, case, "released", released_on, reason, "correction.release")


def _close_open_incidents(actor: User, case: CorrectionCase, on: date) -> None:
    """Termination closes the case's open incidents with outcome ``case_ended`` (§7.6)."""
    for incident in db.session.execute(
        select(Incident).where(Incident.case_id == case.id, Incident.closed_on.is_(None))
    ).scalars():
        with recorded_change(actor, "correction.incident_close", "incident", incident):
            incident.closed_on = on
            incident.outcome = "case_ended"


def terminate_case(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionCase:
    require_decider(actor, _("终止社区矫正需要县局主管操作。"))
    f, v = _read_end(data, schemas.Terminate, case)
    terminated_on, reason = v.terminated_on, v.reason
    allowed = {
        "probation_revoked": ("probation",),
        "parole_revoked": ("parole",),
        "custody": ("temporary_release", "probation", "parole"),
        "death": CORRECTION_TYPES,
    }
    if reason and case.correction_type not in allowed[reason]:
        f.error("reason", _("该矫正类别不适用此终止原因。"))
    f.raise_if_errors()
    _require_terminable(case, terminated_on)
    refuse_records_after_end(records_after_end(case, terminated_on), "terminated_on", terminated_on)
    _close_open_incidents(actor, case, terminated_on)
    return _end(actor, case, "terminated", terminated_on, reason, "correction.terminate")


def transfer_out(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionCase:
    require_decider(actor, _("变更执行地需要县局主管操作。"))
    f, v = _read_end(data, schemas.TransferOut, case)
    transferred_on, destination = v.transferred_on, v.destination
    f.raise_if_errors()
    _require_active(case)
    refuse_records_after_end(
        records_after_end(case, transferred_on), "transferred_on", transferred_on
    )
    return _end(
        actor,
        case,
        "transferred_out",
        transferred_on,
        "transfer",
        "correction.transfer_out",
        destination,
    )
