"""Pure ending rules (docs/domain.md §7.6): records after an end date, 暂外 days absconded."""

from datetime import date

from corrections.rules.endings import (
    DatedRecord,
    absconded_days,
    records_after,
    term_end_effective,
)

D = date.fromisoformat


def test_an_end_on_the_day_of_the_last_record_is_allowed_and_one_day_earlier_is_not():
    """Given a contact on 2026-11-20, when the end date is that day, then nothing blocks it;
    when it is 2026-11-19, then the contact is named."""
    records = [DatedRecord("contact", 1, D("2026-11-20")), DatedRecord("leave", 2, D("2026-11-01"))]
    assert records_after(records, D("2026-11-20")) == []
    assert records_after(records, D("2026-11-19")) == [records[0]]


def test_records_after_an_end_come_by_date():
    records = [
        DatedRecord("incident", 4, D("2026-11-22")),
        DatedRecord("contact", 9, D("2026-11-21")),
        DatedRecord("attendance", 3, D("2026-11-21")),
    ]
    found = records_after(records, D("2026-11-20"))
    assert [(r.kind, r.record_id) for r in found] == [
        ("attendance", 3),
        ("contact", 9),
        ("incident", 4),
    ]


def test_days_absconded_count_the_days_between_lost_and_found():
    """Given contact lost on 1 October and the person found on 11 October, then 10 days."""
    assert absconded_days([(D("2026-10-01"), D("2026-10-11"))], D("2026-11-25")) == 10
    # found the same day: no day lost
    assert absconded_days([(D("2026-10-01"), D("2026-10-01"))], D("2026-11-25")) == 0


def test_an_open_absconding_counts_up_to_the_day_asked():
    periods = [(D("2026-11-15"), None)]
    assert absconded_days(periods, D("2026-11-25")) == 10
    assert absconded_days(periods, D("2026-11-15")) == 0
    assert absconded_days(periods, D("2026-11-01")) == 0  # not yet absconded
    # a period closed after the day asked counts only up to that day
    assert absconded_days([(D("2026-11-15"), D("2026-12-01"))], D("2026-11-20")) == 5


def test_an_ended_case_stops_counting_at_its_end():
    assert absconded_days([(D("2026-11-15"), None)], D("2026-11-25"), D("2026-11-18")) == 3


def test_overlapping_periods_count_once_across_a_leap_day():
    periods = [(D("2028-02-27"), D("2028-03-02")), (D("2028-02-28"), D("2028-03-01"))]
    assert absconded_days(periods, D("2028-12-31")) == 4  # 27, 28, 29 Feb, 1 Mar


def test_the_term_end_moves_only_for_temporary_release():
    """Given 10 days absconded, when the case is 暂予监外执行, then its term end moves by 10
    days (across a month end); for probation it stays."""
    periods = [(D("2026-10-01"), D("2026-10-11"))]
    moved = term_end_effective("temporary_release", D("2026-11-25"), periods, D("2026-11-25"))
    assert moved == D("2026-12-05")
    for other in ("probation", "parole", "control"):
        assert term_end_effective(other, D("2026-11-25"), periods, D("2026-11-25")) == D(
            "2026-11-25"
        )
    assert term_end_effective("temporary_release", D("2026-11-25"), [], D("2026-11-25")) == D(
        "2026-11-25"
    )
