"""Alert records and their workflow steps (docs/domain.md §7.11)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from corrections import clock
from corrections.auth.models import Unit, User
from corrections.db import Base, TimestampMixin, VersionMixin
from corrections.labels import LABELS

ALERT_KINDS = (
    "missed_checkin",
    "checkin_follow_up",
    "outside_area",
    "face_mismatch",
    "overdue_return",
    "missed_intake",
    "overdue_contact",
    "location_missing",
    "location_anomaly",
)
ALERT_STATUSES = ("open", "verifying", "handled", "closed")
STEP_ACTIONS = ("verify", "handle", "close")
OUTCOMES = ("false_alarm", "explained", "sanction_proposed", "incident_opened")
# which status each action needs and leads to
TRANSITIONS = {
    "verify": (("open",), "verifying"),
    "handle": (("verifying",), "handled"),
    "close": (("verifying", "handled"), "closed"),
}

LABELS["alert_kind"] = {
    "missed_checkin": _l("未按时自助报到"),
    "checkin_follow_up": _l("报到需跟进"),
    "outside_area": _l("越界"),
    "face_mismatch": _l("人脸不符"),
    "overdue_return": _l("外出逾期未归"),
    "missed_intake": _l("逾期未报到（漏管）"),
    "overdue_contact": _l("监管措施逾期"),
    "location_missing": _l("定位缺失"),
    "location_anomaly": _l("定位异常"),
}
LABELS["alert_status"] = {
    "open": _l("待核实"),
    "verifying": _l("核实中"),
    "handled": _l("已处置"),
    "closed": _l("已办结"),
}
LABELS["alert_action"] = {
    "raise": _l("预警"),
    "verify": _l("核实"),
    "handle": _l("处置"),
    "close": _l("办结"),
    "escalate": _l("超时上报"),
    "cleared": _l("原因已消除"),
}
LABELS["alert_outcome"] = {
    "false_alarm": _l("误报"),
    "explained": _l("已说明情况"),
    "sanction_proposed": _l("提出奖惩建议"),
    "incident_opened": _l("登记脱管等事件"),
}


class Alert(TimestampMixin, VersionMixin, Base):
    """One warning sign about one correction case, open until an officer closes it.

    ``cause`` names the situation (``leave:45``, ``intake:12``, ``import:2026-12-03``): the
    same situation never raises twice, and a case has at most one alert of a kind that is
    not closed (a partial unique index keeps concurrent raisers honest)."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("uq_alerts_case_kind_cause", "case_id", "kind", "cause", unique=True),
        Index(
            "uq_alerts_case_kind_open",
            "case_id",
            "kind",
            unique=True,
            sqlite_where=text("status != 'closed'"),
            postgresql_where=text("status != 'closed'"),
        ),
        Index("ix_alerts_status_due", "status", "due_by"),
        Index("ix_alerts_raised_on", "raised_on"),
        Index("ix_alerts_assigned_status", "assigned_to_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    cause: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text, default="")
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now_utc)
    raised_on: Mapped[date] = mapped_column(Date)  # China date of raised_at (figures count by it)
    due_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="open")
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    closed_on_time: Mapped[bool | None] = mapped_column(Boolean)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanctions.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))

    case = relationship("CorrectionCase")
    person = relationship("Person")
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    steps: Mapped[list[AlertStep]] = relationship(
        back_populates="alert", order_by="AlertStep.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status != "closed"

    def overdue(self, now: datetime | None = None) -> bool:
        now = now or clock.now_utc()
        due = self.due_by if self.due_by.tzinfo else self.due_by.replace(tzinfo=clock.UTC)
        return self.is_open and due < now


class AlertStep(Base):
    """A step of the workflow (verify, handle, close) or a system event (raise, escalate,
    cleared): who, when, and a note."""

    __tablename__ = "alert_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now_utc)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")

    alert: Mapped[Alert] = relationship(back_populates="steps")
    by: Mapped[User | None] = relationship()


class UnitArea(TimestampMixin, Base):
    """The area a unit (or one station) supervises: a GeoJSON polygon or a circle
    (docs/domain.md §7.11). A station's own row wins over its unit's."""

    __tablename__ = "unit_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), unique=True)
    geojson: Mapped[dict | None] = mapped_column(JSON)
    center_lat: Mapped[float | None] = mapped_column(Float)
    center_lon: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[float | None] = mapped_column(Float)

    unit: Mapped[Unit] = relationship()


class LocationImportMapping(TimestampMixin, Base):
    """The column mapping of a unit's carrier export, remembered after the first import."""

    __tablename__ = "location_import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), unique=True)
    mapping: Mapped[dict] = mapped_column(JSON)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    rows_seen: Mapped[int] = mapped_column(Integer, default=0)
