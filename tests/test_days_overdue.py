"""Days a case's contact is overdue, read from its stored due state (docs/domain.md §3.5)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from corrections.core.due import days_overdue


def _case(next_due_on, status="active"):
    return SimpleNamespace(status=status, next_due_on=next_due_on)


def test_on_the_due_day_itself_a_case_is_not_overdue():
    assert days_overdue(_case(date(2026, 2, 28)), date(2026, 2, 28)) == 0


def test_the_day_after_the_due_day_is_one_day_overdue_across_a_month_end():
    assert days_overdue(_case(date(2026, 2, 28)), date(2026, 3, 1)) == 1


def test_a_leap_day_counts():
    assert days_overdue(_case(date(2028, 2, 28)), date(2028, 3, 1)) == 2


def test_an_ended_case_or_one_with_nothing_due_is_never_overdue():
    assert days_overdue(_case(date(2026, 1, 1), status="released"), date(2026, 3, 1)) == 0
    assert days_overdue(_case(None), date(2026, 3, 1)) == 0
