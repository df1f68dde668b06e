from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from corrections.auth.models import Station
from corrections.db import Base, TimestampMixin, VersionMixin

COMMISSIONERS = ("court", "procuratorate", "police", "prison")
OPINIONS = ("suitable", "unsuitable")


class Assessment(TimestampMixin, VersionMixin, Base):
    """调查评估: due the 10th (fast-track 5th) working day after the day of receipt."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_station_completed", "station_id", "completed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str | None] = mapped_column(String(18))
    commissioned_by: Mapped[str] = mapped_column(String(16))
    commissioning_body: Mapped[str] = mapped_column(String(200), default="")
    crime: Mapped[str] = mapped_column(String(200), default="")
    proposed_type: Mapped[str | None] = mapped_column(String(32))
    fast_track: Mapped[bool] = mapped_column(Boolean, default=False)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    due_note: Mapped[str | None] = mapped_column(String(200))
    completed_on: Mapped[date | None] = mapped_column(Date, index=True)
    opinion: Mapped[str | None] = mapped_column(String(16))
    opinion_note: Mapped[str] = mapped_column(Text, default="")
    correction_case_id: Mapped[int | None] = mapped_column(ForeignKey("correction_cases.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    station: Mapped[Station] = relationship()
    extensions: Mapped[list[AssessmentExtension]] = relationship(order_by="AssessmentExtension.id")

    @property
    def extension_days(self) -> list[int]:
        return [e.working_days for e in self.extensions]


class AssessmentExtension(TimestampMixin, Base):
    __tablename__ = "assessment_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    working_days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    extended_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
