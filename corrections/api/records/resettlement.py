"""Resettlement cases and their records (docs/api.md: Resettlement cases; docs/domain.md §4)."""

from __future__ import annotations

from datetime import date

from corrections.api.records.cases import DueItem, OverdueItem
from corrections.auth.models import User
from corrections.extensions import db
from corrections.resettlement.models import (
    ASSISTANCE_KINDS,
    CONTACT_KINDS,
    END_REASONS,
    HANDOVER_METHODS,
    PLACEMENTS,
    SOURCES,
    STATUSES,
    VERIFICATION_RESULTS,
)
from corrections.schema import Schema, doc, enum
from corrections.supervision.models import CORRECTION_TYPES

Visit = enum(("visit",))


def _username(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return user.username if user else None


class ResettlementDueItem(DueItem):
    requirement: Visit


class ResettlementOverdueItem(OverdueItem):
    requirement: Visit


class KeyChange(Schema):
    effective_on: date
    is_key: bool
    reason: str

    @classmethod
    def of(cls, row) -> dict:
        return cls.dump(effective_on=row.effective_on, is_key=row.is_key, reason=row.reason)


class ResettlementCase(Schema):
    id: int
    version: int
    person_id: int
    person_name: str
    station: str = doc("Station code")
    officer: str | None = doc("Responsible officer's username")
    source: enum(SOURCES)
    correction_type: enum(CORRECTION_TYPES) | None = doc("source correction only")
    correction_case_id: int | None
    facility: str
    crime: str
    sentence: str
    notice_received_on: date | None
    expected_release_on: date | None
    released_on: date | None
    period_ends_on: date | None = doc(
        "End of the 帮教期 (docs/domain.md §4); null until released_on"
    )
    is_key: bool = doc("Key status (重点) in force today")
    key_reason: str
    key_changes: list[KeyChange]
    recommendation: str
    verified_on: date | None
    verification_result: enum(VERIFICATION_RESULTS) | None
    handed_over_on: date | None
    handover_method: enum(HANDOVER_METHODS) | None
    placement: enum(PLACEMENTS) | None
    status: enum(STATUSES)
    ended_on: date | None
    end_reason: enum(END_REASONS) | None
    due: list[ResettlementDueItem]
    handover_overdue: bool = doc("Released and not handed over within the alert days (7)")
    period_ending_soon: bool = doc(
        "Within the reminder days (30) before period_ends_on, or past it"
    )
    period_over: bool = doc(
        "帮教期满未结案: period_ends_on has passed and the case is not ended; off "
        "rs.on_register from the day after period_ends_on (docs/domain.md §7.7)"
    )
    key_not_escorted: bool = doc("Key person handed over without escort (必接必送)")

    @classmethod
    def fields_of(cls, case, person_name: str) -> dict:
        """Every field read from the case itself (the renderer adds the computed ones)."""
        return cls.row_values(
            case,
            *("is_key", "key_changes", "due", "handover_overdue", "period_ending_soon"),
            *("period_over", "key_not_escorted"),
            person_name=person_name,
            station=case.station.code,
            officer=case.officer.username if case.officer else None,
        )


class OverdueResettlementCase(ResettlementCase):
    """A case of ``GET /resettlements?overdue_on=``: with what was overdue that day."""

    overdue: list[ResettlementOverdueItem] = None


class ResettlementCaseSummary(Schema):
    """A person's resettlement case in ``GET /people/{id}`` (short form)."""

    programme: enum(("resettlement",))
    id: int
    version: int
    status: enum(STATUSES)
    source: enum(SOURCES)
    station: str
    is_key: bool
    expected_release_on: date | None
    released_on: date | None
    period_ends_on: date | None
    handed_over_on: date | None
    ended_on: date | None
    end_reason: enum(END_REASONS) | None

    @classmethod
    def of(cls, case) -> dict:
        return cls.of_row(
            case,
            programme="resettlement",
            station=case.station.code,
        )


class ResettlementContact(Schema):
    id: int
    case_id: int
    kind: enum(CONTACT_KINDS)
    occurred_on: date
    note: str
    recorded_by: str | None
    voided: bool
    void_reason: str | None

    @classmethod
    def of(cls, contact) -> dict:
        return cls.of_row(
            contact,
            recorded_by=_username(contact.recorded_by_id),
            voided=contact.is_void,
        )


class Assistance(Schema):
    id: int
    case_id: int
    kind: enum(ASSISTANCE_KINDS)
    given_on: date
    amount: float | None
    note: str
    recorded_by: str | None
    voided: bool
    void_reason: str | None

    @classmethod
    def of(cls, row) -> dict:
        return cls.of_row(
            row,
            amount=None if row.amount is None else float(row.amount),
            recorded_by=_username(row.recorded_by_id),
            voided=row.is_void,
        )
