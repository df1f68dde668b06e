from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from corrections.auth.models import Station, User
from corrections.auth.scope import register_case_model
from corrections.core.columns import DueStateMixin, contact_indexes
from corrections.core.voiding import VoidableMixin
from corrections.db import Base, TimestampMixin, VersionMixin
from corrections.people.models import Person

CORRECTION_TYPES = ("control", "probation", "parole", "temporary_release")
GROUNDS = ("medical", "pregnancy", "self_care")
CRIME_CATEGORIES = (
    "state_security",
    "public_safety",
    "market_order",
    "personal_rights",
    "property",
    "social_order",
    "corruption",
    "malfeasance",
    "other",
)
STATUSES = ("expected", "active", "released", "terminated", "transferred_out")
ENDED_STATUSES = ("released", "terminated", "transferred_out")
SOURCES = ("self_report", "escorted", "fetched", "transfer_in")
LEVELS = ("strict", "normal", "lenient")
DECISION_BODIES = ("court", "prison", "police", "other")
CONTACT_KINDS = (
    "report_in_person",
    "field_visit",
    "phone",
    "video",
    "info_check",
    "written_report",
)
SANCTION_KINDS = (
    "commendation",
    "admonition",
    "warning",
    "police_penalty_request",
    "revocation_request",
    "custody_request",
)
REQUEST_KINDS = ("police_penalty_request", "revocation_request", "custody_request")
LEAVE_REASONS = ("medical", "schooling", "litigation", "family", "work")
INCIDENT_KINDS = ("absconded", "reoffended", "detained")
RELEASE_REASONS = ("expiry", "pardon")
TERMINATION_REASONS = ("probation_revoked", "parole_revoked", "custody", "death")
CHECKLIST_ITEMS = (
    "self_assessment",
    "appraisal",
    "announcement",
    "certificate",
    "notice_decision_body",
    "notice_procuratorate",
    "notice_police",
)
MONITORING_GROUNDS = (
    "prohibition_breach",
    "unapproved_departure",
    "refused_report_after_warning",
    "police_penalty",
    "pending_revocation",
)


@register_case_model
class CorrectionCase(TimestampMixin, VersionMixin, DueStateMixin, Base):
    __tablename__ = "correction_cases"
    __table_args__ = (
        Index("ix_correction_cases_station_status", "station_id", "status"),
        Index("ix_correction_cases_overdue", "station_id", "is_overdue", "next_due_on"),
        Index("ix_correction_cases_officer_status", "officer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    correction_type: Mapped[str] = mapped_column(String(32))
    grounds: Mapped[str | None] = mapped_column(String(16))
    crime: Mapped[str] = mapped_column(String(200), default="")
    crime_category: Mapped[str | None] = mapped_column(String(32))
    sentence: Mapped[str] = mapped_column(String(200), default="")
    decision_body: Mapped[str] = mapped_column(String(200), default="")
    decision_document: Mapped[str] = mapped_column(String(100), default="")
    judgment_effective_on: Mapped[date] = mapped_column(Date)
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date, index=True)
    prohibitions: Mapped[str] = mapped_column(Text, default="")  # 禁止令 with its period
    notified_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16), default="self_report")
    report_deadline: Mapped[date] = mapped_column(Date, index=True)
    # why the deadline was not moved off a rest day (the calendar lacks the year), else None
    report_deadline_note: Mapped[str | None] = mapped_column(String(100))
    received_on: Mapped[date | None] = mapped_column(Date, index=True)
    received_on_time: Mapped[bool | None] = mapped_column(Boolean)
    announced_on: Mapped[date | None] = mapped_column(Date)  # 入矫宣告
    status: Mapped[str] = mapped_column(String(16), default="expected", index=True)
    level: Mapped[str] = mapped_column(String(16), default="strict")  # current, from history
    ended_on: Mapped[date | None] = mapped_column(Date, index=True)
    # True once the case has a station move: only then do figures look up the station
    # it was at on a given day (case_station_moves); otherwise it is station_id.
    has_moves: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    end_reason: Mapped[str | None] = mapped_column(String(32))
    transfer_destination: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # On-time counts (docs/domain.md §3.5) over the ON_TIME_WINDOW_DAYS ending on due_computed_on.
    on_time_ok: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    on_time_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    person: Mapped[Person] = relationship()
    station: Mapped[Station] = relationship()
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])

    @property
    def is_ended(self) -> bool:
        return self.status in ENDED_STATUSES


