"""Caseload: the responsible officer and the station of a case."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from corrections import clock
from corrections.audit.services import record
from corrections.auth.models import User
from corrections.core.guards import not_future, officer_for, require_decider, station_for
from corrections.core.records import recorded_change
from corrections.core.stations import moves_of, station_among
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.supervision import schemas
from corrections.supervision.models import CorrectionCase, OfficerAssignment, StationMove
from corrections.supervision.services.common import read_on_case
from corrections.validation import Fields


def add_assignment(actor: User, case: CorrectionCase, on: date, note: str = "") -> None:
    """The officer history row for the case's (new) officer, from ``on``."""
    db.session.add(
        OfficerAssignment(
            case_id=case.id,
            officer_id=case.officer_id,
            assigned_on=on,
            assigned_by_id=actor.id,
            note=note,
        )
    )


def assign_officer(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionCase:
    require_decider(actor, _("调整责任人需要县局主管操作。"))
    f = Fields(data)
    v = f.read(schemas.OfficerChange)
    changed_on = v.changed_on or clock.today()
    not_future(f, "changed_on", changed_on)
    if "officer" not in data:
        f.error("officer", _("请选择责任人。"))
    officer = officer_for(f, v.officer, case.station)
    f.raise_if_errors()
    if case.is_ended:
        raise RuleViolation(_("案件已结束，不能调整责任人。"), code="case_ended")
    with recorded_change(actor, "correction.assign_officer", "correction_case", case):
        case.officer_id = officer.id if officer else None
        add_assignment(actor, case, changed_on)
    return case


def reassign_caseload(
    actor: User, from_username: str, to_username: str, changed_on: date | None = None
) -> int:
    """Move a departing officer's whole open caseload (in the actor's scope) in one step."""
    from corrections.auth.scope import scope

    require_decider(actor, _("调整责任人需要县局主管操作。"))
    f = Fields({"from": from_username, "to": to_username})
    # The departing officer's account may already be deactivated: that is when this is needed.
    source = None
    if from_username:
        source = db.session.execute(
            select(User).where(User.username == from_username)
        ).scalar_one_or_none()
        if source is None or not source.is_officer:
            source = None
            f.error("from", _("“%(u)s”不是司法所工作人员。", u=from_username))
    else:
        f.error("from", _("请选择原责任人。"))
    target = officer_for(Fields({}), to_username, None) if to_username else None
    if target is None:
        f.error("to", _("“%(u)s”不是在岗的司法所工作人员。", u=to_username or ""))
    f.raise_if_errors()
    changed_on = changed_on or clock.today()
    cases = (
        db.session.execute(
            scope(
                select(CorrectionCase).where(
                    CorrectionCase.officer_id == source.id,
                    CorrectionCase.status.in_(("expected", "active")),
                ),
                actor,
                CorrectionCase,
            )
        )
        .scalars()
        .all()
    )
    target_stations = {s.id for s in target.stations}
    uncovered = sorted({c.station.name for c in cases if c.station_id not in target_stations})
    if uncovered:
        raise RuleViolation(
            _(
                "%(u)s 不在这些司法所工作：%(s)s；请先调整其所属司法所或分别指派。",
                u=target.username,
                s="、".join(uncovered),
            ),
            code="officer_not_at_station",
        )
    for case in cases:
        case.officer_id = target.id
        add_assignment(actor, case, changed_on, note=_("整体移交"))
    db.session.flush()
    record(
        actor,
        "correction.reassign_caseload",
        "user",
        source.id,
        {"officer": source.username},
        {"officer": target.username, "cases": [c.id for c in cases]},
    )
    return len(cases)


def move_station(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionCase:
    require_decider(actor, _("在司法所之间调整案件需要县局主管操作。"))
    f, v, moved_on = read_on_case(data, schemas.StationMoveBody, case)
    station = station_for(f, actor, v.station)
    if station is not None and station.unit_id != case.station.unit_id:
        f.error("station", _("只能在本单位的司法所之间调整。"))
    if station is not None and station.id == case.station_id:
        f.error("station", _("案件已在该司法所。"))
    f.raise_if_errors()
    if case.is_ended:
        raise RuleViolation(_("案件已结束，不能调整司法所。"), code="case_ended")
    last_move = db.session.execute(
        select(func.max(StationMove.moved_on)).where(StationMove.case_id == case.id)
    ).scalar()
    if last_move and moved_on < last_move:
        raise RuleViolation(_("调整日期不能早于上一次调整（%(d)s）。", d=last_move.isoformat()))
    with recorded_change(actor, "correction.move_station", "correction_case", case):
        db.session.add(
            StationMove(
                case_id=case.id,
                moved_on=moved_on,
                from_station_id=case.station_id,
                to_station_id=station.id,
                moved_by_id=actor.id,
            )
        )
        case.station_id = station.id
        case.station = station
        case.has_moves = True
        if case.officer is not None and station.id not in {s.id for s in case.officer.stations}:
            case.officer_id = None
            add_assignment(actor, case, moved_on, note=_("调整司法所"))
    return case


def station_on(case: CorrectionCase, on: date) -> int:
    """The station the case was at on ``on`` (per-station figures follow this)."""
    return station_among(moves_of(StationMove, case.id), case.station_id, on)
