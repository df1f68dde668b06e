"""The end of the support period (docs/domain.md §7.7): off the register the next day, listed
as 帮教期满未结案 for the officer to end, a reminder 30 days before, and period rows that
recompute open cases when edited."""

from datetime import date

from sqlalchemy import func, select

from corrections import clock
from corrections.extensions import db
from corrections.reminders.jobs import run_job
from corrections.reminders.models import Notification
from corrections.reports.figures import compute
from corrections.resettlement import services as rs
from corrections.resettlement.models import ResettlementCase
from corrections.rules import services as rule_services
from tests.helpers import id_number, user
from tests.resettlement.rshelpers import make_rs_case

TODAY = date(2026, 11, 25)


def _person(county, serial: int, name: str) -> int:
    return county.person("off1", id_number(serial), name=name, station="S1")


def _case(app, county, serial: int, name: str, released_on: str) -> int:
    return make_rs_case(app, _person(county, serial, name), released_on=released_on)


def _on_register(on: date) -> int:
    return compute(on.replace(day=1), on, None, ["rs.on_register"]).totals["rs.on_register"]


def test_given_a_period_ending_today_then_it_is_on_register_today_and_off_tomorrow(app, county):
    """Released 25 November 2021 from prison: the five-year period ends on 25 November 2026."""
    case_id = _case(app, county, 1, "王五", "2021-11-25")
    with app.app_context():
        assert db.session.get(ResettlementCase, case_id).period_ends_on == TODAY
        assert _on_register(date(2026, 11, 24)) == 1
        assert _on_register(TODAY) == 1
        assert _on_register(date(2026, 11, 26)) == 0  # ended or not
        assert _on_register(date(2026, 12, 31)) == 0


def test_given_a_leap_day_release_then_the_period_ends_on_28_february(app, county):
    case_id = _case(app, county, 3, "赵六", "2024-02-29")
    with app.app_context():
        case = db.session.get(ResettlementCase, case_id)
        assert case.period_ends_on == date(2029, 2, 28)
        clock.set_today(date(2029, 3, 1))
        assert _on_register(date(2029, 2, 28)) == 1
        assert _on_register(date(2029, 3, 1)) == 0
        assert rs.period_over_not_ended(case) is True


def test_expired_cases_are_listed_for_the_officer_to_end(app, county, client):
    _case(app, county, 1, "王五", "2021-11-24")  # period ended yesterday
    _case(app, county, 5, "钱七", "2021-11-25")  # period ends today
    county.login(client, "off1")
    page = client.get("/resettlement/?expired=1").get_data(as_text=True)
    assert "王五" in page and "钱七" not in page
    assert "帮教期满未结案" in page


def test_the_case_page_shows_the_period_over(app, county, client):
    case_id = _case(app, county, 1, "王五", "2021-11-24")
    county.login(client, "off1")
    page = client.get(f"/resettlement/{case_id}").get_data(as_text=True)
    assert "帮教期满未结案" in page


def test_an_ended_case_is_not_listed_as_expired(app, county, client):
    case_id = _case(app, county, 1, "王五", "2021-11-24")
    with app.app_context():
        case = db.session.get(ResettlementCase, case_id)
        rs.end_case(user("off1"), case, {"ended_on": "2026-11-24", "reason": "expiry"})
        db.session.commit()
    county.login(client, "off1")
    assert "王五" not in client.get("/resettlement/?expired=1").get_data(as_text=True)


def _reminders(case_id: int) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.case_id == case_id, Notification.kind == "resettlement_period_ending")
    ).scalar_one()


def test_the_reminder_comes_thirty_days_before_and_only_once(app, county):
    in_thirty = _case(app, county, 1, "王五", "2021-12-25")  # ends 25 December 2026
    in_thirty_one = _case(app, county, 5, "钱七", "2021-12-26")
    with app.app_context():
        run_job("daily_reminders", TODAY)
        assert _reminders(in_thirty) >= 1
        assert _reminders(in_thirty_one) == 0
        first = _reminders(in_thirty)
        run_job("daily_reminders", TODAY)
        run_job("daily_reminders", date(2026, 11, 26))
        assert _reminders(in_thirty) == first  # idempotent
        assert _reminders(in_thirty_one) >= 1  # its window opened the next day


