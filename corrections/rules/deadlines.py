"""Deadlines, limits and periods (docs/domain.md §3.3, §3.7, §3.10, §3.11, §3.13, §4).

Pure helpers: the numbers come from the rule tables (see
`engine.default_deadlines()` for the seeded defaults) and are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Literal

from .dates import add_months, add_years, inclusive_days

__all__ = [
    "report_deadline",
    "is_missed_intake",
    "leave_days",
    "leave_tier",
    "is_return_overdue",
    "monitoring_max_end",
    "medical_review_due",
    "resettlement_periods",
    "resettlement_period_ends_on",
    "resettlement_end_alert_opens_on",
    "is_handover_overdue",
    "term_end_checklist_opens_on",
    "report_deadline_on_working_day",
    "missed_intake",
    "is_past_term_end",
    "is_checklist_open",
    "is_due_soon",
    "is_support_period_over",
    "is_resettlement_on_register",
    "is_period_end_alert",
]

LeaveTier = Literal["station", "county", "above_county"]


# --------------------------------------------------------------------------- intake


def report_deadline(
    judgment_effective_on: date | None,
    source: str | None,
    notified_on: date | None,
    report_days: int = 10,
    transfer_days: int = 7,
) -> date | None:
    """Last day to report (calendar days, docs/domain.md §3.3; API `POST /corrections`).

    `judgment_effective_on + report_days`; for a transfer in, `notified_on +
    transfer_days`. None when the date it counts from is not known.
    """
    if source == "transfer_in":
        return None if notified_on is None else notified_on + timedelta(days=transfer_days)
    if judgment_effective_on is None:
        return None
    return judgment_effective_on + timedelta(days=report_days)


def report_deadline_on_working_day(deadline: date, calendar) -> tuple[date, str | None]:
    """A report deadline falling on a rest day moves to the next working day (docs/domain.md
    §7.2, the period rule of 刑事诉讼法 §105).

    `calendar` answers `is_workday(d)` with True, False or None (unknown). Where a day
    needed is unknown the deadline does not move and the note says why:
    `(deadline, note)`; otherwise `(moved or unchanged deadline, None)`.
    """
    d = deadline
    while True:
        known = calendar.is_workday(d)
        if known is None:
            return deadline, (
                f"{d.year}年的节假日安排尚未录入，期限未按节假日顺延；录入后自动重新计算"
            )
        if known:
            return d, None
        d += timedelta(days=1)


def missed_intake(
    source: str | None, deadline: date | None, received_on: date | None, on: date
) -> bool:
    """漏管 on `on` (docs/domain.md §7.2): the deadline is before `on` and the case was not
    received on or before it. A person may still report on the deadline day itself.

    A transfer in is never 漏管 (docs/api.md). SQL twin: `twins.missed_intake`.
    """
    if source == "transfer_in" or deadline is None:
        return False
    if received_on is not None and received_on <= deadline:
        return False
    return deadline < on


def is_missed_intake(status: str, source: str | None, deadline: date | None, on: date) -> bool:
    """Still 漏管 on `on`: expected (never received) and `missed_intake` (the badge, the case
    page, the list filter, the dashboard and the reminder). SQL twin: `twins.still_missing`."""
    return status == "expected" and missed_intake(source, deadline, None, on)


# --------------------------------------------------------------------------- leave


def leave_days(starts_on: date, ends_on: date) -> int:
    """Length of a leave, both ends counted (1–7 March is 7 days)."""
    return inclusive_days(starts_on, ends_on)


def leave_tier(
    starts_on: date,
    ends_on: date,
    other_approved_leaves: Iterable[tuple[date, date]] = (),
    station_max: int = 7,
    county_max: int = 30,
    window_months: int = 2,
    window_max: int = 30,
) -> LeaveTier:
    """Who approves a leave (docs/domain.md §3.7).

    * `above_county` (city bureau): longer than `county_max` days, or more than
      `window_max` days of approved leave, this one included, within the
      `window_months` calendar months ending on its last day
      (`add_months(ends_on, -window_months) + 1 day` .. `ends_on`). Days of other
      leaves count only where they fall inside that window; overlapping days
      count once.
    * `county`: longer than `station_max` days.
    * `station`: otherwise.
    """
    if ends_on < starts_on:
        raise ValueError("a leave cannot end before it starts")
    length = leave_days(starts_on, ends_on)
    if length > county_max:
        return "above_county"

    window_start = add_months(ends_on, -window_months) + timedelta(days=1)
    days: set[date] = set()
    for start, end in [(starts_on, ends_on), *other_approved_leaves]:
        lo, hi = max(start, window_start), min(end, ends_on)
        d = lo
        while d <= hi:
            days.add(d)
            d += timedelta(days=1)
    if len(days) > window_max:
        return "above_county"
    if length > station_max:
        return "county"
    return "station"


def is_return_overdue(ends_on: date, returned_on: date | None, on: date) -> bool:
    """Approved leave not returned (销假) by its end date: overdue return on `on`.
    SQL twin: `twins.return_overdue`."""
    if returned_on is not None and returned_on <= on:
        return False
    return on > ends_on


# --------------------------------------------------------------------------- monitoring, medical


def monitoring_max_end(start: date, months: int = 3) -> date:
    """Latest end of an electronic-monitoring episode (or extension) starting on `start`."""
    return add_months(start, months)


def medical_review_due(received_on: date, last_result_on: date | None, months: int = 3) -> date:
    """Next 保外就医 re-examination: `months` after reception, then after each result."""
    return add_months(last_result_on or received_on, months)


# --------------------------------------------------------------------------- resettlement


def resettlement_periods(deadlines: Mapping[str, int]) -> dict[str, int]:
    """Period lengths in years keyed by source or correction type, from deadline rows
    (`resettlement_years_prison` → `prison`, ...)."""
    prefix = "resettlement_years_"
    return {k[len(prefix) :]: v for k, v in deadlines.items() if k.startswith(prefix)}


def resettlement_period_ends_on(
    source: str,
    released_on: date | None,
    correction_type: str | None,
    periods: Mapping[str, int],
) -> date | None:
    """End of the 帮教期 (docs/domain.md §4): the same calendar date N years after release.

    `periods` maps `prison`, `detention_center` and the four correction types to
    years. For source `correction` the period follows the correction type.
    None while the release date, or the correction type, is unknown.
    """
    if released_on is None:
        return None
    key = correction_type if source == "correction" else source
    if key is None or key not in periods:
        return None
    return add_years(released_on, periods[key])


def resettlement_end_alert_opens_on(period_ends_on: date, days: int = 30) -> date:
    """First day of the reminder before the 帮教期 expires."""
    return period_ends_on - timedelta(days=days)


def is_handover_overdue(
    released_on: date | None, handed_over_on: date | None, on: date, days: int = 7
) -> bool:
    """Released but not handed over (衔接) within `days` of release, as of `on` (`days` is the
    rule as it stood on the release date, docs/domain.md §7.1). SQL twin:
    `twins.handover_overdue`."""
    if released_on is None:
        return False
    if handed_over_on is not None and handed_over_on <= on:
        return False
    return on > released_on + timedelta(days=days)


# --------------------------------------------------------------------------- end of correction


def term_end_checklist_opens_on(term_end: date, days: int = 30) -> date:
    """The release checklist opens `days` before the term end."""
    return term_end - timedelta(days=days)


def is_past_term_end(term_end: date, on: date) -> bool:
    """The term has ended by `on` (the day after `term_end`). SQL twin: `twins.past_term_end`."""
    return on > term_end


def is_checklist_open(term_end: date, on: date, days: int = 30) -> bool:
    """The release checklist is open on `on`: from `days` before the term end (the rule as it
    stood on the term end). SQL twin: `twins.checklist_open`."""
    return on >= term_end_checklist_opens_on(term_end, days)


# --------------------------------------------------------------------------- windows


def is_due_soon(due_on: date | None, on: date, days: int = 7) -> bool:
    """A date falls due soon on `on`: within the next `days` days, the day itself included
    (the "due soon" window rows, docs/domain.md §7.1). An overdue date is not "soon".
    SQL twin: `twins.due_soon`."""
    return due_on is not None and on <= due_on <= on + timedelta(days=days)


# --------------------------------------------------------------------------- support period


def is_support_period_over(period_ends_on: date | None, on: date) -> bool:
    """The 帮教期 ended before `on` (docs/domain.md §7.7): from the day after `period_ends_on`."""
    return period_ends_on is not None and on > period_ends_on


def is_resettlement_on_register(
    released_on: date | None, ended_on: date | None, period_ends_on: date | None, on: date
) -> bool:
    """在册安置帮教对象 on `on` (docs/domain.md §5, §7.7): released on or before `on`, not ended
    on or before `on`, and the support period not over (ended or not).
    SQL twin: `twins.resettlement_on_register`."""
    if released_on is None or released_on > on:
        return False
    if ended_on is not None and ended_on <= on:
        return False
    return not is_support_period_over(period_ends_on, on)


def is_period_end_alert(period_ends_on: date | None, on: date, days: int = 30) -> bool:
    """The 帮教期 ends within `days` days of `on`, or has ended (the reminder window and the
    "帮教期满未结案" list; the rule as it stood on `period_ends_on`).
    SQL twin: `twins.period_end_alert`."""
    if period_ends_on is None:
        return False
    return on >= resettlement_end_alert_opens_on(period_ends_on, days)
