from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from corrections import clock
from corrections.db import Base


class ClosedMonth(Base):
    """A month a supervisor closed: its figures are stored and always shown as they were."""

    __tablename__ = "closed_months"
    __table_args__ = (Index("uq_closed_months_unit_month", "unit_id", "month", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    # the unit's record as closed: {"total": {...}, "stations": {code: {...}}}; what users see
    # is read from ``station_rows`` (summed over the stations in their scope)
    figures: Mapped[dict] = mapped_column(JSON)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now_utc)

    station_rows: Mapped[list[ClosedMonthStation]] = relationship(
        back_populates="closed_month",
        order_by="ClosedMonthStation.station_id",
        cascade="all, delete-orphan",
    )


class ClosedMonthStation(Base):
    """One station's stored figures of a closed month (docs/domain.md §7.8).

    ``figures`` holds every figure of the registry as computed for the station alone.
    ``members`` holds, for the figures that count distinct people, the ids counted at the
    station, so the figure over several stations is the size of their union (a person with
    records at two stations counts once), exactly as the live figure is computed. Rows
    converted from months closed before stations were stored have ``members`` None."""

    __tablename__ = "closed_month_stations"
    __table_args__ = (
        Index(
            "uq_closed_month_stations_month_station", "closed_month_id", "station_id", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    closed_month_id: Mapped[int] = mapped_column(ForeignKey("closed_months.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    figures: Mapped[dict] = mapped_column(JSON)  # {key: int}
    members: Mapped[dict | None] = mapped_column(JSON)  # {key: [person id, ...]} or None

    closed_month: Mapped[ClosedMonth] = relationship(back_populates="station_rows")
