"""预警处置 services (docs/domain.md §7.11): raising alerts, the workflow steps, scope,
escalation. Routes (UI and API), jobs, the import and the self check-in only call these.

``raise_alert`` is idempotent: one alert per case, kind and ``cause`` ever (the cause names
the situation: ``leave:45``, ``intake:12``, ``checkin:9``, ``import:2026-12-03``), and at
most one alert of a kind open per case. ``mark_cleared`` records that the cause has cleared
by itself (the person reported, returned); the alert stays open until an officer closes it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections.alerts.models import (
    ALERT_KINDS,
    ALERT_STATUSES,
    TRANSITIONS,
    Alert,
    AlertStep,
)
from corrections.alerts.schemas import StepBody
from corrections.audit.services import record, snapshot
from corrections.auth.models import Station, User
from corrections.auth.scope import scope
from corrections.errors import Forbidden, NotFound, RuleViolation, StaleVersion
from corrections.extensions import db
from corrections.labels import label
from corrections.rules.tables import deadline
from corrections.supervision import services as supervision
from corrections.supervision.models import (
    CorrectionCase,
    Incident,
    Sanction,
)
from corrections.validation import Fields

__all__ = [
    "raise_alert",
    "mark_cleared",
    "take_step",
    "alerts_query",
    "get_alert",
    "escalate_overdue",
    "due_by_for",
]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.UTC)


def china_date(moment: datetime) -> date:
    return _aware(moment).astimezone(clock.CHINA).date()


def due_by_for(raised_at: datetime) -> datetime:
    """When an alert raised at ``raised_at`` must be closed: ``alert_due_hours`` later (a
    rule row as it stood on the day it was raised; default 24 h)."""
    hours = deadline("alert_due_hours", china_date(raised_at))
    return _aware(raised_at) + timedelta(hours=hours)


def _default_message(case: CorrectionCase, kind: str) -> str:
    return f"{case.person.name}：{label('alert_kind', kind)}"


# --------------------------------------------------------------------------- raising


def _blocking(case_id: int, kind: str, cause: str):
    return select(Alert.id).where(
        Alert.case_id == case_id,
        Alert.kind == kind,
        or_(Alert.status != "closed", Alert.cause == cause),
    )


def raise_alert(
    case: CorrectionCase,
    kind: str,
    *,
    cause: str,
    note: str | None = None,
    at: datetime | None = None,
) -> Alert | None:
    """Raise an alert, or return None (writing nothing) when one of this case and kind is
    open or this ``cause`` was raised before."""
    if kind not in ALERT_KINDS:
        raise ValueError(f"unknown alert kind {kind!r}")
    cause = str(cause)[:100]
    if db.session.execute(_blocking(case.id, kind, cause).limit(1)).first() is not None:
        return None
    at = _aware(at or clock.now_utc())
    alert = Alert(
        case_id=case.id,
        person_id=case.person_id,
        kind=kind,
        cause=cause,
        message=(note or _default_message(case, kind))[:4000],
        raised_at=at,
        raised_on=china_date(at),
        due_by=due_by_for(at),
        status="open",
        assigned_to_id=case.officer_id,
    )
    alert.steps.append(AlertStep(at=at, by_id=None, action="raise", note=alert.message))
    try:
        with db.session.begin_nested():
            db.session.add(alert)
            db.session.flush()
    except IntegrityError:  # a concurrent raiser won (the unique indexes)
        return None
    record(None, "alert.raise", "alert", alert.id, None, snapshot(alert))
    return alert


def mark_cleared(case: CorrectionCase, kind: str, cause: str, at: datetime | None = None):
    """The situation behind the alert has cleared by itself: shown on the alert, which stays
    open until closed (outcome ``explained``). Returns the alert, or None if nothing to do."""
    alert = db.session.execute(
        select(Alert).where(
            Alert.case_id == case.id,
            Alert.kind == kind,
            Alert.cause == str(cause)[:100],
            Alert.status != "closed",
            Alert.cleared_at.is_(None),
        )
    ).scalar_one_or_none()
    if alert is None:
        return None
    at = _aware(at or clock.now_utc())
    alert.cleared_at = at
    alert.steps.append(AlertStep(at=at, by_id=None, action="cleared", note=""))
    db.session.flush()
    return alert


# --------------------------------------------------------------------------- reading


def _case_ids_in_scope(user: User):
    return scope(select(CorrectionCase.id), user, CorrectionCase)


def alerts_query(
    user: User,
    *,
    status: str | None = None,
    kind: str | None = None,
    station: Station | None = None,
    case_id: int | None = None,
    open_only: bool = False,
):
    query = select(Alert).where(Alert.case_id.in_(_case_ids_in_scope(user)))
    if status:
        query = query.where(Alert.status == status)
    if open_only:
        query = query.where(Alert.status != "closed")
    if kind:
        query = query.where(Alert.kind == kind)
    if case_id is not None:
        query = query.where(Alert.case_id == case_id)
    if station is not None:
        query = query.where(
            Alert.case_id.in_(
                select(CorrectionCase.id).where(CorrectionCase.station_id == station.id)
            )
        )
    return query.options(
        selectinload(Alert.steps).selectinload(AlertStep.by),
        selectinload(Alert.assigned_to),
        selectinload(Alert.case).selectinload(CorrectionCase.station),
        selectinload(Alert.person),
    ).order_by(Alert.raised_at.desc(), Alert.id.desc())


def get_alert(user: User, alert_id: int) -> Alert:
    alert = db.session.execute(
        select(Alert).where(Alert.id == alert_id, Alert.case_id.in_(_case_ids_in_scope(user)))
    ).scalar_one_or_none()
    if alert is None:
        raise NotFound(_("预警不存在，或不在您的管辖范围内。"))
    return alert


def my_open_alerts(user: User, limit: int = 50) -> list[Alert]:
    """An officer's open alerts (assigned to them first, then their stations'), oldest first."""
    query = alerts_query(user, open_only=True).order_by(None)
    query = query.order_by((Alert.assigned_to_id == user.id).desc(), Alert.due_by, Alert.id).limit(
        limit
    )
    return list(db.session.execute(query).scalars())


AGE_BANDS = (("lt1", 0, 1), ("d1_3", 1, 3), ("d3_7", 3, 7), ("gt7", 7, None))


def open_by_station(user: User, now: datetime | None = None) -> list[dict]:
    """Open alerts per station and age band (days since raised), with the overdue and
    escalated counts: the supervisor's dashboard table."""
    now = _aware(now or clock.now_utc())
    rows = db.session.execute(
        select(
            Station.id,
            Station.code,
            Station.name,
            Alert.raised_at,
            Alert.due_by,
            Alert.escalated_at,
        )
        .join(CorrectionCase, CorrectionCase.id == Alert.case_id)
        .join(Station, Station.id == CorrectionCase.station_id)
        .where(Alert.status != "closed", Alert.case_id.in_(_case_ids_in_scope(user)))
    ).all()
    table: dict[int, dict] = {}
    for station_id, code, name, raised_at, due_by, escalated_at in rows:
        entry = table.setdefault(
            station_id,
            {"station_id": station_id, "code": code, "station": name, "total": 0, "overdue": 0,
             "escalated": 0, **{b[0]: 0 for b in AGE_BANDS}},
        )  # fmt: skip
        entry["total"] += 1
        age = (now - _aware(raised_at)).total_seconds() / 86400
        for band, lo, hi in AGE_BANDS:
            if age >= lo and (hi is None or age < hi):
                entry[band] += 1
        if _aware(due_by) < now:
            entry["overdue"] += 1
        if escalated_at is not None:
            entry["escalated"] += 1
    return sorted(table.values(), key=lambda e: (-e["overdue"], -e["total"], e["station"]))