class CaseLevel(TimestampMixin, Base):
    """A level record: the intake level, or a proposed / approved / refused change."""

    __tablename__ = "case_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    effective_on: Mapped[date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(16))
    from_level: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="approved")  # proposed/approved/refused
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class StationMove(TimestampMixin, Base):
    __tablename__ = "case_station_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    moved_on: Mapped[date] = mapped_column(Date)
    from_station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    to_station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    moved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    from_station: Mapped[Station] = relationship(foreign_keys=[from_station_id])
    to_station: Mapped[Station] = relationship(foreign_keys=[to_station_id])


class OfficerAssignment(TimestampMixin, Base):
    __tablename__ = "case_officer_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_on: Mapped[date] = mapped_column(Date)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])


class Contact(TimestampMixin, VoidableMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = contact_indexes("contacts")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    unannounced: Mapped[bool] = mapped_column(Boolean, default=False)
    at_night: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])


class Sanction(TimestampMixin, VoidableMixin, Base):
    """A reward or sanction (考核奖惩); requests carry their outcome."""

    __tablename__ = "sanctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="decided")  # proposed/decided/rejected
    proposed_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # facts
    investigation: Mapped[str] = mapped_column(Text, default="")
    document_number: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str | None] = mapped_column(String(16))  # granted / refused (requests)
    outcome_on: Mapped[date | None] = mapped_column(Date)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_request(self) -> bool:
        return self.kind in REQUEST_KINDS


class Leave(TimestampMixin, VersionMixin, Base):
    """外出: applied → approved / refused → away → returned (销假)."""

    __tablename__ = "leaves"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="leave")  # leave / frequent_permit
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    destination: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(16))
    reason_detail: Mapped[str] = mapped_column(Text, default="")
    applied_on: Mapped[date] = mapped_column(Date)
    tier: Mapped[str] = mapped_column(String(16))  # station / county / above_county
    status: Mapped[str] = mapped_column(String(16), default="applied")  # applied/approved/refused
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    returned_on: Mapped[date | None] = mapped_column(Date)
    # None when the person applied from their phone (applied_via "self", docs/domain.md §7.12)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_via: Mapped[str] = mapped_column(String(16), default="staff", server_default="staff")

    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Incident(TimestampMixin, VersionMixin, Base):
    """脱管 (absconding), 重新犯罪 (reoffending), detention by another authority."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    police_notified_on: Mapped[date | None] = mapped_column(Date)
    procuratorate_notified_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    searches: Mapped[list[IncidentSearch]] = relationship(order_by="IncidentSearch.searched_on")


class IncidentSearch(TimestampMixin, Base):
    """One step of the search log: calls, location check, home visit, family."""

    __tablename__ = "incident_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    searched_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class MonitoringEpisode(TimestampMixin, VersionMixin, Base):
    """电子定位: at most 3 months per approval, renewable."""

    __tablename__ = "monitoring_episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    ground: Mapped[str] = mapped_column(String(32))
    approved_by: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # current approved end (after extensions)
    removed_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    extensions: Mapped[list[MonitoringExtension]] = relationship(
        order_by="MonitoringExtension.extended_on"
    )


class MonitoringExtension(TimestampMixin, Base):
    __tablename__ = "monitoring_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("monitoring_episodes.id"), index=True)
    extended_on: Mapped[date] = mapped_column(Date)
    new_ends_on: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(100))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class MedicalReview(TimestampMixin, VoidableMixin, Base):
    """暂外 保外就医: a re-examination result every 3 months."""

    __tablename__ = "medical_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    examined_on: Mapped[date] = mapped_column(Date)
    hospital: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[str] = mapped_column(Text, default="")
    conditions_persist: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class TeamMember(TimestampMixin, Base):
    """矫正小组 member."""

    __tablename__ = "case_team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(100), default="")
    sex: Mapped[str] = mapped_column(String(8))
    phone: Mapped[str] = mapped_column(String(50), default="")
    removed_on: Mapped[date | None] = mapped_column(Date)


class CorrectionPlan(TimestampMixin, Base):
    """矫正方案: every revision is kept."""

    __tablename__ = "correction_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    adopted_on: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class ChecklistItem(TimestampMixin, Base):
    """The release checklist (docs/domain.md §3.13), opened 30 days before the term end."""

    __tablename__ = "release_checklist"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("correction_cases.id"), index=True)
    item: Mapped[str] = mapped_column(String(32))
    done_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")  # appraisal: the 安置帮教 recommendation
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
