from datetime import date

import pytest

from corrections.rules.deadlines import (
    is_handover_overdue,
    is_missed_intake,
    is_return_overdue,
    leave_days,
    leave_tier,
    medical_review_due,
    monitoring_max_end,
    report_deadline,
    resettlement_end_alert_opens_on,
    resettlement_period_ends_on,
    resettlement_periods,
    term_end_checklist_opens_on,
)
from corrections.rules.engine import default_deadlines

D = date
PERIODS = resettlement_periods(default_deadlines())


# --------------------------------------------------------------------------- intake


def test_report_deadline():
    assert report_deadline(D(2026, 3, 1), "self_report", None) == D(2026, 3, 11)
    assert report_deadline(D(2026, 2, 25), "escorted", None) == D(2026, 3, 7)
    assert report_deadline(D(2026, 3, 1), "transfer_in", D(2026, 4, 1)) == D(2026, 4, 8)
    assert report_deadline(D(2026, 3, 1), "transfer_in", None) is None
    assert report_deadline(D(2026, 3, 1), None, None, report_days=15) == D(2026, 3, 16)


def test_missed_intake_after_deadline_only():
    deadline = D(2026, 3, 11)
    assert not is_missed_intake("expected", "self_report", deadline, D(2026, 3, 11))
    assert is_missed_intake("expected", "self_report", deadline, D(2026, 3, 12))
    assert not is_missed_intake("active", "self_report", deadline, D(2026, 3, 12))
    assert not is_missed_intake("expected", "transfer_in", deadline, D(2026, 5, 1))
    assert not is_missed_intake("expected", "self_report", None, D(2026, 5, 1))


# --------------------------------------------------------------------------- leave


def test_leave_days_counts_both_ends():
    assert leave_days(D(2026, 3, 1), D(2026, 3, 7)) == 7
    assert leave_days(D(2026, 3, 1), D(2026, 3, 1)) == 1


@pytest.mark.parametrize(
    ("ends_on", "tier"),
    [
        (D(2026, 3, 7), "station"),  # 7 days
        (D(2026, 3, 8), "county"),  # 8 days
        (D(2026, 3, 30), "county"),  # 30 days
        (D(2026, 3, 31), "above_county"),  # 31 days
    ],
)
def test_leave_tier_by_length(ends_on, tier):
    assert leave_tier(D(2026, 3, 1), ends_on, []) == tier


def test_leave_tier_counts_other_leaves_in_the_two_month_window():
    # 20-day leave 04-11..04-30; window 03-01..04-30 already holds 15 approved days.
    start, end = D(2026, 4, 11), D(2026, 4, 30)
    assert leave_tier(start, end, [(D(2026, 3, 10), D(2026, 3, 24))]) == "above_county"
    # Exactly 30 days in the window is still the county's.
    assert leave_tier(start, end, [(D(2026, 3, 10), D(2026, 3, 19))]) == "county"
    # Only the days inside the window count: 02-20..03-06 has 6 days in it (03-01..03-06).
    assert leave_tier(start, end, [(D(2026, 2, 20), D(2026, 3, 6))]) == "county"
    assert leave_tier(start, end, [(D(2026, 2, 20), D(2026, 3, 11))]) == "above_county"
    # A short leave can need the city bureau too when the window is already full.
    assert leave_tier(D(2026, 4, 28), D(2026, 4, 30), [(D(2026, 3, 1), D(2026, 3, 28))]) == (
        "above_county"
    )
    assert leave_tier(D(2026, 4, 28), D(2026, 4, 30), [(D(2026, 3, 1), D(2026, 3, 27))]) == (
        "station"
    )


def test_leave_tier_window_clamps_at_month_end_and_counts_overlaps_once():
    # Ends 2024-04-30: window starts add_months(04-30, -2) + 1 = 03-01 (leap year February).
    start, end = D(2024, 4, 21), D(2024, 4, 30)  # 10 days
    assert leave_tier(start, end, [(D(2024, 2, 1), D(2024, 2, 29))]) == "county"  # outside
    assert leave_tier(start, end, [(D(2024, 3, 1), D(2024, 3, 21))]) == "above_county"  # 21+10
    # Ends 03-31: window is 02-01..03-31 (add_months(03-31, -2) = 01-31).
    assert leave_tier(D(2024, 3, 22), D(2024, 3, 31), [(D(2024, 1, 31), D(2024, 2, 20))]) == (
        "county"
    )
    # Overlapping other leaves: 04-01..04-15 twice is 15 days, not 30.
    overlap = [(D(2024, 4, 1), D(2024, 4, 15)), (D(2024, 4, 1), D(2024, 4, 15))]
    assert leave_tier(start, end, overlap) == "county"


