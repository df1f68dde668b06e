"""The 矫正小组, the 矫正方案 and the release checklist (docs/domain.md §3.13)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from corrections import clock
from corrections.auth.models import User
from corrections.core.guards import not_future, require_writer
from corrections.core.records import add_recorded, recorded_change
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.supervision.models import (
    CHECKLIST_ITEMS,
    ChecklistItem,
    CorrectionCase,
    CorrectionPlan,
    TeamMember,
)
from corrections.supervision.services.common import not_before_reception, require_open
from corrections.supervision.services.due import checklist_open
from corrections.validation import Fields


def add_team_member(actor: User, case: CorrectionCase, data: dict[str, Any]) -> TeamMember:
    require_writer(actor)
    f = Fields(data)
    name = f.text("name", required=True, limit=100)
    role = f.text("role", limit=100)
    sex = f.choice("sex", ("male", "female"))
    phone = f.text("phone", limit=50)
    f.raise_if_errors()
    require_open(case)
    member = TeamMember(case_id=case.id, name=name, role=role, sex=sex, phone=phone)
    return add_recorded(actor, member, "correction.team_add", "team_member")


def remove_team_member(actor: User, case: CorrectionCase, member_id: int) -> TeamMember:
    from corrections.errors import NotFound

    require_writer(actor)
    member = db.session.get(TeamMember, member_id)
    if member is None or member.case_id != case.id or member.removed_on is not None:
        raise NotFound(_("记录不存在。"))
    with recorded_change(actor, "correction.team_remove", "team_member", member):
        member.removed_on = clock.today()
    return member


def team_warning(case: CorrectionCase) -> str | None:
    """A female person's team should include a woman: a warning, never a block."""
    if case.person.sex != "female":
        return None
    has_woman = db.session.execute(
        select(TeamMember.id).where(
            TeamMember.case_id == case.id,
            TeamMember.sex == "female",
            TeamMember.removed_on.is_(None),
        )
    ).first()
    return None if has_woman else _("矫正对象为女性，矫正小组中应有女性成员。")


def add_plan(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionPlan:
    require_writer(actor)
    f = Fields(data)
    adopted_on = f.date("adopted_on")
    content = f.text("content", required=True, limit=20000)
    not_future(f, "adopted_on", adopted_on)
    not_before_reception(f, "adopted_on", adopted_on, case)
    f.raise_if_errors()
    require_open(case, adopted_on)
    revision = (
        db.session.execute(
            select(func.max(CorrectionPlan.revision)).where(CorrectionPlan.case_id == case.id)
        ).scalar()
        or 0
    ) + 1
    plan = CorrectionPlan(
        case_id=case.id,
        revision=revision,
        adopted_on=adopted_on,
        content=content,
        written_by_id=actor.id,
    )
    return add_recorded(actor, plan, "correction.plan", "correction_plan")


def complete_checklist_item(actor: User, case: CorrectionCase, data: dict[str, Any]):
    require_writer(actor)
    f = Fields(data)
    item = f.choice("item", CHECKLIST_ITEMS)
    done_on = f.date("done_on")
    note = f.text("note", required=item == "appraisal", limit=4000)
    not_future(f, "done_on", done_on)
    f.raise_if_errors()
    require_open(case, done_on)
    if not checklist_open(case):
        raise RuleViolation(_("解除前清单在矫正期满前30天开启。"), code="checklist_not_open")
    exists = db.session.execute(
        select(ChecklistItem.id).where(ChecklistItem.case_id == case.id, ChecklistItem.item == item)
    ).first()
    if exists:
        raise RuleViolation(_("该项已完成。"), code="already_done")
    row = ChecklistItem(
        case_id=case.id, item=item, done_on=done_on, note=note, recorded_by_id=actor.id
    )
    return add_recorded(actor, row, "correction.checklist", "checklist_item")


def checklist(case: CorrectionCase) -> dict[str, ChecklistItem | None]:
    done = {
        r.item: r
        for r in db.session.execute(
            select(ChecklistItem).where(ChecklistItem.case_id == case.id)
        ).scalars()
    }
    return {item: done.get(item) for item in CHECKLIST_ITEMS}
