from datetime import date

import pytest

from corrections.rules.workdays import (
    WorkdayCalendar,
    assessment_due,
    library_years,
    uncovered_note,
)


def test_library_years_found_by_probing():
    years = library_years()
    assert 2023 in years
    assert 2030 not in years
    # A contiguous range, whatever the installed release covers.
    assert years == frozenset(range(min(years), max(years) + 1))


def test_is_workday_from_chinese_calendar():
    cal = WorkdayCalendar()
    assert cal.is_workday(date(2023, 9, 28)) is True  # Thursday
    assert cal.is_workday(date(2023, 9, 29)) is False  # Mid-Autumn festival
    assert cal.is_workday(date(2023, 10, 2)) is False  # National Day, Monday
    assert cal.is_workday(date(2023, 10, 7)) is True  # make-up Saturday
    assert cal.is_workday(date(2023, 10, 8)) is True  # make-up Sunday
    assert cal.is_workday(date(2023, 10, 14)) is False  # ordinary Saturday


def test_uncovered_year_is_unknown():
    cal = WorkdayCalendar()
    assert cal.is_workday(date(2030, 3, 4)) is None
    assert not cal.covers_year(2030)


def test_assessment_example_from_domain():
    # Receipt on Thursday 2023-09-28; 09-29..10-06 holidays; 10-07 and 10-08 make-up workdays.
    cal = WorkdayCalendar()
    assert cal.add_working_days(date(2023, 9, 28), 10) == date(2023, 10, 18)
    assert assessment_due(date(2023, 9, 28), False, [], cal) == (date(2023, 10, 18), None)


def test_receipt_day_is_not_counted():
    cal = WorkdayCalendar()
    # Monday 2023-11-06: the 1st working day after it is Tuesday.
    assert cal.add_working_days(date(2023, 11, 6), 1) == date(2023, 11, 7)
    # Receipt on a Saturday: the 1st working day is Monday.
    assert cal.add_working_days(date(2023, 11, 4), 1) == date(2023, 11, 6)
    assert cal.add_working_days(date(2023, 11, 6), 0) == date(2023, 11, 6)
    with pytest.raises(ValueError):
        cal.add_working_days(date(2023, 11, 6), -1)


def test_fast_track_and_extensions():
    cal = WorkdayCalendar()
    # 5 working days after 2023-09-28: 10-07, 10-08, 10-09, 10-10, 10-11.
    assert assessment_due(date(2023, 9, 28), True, [], cal) == (date(2023, 10, 11), None)
    # 10 + 3 + 2 = 15 working days: 10-18 then 10-19, 10-20, 10-23, 10-24, 10-25.
    assert assessment_due(date(2023, 9, 28), False, [3, 2], cal) == (date(2023, 10, 25), None)
    # Custom base from the rule table.
    assert assessment_due(date(2023, 9, 28), False, [], cal, base_days=1) == (
        date(2023, 10, 7),
        None,
    )


def test_uncovered_year_gives_none_with_note_then_admin_table_covers_it():
    received = date(2030, 3, 1)  # Friday
    due, note = assessment_due(received, False, [], WorkdayCalendar())
    assert due is None
    assert note == "2030年的节假日安排尚未录入，录入后自动计算期限"

    # The admin declares 2030 complete with no special days: weekdays only.
    cal = WorkdayCalendar(entries=[], covered_years={2030})
    assert assessment_due(received, False, [], cal) == (date(2030, 3, 15), None)

    # A holiday on Tuesday 03-05 pushes the due date by one working day ...
    cal = WorkdayCalendar(entries=[(date(2030, 3, 5), False)], covered_years={2030})
    assert cal.is_workday(date(2030, 3, 5)) is False
    assert assessment_due(received, False, [], cal) == (date(2030, 3, 18), None)

    # ... and a make-up Saturday 03-09 brings it back.
    cal = WorkdayCalendar(
        entries=[(date(2030, 3, 5), False), (date(2030, 3, 9), True)], covered_years={2030}
    )
    assert cal.is_workday(date(2030, 3, 9)) is True
    assert assessment_due(received, False, [], cal) == (date(2030, 3, 15), None)


def test_entries_alone_do_not_cover_a_year():
    cal = WorkdayCalendar(entries=[(date(2030, 3, 5), False)])
    assert cal.is_workday(date(2030, 3, 5)) is False  # explicitly entered
    assert cal.is_workday(date(2030, 3, 4)) is None  # rest of the year still unknown
    assert cal.add_working_days(date(2030, 3, 1), 10) is None


def test_count_running_into_the_first_uncovered_year():
    last = max(library_years())
    cal = WorkdayCalendar()
    due, note = assessment_due(date(last, 12, 28), False, [], cal)
    assert due is None
    assert note == uncovered_note(last + 1)
    assert cal.locate_working_day(date(last, 12, 28), 10)[1].year == last + 1

    covered = WorkdayCalendar(covered_years={last + 1})
    due, note = assessment_due(date(last, 12, 28), False, [], covered)
    assert note is None
    assert due is not None and due.year == last + 1


def test_admin_entry_overrides_the_package():
    cal = WorkdayCalendar(entries=[(date(2023, 10, 9), False)])
    assert cal.is_workday(date(2023, 10, 9)) is False
    # One more day is needed: 10-19 instead of 10-18.
    assert cal.add_working_days(date(2023, 9, 28), 10) == date(2023, 10, 19)


def test_calendar_without_the_package():
    cal = WorkdayCalendar(covered_years={2023}, use_library=False)
    # Plain weekdays: 2023-09-28 + 10 working days, no holidays known.
    assert cal.add_working_days(date(2023, 9, 28), 10) == date(2023, 10, 12)
    assert cal.is_workday(date(2024, 1, 2)) is None


def test_spring_festival_2024_with_make_up_sunday():
    # 2024: holiday 02-10..02-17; Sunday 02-18 a make-up workday. Receipt Thursday 02-08:
    # 02-09 (1), 02-18 (2), 02-19..02-23 (3-7), 02-26..02-28 (8-10).
    from corrections.rules.workdays import WorkdayCalendar

    calendar = WorkdayCalendar()
    assert calendar.is_workday(date(2024, 2, 18)) is True
    assert calendar.is_workday(date(2024, 2, 12)) is False
    assert calendar.add_working_days(date(2024, 2, 8), 10) == date(2024, 2, 28)
