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


def death_recorded(person_id: int) -> bool:
    """A correction case terminated for death or a resettlement case ended for death."""
    from corrections.resettlement.models import ResettlementCase
    from corrections.supervision.models import CorrectionCase

    correction = db.session.execute(
        select(CorrectionCase.id).where(
            CorrectionCase.person_id == person_id,
            CorrectionCase.status == "terminated",
            CorrectionCase.end_reason == "death",
        )
    ).first()
    if correction is not None:
        return True
    resettlement = db.session.execute(
        select(ResettlementCase.id).where(
            ResettlementCase.person_id == person_id,
            ResettlementCase.status == "ended",
            ResettlementCase.end_reason == "death",
        )
    ).first()
    return resettlement is not None


def require_alive(person_id: int) -> None:
    if death_recorded(person_id):
        raise RuleViolation(
            _("档案记载该人员已死亡，不能建立新案件；如死亡记录有误，请先更正该记录。"),
            fields={"person_id": _("已记载死亡")},
            code="person_deceased",
        )


def active_correction_id(person_id: int) -> int | None:
    from corrections.supervision.models import CorrectionCase

    return db.session.execute(
        select(CorrectionCase.id)
        .where(
            CorrectionCase.person_id == person_id,
            CorrectionCase.status.in_(("expected", "active")),
        )
        .order_by(CorrectionCase.id)
        .limit(1)
    ).scalar_one_or_none()


def active_resettlement_id(person_id: int) -> int | None:
    from corrections.resettlement.models import ResettlementCase

    return db.session.execute(
        select(ResettlementCase.id)
        .where(ResettlementCase.person_id == person_id, ResettlementCase.status != "ended")
        .order_by(ResettlementCase.id)
        .limit(1)
    ).scalar_one_or_none()


def require_no_active_correction(person_id: int, name: str) -> None:
    """Enrolment in 安置帮教 while under correction: only the one-step move at release."""
    found = active_correction_id(person_id)
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


def require_no_active_resettlement(person_id: int, name: str) -> None:
    """A new correction case ends the resettlement case first (reason: reoffended)."""
    found = active_resettlement_id(person_id)
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
