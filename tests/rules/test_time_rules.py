"""The pure time rules at their edges (docs/domain.md §7.1, §7.2, §7.7): date in, answer out."""

from datetime import date

import pytest

from corrections.rules import deadlines as r
from corrections.rules.workdays import WorkdayCalendar


def d(text: str) -> date:
    return date.fromisoformat(text)


# --------------------------------------------------------------------------- report deadline


def test_given_a_deadline_on_a_working_day_when_moved_then_it_stays():
    cal = WorkdayCalendar()
    assert r.report_deadline_on_working_day(d("2026-03-10"), cal) == (d("2026-03-10"), None)


def test_given_a_deadline_on_a_saturday_when_moved_then_it_is_the_monday():
    cal = WorkdayCalendar()
    # 2026-03-14 is a Saturday, 2026-03-16 a Monday
    assert r.report_deadline_on_working_day(d("2026-03-14"), cal) == (d("2026-03-16"), None)


def test_given_a_deadline_in_the_national_day_holiday_then_it_moves_past_the_holiday():
    cal = WorkdayCalendar()
    # 1–7 October 2026 are rest days; Thursday the 8th is a working day
    assert r.report_deadline_on_working_day(d("2026-10-01"), cal) == (d("2026-10-08"), None)


def test_given_a_saturday_make_up_workday_then_the_deadline_does_not_move():
    cal = WorkdayCalendar()
    # 调休: Saturday 10 October 2026 is a working day
    assert r.report_deadline_on_working_day(d("2026-10-10"), cal) == (d("2026-10-10"), None)


def test_given_an_admin_holiday_entry_then_it_wins_over_the_weekday_rule():
    cal = WorkdayCalendar(entries=[(d("2031-05-01"), False)], covered_years=[2031])
    # Thursday 1 May 2031 is entered as a holiday: the deadline moves to Friday the 2nd
    assert r.report_deadline_on_working_day(d("2031-05-01"), cal) == (d("2031-05-02"), None)


def test_given_a_year_the_calendar_lacks_then_the_deadline_does_not_move_and_says_why():
    cal = WorkdayCalendar(use_library=False)
    due, note = r.report_deadline_on_working_day(d("2031-03-15"), cal)  # a Saturday
    assert due == d("2031-03-15")
    assert note is not None and "2031" in note


def test_given_a_holiday_running_into_an_unknown_year_then_the_deadline_does_not_move():
    # 31 December is a Sunday in a covered year; 1 January of the next is unknown
    cal = WorkdayCalendar(covered_years=[2028], use_library=False)
    assert d("2028-12-31").weekday() == 6
    due, note = r.report_deadline_on_working_day(d("2028-12-31"), cal)
    assert due == d("2028-12-31") and "2029" in note


# --------------------------------------------------------------------------- 漏管


@pytest.mark.parametrize(
    ("on", "received_on", "missed"),
    [
        ("2026-03-16", None, False),  # the deadline day itself: may still report
        ("2026-03-17", None, True),  # the day after
        ("2026-03-17", "2026-03-16", False),  # reported on the deadline day
        ("2026-03-20", "2026-03-17", True),  # reported a day late: was 漏管
        ("2026-03-17", "2026-03-20", True),  # on the 17th not yet received
    ],
)
def test_missed_intake_on_a_date(on, received_on, missed):
    deadline = d("2026-03-16")
    got = r.missed_intake("self_report", deadline, d(received_on) if received_on else None, d(on))
    assert got is missed


def test_a_transfer_in_is_never_missed_intake():
    assert r.missed_intake("transfer_in", d("2026-03-16"), None, d("2026-04-30")) is False


def test_still_missing_needs_the_case_expected():
    deadline = d("2026-03-16")
    assert r.is_missed_intake("expected", "self_report", deadline, d("2026-03-17")) is True
    assert r.is_missed_intake("expected", "self_report", deadline, d("2026-03-16")) is False
    assert r.is_missed_intake("active", "self_report", deadline, d("2026-03-17")) is False


# --------------------------------------------------------------------------- handover, term


def test_handover_alert_from_the_day_after_the_seventh_day():
    released = d("2026-02-22")
    assert r.is_handover_overdue(released, None, d("2026-03-01"), 7) is False  # day 7
    assert r.is_handover_overdue(released, None, d("2026-03-02"), 7) is True  # day 8
    assert r.is_handover_overdue(released, d("2026-03-01"), d("2026-03-02"), 7) is False
    assert r.is_handover_overdue(released, d("2026-03-05"), d("2026-03-02"), 7) is True


def test_term_end_and_checklist_edges_over_a_leap_day():
    term_end = d("2028-03-30")
    assert r.is_checklist_open(term_end, d("2028-02-29"), 30) is True  # exactly 30 days before
    assert r.is_checklist_open(term_end, d("2028-02-28"), 30) is False
    assert r.is_past_term_end(term_end, term_end) is False
    assert r.is_past_term_end(term_end, d("2028-03-31")) is True


# --------------------------------------------------------------------------- due soon


def test_due_soon_window_includes_today_and_the_last_day_not_overdue():
    due = d("2026-03-31")
    assert r.is_due_soon(due, d("2026-03-24"), 7) is True  # the window's first day
    assert r.is_due_soon(due, d("2026-03-23"), 7) is False
    assert r.is_due_soon(due, due, 7) is True
    assert r.is_due_soon(due, d("2026-04-01"), 7) is False  # overdue is not "soon"
    assert r.is_due_soon(None, due, 7) is False


# --------------------------------------------------------------------------- support period


def test_support_period_over_from_the_day_after_its_end():
    ends = d("2029-02-28")
    assert r.is_support_period_over(ends, ends) is False
    assert r.is_support_period_over(ends, d("2029-03-01")) is True
    assert r.is_support_period_over(None, d("2040-01-01")) is False


def test_resettlement_on_register_ends_with_the_period_ended_or_not():
    released, ends = d("2024-02-29"), d("2029-02-28")
    assert r.is_resettlement_on_register(released, None, ends, d("2024-02-28")) is False
    assert r.is_resettlement_on_register(released, None, ends, released) is True
    assert r.is_resettlement_on_register(released, None, ends, ends) is True
    assert r.is_resettlement_on_register(released, None, ends, d("2029-03-01")) is False
    assert r.is_resettlement_on_register(released, d("2026-05-01"), ends, d("2026-05-01")) is False
    assert r.is_resettlement_on_register(released, d("2026-05-01"), ends, d("2026-04-30")) is True


def test_period_end_alert_opens_thirty_days_before_and_stays_open_after():
    ends = d("2026-03-31")
    assert r.is_period_end_alert(ends, d("2026-03-01"), 30) is True
    assert r.is_period_end_alert(ends, d("2026-02-28"), 30) is False
    assert r.is_period_end_alert(ends, d("2026-04-15"), 30) is True
    assert r.is_period_end_alert(None, d("2026-04-15"), 30) is False
