from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from corrections import clock
from corrections.auth.models import User
from corrections.db import Base

KINDS = (
    "contact_due_tomorrow",
    "contact_overdue",
    "missed_intake",
    "assessment_due_soon",
    "assessment_overdue",
    "leave_not_returned",
    "term_ending",
    "medical_review_due",
    "monitoring_ending",
    "not_handed_over",
    "resettlement_period_ending",
    # self check-in alerts (corrections/checkin/signals.py)
    "missed_checkin",
    "checkin_follow_up",
    "outside_area",
    "face_mismatch",
)


class Notification(Base):
    """One reminder in one user's inbox; ``key`` makes reruns harmless."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("uq_notifications_user_key", "user_id", "key", unique=True),
        Index("ix_notifications_user_read", "user_id", "read_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    programme: Mapped[str] = mapped_column(String(16))  # correction / resettlement / assessment
    case_id: Mapped[int | None] = mapped_column(Integer)
    due_on: Mapped[date | None] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now_utc)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class JobRun(Base):
    """Each run of a scheduled job: when, how long, what it did, and whether it failed."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    run_date: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now_utc)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16), default="running")  # ok / error
    created: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    # host:pid of the scheduler (or command) that ran it: shows handovers between schedulers
    runner: Mapped[str] = mapped_column(String(128), default="", server_default="")


class Delivery(Base):
    """A notification sent (or to be sent) through an outside channel, with retries."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("uq_deliveries_notification_channel", "notification_id", "channel", unique=True),
        Index("ix_deliveries_status", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"))
    channel: Mapped[str] = mapped_column(String(16))  # email / webhook
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending/sent/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    notification: Mapped[Notification] = relationship()
