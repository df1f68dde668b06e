from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from corrections.auth.models import Station, User
from corrections.auth.scope import register_case_model
from corrections.core.columns import DueStateMixin, contact_indexes
from corrections.core.voiding import VoidableMixin
from corrections.db import Base, TimestampMixin, VersionMixin
from corrections.people.models import Person

SOURCES = ("prison", "detention_center", "correction")
STATUSES = ("expected", "released", "active", "ended")
VERIFICATION_RESULTS = ("verified", "false_identity", "false_address", "not_local")
HANDOVER_METHODS = ("escorted", "family", "station_pickup", "self_report")
CONTACT_KINDS = ("field_visit", "report_in_person", "phone", "video")
ASSISTANCE_KINDS = (
    "relief",
    "subsistence",
    "employment",
    "training",
    "housing",
    "legal_aid",
    "other",
)
PLACEMENTS = ("employed", "self_employed", "studying", "subsistence", "unplaced")
END_REASONS = ("expiry", "death", "reoffended", "transferred", "false_identity", "not_local")


@register_case_model
class ResettlementCase(TimestampMixin, VersionMixin, DueStateMixin, Base):
    """A released prisoner's support case: notice → release → verification → handover → support."""

    __tablename__ = "resettlement_cases"
    __table_args__ = (
        Index("ix_resettlement_cases_station_status", "station_id", "status"),
        Index("ix_resettlement_cases_overdue", "station_id", "is_overdue", "next_due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(32))
    correction_type: Mapped[str | None] = mapped_column(String(32))  # for source=correction
    correction_case_id: Mapped[int | None] = mapped_column(ForeignKey("correction_cases.id"))
    facility: Mapped[str] = mapped_column(String(200), default="")
    crime: Mapped[str] = mapped_column(String(200), default="")
    sentence: Mapped[str] = mapped_column(String(200), default="")
    notice_received_on: Mapped[date | None] = mapped_column(Date, index=True)
    expected_release_on: Mapped[date | None] = mapped_column(Date)
    released_on: Mapped[date | None] = mapped_column(Date, index=True)
    period_ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)  # current, from history
    key_reason: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str] = mapped_column(Text, default="")  # from the correction appraisal
    verified_on: Mapped[date | None] = mapped_column(Date)
    verification_result: Mapped[str | None] = mapped_column(String(16))
    handed_over_on: Mapped[date | None] = mapped_column(Date, index=True)
    handover_method: Mapped[str | None] = mapped_column(String(16))
    placement: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="expected", index=True)
    ended_on: Mapped[date | None] = mapped_column(Date, index=True)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # True once a second key-status record exists: only then do figures look up the
    # status on a given day; otherwise the one record, which is_key holds, applies.
    has_key_changes: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    person: Mapped[Person] = relationship()
    station: Mapped[Station] = relationship()
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])

    @property
    def is_ended(self) -> bool:
        return self.status == "ended"


class KeyStatusChange(TimestampMixin, Base):
    """Dated key (重点) status: the first row is the status recorded at creation."""

    __tablename__ = "resettlement_key_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("resettlement_cases.id"), index=True)
    effective_on: Mapped[date] = mapped_column(Date)
    is_key: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class ResettlementContact(TimestampMixin, VoidableMixin, Base):
    __tablename__ = "resettlement_contacts"
    __table_args__ = contact_indexes("resettlement_contacts")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("resettlement_cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Assistance(TimestampMixin, VoidableMixin, Base):
    __tablename__ = "resettlement_assistance"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("resettlement_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    given_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class LostContact(TimestampMixin, Base):
    """失联 / 下落不明 with its search log and 协查通报."""

    __tablename__ = "resettlement_lost_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("resettlement_cases.id"), index=True)
    lost_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    bulletin_issued_on: Mapped[date | None] = mapped_column(Date)  # 协查通报
    found_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    searches: Mapped[list[LostContactSearch]] = relationship(order_by="LostContactSearch.id")


class LostContactSearch(TimestampMixin, Base):
    __tablename__ = "resettlement_lost_contact_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    lost_contact_id: Mapped[int] = mapped_column(
        ForeignKey("resettlement_lost_contacts.id"), index=True
    )
    searched_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