def escalated_alerts(user: User, limit: int = 20) -> list[Alert]:
    query = alerts_query(user, open_only=True).where(Alert.escalated_at.is_not(None))
    query = query.order_by(None).order_by(Alert.due_by, Alert.id).limit(limit)
    return list(db.session.execute(query).scalars())


def counts_by_status(user: User) -> dict[str, int]:
    rows = db.session.execute(
        select(Alert.status, func.count())
        .where(Alert.case_id.in_(_case_ids_in_scope(user)))
        .group_by(Alert.status)
    ).all()
    counts = {s: 0 for s in ALERT_STATUSES}
    counts.update({s: n for s, n in rows})
    return counts


# --------------------------------------------------------------------------- workflow


def take_step(actor: User, alert: Alert, data: dict[str, Any]) -> Alert:
    """One step of open → verifying → handled → closed (docs/domain.md §7.11).

    ``close`` needs ``outcome``; ``sanction_proposed`` links the sanction recorded in the
    same step (``sanction_kind``, or an existing ``sanction_id`` of the case) and
    ``incident_opened`` the incident (``incident_kind``, default ``absconded``, dated
    ``occurred_on``, default the day the alert was raised; or an existing ``incident_id``).
    """
    if not actor.can_write:
        raise Forbidden(_("只读账号不能修改数据。"))
    f = Fields(data)
    step = f.read(StepBody)
    action, note, outcome = step.action, step.note, step.outcome
    if action == "close":
        f.require("outcome", outcome, _("请选择。"))
    elif data.get("outcome") not in (None, ""):
        f.error("outcome", _("只有办结（close）时填写处置结果。"))
    version = data.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        f.error("version", _("整数"))
    f.raise_if_errors()
    if alert.status == "closed":
        raise RuleViolation(_("该预警已办结。"), code="alert_closed")
    allowed_from, to_status = TRANSITIONS[action]
    if alert.status not in allowed_from:
        raise RuleViolation(
            _(
                "预警当前状态为“%(s)s”，不能执行“%(a)s”。",
                s=label("alert_status", alert.status),
                a=label("alert_action", action),
            ),
            code="invalid_step",
        )
    if version is not None and version != alert.version:
        raise StaleVersion(
            _("该记录已被他人修改（当前版本 %(v)d），请刷新后重试。", v=alert.version)
        )
    before = snapshot(alert)
    now = clock.now_utc()
    if action == "close":
        _link_outcome(actor, alert, step, f)
        alert.outcome = outcome
        alert.closed_at = now
        alert.closed_on = china_date(now)
        alert.closed_on_time = now <= _aware(alert.due_by)
    alert.status = to_status
    alert.steps.append(AlertStep(at=now, by_id=actor.id, action=action, note=note))
    db.session.flush()
    record(actor, f"alert.{action}", "alert", alert.id, before, snapshot(alert))
    return alert


