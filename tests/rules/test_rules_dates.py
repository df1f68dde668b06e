from datetime import date

import pytest

from corrections.rules.dates import add_months, add_years, days_in_range, inclusive_days


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2023, 3, 31), -1, date(2023, 2, 28)),
        (date(2024, 5, 31), -2, date(2024, 3, 31)),
        (date(2024, 1, 15), -1, date(2023, 12, 15)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 8, 31), 0, date(2024, 8, 31)),
        (date(2024, 1, 1), -25, date(2021, 12, 1)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_add_months_round_trip_is_not_identity_after_clamping():
    # 31 Jan + 1 month = 29 Feb, and back one month is 29 Jan, not 31 Jan.
    assert add_months(add_months(date(2024, 1, 31), 1), -1) == date(2024, 1, 29)


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2024, 2, 29), 5, date(2029, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), -1, date(2023, 2, 28)),
        (date(2023, 6, 15), 3, date(2026, 6, 15)),
    ],
)
def test_add_years(start, years, expected):
    assert add_years(start, years) == expected


def test_inclusive_days_counts_both_ends():
    assert inclusive_days(date(2026, 3, 1), date(2026, 3, 7)) == 7
    assert inclusive_days(date(2026, 3, 1), date(2026, 3, 1)) == 1
    assert inclusive_days(date(2024, 2, 28), date(2024, 3, 1)) == 3  # leap day included
    assert inclusive_days(date(2023, 2, 28), date(2023, 3, 1)) == 2


def test_inclusive_days_empty_range_is_zero():
    assert inclusive_days(date(2026, 3, 2), date(2026, 3, 1)) == 0


def test_days_in_range_yields_every_day():
    days = list(days_in_range(date(2024, 2, 27), date(2024, 3, 1)))
    assert days == [date(2024, 2, 27), date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]
    assert list(days_in_range(date(2024, 3, 2), date(2024, 3, 1))) == []
