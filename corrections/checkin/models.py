"""Self check-in records (docs/domain.md §7.12)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from corrections.db import Base, TimestampMixin, VersionMixin

ENROLMENT_STATUSES = ("pending", "active", "ended")
CHECKIN_STATUSES = ("requested", "submitted", "expired", "reviewed")
FACE_RESULTS = ("match", "no_match", "no_face", "not_checked")
OUTCOMES = ("accepted", "follow_up")


class CheckinEnrolment(TimestampMixin, VersionMixin, Base):
    """A person's enrolment in self check-in for one correction case."""

    __tablename__ = "checkin_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    consent_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    # the activation code is kept only as a digest; single-use, valid 7 days
    code_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    code_failures: Mapped[int] = mapped_column(Integer, default=0)
    pin_hash: Mapped[str | None] = mapped_column(String(256))
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reference_photo_key: Mapped[str | None] = mapped_column(String(80))
    reference_photo_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reference_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(32))
    # bumped when the PIN is reset or the enrolment ends: every person session stops working
    session_nonce: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    case = relationship("CorrectionCase")


class Checkin(TimestampMixin, VersionMixin, Base):
    """One check-in: requested → submitted / expired → reviewed."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("checkin_enrolments.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    source: Mapped[str] = mapped_column(String(16), default="officer")  # officer / schedule
    # the job's check-ins are idempotent per case and day: "<case id>:<date>"
    schedule_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date] = mapped_column(Date, index=True)  # due_by's date in China time
    questions: Mapped[list] = mapped_column(JSON, default=list)
    answers: Mapped[list] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    photo_key: Mapped[str | None] = mapped_column(String(80))
    photo_taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    photo_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    outside_area: Mapped[bool | None] = mapped_column(Boolean)
    distance_m: Mapped[float | None] = mapped_column(
        Float
    )  # metres outside the station's (else unit's) area; 0 inside
    face: Mapped[str] = mapped_column(String(16), default="not_checked")
    face_distance: Mapped[float | None] = mapped_column(Float)
    expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(16))
    review_note: Mapped[str] = mapped_column(Text, default="")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))

    case = relationship("CorrectionCase")
    enrolment: Mapped[CheckinEnrolment] = relationship()


class CheckinQuestion(TimestampMixin, Base):
    """A question template a unit keeps for its officers' check-in requests."""

    __tablename__ = "checkin_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    text: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CheckinNotice(TimestampMixin, Base):
    """A notice from the officer to the person, shown on their phone."""

    __tablename__ = "checkin_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class PersonSession(Base):
    """A person's server-side session (the /my/ realm); the cookie holds only the secret."""

    __tablename__ = "checkin_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the secret
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("checkin_enrolments.id"), index=True)
    nonce: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
