"""Calendar months and quarters (corrections/periods.py): month ends, leap years, year turns
and the one ``YYYY-MM`` reader."""

from datetime import date

import pytest

from corrections import periods

D = date


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (D(2026, 1, 31), D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 1), D(2026, 2, 28)),
        (D(2028, 2, 29), D(2028, 2, 1), D(2028, 2, 29)),  # leap year
        (D(2100, 2, 10), D(2100, 2, 1), D(2100, 2, 28)),  # century, not a leap year
        (D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31)),
        (D(2026, 4, 15), D(2026, 4, 1), D(2026, 4, 30)),
    ],
)
def test_month_start_and_end(day, start, end):
    assert periods.month_start(day) == start
    assert periods.month_end(day) == end
    assert periods.month_of(day) == (start, end)
    assert periods.month_bounds(day.year, day.month) == (start, end)


def test_previous_month_turns_the_year():
    assert periods.previous_month(D(2026, 1, 1)) == D(2025, 12, 1)
    assert periods.previous_month(D(2026, 1, 31)) == D(2025, 12, 1)
    assert periods.previous_month(D(2026, 3, 31)) == D(2026, 2, 1)


def test_whole_month():
    assert periods.whole_month(D(2026, 2, 1), D(2026, 2, 28)) == D(2026, 2, 1)
    assert periods.whole_month(D(2028, 2, 1), D(2028, 2, 28)) is None  # 29 days that year
    assert periods.whole_month(D(2026, 2, 2), D(2026, 2, 28)) is None
    assert periods.whole_month(D(2026, 1, 1), D(2026, 2, 28)) is None


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("2026-03", D(2026, 3, 1)),
        (" 2026-12 ", D(2026, 12, 1)),
        ("0001-01", D(1, 1, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("2026-3", None),
        ("2026-03-01", None),
        ("2026/03", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_month(text, first):
    assert periods.parse_month(text) == first


def test_month_text_round_trips():
    assert periods.month_text(D(2026, 3, 31)) == "2026-03"
    assert periods.parse_month(periods.month_text(D(987, 11, 5))) == D(987, 11, 1)


def test_month_ends_before():
    assert periods.month_ends_before(D(2026, 3, 1), 3) == [
        D(2025, 12, 31),
        D(2026, 1, 31),
        D(2026, 2, 28),
    ]
    # The last day of a month is not "before" itself.
    assert periods.month_ends_before(D(2026, 3, 31), 1) == [D(2026, 2, 28)]
    assert periods.month_ends_before(D(2026, 3, 31), 0) == []


def test_month_starts_until():
    assert periods.month_starts_until(D(2026, 2, 28), 3) == [
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
    ]
    assert len(periods.month_starts_until(D(2026, 2, 1), 12)) == 12
    assert periods.month_starts_until(D(2026, 2, 1), 12)[0] == D(2025, 3, 1)
    assert periods.month_starts_until(D(2026, 2, 1), 0) == []


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (1, D(2028, 1, 1), D(2028, 3, 31)),
        (2, D(2028, 4, 1), D(2028, 6, 30)),
        (3, D(2028, 7, 1), D(2028, 9, 30)),
        (4, D(2028, 10, 1), D(2028, 12, 31)),
    ],
)
def test_quarter_bounds(quarter, start, end):
    assert periods.quarter_bounds(2028, quarter) == (start, end)
