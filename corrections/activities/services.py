"""Activities: one form records a session for a whole group; monthly hours against targets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from corrections.activities.models import Activity, Attendance
from corrections.activities.schemas import ActivityBody
from corrections.audit.services import record, snapshot
from corrections.auth.models import User
from corrections.auth.scope import scope
from corrections.core.guards import not_future, require_writer, station_for
from corrections.core.voiding import void
from corrections.errors import NotFound
from corrections.extensions import db
from corrections.people.models import Person
from corrections.periods import month_bounds
from corrections.rules import engine
from corrections.rules.tables import deadline
from corrections.supervision.models import CorrectionCase
from corrections.supervision.services import case_facts
from corrections.validation import Fields

TARGET_KINDS = ("education", "public_service")


def record_activity(actor: User, data: dict[str, Any]) -> Activity:
    require_writer(actor)
    f = Fields(data)
    station = station_for(f, actor, data.get("station"))
    hours_refused = _("时长应为0.1到24之间的小时数（最多一位小数）。")
    v = f.read(ActivityBody, missing={"hours": hours_refused}, invalid={"hours": hours_refused})
    held_on, hours = v.held_on, v.hours
    not_future(f, "held_on", held_on)
    attendees = v.attendees
    ids: list[int] = []
    if not isinstance(attendees, list) or not attendees:
        f.error("attendees", _("请至少选择一名参加人员。"))
    elif not all(isinstance(a, int) and not isinstance(a, bool) for a in attendees):
        f.error("attendees", _("参加人员应为矫正案件编号的列表。"))
    else:
        ids = list(dict.fromkeys(attendees))
    if ids and held_on:
        found = (
            db.session.execute(
                scope(
                    select(CorrectionCase).where(CorrectionCase.id.in_(ids)), actor, CorrectionCase
                )
            )
            .scalars()
            .all()
        )
        by_id = {c.id: c for c in found}
        missing = [i for i in ids if i not in by_id]
        inactive = [
            by_id[i].person.name for i in ids if i in by_id and not _active_on(by_id[i], held_on)
        ]
        if missing:
            f.error(
                "attendees",
                _("案件不存在或不在您的范围内：%(ids)s。", ids=", ".join(map(str, missing))),
            )
        elif inactive:
            f.error(
                "attendees",
                _("这些人员在%(d)s不在矫：%(n)s。", d=held_on.isoformat(), n="、".join(inactive)),
            )
    f.raise_if_errors()
    values = v.values("station", "attendees")
    activity = Activity(station_id=station.id, recorded_by_id=actor.id, **values)
    activity.attendances = [Attendance(case_id=i, hours=hours) for i in ids]
    db.session.add(activity)
    db.session.flush()
    after = snapshot(activity)
    after["attendees"] = ids
    record(actor, "activity.create", "activity", activity.id, None, after)
    return activity


def attendee_candidates(actor: User, station_id: int, on: date) -> list[CorrectionCase]:
    """The station's cases active on ``on`` (the same test as ``_active_on``), by name:
    the people a session's form offers as attendees."""
    query = (
        select(CorrectionCase)
        .join(Person, Person.id == CorrectionCase.person_id)
        .where(
            CorrectionCase.station_id == station_id,
            CorrectionCase.received_on <= on,
            or_(CorrectionCase.ended_on.is_(None), CorrectionCase.ended_on > on),
        )
        .options(selectinload(CorrectionCase.person))
        .order_by(Person.name, CorrectionCase.id)
    )
    return db.session.execute(scope(query, actor, CorrectionCase)).scalars().all()


def _active_on(case: CorrectionCase, on: date) -> bool:
    return (
        case.received_on is not None
        and case.received_on <= on
        and (case.ended_on is None or on < case.ended_on)
    )


def void_activity(actor: User, activity: Activity, data: dict[str, Any]) -> Activity:
    require_writer(actor)
    return void(actor, activity, data, "activity.void", "activity")


def get_activity(user: User, activity_id: int) -> Activity:
    activity = db.session.execute(
        scope(select(Activity).where(Activity.id == activity_id), user, Activity)
    ).scalar_one_or_none()
    if activity is None:
        raise NotFound(_("记录不存在，或不在您的管辖范围内。"))
    return activity


def monthly_hours(case_ids: list[int], year: int, month: int) -> dict[int, dict[str, Decimal]]:
    """Hours credited per case and kind in one month (voided sessions excluded). One query."""
    start, end = month_bounds(year, month)
    rows = db.session.execute(
        select(Attendance.case_id, Activity.kind, func.sum(Attendance.hours))
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(
            Attendance.case_id.in_(case_ids),
            Activity.held_on.between(start, end),
            Activity.voided_at.is_(None),
        )
        .group_by(Attendance.case_id, Activity.kind)
    ).all()
    result: dict[int, dict[str, Decimal]] = {i: {} for i in case_ids}
    for case_id, kind, total in rows:
        result[case_id][kind] = Decimal(total or 0)
    return result


def monthly_targets(case: CorrectionCase, year: int, month: int) -> dict[str, int] | None:
    """Targets by the level in force on the month's last day (None when not active then)."""
    _start, end = month_bounds(year, month)
    if case.received_on is None or case.received_on > end:
        return None
    level = engine.level_on(case_facts(case).levels, end) or case.level
    return {kind: deadline(f"{kind}_hours_{level}", end) for kind in TARGET_KINDS} | {
        "level": level
    }


def case_month_summary(case: CorrectionCase, year: int, month: int) -> dict | None:
    targets = monthly_targets(case, year, month)
    if targets is None:
        return None
    hours = monthly_hours([case.id], year, month)[case.id]
    return {
        "level": targets["level"],
        "rows": [
            {
                "kind": k,
                "hours": hours.get(k, Decimal(0)),
                "target": targets[k],
                "met": hours.get(k, Decimal(0)) >= targets[k],
            }
            for k in TARGET_KINDS
        ],
    }


def below_target(user: User, year: int, month: int, station_id: int | None = None) -> list[dict]:
    """Cases active during the month whose education or public-service hours are below target."""
    start, end = month_bounds(year, month)
    query = select(CorrectionCase).where(
        CorrectionCase.received_on <= end,
        or_(CorrectionCase.ended_on.is_(None), CorrectionCase.ended_on > end),
        CorrectionCase.status.in_(("active", "released", "terminated", "transferred_out")),
    )
    if station_id is not None:
        query = query.where(CorrectionCase.station_id == station_id)
    cases = (
        db.session.execute(
            scope(query, user, CorrectionCase).order_by(
                CorrectionCase.station_id, CorrectionCase.id
            )
        )
        .scalars()
        .all()
    )
    hours = monthly_hours([c.id for c in cases], year, month) if cases else {}
    out = []
    for case in cases:
        targets = monthly_targets(case, year, month)
        if targets is None:
            continue
        short = {
            k: (hours[case.id].get(k, Decimal(0)), targets[k])
            for k in TARGET_KINDS
            if hours[case.id].get(k, Decimal(0)) < targets[k]
        }
        if short:
            out.append({"case": case, "level": targets["level"], "short": short})
    return out
