"""What a person's file says across programmes: recorded death, the programme they are in.

docs/domain.md §7.2: a person recorded as dead gets no new case; one programme at a
time (a correction case and a resettlement case are never open together, except that
the resettlement case made in one step from a release follows the released case).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from corrections.errors import Conflict, RuleViolation
from corrections.extensions import db


def _rows(model, person_id: int) -> list:
    return db.session.execute(
        select(model.id, model.status, model.end_reason)
        .where(model.person_id == person_id)
        .order_by(model.id)
    ).all()


def _correction_rows(person_id: int) -> list:
    from corrections.supervision.models import CorrectionCase

    return _rows(CorrectionCase, person_id)


def _resettlement_rows(person_id: int) -> list:
    from corrections.resettlement.models import ResettlementCase

    return _rows(ResettlementCase, person_id)


def _dead(corrections: list, resettlements: list) -> bool:
    return any(r.status == "terminated" and r.end_reason == "death" for r in corrections) or any(
        r.status == "ended" and r.end_reason == "death" for r in resettlements
    )


def _refuse_dead() -> None:
    raise RuleViolation(
        _("档案记载该人员已死亡，不能建立新案件；如死亡记录有误，请先更正该记录。"),
        fields={"person_id": _("已记载死亡")},
        code="person_deceased",
    )


def check_new_correction(person_id: int, name: str) -> None:
    """Before a new correction case: not recorded dead (422), no open resettlement (409)."""
    corrections, resettlements = _correction_rows(person_id), _resettlement_rows(person_id)
    if _dead(corrections, resettlements):
        _refuse_dead()
    found = next((r.id for r in resettlements if r.status != "ended"), None)
    if found is not None:
        _refuse_active_resettlement(found, name)


def check_new_resettlement(person_id: int, name: str) -> None:
    """Before a new resettlement case: not recorded dead (422), not under correction (409)."""
    corrections, resettlements = _correction_rows(person_id), _resettlement_rows(person_id)
    if _dead(corrections, resettlements):
        _refuse_dead()
    found = next((r.id for r in corrections if r.status in ("expected", "active")), None)
    if found is not None:
        _refuse_active_correction(found, name)


def _refuse_active_correction(found: int, name: str) -> None:
    """Enrolment in 安置帮教 while under correction: only the one-step move at release."""
    if found is not None:
        raise Conflict(
            _(
                "%(n)s 正在接受社区矫正，不能同时列入安置帮教；"
                "请在解除矫正后从矫正案件一步转入安置帮教。",
                n=name,
            ),
            existing_id=found,
            fields={"person_id": _("正在接受社区矫正")},
            code="active_correction",
        )


def _refuse_active_resettlement(found: int, name: str) -> None:
    """A new correction case ends the resettlement case first (reason: reoffended)."""
    if found is not None:
        raise Conflict(
            _(
                "%(n)s 有未结束的安置帮教案件。请先以“重新犯罪”结束该帮教案件，再登记社区矫正。",
                n=name,
            ),
            existing_id=found,
            fields={"person_id": _("有未结束的安置帮教案件")},
            code="active_resettlement",
        )