def test_leave_tier_rejects_reversed_dates():
    with pytest.raises(ValueError):
        leave_tier(D(2026, 3, 2), D(2026, 3, 1), [])


def test_return_overdue():
    assert not is_return_overdue(D(2026, 3, 10), None, D(2026, 3, 10))
    assert is_return_overdue(D(2026, 3, 10), None, D(2026, 3, 11))
    assert not is_return_overdue(D(2026, 3, 10), D(2026, 3, 9), D(2026, 3, 11))
    # A late return ends the overdue state from its date.
    assert is_return_overdue(D(2026, 3, 10), D(2026, 3, 15), D(2026, 3, 12))
    assert not is_return_overdue(D(2026, 3, 10), D(2026, 3, 15), D(2026, 3, 15))


# --------------------------------------------------------------------------- monitoring, medical


def test_monitoring_max_end():
    assert monitoring_max_end(D(2026, 1, 15)) == D(2026, 4, 15)
    assert monitoring_max_end(D(2023, 11, 30)) == D(2024, 2, 29)
    assert monitoring_max_end(D(2025, 11, 30)) == D(2026, 2, 28)


def test_medical_review_due():
    assert medical_review_due(D(2026, 1, 31), None) == D(2026, 4, 30)
    assert medical_review_due(D(2026, 1, 31), D(2026, 4, 20)) == D(2026, 7, 20)
    assert medical_review_due(D(2023, 11, 30), None) == D(2024, 2, 29)


# --------------------------------------------------------------------------- resettlement


def test_resettlement_periods_from_deadline_rows():
    assert PERIODS == {
        "prison": 5,
        "detention_center": 5,
        "control": 3,
        "probation": 3,
        "parole": 5,
        "temporary_release": 5,
    }


@pytest.mark.parametrize(
    ("source", "released_on", "ctype", "expected"),
    [
        ("prison", D(2024, 2, 29), None, D(2029, 2, 28)),
        ("detention_center", D(2023, 6, 1), None, D(2028, 6, 1)),
        ("correction", D(2024, 2, 29), "probation", D(2027, 2, 28)),
        ("correction", D(2024, 2, 29), "control", D(2027, 2, 28)),
        ("correction", D(2024, 2, 29), "parole", D(2029, 2, 28)),
        ("correction", D(2023, 5, 10), "temporary_release", D(2028, 5, 10)),
        ("correction", D(2023, 5, 10), None, None),
        ("prison", None, None, None),
    ],
)
def test_resettlement_period_ends_on(source, released_on, ctype, expected):
    assert resettlement_period_ends_on(source, released_on, ctype, PERIODS) == expected


def test_resettlement_period_four_years_keeps_leap_day():
    periods = dict(PERIODS, prison=4)
    assert resettlement_period_ends_on("prison", D(2024, 2, 29), None, periods) == D(2028, 2, 29)


def test_resettlement_alerts():
    assert resettlement_end_alert_opens_on(D(2029, 2, 28)) == D(2029, 1, 29)
    released = D(2026, 3, 1)
    assert not is_handover_overdue(released, None, D(2026, 3, 8))
    assert is_handover_overdue(released, None, D(2026, 3, 9))
    assert not is_handover_overdue(released, D(2026, 3, 8), D(2026, 3, 9))
    assert is_handover_overdue(released, D(2026, 3, 12), D(2026, 3, 10))
    assert not is_handover_overdue(None, None, D(2026, 3, 9))


def test_term_end_checklist_opens_thirty_days_before():
    assert term_end_checklist_opens_on(D(2026, 3, 31)) == D(2026, 3, 1)
    assert term_end_checklist_opens_on(D(2024, 3, 30)) == D(2024, 2, 29)
    assert term_end_checklist_opens_on(D(2026, 3, 31), days=10) == D(2026, 3, 21)
