"""Rule rows as they stood on the date the rule speaks of, and "due soon" windows as rule rows
(docs/domain.md §7.1): the badge, the list, the dashboard and the reminder give one answer."""

from datetime import date

from sqlalchemy import select

from corrections import clock
from corrections.extensions import db
from corrections.reminders.dashboard import headline_counts, my_day
from corrections.reminders.jobs import run_job
from corrections.reminders.models import Notification
from corrections.resettlement import services as rs
from corrections.resettlement.models import ResettlementCase
from corrections.rules import services as rule_services
from corrections.supervision import services as sv
from tests.helpers import d, id_number, open_case, user
from tests.resettlement.rshelpers import make_rs_case


def _kinds(kind):
    return (
        db.session.execute(select(Notification.case_id).where(Notification.kind == kind))
        .scalars()
        .all()
    )


def _row(key, value, effective_from):
    rule_services.add_deadline_rule(
        user("admin"), {"key": key, "value": str(value), "effective_from": effective_from}
    )
    db.session.commit()


def test_the_handover_alert_reads_the_rule_of_the_release_date_everywhere(app, county, client):
    """Given 7 days for releases before 1 September and 10 days from then, a person released on
    28 August and not handed over is overdue on 5 September (7 days), and one released on
    1 September is not (10 days) — in the badge, the list, the dashboard and the reminder."""
    clock.set_today(date(2026, 9, 5))
    early = county.person("off1", id_number(1), name="王五", station="S1")
    late = county.person("off1", id_number(3), name="钱七", station="S1")
    with app.app_context():
        _row("handover_alert_days", 10, "2026-09-01")
    early_id = make_rs_case(app, early, released_on="2026-08-28")
    late_id = make_rs_case(app, late, released_on="2026-09-01")
    with app.app_context():
        assert rs.handover_overdue(db.session.get(ResettlementCase, early_id)) is True
        assert rs.handover_overdue(db.session.get(ResettlementCase, late_id)) is False
        assert headline_counts(user("boss"))["rs_not_handed_over"] == 1
        run_job("daily_reminders", clock.today())
        assert set(_kinds("not_handed_over")) == {early_id}
    county.login(client, "off1")
    listing = client.get("/resettlement/?handover=1").get_data(as_text=True)
    assert "王五" in listing and "钱七" not in listing


def test_the_medical_review_window_is_a_rule_row(app, county, person_id, client):
    """Given a review due on 20 December (25 days ahead): with the default 7-day window there is
    no "due soon" notice; with a 30-day window row the case page and the reminder show it."""
    with app.app_context():
        case = open_case(person_id, correction_type="temporary_release", received_on="2026-09-20")
        case_id = case.id
        assert sv.medical_review_due(case) == d("2026-12-20")
        run_job("daily_reminders", clock.today())
        assert _kinds("medical_review_due") == []
    county.login(client, "off1")
    assert "病情复查将于" not in client.get(f"/corrections/{case_id}").get_data(as_text=True)
    with app.app_context():
        _row("medical_review_soon_days", 30, "2026-01-01")
        run_job("daily_reminders", clock.today())
        assert _kinds("medical_review_due") == [case_id]
    assert "病情复查将于" in client.get(f"/corrections/{case_id}").get_data(as_text=True)


def test_the_monitoring_window_is_a_rule_row_read_on_the_episode_end(ctx, county, person_id):
    case = open_case(person_id)
    sv.start_monitoring(
        user("boss"),
        case,
        {
            "ground": "police_penalty",
            "approved_by": "局长",
            "starts_on": "2026-09-06",
            "ends_on": "2026-12-05",
        },
    )
    db.session.commit()
    run_job("daily_reminders", clock.today())  # 10 days ahead, window 7
    assert _kinds("monitoring_ending") == []
    _row("monitoring_end_soon_days", 14, "2026-12-01")  # in force on the end date
    run_job("daily_reminders", clock.today())
    assert _kinds("monitoring_ending") == [case.id]


def test_the_officers_week_is_the_due_soon_row(ctx, county, person_id):
    case = open_case(person_id, received_on="2026-11-24")  # strict: face-to-face due 12-01
    assert case.next_due_on == d("2026-12-01")
    assert case in my_day(user("off1"))["week"]  # 6 days ahead, window 7
    _row("due_soon_days", 3, "2026-01-01")
    assert case not in my_day(user("off1"))["week"]
