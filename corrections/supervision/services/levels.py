"""Management levels: officers propose, supervisors decide (docs/domain.md §3.4, §3.7)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.auth.models import User
from corrections.core.guards import record_of, require_decider, require_writer
from corrections.core.records import add_recorded
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.rules import engine
from corrections.supervision import schemas
from corrections.supervision.models import CaseLevel, CorrectionCase
from corrections.supervision.services.common import (
    decision,
    read_on_case,
    require_open,
)
from corrections.supervision.services.due import case_facts, change_with_due, refresh_due_state
from corrections.validation import Fields


def _validate_level_change(case: CorrectionCase, data: dict[str, Any]) -> tuple[date, str, str]:
    f, v, effective_on = read_on_case(data, schemas.LevelChangeBody, case)
    level, reason = v.level, v.reason
    f.raise_if_errors()
    require_open(case, effective_on)
    current = engine.level_on(case_facts(case).levels, effective_on)
    if current == level:
        raise RuleViolation(
            _("该日管理等级已是所选等级。"), fields={"level": _("未变化")}, code="level_unchanged"
        )
    return effective_on, level, reason


def _level_row(
    actor: User, case: CorrectionCase, effective_on: date, level: str, reason: str, **more
) -> CaseLevel:
    """A level change proposed by ``actor``, from the level in force on ``effective_on``."""
    return CaseLevel(
        case_id=case.id,
        effective_on=effective_on,
        level=level,
        from_level=engine.level_on(case_facts(case).levels, effective_on),
        reason=reason,
        proposed_by_id=actor.id,
        **more,
    )


def change_level(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CaseLevel:
    """A supervisor records an approved level change (the API's POST /levels)."""
    require_decider(actor, _("调整管理等级需要县局主管审批。"))
    effective_on, level, reason = _validate_level_change(case, data)
    row = _level_row(
        actor,
        case,
        effective_on,
        level,
        reason,
        status="approved",
        decided_by_id=actor.id,
        decided_on=clock.today(),
    )
    return add_recorded(
        actor,
        row,
        "correction.level_change",
        "case_level",
        after_flush=lambda: refresh_due_state(case),
    )


def propose_level(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CaseLevel:
    """An officer proposes; a supervisor decides (``decide_level``). Supervisors apply at once."""
    require_writer(actor)
    if actor.can_decide:
        return change_level(actor, case, data)
    effective_on, level, reason = _validate_level_change(case, data)
    pending = db.session.execute(
        select(CaseLevel.id).where(CaseLevel.case_id == case.id, CaseLevel.status == "proposed")
    ).first()
    if pending:
        raise RuleViolation(_("已有待审批的等级调整，请等待县局审批。"), code="pending_exists")
    row = _level_row(actor, case, effective_on, level, reason, status="proposed")
    return add_recorded(actor, row, "correction.level_propose", "case_level")


def decide_level(actor: User, case: CorrectionCase, level_id: int, data: dict[str, Any]):
    require_decider(actor)
    row = record_of(case, CaseLevel, level_id)
    f = Fields(data)
    approved, _decided_on, note = decision(f)
    f.raise_if_errors()
    if row.status != "proposed":
        raise RuleViolation(_("该申请已处理。"), code="already_decided")
    require_open(case, row.effective_on)
    with change_with_due(actor, "correction.level_decide", "case_level", row, case):
        row.status = "approved" if approved else "refused"
        row.decided_by_id = actor.id
        row.decided_on = clock.today()
        row.decision_note = note
    return row


def level_history(case: CorrectionCase) -> list[CaseLevel]:
    return (
        db.session.execute(
            select(CaseLevel)
            .where(CaseLevel.case_id == case.id)
            .order_by(CaseLevel.effective_on, CaseLevel.id)
        )
        .scalars()
        .all()
    )
