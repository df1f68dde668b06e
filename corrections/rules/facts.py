"""What the due-date engine reads (docs/domain.md §3.5, §4): the contact rule rows and the
facts of one case, plain values with no database behind them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

CORRECTION = "correction"
RESETTLEMENT = "resettlement"

Programme = Literal["correction", "resettlement"]
Anchor = Literal[
    "contact", "reception", "level_change", "leave_return", "handover", "key_change", "leave_start"
]

# Display order of requirements and contact kinds.
REQUIREMENTS = (
    "face_to_face",
    "remote_report",
    "remote_report_on_leave",
    "field_visit",
    "health_report",
    "visit",
)
CONTACT_KINDS = (
    "phone",
    "video",
    "info_check",
    "written_report",
    "report_in_person",
    "field_visit",
)

# The rule row a level without a remote-report row follows while on leave
# (docs/domain.md §7.3); its due state is reported as ``remote_report``.
ON_LEAVE_REMOTE = "remote_report_on_leave"

DEFAULT_EFFECTIVE_FROM = date(1900, 1, 1)


@dataclass(frozen=True)
class ContactRule:
    """One row of the contact rule table: "at least one of `satisfied_by` every N days".

    `level`, `correction_type` and `is_key` narrow the rule; None means any.
    A row with `every_days <= 0` withdraws the requirement from `effective_from` on.
    """

    id: int | str
    programme: Programme
    requirement: str
    level: str | None
    correction_type: str | None
    is_key: bool | None
    satisfied_by: frozenset[str]
    every_days: int
    effective_from: date


@dataclass(frozen=True)
class ContactFact:
    """A contact logged on the case, of a contact kind (a voided one satisfies nothing)."""

    occurred_on: date
    kind: str
    voided: bool = False


@dataclass(frozen=True)
class LevelPeriod:
    """An approved supervision level, in force from `effective_on` (the earliest record is
    the level the case started with)."""

    effective_on: date
    level: str


@dataclass(frozen=True)
class LeaveFact:
    """A leave application: only an approved one counts; `returned_on` is the return (销假)."""

    starts_on: date
    ends_on: date
    approved: bool
    returned_on: date | None = None


@dataclass(frozen=True)
class KeyPeriod:
    effective_on: date
    is_key: bool


@dataclass(frozen=True)
class CaseFacts:
    """What the engine needs to know about one case.

    `received_on` is the reception date (corrections) or `handed_over_on`
    (resettlement); None means not received / not handed over yet.
    `ended_on` is the release, termination, transfer-out or end date.
    """

    programme: Programme
    received_on: date | None
    ended_on: date | None = None
    correction_type: str | None = None
    levels: tuple[LevelPeriod, ...] = ()
    contacts: tuple[ContactFact, ...] = ()
    leaves: tuple[LeaveFact, ...] = ()
    key_periods: tuple[KeyPeriod, ...] = ()
