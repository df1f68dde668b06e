"""预警处置 in the demo county: the alerts the jobs raise today, and a history of alerts of
every kind in every state over the last two months (docs/domain.md §7.11)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from corrections import clock
from corrections.alerts import areas, services
from corrections.alerts.jobs import raise_alerts
from corrections.alerts.models import ALERT_KINDS, Alert, AlertStep
from corrections.auth.models import Unit, User
from corrections.extensions import db
from corrections.supervision.models import CorrectionCase

CENTRE = (28.92, 119.65)  # the demo county's seat; the area is a 25 km circle around it
AREA_RADIUS_M = 25_000  # the one area of the unit: self check-in's demo history uses it too

MESSAGES = {
    "missed_checkin": "未在规定时间内完成自助报到（手机拍照、定位）。",
    "checkin_follow_up": "自助报到已提交，照片模糊，需当面核实。",
    "outside_area": "信息化核查：14:20 定位在辖区外（邻县工业园区）。",
    "face_mismatch": "自助报到人脸比对不符。",
    "overdue_return": "外出请假期满未按时销假。",
    "missed_intake": "判决生效后逾期未报到（漏管）。",
    "overdue_contact": "见面报告已逾期8天未完成。",
    "location_missing": "信息化核查：当天3次核查均未成功（关机）。",
    "location_anomaly": "信息化核查：连续3天位置不变且手机离身。",
}
NOTES = {
    "verify": ["已电话联系本人核实。", "已联系家属了解情况。", "已调取定位轨迹核实。"],
    "handle": ["已当面谈话教育，责令说明情况。", "已上门走访核实。", "已督促本人补报。"],
    "close": ["本人已说明情况，属实。", "系信号问题，非本人原因。", "已教育，作出处理建议。"],
}
# (status, outcome, on time) for each kind's history
STATES = [
    ("closed", "explained", True),
    ("closed", "false_alarm", False),
    ("handled", None, None),
    ("verifying", None, None),
    ("open", None, None),
]


def load_demo_alerts(rng: random.Random, users: dict[str, User], unit: Unit) -> int:
    """Idempotent: nothing is added once the county has this demo's alerts (the self
    check-in demo, loaded before, raises alerts of its own)."""
    if db.session.execute(select(Alert.id).where(Alert.cause.like("demo:%")).limit(1)).first():
        return 0
    areas.set_area(unit, circle=(CENTRE[0], CENTRE[1], AREA_RADIUS_M))
    today = clock.today()
    created = raise_alerts(today)["created"]
    active = list(
        db.session.execute(
            select(CorrectionCase)
            .where(CorrectionCase.status == "active")
            .order_by(CorrectionCase.id)
        ).scalars()
    )
    if not active:
        return created
    officers = {u.id: u for u in users.values()}
    supervisor = users.get("zhuguan")
    pool = list(active)
    rng.shuffle(pool)
    pick = iter(pool * 3)
    for kind in ALERT_KINDS:
        for n, (status, outcome, on_time) in enumerate(STATES):
            case = next(pick)
            days_ago = 3 + (n * 11 + ALERT_KINDS.index(kind) * 3) % 50 if status == "closed" else n
            raised_day = today - timedelta(days=days_ago)
            at = datetime.combine(raised_day, time(8 + n, 30), tzinfo=clock.CHINA)
            cause = f"demo:{kind}:{n}"
            alert = services.raise_alert(case, kind, cause=cause, note=MESSAGES[kind], at=at)
            if alert is None:
                continue
            created += 1
            actor = officers.get(case.officer_id) or supervisor
            if actor is None:
                continue
            _history(rng, alert, actor, status, outcome, on_time, at)
    # a sanction proposed and a case where absconding was recorded from an alert
    _linked(rng, active, officers, supervisor, today)
    db.session.flush()
    services.escalate_overdue(
        now=datetime.combine(today, time(12, 0), tzinfo=clock.CHINA).astimezone(clock.UTC)
    )
    return created


def _history(rng, alert, actor, status, outcome, on_time, at) -> None:
    steps = {"verifying": ["verify"], "handled": ["verify", "handle"]}.get(status, [])
    if status == "closed":
        steps = ["verify", "handle", "close"]
    hours = 3 if on_time or status != "closed" else 40
    when = at
    for i, action in enumerate(steps):
        when = at + timedelta(hours=hours * (i + 1) / len(steps))
        alert.steps.append(
            AlertStep(at=when, by_id=actor.id, action=action, note=rng.choice(NOTES[action]))
        )
    alert.status = status
    if status == "closed":
        alert.outcome = outcome
        alert.closed_at = when
        alert.closed_on = services.china_date(when)
        alert.closed_on_time = when <= alert.due_by
        if alert.kind in ("missed_intake", "overdue_return", "overdue_contact"):
            alert.cleared_at = when - timedelta(hours=1)


def _linked(rng, active, officers, supervisor, today) -> None:
    from corrections.errors import DomainError

    for kind, outcome in (
        ("location_missing", "sanction_proposed"),
        ("missed_checkin", "incident_opened"),
    ):
        for case in reversed(active):
            blocked = db.session.execute(
                select(Alert.id).where(
                    Alert.case_id == case.id, Alert.kind == kind, Alert.status != "closed"
                )
            ).first()
            if blocked or case.received_on is None or case.received_on > today - timedelta(days=10):
                continue
            at = datetime.combine(today - timedelta(days=6), time(9, 0), tzinfo=clock.CHINA)
            actor = officers.get(case.officer_id) or supervisor
            data = {"action": "close", "note": "无正当理由失联，依规处理。", "outcome": outcome}
            if outcome == "sanction_proposed":
                data["sanction_kind"] = "admonition"
            else:
                data["occurred_on"] = (today - timedelta(days=6)).isoformat()
            try:
                with db.session.begin_nested():
                    alert = services.raise_alert(
                        case, kind, cause=f"demo:{kind}:linked", note=MESSAGES[kind], at=at
                    )
                    if alert is None:
                        continue
                    services.take_step(actor, alert, {"action": "verify", "note": "多次联系未果。"})
                    services.take_step(actor, alert, data)
            except DomainError:  # a case a rule refuses (an open incident …) is skipped
                continue
            break
