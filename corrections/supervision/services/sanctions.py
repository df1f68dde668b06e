"""Rewards, sanctions and requests with their document numbers (docs/domain.md §3.8)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock, numbering
from corrections.auth.models import User
from corrections.core.guards import (
    not_future,
    read_dated,
    record_of,
    require_decider,
    require_writer,
)
from corrections.core.records import add_recorded, recorded_change
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.supervision import schemas
from corrections.supervision.models import CorrectionCase, Sanction
from corrections.supervision.services.common import (
    decision,
    read_on_case,
    require_open,
)
from corrections.validation import Fields

# A sanction's number is the number of its decision or request (docs/domain.md §3.8):
# the series of that document, e.g. 示范县矫警〔2026〕1号 for a warning.
_SANCTION_SERIES = {
    "commendation": numbering.Series("commendation", "矫表"),
    "admonition": numbering.Series("admonition_decision", "矫训"),
    "warning": numbering.Series("warning_decision", "矫警"),
    "police_penalty_request": numbering.Series("police_penalty_request", "矫提罚"),
    "custody_request": numbering.Series("custody_request", "矫收"),
}
_REVOCATION_SERIES = {
    "probation": numbering.Series("revocation_probation", "矫撤缓"),
    "parole": numbering.Series("revocation_parole", "矫撤假"),
}


def sanction_series(kind: str, correction_type: str) -> numbering.Series:
    if kind == "revocation_request":
        return _REVOCATION_SERIES.get(correction_type, _REVOCATION_SERIES["probation"])
    return _SANCTION_SERIES[kind]


def number_sanction(actor: User | None, case: CorrectionCase, sanction: Sanction) -> str:
    """Give a decided sanction its number (once): the series of its document, the year of
    the decision. The sanction must be flushed (its id names what the number is for)."""
    if not sanction.document_number:
        when = sanction.decided_on or clock.today()
        issued = numbering.issue(
            case.station.unit,
            sanction_series(sanction.kind, case.correction_type),
            when.year,
            subject="sanction",
            subject_id=sanction.id,
            actor=actor,
        )
        sanction.document_number = issued.number
    return sanction.document_number


def _check_sanction_type(case: CorrectionCase, kind: str) -> None:
    if kind == "revocation_request" and case.correction_type not in ("probation", "parole"):
        raise RuleViolation(
            _("只有缓刑、假释对象可以提请撤销。"),
            fields={"kind": _("不适用")},
            code="kind_not_allowed",
        )
    if kind == "custody_request" and case.correction_type != "temporary_release":
        raise RuleViolation(
            _("只有暂予监外执行对象可以提请收监执行。"),
            fields={"kind": _("不适用")},
            code="kind_not_allowed",
        )


def record_sanction(
    actor: User, case: CorrectionCase, data: dict[str, Any], *, propose: bool = False
) -> Sanction:
    """Supervisors record a decided sanction or request; officers propose (``propose=True``)."""
    require_writer(actor)
    if not propose:
        require_decider(actor, _("奖惩决定需要县局主管作出。"))
    key = "decided_on" if not propose else "proposed_on"
    body = schemas.SanctionBody if not propose else schemas.SanctionProposal
    f, v, when = read_on_case(data, body, case)
    kind = v.kind
    f.raise_if_errors()
    _check_sanction_type(case, kind)
    require_open(case, when)
    sanction = Sanction(case_id=case.id, proposed_by_id=actor.id, **v.values(key))
    if propose and not actor.can_decide:
        sanction.status = "proposed"
        sanction.proposed_on = when
    else:
        sanction.status = "decided"
        sanction.proposed_on = when
        sanction.decided_on = when
        sanction.decided_by_id = actor.id
    numbered = sanction.status == "decided"
    return add_recorded(
        actor,
        sanction,
        "correction.sanction",
        "sanction",
        after_flush=(lambda: number_sanction(actor, case, sanction)) if numbered else None,
    )


def decide_sanction(
    actor: User, case: CorrectionCase, sanction_id: int, data: dict[str, Any]
) -> Sanction:
    require_decider(actor)
    sanction = record_of(case, Sanction, sanction_id)
    f = Fields(data)
    approved, decided_on, note = decision(f)
    not_future(f, "decided_on", decided_on)
    if sanction.proposed_on and decided_on < sanction.proposed_on:
        f.error("decided_on", _("决定日期不能早于提出日期。"))
    f.raise_if_errors()
    if sanction.status != "proposed" or sanction.is_void:
        raise RuleViolation(_("该建议已处理。"), code="already_decided")
    require_open(case, decided_on)
    with recorded_change(actor, "correction.sanction_decide", "sanction", sanction):
        sanction.decided_by_id = actor.id
        sanction.decision_note = note
        if approved:
            sanction.status = "decided"
            sanction.decided_on = decided_on
            number_sanction(actor, case, sanction)
        else:
            sanction.status = "rejected"
    return sanction


def record_outcome(
    actor: User, case: CorrectionCase, sanction_id: int, data: dict[str, Any]
) -> Sanction:
    require_decider(actor, _("登记提请结果需要县局主管操作。"))
    sanction = record_of(case, Sanction, sanction_id)
    missing = {"granted": _("请填写是否准予。")}
    early = _("结果日期不能早于提请日期。")
    f, v, decided_on = read_dated(
        data, schemas.OutcomeBody, sanction.decided_on, early, missing=missing
    )
    granted = v.granted
    f.raise_if_errors()
    if not sanction.is_request:
        raise RuleViolation(_("只有提请类事项才有结果。"), code="not_a_request")
    if sanction.status != "decided" or sanction.is_void:
        raise RuleViolation(_("该提请尚未决定或已作废。"), code="not_decided")
    if sanction.outcome is not None:
        raise RuleViolation(_("该提请的结果已登记。"), code="outcome_exists")
    with recorded_change(actor, "correction.sanction_outcome", "sanction", sanction):
        sanction.outcome = "granted" if granted else "refused"
        sanction.outcome_on = decided_on
    return sanction


def pending_requests(case: CorrectionCase) -> list[Sanction]:
    return (
        db.session.execute(
            select(Sanction).where(
                Sanction.case_id == case.id,
                Sanction.kind.in_(("revocation_request", "custody_request")),
                Sanction.status == "decided",
                Sanction.outcome.is_(None),
                Sanction.voided_at.is_(None),
            )
        )
        .scalars()
        .all()
    )
