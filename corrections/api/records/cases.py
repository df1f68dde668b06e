"""Correction cases and their records (docs/api.md: Correction cases; docs/domain.md §3)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from corrections.rules import engine
from corrections.schema import Schema, doc, enum
from corrections.supervision import models as codes
from corrections.supervision import services

Level = enum(codes.LEVELS)
Requirement = enum(("face_to_face", "remote_report", "field_visit", "health_report"))
DECISION_NOTE = "The decider's comment; the reason of a refusal"


def _username(user) -> str | None:
    return user.username if user else None


class LevelPeriod(Schema):
    effective_on: date
    level: Level
    reason: str


class DueItem(Schema):
    requirement: Requirement
    due_on: date
    last_contact_on: date | None
    days_overdue: int
    paused: bool = doc("On approved leave: does not apply today")
    explanation: str

    @classmethod
    def of(cls, state: engine.DueState, language: str) -> dict:
        return cls.of_row(
            state, days_overdue=state.overdue_days, explanation=state.explain(language)
        )


class OverdueItem(Schema):
    requirement: Requirement
    due_on: date
    days_overdue: int

    @classmethod
    def of(cls, state: engine.DueState) -> dict:
        return cls.dump(
            requirement=state.requirement, due_on=state.due_on, days_overdue=state.overdue_days
        )


class Suggestion(Schema):
    kind: enum(
        (
            "admonition",
            "warning",
            "police_penalty_request",
            "revocation_request",
            "custody_request",
            "level_review",
            "level_tighten",
        )
    )
    reason: str


class CorrectionCase(Schema):
    id: int
    version: int
    person_id: int
    person_name: str = doc("Masked (张*) for viewers when the person has a minor's case")
    minor: bool = doc("A minor's case: under 18 when the judgment took effect (whole term)")
    station: str = doc("Station code")
    officer: str | None = doc("Responsible officer's username")
    correction_type: enum(codes.CORRECTION_TYPES)
    grounds: enum(codes.GROUNDS) | None
    crime: str
    crime_category: enum(codes.CRIME_CATEGORIES) | None
    sentence: str
    decision_body: str
    decision_document: str
    prohibitions: str
    judgment_effective_on: date
    term_start: date
    term_end: date
    term_end_effective: date = doc(
        "term_end moved by the days absconded (暂予监外执行 only, counted up to today; "
        "docs/domain.md §7.6); equal to term_end for other types"
    )
    notified_on: date | None
    source: enum(codes.SOURCES)
    report_deadline: date = doc(
        "Last day to report; moved off a weekend or holiday to the next working day "
        "(刑事诉讼法 §105)"
    )
    report_deadline_note: str | None = doc(
        "Why report_deadline was not moved off a rest day (the working-day calendar lacks the "
        "year); null otherwise"
    )
    received_on: date | None
    received_on_time: bool | None
    announced_on: date | None
    status: enum(codes.STATUSES)
    missed_intake: bool = doc("漏管: expected, not a transfer in, and report_deadline before today")
    past_term_end: bool = doc("Active after term_end (flagged)")
    medical_review_due_on: date | None = doc("保外就医 re-examination due date")
    ended_on: date | None
    end_reason: enum((*codes.RELEASE_REASONS, *codes.TERMINATION_REASONS, "transfer")) | None
    transfer_destination: str | None
    level: Level
    levels: list[LevelPeriod]
    due: list[DueItem]
    suggestions: list[Suggestion] = Field(
        None,
        description="Sanction and level suggestions as the case page shows them (never acted "
        "on); in single-case responses",
    )

    @classmethod
    def fields_of(cls, case, person_name: str, today: date, term_end: date) -> dict:
        """Every field read from the case itself (the list adds level, levels and due)."""
        return cls.row_values(
            case,
            "level",
            "levels",
            "due",
            person_name=person_name,
            minor=services.is_minor_case(case),
            station=case.station.code,
            officer=_username(case.officer),
            term_end_effective=term_end,
            missed_intake=services.missed_intake(case, today),
            past_term_end=services.past_term_end(case, today, term_end),
            medical_review_due_on=services.medical_review_due(case),
        )


class OverdueCorrectionCase(CorrectionCase):
    """A case of ``GET /corrections?overdue_on=``: with what was overdue that day."""

    overdue: list[OverdueItem] = None


class CorrectionCaseSummary(Schema):
    """A person's correction case in ``GET /people/{id}`` (short form)."""

    programme: enum(("correction",))
    id: int
    version: int
    status: enum(codes.STATUSES)
    correction_type: enum(codes.CORRECTION_TYPES)
    station: str
    officer: str | None
    level: Level
    term_start: date
    term_end: date
    minor: bool
    received_on: date | None
    missed_intake: bool
    ended_on: date | None
    end_reason: str | None

    @classmethod
    def of(cls, case, today: date) -> dict:
        return cls.of_row(
            case,
            programme="correction",
            station=case.station.code,
            officer=_username(case.officer),
            minor=services.is_minor_case(case),
            missed_intake=services.missed_intake(case, today),
        )