def test_editing_a_period_row_recomputes_open_cases_only(app, county):
    open_id = _case(app, county, 1, "王五", "2024-01-10")
    ended_id = _case(app, county, 5, "钱七", "2024-01-10")
    with app.app_context():
        ended = db.session.get(ResettlementCase, ended_id)
        rs.end_case(user("off1"), ended, {"ended_on": "2026-06-01", "reason": "transferred"})
        db.session.commit()
        assert db.session.get(ResettlementCase, open_id).period_ends_on == date(2029, 1, 10)
        rule_services.add_deadline_rule(
            user("admin"),
            {"key": "resettlement_years_prison", "value": "3", "effective_from": "2020-01-01"},
        )
        db.session.commit()
        assert db.session.get(ResettlementCase, open_id).period_ends_on == date(2027, 1, 10)
        assert db.session.get(ResettlementCase, ended_id).period_ends_on == date(2029, 1, 10)


def test_the_api_marks_a_case_whose_period_is_over(app, county):
    over = _case(app, county, 1, "王五", "2021-11-24")
    today = _case(app, county, 5, "钱七", "2021-11-25")
    api = county.api("off1")
    assert api.get(f"/resettlements/{over}").get_json()["period_over"] is True
    assert api.get(f"/resettlements/{today}").get_json()["period_over"] is False


def test_the_workbook_ledger_marks_the_period_over_and_leaves_out_earlier_years(app, county):
    """Given one period that ended in October 2026 (case open) and one that ended in 2025,
    the October 2026 ledger lists the first as 帮教期满未结案 and not the second."""
    import io

    from openpyxl import load_workbook

    from corrections.reports import workbook

    _case(app, county, 1, "王五", "2021-10-15")  # ends 15 October 2026
    _case(app, county, 5, "钱七", "2020-06-01")  # ended 1 June 2025
    with app.app_context():
        book = load_workbook(
            io.BytesIO(workbook.monthly_workbook(user("boss"), "2026-10")), read_only=True
        )
        rows = [list(r) for r in book["安置帮教台账"].iter_rows(values_only=True)]
    listed = [r for r in rows[3:] if r and r[1]]
    assert [r[1] for r in listed] == ["王五"]
    assert "帮教期满未结案" in listed[0]


def test_a_period_row_edit_after_a_month_is_closed_keeps_its_figures_and_lists_the_change(
    app, county
):
    """Given a period that ended on 20 October 2026 and October closed (off the register at the
    month end), when the prison period becomes 6 years, then the case's period end moves, the
    closed October keeps its figure, and the change is listed against it."""
    from corrections.auth.services import default_unit
    from corrections.reports import summary

    case_id = _case(app, county, 1, "王五", "2021-10-20")
    with app.app_context():
        row = summary.close_month(user("boss"), default_unit(), "2026-10")
        db.session.commit()
        assert row.figures["total"]["rs.on_register"] == 0
        rule_services.add_deadline_rule(
            user("admin"),
            {"key": "resettlement_years_prison", "value": "6", "effective_from": "2000-01-01"},
        )
        db.session.commit()
        assert db.session.get(ResettlementCase, case_id).period_ends_on == date(2027, 10, 20)
        october = summary.summary(user("boss"), date(2026, 10, 1), date(2026, 10, 31))
        assert october["frozen"] and october["figures"]["rs.on_register"] == 0
        station_ids = [s.id for s in october["stations"]]
        assert summary.differences(row, station_ids)["rs.on_register"] == (0, 1)
        changes = summary.later_changes(row)
        assert [c["event"].action for c in changes] == ["resettlement.recompute_period"]
        assert changes[0]["event"].entity_id == case_id
