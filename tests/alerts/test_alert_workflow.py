"""Alert records: raised once per situation, the workflow and its refusals
(docs/domain.md §7.11)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from corrections.alerts import services
from corrections.alerts.models import Alert, AlertStep
from corrections.errors import Forbidden, NotFound, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.reminders.models import Notification
from corrections.supervision.models import Incident, Sanction
from tests.helpers import open_case, user


def _count(kind=None):
    query = select(func.count()).select_from(Alert)
    if kind:
        query = query.where(Alert.kind == kind)
    return db.session.execute(query).scalar_one()


def test_raise_is_idempotent_per_cause_and_one_open_per_kind(ctx, person_id):
    case = open_case(person_id)
    first = services.raise_alert(case, "location_missing", cause="import:2026-11-20")
    assert first is not None and first.status == "open" and first.assigned_to_id == case.officer_id
    # the same situation again, and another situation while one is open: nothing written
    assert services.raise_alert(case, "location_missing", cause="import:2026-11-20") is None
    assert services.raise_alert(case, "location_missing", cause="import:2026-11-21") is None
    # another kind is its own alert
    assert services.raise_alert(case, "outside_area", cause="import:2026-11-20") is not None
    assert _count() == 2
    # once closed, a new situation raises again; the old one never does
    alert = first
    services.take_step(user("off1"), alert, {"action": "verify", "note": "电话联系"})
    services.take_step(
        user("off1"), alert, {"action": "close", "note": "手机没电", "outcome": "explained"}
    )
    assert services.raise_alert(case, "location_missing", cause="import:2026-11-20") is None
    assert services.raise_alert(case, "location_missing", cause="import:2026-11-22") is not None
    assert _count("location_missing") == 2


def test_due_by_is_24_hours_by_default(ctx, person_id):
    case = open_case(person_id)
    at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    alert = services.raise_alert(case, "missed_checkin", cause="checkin:1", at=at)
    db.session.commit()
    assert alert.raised_on.isoformat() == "2026-11-20"
    due = alert.due_by if alert.due_by.tzinfo else alert.due_by.replace(tzinfo=UTC)
    assert due == at + timedelta(hours=24)


def test_raised_on_is_the_china_date(ctx, person_id):
    case = open_case(person_id)
    alert = services.raise_alert(
        case, "missed_checkin", cause="checkin:2", at=datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
    )
    assert alert.raised_on.isoformat() == "2026-11-21"  # 01:00 in China


def test_workflow_order_and_who_when_note(ctx, person_id):
    case = open_case(person_id)
    alert = services.raise_alert(case, "face_mismatch", cause="checkin:3")
    officer = user("off1")
    with pytest.raises(RuleViolation) as e:
        services.take_step(officer, alert, {"action": "handle", "note": "x"})
    assert e.value.code == "invalid_step"
    with pytest.raises(RuleViolation):
        services.take_step(officer, alert, {"action": "close", "note": "x", "outcome": "explained"})
    services.take_step(officer, alert, {"action": "verify", "note": "已电话核实"})
    assert alert.status == "verifying"
    services.take_step(officer, alert, {"action": "handle", "note": "已当面谈话"})
    assert alert.status == "handled"
    services.take_step(
        officer, alert, {"action": "close", "note": "本人换了发型", "outcome": "false_alarm"}
    )
    db.session.commit()
    assert alert.status == "closed" and alert.outcome == "false_alarm"
    assert alert.closed_on_time is True
    actions = [(s.action, s.by.username if s.by else None, s.note) for s in alert.steps]
    assert actions == [
        ("raise", None, alert.message),
        ("verify", "off1", "已电话核实"),
        ("handle", "off1", "已当面谈话"),
        ("close", "off1", "本人换了发型"),
    ]
    with pytest.raises(RuleViolation) as e:
        services.take_step(officer, alert, {"action": "verify", "note": "x"})
    assert e.value.code == "alert_closed"


def test_refusals_write_nothing(ctx, person_id):
    case = open_case(person_id)
    alert = services.raise_alert(case, "missed_checkin", cause="checkin:4")
    db.session.commit()
    officer = user("off1")
    services.take_step(officer, alert, {"action": "verify", "note": "核实"})
    db.session.commit()
    steps = db.session.execute(select(func.count()).select_from(AlertStep)).scalar_one()
    with pytest.raises(ValidationFailed) as e:  # closing needs an outcome
        services.take_step(officer, alert, {"action": "close", "note": "x"})
    assert "outcome" in e.value.fields
    with pytest.raises(ValidationFailed) as e:  # a note is required
        services.take_step(officer, alert, {"action": "handle", "note": ""})
    assert "note" in e.value.fields
    with pytest.raises(ValidationFailed):
        services.take_step(officer, alert, {"action": "close", "note": "x", "outcome": "maybe"})
    with pytest.raises(Forbidden):  # a viewer takes no step
        services.take_step(user("viewer"), alert, {"action": "handle", "note": "x"})
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(AlertStep)).scalar_one() == steps
    assert db.session.get(Alert, alert.id).status == "verifying"


def test_out_of_scope_alert_is_not_found(ctx, person_id):
    case = open_case(person_id)
    alert = services.raise_alert(case, "missed_checkin", cause="checkin:5")
    db.session.commit()
    assert services.get_alert(user("off1"), alert.id).id == alert.id
    assert services.get_alert(user("boss"), alert.id).id == alert.id
    assert services.get_alert(user("viewer"), alert.id).id == alert.id
    for other in ("off2", "far", "farboss"):
        with pytest.raises(NotFound):
            services.get_alert(user(other), alert.id)


def test_close_with_sanction_records_and_links_it(ctx, person_id):
    case = open_case(person_id)
    alert = services.raise_alert(case, "location_missing", cause="import:2026-11-23")
    services.take_step(user("off1"), alert, {"action": "verify", "note": "未接电话"})
    services.take_step(
        user("off1"),
        alert,
        {"action": "close", "note": "无正当理由关机", "outcome": "sanction_proposed",
         "sanction_kind": "admonition"},
    )  # fmt: skip
    db.session.commit()
    sanction = db.session.get(Sanction, alert.sanction_id)
    assert sanction.case_id == case.id and sanction.kind == "admonition"
    assert sanction.status == "proposed"  # an officer proposes; the supervisor decides
    assert "无正当理由关机" in sanction.reason


def test_close_sanction_needs_a_kind(ctx, person_id):
    case = open_case(person_id)
    alert = services.raise_alert(case, "location_missing", cause="import:2026-11-23")
    services.take_step(user("off1"), alert, {"action": "verify", "note": "v"})
    with pytest.raises(ValidationFailed) as e:
        services.take_step(
            user("off1"), alert, {"action": "close", "note": "x", "outcome": "sanction_proposed"}
        )
    assert "sanction_kind" in e.value.fields


def test_close_with_incident_opens_absconding(ctx, person_id):
    case = open_case(person_id)
    alert = services.raise_alert(
        case, "location_missing", cause="import:2026-11-23",
        at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
    )  # fmt: skip
    services.take_step(user("boss"), alert, {"action": "verify", "note": "查找未果"})
    services.take_step(
        user("boss"), alert, {"action": "close", "note": "失去联系", "outcome": "incident_opened"}
    )
    db.session.commit()
    incident = db.session.get(Incident, alert.incident_id)
    assert incident.kind == "absconded" and incident.occurred_on.isoformat() == "2026-11-23"
    assert alert.closed_on_time is False  # raised 11-23, closed days later


def test_mark_cleared_keeps_the_alert_open(ctx, person_id):
    case = open_case(person_id)
    alert = services.raise_alert(case, "overdue_return", cause="leave:9")
    assert services.mark_cleared(case, "overdue_return", "leave:9") is alert
    assert alert.status == "open" and alert.cleared_at is not None
    assert services.mark_cleared(case, "overdue_return", "leave:9") is None
    assert [s.action for s in alert.steps] == ["raise", "cleared"]


def test_escalation_notifies_supervisor_once(ctx, person_id):
    case = open_case(person_id)
    at = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    alert = services.raise_alert(case, "missed_checkin", cause="checkin:7", at=at)
    services.escalate_overdue(now=at + timedelta(hours=23))
    assert alert.escalated_at is None
    created = services.escalate_overdue(now=at + timedelta(hours=25))
    db.session.commit()
    notes = (
        db.session.execute(select(Notification).where(Notification.kind == "alert_overdue"))
        .scalars()
        .all()
    )
    assert created == 2 and {n.user.username for n in notes} == {"off1", "boss"}
    assert services.escalate_overdue(now=at + timedelta(hours=30)) == 0
    assert [s.action for s in alert.steps][-1] == "escalate"
    assert [a.id for a in services.escalated_alerts(user("boss"))] == [alert.id]
