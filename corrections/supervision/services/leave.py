"""Leave (外出) with its approval tiers and 销假 (docs/domain.md §3.7, §7.3)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.auth.models import User
from corrections.core.guards import (
    not_future,
    read_dated,
    record_of,
    refuse_overlap,
    require_decider,
    require_writer,
)
from corrections.core.records import add_recorded
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.rules import deadlines as deadline_rules
from corrections.rules.dates import add_months
from corrections.rules.tables import deadline
from corrections.supervision import schemas
from corrections.supervision.models import CorrectionCase, Leave
from corrections.supervision.services.common import (
    decision,
    not_before_reception,
    require_open,
)
from corrections.supervision.services.due import change_with_due
from corrections.validation import Fields


def _other_approved_leaves(case: CorrectionCase, exclude_id: int | None = None):
    rows = db.session.execute(
        select(Leave.starts_on, Leave.ends_on).where(
            Leave.case_id == case.id,
            Leave.status == "approved",
            Leave.kind == "leave",
            *([Leave.id != exclude_id] if exclude_id else []),
        )
    ).all()
    return [(s, e) for s, e in rows]


def leave_tier_for(
    case: CorrectionCase, starts_on: date, ends_on: date, exclude_id: int | None = None
) -> str:
    values = {
        k: deadline(k, starts_on)
        for k in (
            "leave_station_max_days",
            "leave_county_max_days",
            "leave_window_months",
            "leave_window_max_days",
        )
    }
    return deadline_rules.leave_tier(
        starts_on,
        ends_on,
        _other_approved_leaves(case, exclude_id),
        station_max=values["leave_station_max_days"],
        county_max=values["leave_county_max_days"],
        window_months=values["leave_window_months"],
        window_max=values["leave_window_max_days"],
    )


def _overlap(starts_on: str, until: str) -> str:
    return _(
        "与已有的外出（%(s)s 至 %(e)s）时间重叠。请改选不重叠的日期，或先处理已有的外出。",
        s=starts_on,
        e=until,
    )


def _check_leave_overlap(
    case: CorrectionCase,
    starts_on: date,
    ends_on: date,
    statuses: tuple[str, ...],
    exclude_id: int | None = None,
) -> None:
    """Leaves of one case may not overlap (docs/domain.md §7.3): 422 ``leave_overlap``."""
    from corrections.rules import leaves as leave_rules

    rows = db.session.execute(
        select(Leave.id, Leave.starts_on, Leave.ends_on, Leave.returned_on).where(
            Leave.case_id == case.id,
            Leave.kind == "leave",
            Leave.status.in_(statuses),
            *([Leave.id != exclude_id] if exclude_id else []),
        )
    ).all()
    spans = [leave_rules.LeaveSpan(*row) for row in rows]
    refuse_overlap(leave_rules, spans, starts_on, ends_on, "leave_overlap", "starts_on", _overlap)


def apply_leave(actor: User, case: CorrectionCase, data: dict[str, Any]) -> Leave:
    require_writer(actor)
    f = Fields(data)
    v = f.read(schemas.LeaveBody)
    kind, starts_on, ends_on = v.kind, v.starts_on, v.ends_on
    if kind == "leave" and "ends_on" not in f.errors:
        f.require("ends_on", ends_on, _("请填写日期。"))
    applied_on = v.applied_on or clock.today()
    not_future(f, "applied_on", applied_on)
    not_before_reception(f, "starts_on", starts_on, case)
    if kind == "frequent_permit" and starts_on:
        ends_on = add_months(starts_on, deadline("frequent_permit_months", starts_on)) - timedelta(
            1
        )
    if starts_on and ends_on and ends_on < starts_on:
        f.error("ends_on", _("结束日期不能早于开始日期。"))
    if starts_on and applied_on and applied_on > starts_on:
        f.error("applied_on", _("申请日期不能晚于外出开始日期。"))
    f.raise_if_errors()
    require_open(case, starts_on)
    if kind == "leave":
        _check_leave_overlap(case, starts_on, ends_on, ("applied", "approved"))
    tier = "county" if kind == "frequent_permit" else leave_tier_for(case, starts_on, ends_on)
    values = v.values(ends_on=ends_on, applied_on=applied_on)
    leave = Leave(case_id=case.id, tier=tier, status="applied", applied_by_id=actor.id, **values)
    return add_recorded(actor, leave, "correction.leave_apply", "leave")


def decide_leave(actor: User, case: CorrectionCase, leave_id: int, data: dict[str, Any]) -> Leave:
    require_writer(actor)
    leave = record_of(case, Leave, leave_id)
    if leave.tier != "station":
        require_decider(actor, _("超过7天的外出需要县局审批。"))
    f = Fields(data)
    approved, decided_on, note = decision(f)
    not_future(f, "decided_on", decided_on)
    if decided_on and decided_on < leave.applied_on:
        f.error("decided_on", _("审批日期不能早于申请日期。"))
    f.raise_if_errors()
    if leave.status != "applied":
        raise RuleViolation(_("该申请已处理。"), code="already_decided")
    require_open(case, decided_on)
    with change_with_due(actor, "correction.leave_decide", "leave", leave, case):
        if approved and leave.kind == "leave":
            _check_leave_overlap(case, leave.starts_on, leave.ends_on, ("approved",), leave.id)
        if approved:
            # Approvals since the application may have raised the tier.
            leave.tier = (
                leave.tier
                if leave.kind != "leave"
                else leave_tier_for(case, leave.starts_on, leave.ends_on, exclude_id=leave.id)
            )
            if leave.tier != "station":
                require_decider(actor, _("超过7天的外出需要县局审批。"))
        leave.status = "approved" if approved else "refused"
        leave.decided_on = decided_on
        leave.decided_by_id = actor.id
        leave.decision_note = note
    return leave


def return_from_leave(
    actor: User, case: CorrectionCase, leave_id: int, data: dict[str, Any]
) -> Leave:
    require_writer(actor)
    leave = record_of(case, Leave, leave_id)
    early = _("销假日期不能早于外出开始日期。")
    f, _v, returned_on = read_dated(data, schemas.LeaveReturn, leave.starts_on, early)
    f.raise_if_errors()
    if leave.status != "approved":
        raise RuleViolation(_("只有已批准的外出才能销假。"), code="not_approved")
    if leave.returned_on is not None:
        raise RuleViolation(_("已经销假。"), code="already_returned")
    require_open(case, returned_on)
    with change_with_due(actor, "correction.leave_return", "leave", leave, case):
        leave.returned_on = returned_on
    return leave


def return_overdue(leave: Leave, on: date | None = None) -> bool:
    return (
        leave.status == "approved"
        and leave.kind == "leave"
        and deadline_rules.is_return_overdue(leave.ends_on, leave.returned_on, on or clock.today())
    )
