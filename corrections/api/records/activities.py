"""Group activities: education, public service, counselling, assistance (docs/api.md;
docs/domain.md §3.6). One session, many attendees (人次)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from corrections.activities.models import ACTIVITY_KINDS
from corrections.schema import Schema, StationCode, doc, enum

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
        return cls.of_row(
            activity,
            station=activity.station.code,
            hours=None if activity.hours is None else float(activity.hours),
            attendees=sorted(a.case_id for a in activity.attendances),
            attendance_count=len(activity.attendances),
            voided=activity.is_void,
        )


class ActivityQuery(Schema):
    station: StationCode = None
    kind: Kind = None
    from_: date = Field(None, alias="from")
    to: date = None
