from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from corrections.auth.models import Station
from corrections.core.voiding import VoidableMixin
from corrections.db import Base, TimestampMixin

ACTIVITY_KINDS = ("education", "public_service", "counselling", "assistance")


class Activity(TimestampMixin, VoidableMixin, Base):
    """One session (场次) at a station; each attendance is one 人次 with hours credited."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_station_held", "station_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    kind: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    topic: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    station: Mapped[Station] = relationship()
    attendances: Mapped[list[Attendance]] = relationship(back_populates="activity")


class Attendance(Base):
    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("activity_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))

    activity: Mapped[Activity] = relationship(back_populates="attendances")