def _link_outcome(actor: User, alert: Alert, step: StepBody, f: Fields) -> None:
    case, note = alert.case, step.note
    today = clock.today()
    if step.outcome == "sanction_proposed":
        existing = step.sanction_id
        if existing not in (None, ""):
            sanction = db.session.get(Sanction, existing) if isinstance(existing, int) else None
            if sanction is None or sanction.case_id != case.id:
                raise RuleViolation(
                    _("所选奖惩记录不属于该对象。"), fields={"sanction_id": _("无效")}
                )
        else:
            kind = step.sanction_kind
            f.require("sanction_kind", kind, _("请选择。"))
            f.raise_if_errors()
            reason = _("预警处置：%(k)s。%(n)s", k=label("alert_kind", alert.kind), n=note)
            sanction = supervision.record_sanction(
                actor,
                case,
                {"kind": kind, "proposed_on": today.isoformat(), "reason": reason},
                propose=True,
            )
        alert.sanction_id = sanction.id
    elif step.outcome == "incident_opened":
        existing = step.incident_id
        if existing not in (None, ""):
            incident = db.session.get(Incident, existing) if isinstance(existing, int) else None
            if incident is None or incident.case_id != case.id:
                raise RuleViolation(
                    _("所选事件记录不属于该对象。"), fields={"incident_id": _("无效")}
                )
        else:
            kind = step.incident_kind or "absconded"
            occurred = step.occurred_on or alert.raised_on
            incident = supervision.open_incident(
                actor, case, {"kind": kind, "occurred_on": occurred, "note": note}
            )
        alert.incident_id = incident.id


# --------------------------------------------------------------------------- escalation


def escalate_overdue(now: datetime | None = None) -> int:
    """Alerts past ``due_by`` and not closed go to the unit's supervisors (and the assigned
    officer) once: a notification, delivered by e-mail / webhook where configured."""
    from corrections.reminders.services import Recipients, notify

    now = _aware(now or clock.now_utc())
    who = Recipients()
    late = db.session.execute(
        select(Alert, CorrectionCase)
        .join(CorrectionCase, CorrectionCase.id == Alert.case_id)
        .where(Alert.status != "closed", Alert.escalated_at.is_(None), Alert.due_by < now)
        .order_by(Alert.id)
    ).all()
    created = 0
    for alert, case in late:
        users = who.for_case(case.station_id, alert.assigned_to_id or case.officer_id, True)
        hours = int((now - _aware(alert.due_by)).total_seconds() // 3600)
        created += notify(
            users,
            key=f"alert_overdue:{alert.id}",
            kind="alert_overdue",
            programme="correction",
            case_id=case.id,
            due_on=china_date(alert.due_by),
            message=(
                f"预警超时未办结：{case.person.name}（{label('alert_kind', alert.kind)}），"
                f"应于{_aware(alert.due_by).astimezone(clock.CHINA):%Y-%m-%d %H:%M}前办结"
                + (f"，已超时{hours}小时。" if hours else "。")
            ),
        )
        alert.escalated_at = now
        alert.steps.append(AlertStep(at=now, by_id=None, action="escalate", note=""))
    db.session.flush()
    return created
