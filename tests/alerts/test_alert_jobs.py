"""The jobs raise each alert kind once, on the first day the rule says, and mark the
alert when its cause clears (docs/domain.md §7.11). Today is 2026-11-25."""

from sqlalchemy import select

from corrections.alerts.models import Alert
from corrections.extensions import db
from corrections.reminders.jobs import run_job
from corrections.rules.models import DeadlineRuleRow
from corrections.supervision import services as sv
from tests.helpers import d, open_case, user


def _alerts(kind):
    return db.session.execute(select(Alert).where(Alert.kind == kind)).scalars().all()


def test_missed_intake_the_day_after_the_deadline_once(ctx, person_id):
    case = open_case(
        person_id,
        received_on=None,
        judgment_effective_on="2026-11-02",
        term_start="2026-11-02",
        term_end="2027-11-01",
    )
    assert case.report_deadline == d("2026-11-12")
    run_job("raise_alerts", d("2026-11-12"))  # the deadline day: may still report
    assert _alerts("missed_intake") == []
    first = run_job("raise_alerts", d("2026-11-13"))
    assert first["by_kind"]["missed_intake"] == 1
    assert run_job("raise_alerts", d("2026-11-13"))["created"] == 0
    assert run_job("raise_alerts", d("2026-11-14"))["created"] == 0
    (alert,) = _alerts("missed_intake")
    assert alert.cause == f"intake:{case.id}" and alert.raised_on == d("2026-11-13")
    # the person reports: the alert shows the cause cleared and stays open
    sv.receive_case(user("off1"), case, {"received_on": "2026-11-20"})
    db.session.commit()
    result = run_job("escalate_alerts", d("2026-11-25"))
    assert result["cleared"] == 1
    db.session.refresh(alert)
    assert alert.cleared_at is not None and alert.status == "open"


def _away(case, starts, ends):
    leave = sv.apply_leave(
        user("off1"),
        case,
        {"starts_on": starts, "ends_on": ends, "destination": "杭州", "reason": "family",
         "applied_on": "2026-11-01"},
    )  # fmt: skip
    sv.decide_leave(user("off1"), case, leave.id, {"approved": True, "decided_on": "2026-11-02"})
    db.session.commit()
    return leave


def test_overdue_return_from_the_first_day_once(ctx, person_id):
    case = open_case(person_id)
    leave = _away(case, "2026-11-15", "2026-11-20")
    run_job("raise_alerts", d("2026-11-20"))
    assert _alerts("overdue_return") == []
    run_job("raise_alerts", d("2026-11-21"))
    run_job("raise_alerts", d("2026-11-22"))
    (alert,) = _alerts("overdue_return")
    assert alert.cause == f"leave:{leave.id}" and alert.raised_on == d("2026-11-21")
    run_job("escalate_alerts", d("2026-11-22"))
    db.session.refresh(alert)
    assert alert.cleared_at is None
    sv.return_from_leave(user("off1"), case, leave.id, {"returned_on": "2026-11-23"})
    db.session.commit()
    run_job("escalate_alerts", d("2026-11-23"))
    db.session.refresh(alert)
    assert alert.cleared_at is not None and alert.status == "open"


def test_overdue_contact_after_more_than_the_rule_days(ctx, person_id):
    case = open_case(person_id, received_on="2026-11-10")
    db.session.commit()
    due = min(s.due_on for s in sv.due_states(case, d("2026-11-25")))
    run_job("raise_alerts", due.fromordinal(due.toordinal() + 7))  # 7 days late: not yet
    assert _alerts("overdue_contact") == []
    day8 = due.fromordinal(due.toordinal() + 8)
    assert run_job("raise_alerts", day8)["by_kind"]["overdue_contact"] == 1
    assert run_job("raise_alerts", day8)["created"] == 0
    alerts = _alerts("overdue_contact")
    assert len(alerts) == 1 and alerts[0].cause.startswith(f"contact:{case.id}:")
    assert alerts[0].cause.endswith(due.isoformat())


def test_overdue_contact_days_is_a_rule_row(ctx, person_id):
    case = open_case(person_id, received_on="2026-11-10")
    db.session.add(
        DeadlineRuleRow(key="alert_overdue_contact_days", value=2, effective_from=d("2026-01-01"))
    )
    db.session.commit()
    due = min(s.due_on for s in sv.due_states(case, d("2026-11-25")))
    run_job("raise_alerts", due.fromordinal(due.toordinal() + 2))
    assert _alerts("overdue_contact") == []
    run_job("raise_alerts", due.fromordinal(due.toordinal() + 3))
    assert len(_alerts("overdue_contact")) == 1


def test_escalate_job_notifies_supervisor(ctx, person_id):
    from corrections.reminders.models import Notification

    open_case(
        person_id,
        received_on=None,
        judgment_effective_on="2026-11-02",
        term_start="2026-11-02",
        term_end="2027-11-01",
    )
    run_job("raise_alerts", d("2026-11-13"))  # raised at the start of 11-13, due 24 h later
    result = run_job("escalate_alerts", d("2026-11-25"))
    assert result["created"] == 2
    notes = (
        db.session.execute(select(Notification).where(Notification.kind == "alert_overdue"))
        .scalars()
        .all()
    )
    assert {n.user.username for n in notes} == {"off1", "boss"}
    assert run_job("escalate_alerts", d("2026-11-25"))["created"] == 0
