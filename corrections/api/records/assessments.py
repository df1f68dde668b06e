"""Pre-sentence investigations, 调查评估 (docs/api.md; docs/domain.md §3.2)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from corrections import clock
from corrections.assessments import services
from corrections.assessments.models import COMMISSIONERS, OPINIONS
from corrections.schema import Schema, StationCode, doc, enum
from corrections.supervision.models import CORRECTION_TYPES

STATUSES = ("open", "completed")


class Extension(Schema):
    working_days: int
    reason: str
    extended_on: date


class Assessment(Schema):
    id: int
    version: int
    station: str = doc("Station code")
    name: str
    id_number: str | None
    person_id: int | None = doc("The registered person with this ID number")
    commissioned_by: enum(COMMISSIONERS)
    commissioning_body: str
    crime: str
    proposed_type: enum(CORRECTION_TYPES) | None
    fast_track: bool
    received_on: date
    due_on: date | None = doc(
        "10th (速裁: 5th) working day after receipt, plus extensions; null while the "
        "working-day calendar does not cover the dates"
    )
    due_note: str | None = doc("Why due_on is null")
    extensions: list[Extension]
    status: enum(STATUSES)
    days_left: int | None = doc("Open only; today")
    overdue: bool = doc("Open and past due_on today")
    completed_on: date | None
    opinion: enum(OPINIONS) | None
    opinion_note: str
    correction_case_id: int | None
    days_overdue: int = Field(
        None, description="Only in a list with overdue_on: overdue_on − due_on"
    )

    @classmethod
    def of(cls, assessment, overdue_on: date | None = None) -> dict:
        today = clock.today()
        extra = {}
        if overdue_on is not None and assessment.due_on is not None:
            extra["days_overdue"] = (overdue_on - assessment.due_on).days
        return cls.dump(
            id=assessment.id,
            version=assessment.version,
            station=assessment.station.code,
            name=assessment.name,
            id_number=assessment.id_number,
            person_id=assessment.person_id,
            commissioned_by=assessment.commissioned_by,
            commissioning_body=assessment.commissioning_body,
            crime=assessment.crime,
            proposed_type=assessment.proposed_type,
            fast_track=assessment.fast_track,
            received_on=assessment.received_on,
            due_on=assessment.due_on,
            due_note=assessment.due_note,
            extensions=[
                Extension.dump(
                    working_days=e.working_days, reason=e.reason, extended_on=e.extended_on
                )
                for e in assessment.extensions
            ],
            status="open" if assessment.completed_on is None else "completed",
            days_left=services.days_left(assessment, today),
            overdue=services.is_overdue(assessment, today),
            completed_on=assessment.completed_on,
            opinion=assessment.opinion,
            opinion_note=assessment.opinion_note,
            correction_case_id=assessment.correction_case_id,
            **extra,
        )


class AssessmentQuery(Schema):
    overdue_on: date = None
    status: enum(STATUSES) = None
    station: StationCode = None
