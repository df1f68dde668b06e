from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from corrections import clock
from corrections.db import Base


class ClosedMonth(Base):
    """A month a supervisor closed: its figures are stored and always shown as they were."""

    __tablename__ = "closed_months"
    __table_args__ = (Index("uq_closed_months_unit_month", "unit_id", "month", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    figures: Mapped[dict] = mapped_column(JSON)  # {"total": {...}, "stations": {code: {...}}}
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now_utc)
