"""Report deadlines on working days and 漏管 by the deadline (docs/domain.md §7.2, §7.7)."""

from datetime import date

from sqlalchemy import select

from corrections import clock
from corrections.extensions import db
from corrections.reminders.dashboard import headline_counts
from corrections.reports.figures import compute
from corrections.rules import holidays
from corrections.rules import services as rule_services
from corrections.supervision import services
from tests.helpers import d, open_case, user

SECOND_ID = "11010519491231002X"


def _expected(person_id, judgment: str, **overrides):
    return open_case(
        person_id,
        received_on=None,
        judgment_effective_on=judgment,
        term_start=judgment,
        term_end="2027-12-31",
        **overrides,
    )


# --------------------------------------------------------------------------- moving the deadline


def test_given_a_judgment_whose_tenth_day_is_a_saturday_then_the_deadline_is_the_monday(
    ctx, person_id
):
    case = _expected(person_id, "2026-11-11")  # + 10 days = Saturday 21 November
    assert case.report_deadline == d("2026-11-23")
    assert case.report_deadline_note is None


def test_given_a_deadline_in_the_national_day_holiday_then_it_moves_to_the_first_working_day(
    ctx, person_id
):
    case = _expected(person_id, "2026-09-21")  # + 10 days = 1 October (国庆)
    assert case.report_deadline == d("2026-10-08")


def test_given_a_transfer_notice_whose_seventh_day_is_a_sunday_then_the_deadline_moves(
    ctx, person_id
):
    case = _expected(
        person_id, "2025-06-01", source="transfer_in", notified_on="2026-11-01"
    )  # + 7 days = Sunday 8 November
    assert case.report_deadline == d("2026-11-09")


def test_given_a_year_the_calendar_lacks_then_the_deadline_stays_and_the_case_says_so(
    ctx, county, person_id
):
    clock.set_today(date(2027, 1, 20))
    case = _expected(person_id, "2027-01-06")  # + 10 days = Saturday 16 January 2027
    assert case.report_deadline == d("2027-01-16")
    assert "2027年的节假日安排尚未录入" in case.report_deadline_note
    # when the admin declares 2027 complete, the deadline moves and the note goes
    holidays.declare_year(user("admin"), 2027)
    db.session.commit()
    assert case.report_deadline == d("2027-01-18")
    assert case.report_deadline_note is None


def test_the_note_is_shown_in_the_api_and_on_the_case_page(app, county, person_id, client):
    clock.set_today(date(2027, 1, 20))
    with app.app_context():
        case_id = _expected(person_id, "2027-01-06").id
    body = county.api("off1").get(f"/corrections/{case_id}").get_json()
    assert body["report_deadline"] == "2027-01-16"
    assert "2027年的节假日安排尚未录入" in body["report_deadline_note"]
    county.login(client, "off1")
    page = client.get(f"/corrections/{case_id}").get_data(as_text=True)
    assert 'id="case-deadline-note"' in page and "2027年的节假日安排尚未录入" in page


def test_a_deadline_not_needing_a_move_has_no_note_in_the_api(app, county, person_id):
    with app.app_context():
        case_id = _expected(person_id, "2026-11-13").id  # + 10 = Monday 23 November
    body = county.api("off1").get(f"/corrections/{case_id}").get_json()
    assert body["report_deadline"] == "2026-11-23"
    assert body["report_deadline_note"] is None


# --------------------------------------------------------------------------- 漏管


def test_a_person_may_report_on_the_moved_deadline_day(ctx, person_id):
    case = _expected(person_id, "2026-11-11")  # deadline moved to Monday 23 November
    assert services.missed_intake(case, d("2026-11-21")) is False  # the original Saturday
    assert services.missed_intake(case, d("2026-11-23")) is False
    assert services.missed_intake(case, d("2026-11-24")) is True
    services.receive_case(user("off1"), case, {"received_on": "2026-11-23"})
    db.session.commit()
    assert case.received_on_time is True