class LevelChange(Schema):
    id: int
    case_id: int
    effective_on: date
    level: Level
    from_level: Level | None
    reason: str
    status: enum(("proposed", "approved", "refused"))
    decided_on: date | None
    decided_by: str | None
    decision_note: str = doc(DECISION_NOTE)

    @classmethod
    def of(cls, row) -> dict:
        return cls.of_row(
            row,
            decided_by=_username(row.decided_by),
        )


class Contact(Schema):
    id: int
    case_id: int
    kind: enum(codes.CONTACT_KINDS)
    occurred_on: date
    note: str
    unannounced: bool
    at_night: bool
    recorded_by: str | None
    voided: bool
    void_reason: str | None

    @classmethod
    def of(cls, contact) -> dict:
        return cls.of_row(
            contact,
            recorded_by=_username(contact.recorded_by),
            voided=contact.is_void,
        )


class Sanction(Schema):
    id: int
    case_id: int
    kind: enum(codes.SANCTION_KINDS)
    status: enum(("proposed", "decided", "rejected"))
    decided_on: date | None
    reason: str
    investigation: str
    document_number: str
    is_request: bool
    outcome: enum(("granted", "refused")) | None
    granted: bool | None
    outcome_on: date | None
    voided: bool
    void_reason: str | None
    decided_by: str | None
    decision_note: str = doc(DECISION_NOTE)

    @classmethod
    def of(cls, sanction) -> dict:
        return cls.of_row(
            sanction,
            granted=None if sanction.outcome is None else sanction.outcome == "granted",
            voided=sanction.is_void,
            decided_by=_username(sanction.decided_by),
        )


class Leave(Schema):
    id: int
    case_id: int
    version: int
    kind: enum(("leave", "frequent_permit"))
    starts_on: date
    ends_on: date
    days: int = doc("Both ends counted")
    destination: str
    reason: enum(codes.LEAVE_REASONS)
    reason_detail: str
    applied_on: date
    tier: enum(("station", "county", "above_county"))
    status: enum(("applied", "approved", "refused"))
    approved: bool | None
    decided_on: date | None
    decided_by: str | None
    decision_note: str = doc(DECISION_NOTE)
    returned_on: date | None
    return_overdue: bool

    @classmethod
    def of(cls, leave) -> dict:
        from corrections.rules.deadlines import leave_days

        return cls.of_row(
            leave,
            days=leave_days(leave.starts_on, leave.ends_on),
            approved=None if leave.status == "applied" else leave.status == "approved",
            decided_by=_username(leave.decided_by),
            return_overdue=services.return_overdue(leave),
        )


class Incident(Schema):
    id: int
    case_id: int
    version: int
    kind: enum(codes.INCIDENT_KINDS)
    occurred_on: date
    note: str
    police_notified_on: date | None
    procuratorate_notified_on: date | None
    closed_on: date | None
    outcome: str | None
    open: bool

    @classmethod
    def of(cls, incident) -> dict:
        return cls.of_row(
            incident,
            open=incident.closed_on is None,
        )
