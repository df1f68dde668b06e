"""Self check-in, 自助报到: enrolments and check-ins (docs/api.md; docs/domain.md §7.12)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from corrections.checkin import services
from corrections.checkin.models import CHECKIN_STATUSES, FACE_RESULTS
from corrections.schema import NullTimestamp, Schema, StationCode, Timestamp, doc, enum, timestamp

Outcome = enum(("accepted", "follow_up"))


class CheckinEnrolment(Schema):
    id: int
    case_id: int
    status: enum(("pending", "active", "ended"))
    phone: str
    consent_on: date
    expires_at: NullTimestamp
    activation_code: str = Field(None, description="8 characters, single use; only when issued")
    activation_url: str = Field(None, description="Only when issued")

    @classmethod
    def of(cls, enrolment, code: str | None = None) -> dict:
        extra = {}
        if code is not None:  # the code is shown once, when issued
            extra = {"activation_code": code, "activation_url": services.activation_url(code)}
        expires_at = timestamp(enrolment.code_expires_at) if enrolment.code_digest else None
        return cls.of_row(enrolment, expires_at=expires_at, **extra)


class Location(Schema):
    lat: float
    lon: float
    accuracy_m: float | None


class Checkin(Schema):
    id: int
    case_id: int
    status: enum(CHECKIN_STATUSES)
    source: enum(("officer", "schedule"))
    requested_at: Timestamp
    due_by: Timestamp
    questions: list[str] = Field(max_length=3)
    answers: list[str]
    checkin_url: str
    submitted_at: NullTimestamp
    location: Location | None
    approximate: bool = doc("Location accuracy worse than 1 km")
    outside_area: bool | None
    distance_m: float | None = doc(
        "Metres outside the area of the case's station (its own, else its unit's); 0 inside"
    )
    face: enum(FACE_RESULTS)
    face_distance: float | None
    expired_at: NullTimestamp
    reviewed_at: NullTimestamp
    outcome: Outcome | None
    note: str | None
    contact_id: int | None
    photo_deleted: bool

    @classmethod
    def of(cls, checkin) -> dict:
        location = None
        if checkin.lat is not None:
            location = Location.dump(
                lat=checkin.lat, lon=checkin.lon, accuracy_m=checkin.accuracy_m
            )
        moments = ("requested_at", "due_by", "submitted_at", "expired_at", "reviewed_at")
        return cls.of_row(
            checkin,
            **{name: timestamp(getattr(checkin, name)) for name in moments},
            questions=list(checkin.questions or []),
            answers=list(checkin.answers or []),
            checkin_url=services.checkin_url(checkin),
            location=location,
            approximate=bool(checkin.approximate),
            note=checkin.review_note or None,
            photo_deleted=checkin.photo_deleted_at is not None,
        )


class CheckinQuery(Schema):
    status: enum(CHECKIN_STATUSES) = None
    station: StationCode = None
    case_id: int = Field(None, ge=1)