def test_missed_intake_figure_counts_only_deadlines_already_passed(ctx, county, person_id):
    """Given deadlines before, on and after today (25 November) in the month, when the month's
    figure is asked, then only the one already passed and not received by it counts."""
    second = county.person("off1", SECOND_ID, name="李梅", station="S1")
    _expected(person_id, "2026-11-13")  # deadline Monday 23 November: passed
    _expected(second, "2026-11-15")  # deadline Wednesday 25 November: today, not passed
    result = compute(date(2026, 11, 1), date(2026, 11, 30), None, ["cc.missed_intake"])
    assert result.totals["cc.missed_intake"] == 1
    # the dashboard says the same on the same day
    assert headline_counts(user("boss"))["missed_intake"] == 1
    # on the next day the second one has passed too
    clock.set_today(date(2026, 11, 26))
    result = compute(date(2026, 11, 1), date(2026, 11, 30), None, ["cc.missed_intake"])
    assert result.totals["cc.missed_intake"] == 2


def test_a_case_received_on_its_deadline_is_never_counted_missed(ctx, person_id):
    case = _expected(person_id, "2026-11-11")
    services.receive_case(user("off1"), case, {"received_on": "2026-11-23"})
    db.session.commit()
    result = compute(date(2026, 11, 1), date(2026, 11, 30), None, ["cc.missed_intake"])
    assert result.totals["cc.missed_intake"] == 0


def test_the_missed_list_filter_follows_the_deadline_day(app, county, person_id, client):
    with app.app_context():
        _expected(person_id, "2026-11-15")  # deadline today
    county.login(client, "off1")
    assert "张三" not in client.get("/corrections/?missed=1").get_data(as_text=True)
    clock.set_today(date(2026, 11, 26))
    assert "张三" in client.get("/corrections/?missed=1").get_data(as_text=True)


# --------------------------------------------------------------------------- rule edits


def test_editing_the_report_period_recomputes_expected_cases_only(ctx, county, person_id):
    second = county.person("off1", SECOND_ID, name="李梅", station="S1")
    expected = _expected(person_id, "2026-11-13")
    received = open_case(
        second,
        judgment_effective_on="2026-11-13",
        term_start="2026-11-13",
        term_end="2027-11-12",
        received_on="2026-11-20",
    )
    assert expected.report_deadline == received.report_deadline == d("2026-11-23")
    rule_services.add_deadline_rule(
        user("admin"), {"key": "report_days", "value": "15", "effective_from": "2026-01-01"}
    )
    db.session.commit()
    # + 15 days = Saturday 28 November, moved to Monday 30 November
    assert expected.report_deadline == d("2026-11-30")
    assert received.report_deadline == d("2026-11-23")


def test_editing_a_rule_row_in_place_recomputes_too(ctx, county, person_id):
    from corrections.rules.models import DeadlineRuleRow

    case = _expected(person_id, "2026-11-13")
    row = db.session.execute(
        select(DeadlineRuleRow).where(DeadlineRuleRow.key == "report_days")
    ).scalar_one()
    rule_services.update_deadline_rule(user("admin"), row, row.version, {"value": "9"})
    db.session.commit()
    assert case.report_deadline == d("2026-11-23")  # + 9 = Sunday 22nd, moved to Monday
    rule_services.update_deadline_rule(user("admin"), row, row.version, {"value": "5"})
    db.session.commit()
    assert case.report_deadline == d("2026-11-18")


def test_the_nightly_recompute_moves_a_deadline_once_the_calendar_covers_its_year(
    ctx, county, person_id
):
    """Given a deadline left unmoved for want of 2027's calendar, when the calendar comes to
    cover 2027 by another way than the admin pages (a newer holiday package), then the nightly
    job moves it."""
    from corrections.reminders.jobs import recompute_due
    from corrections.rules.holidays import HolidayYear

    clock.set_today(date(2027, 1, 20))
    case = _expected(person_id, "2027-01-06")
    assert case.report_deadline_note is not None
    db.session.add(HolidayYear(year=2027))
    db.session.commit()
    result = recompute_due(clock.today())
    assert result["deadlines_moved"] == 1
    assert case.report_deadline == d("2027-01-18") and case.report_deadline_note is None
