"""Group activities: education, public service, counselling, assistance (docs/api.md;
docs/domain.md §3.6). One session, many attendees (人次)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from corrections.activities.models import ACTIVITY_KINDS
from corrections.api.schema import Schema, doc, enum

Kind = enum(ACTIVITY_KINDS)


class Activity(Schema):
    id: int
    station: str = doc("Station code (figures count the session here)")
    kind: Kind
    held_on: date
    hours: float | None = doc("Hours per attendee (0.1–24, one decimal)")
    topic: str
    place: str
    note: str
    attendees: list[int] = doc("Correction case ids (one 人次 each)")
    attendance_count: int
    voided: bool
    void_reason: str | None

    @classmethod
    def of(cls, activity) -> dict:
        return cls.dump(
            id=activity.id,
            station=activity.station.code,
            kind=activity.kind,
            held_on=activity.held_on,
            hours=None if activity.hours is None else float(activity.hours),
            topic=activity.topic,
            place=activity.place,
            note=activity.note,
            attendees=sorted(a.case_id for a in activity.attendances),
            attendance_count=len(activity.attendances),
            voided=activity.is_void,
            void_reason=activity.void_reason,
        )


class ActivityQuery(Schema):
    station: str = doc("Station code", default=None)
    kind: Kind = None
    from_: date = Field(None, alias="from")
    to: date = None


class ActivityBody(Schema):
    station: str
    kind: Kind
    held_on: date
    hours: Decimal = Field(ge=0.1, le=24, description="A number, or a decimal string")
    topic: str = None
    place: str = None
    note: str = None
    attendees: list[int] = Field(min_length=1)
