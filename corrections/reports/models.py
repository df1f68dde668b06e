from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String
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


class FigureStationVersion(Base):
    """A station's figures version, folded (docs/performance.md, "Stored figures of open
    periods"): the station's version is this plus its rows in ``figure_station_changes``
    (``reports/figures/changes.py``)."""

    __tablename__ = "figure_station_versions"

    station_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)


class FigureStationChange(Base):
    """A write touched the station's figures (``station_id``; None: every station's). Rows
    are only ever inserted, so writers never wait on one another for them; the
    ``fold_figure_changes`` job adds them to ``figure_station_versions`` and deletes them."""

    __tablename__ = "figure_station_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int | None] = mapped_column(index=True)


class FigureRollup(Base):
    """One station's figures of one period as computed on ``computed_on`` at the station's
    ``version`` by the code with ``code`` (a hash of the application's source), and for
    the figures of distinct people the ids counted (``reports/figures/rollups.py``). Used
    only while all three still hold; otherwise computed again."""

    __tablename__ = "figure_rollups"
    __table_args__ = (
        Index(
            "uq_figure_rollups_station_period",
            "station_id",
            "period_start",
            "period_end",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    computed_on: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column()
    code: Mapped[str] = mapped_column(String(64))
    figures: Mapped[dict] = mapped_column(JSON)  # {key: int} for the keys computed
    members: Mapped[dict] = mapped_column(JSON)  # {key: [id, ...]} for distinct-people keys
