"""What a 社区矫正 write accepts, declared once (docs/api.md: How the API is described).

Each model is the body of an API write and the description of a web form's values: the
services read them with ``Fields.read`` (corrections/validation.py) and the OpenAPI is
generated from them. Field order is the order in which the messages of a refused form are
listed.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from corrections.core.incidents import SEARCH_METHODS
from corrections.schema import LookedUp, Schema, Version, doc, enum
from corrections.supervision.models import (
    CONTACT_KINDS,
    CORRECTION_TYPES,
    CRIME_CATEGORIES,
    GROUNDS,
    INCIDENT_KINDS,
    LEAVE_REASONS,
    LEVELS,
    MONITORING_GROUNDS,
    RELEASE_REASONS,
    SANCTION_KINDS,
    SOURCES,
    TERMINATION_REASONS,
)

Level = enum(LEVELS)
StationCode = Annotated[str, LookedUp(), Field(description="Station code")]
Username = Annotated[str | None, LookedUp()]


class CaseCreate(Schema):
    person_id: Annotated[int, LookedUp()]
    station: StationCode
    correction_type: enum(CORRECTION_TYPES)
    grounds: enum(GROUNDS) = doc("temporary_release only; default medical", default=None)
    crime_category: enum(CRIME_CATEGORIES) = None
    judgment_effective_on: date
    term_start: date
    term_end: date
    received_on: date = doc("Given: received at once (active)", default=None)
    notified_on: date = None
    source: enum(SOURCES) = "self_report"
    level: Level = "strict"
    crime: str = Field(None, max_length=200)
    sentence: str = Field(None, max_length=200)
    decision_body: str = Field(None, max_length=200)
    decision_document: str = Field(None, max_length=100)
    prohibitions: str = Field(None, max_length=2000)
    officer: Username = doc("Username; default the creating officer", default=None)


class Receive(Schema):
    received_on: date
    source: enum(SOURCES) = doc("Default: the source given at intake", default=None)
    version: Version = None


class OfficerChange(Schema):
    changed_on: date = None
    officer: Username = doc("Username; null: no responsible officer")
    version: Version = None


class StationMoveBody(Schema):
    moved_on: date
    station: StationCode
    version: Version = None


class LevelChangeBody(Schema):
    effective_on: date
    level: Level
    reason: str = Field(max_length=1000)


class ContactBody(Schema):
    kind: enum(CONTACT_KINDS)
    occurred_on: date
    note: str = Field(None, max_length=2000)
    unannounced: bool = None
    at_night: bool = None


class SanctionBody(Schema):
    kind: enum(SANCTION_KINDS)
    decided_on: date
    reason: str = Field(max_length=4000)
    investigation: str = Field(None, max_length=4000)


class SanctionProposal(Schema):
    """An officer's proposal of a sanction (web form only)."""

    kind: enum(SANCTION_KINDS)
    proposed_on: date
    reason: str = Field(max_length=4000)
    investigation: str = Field(None, max_length=4000)


class OutcomeBody(Schema):
    decided_on: date
    granted: bool


class LeaveBody(Schema):
    kind: enum(("leave", "frequent_permit")) = doc(
        "frequent_permit: 经常性跨市县活动 (county approval; ends_on from the rule table)",
        default="leave",
    )
    starts_on: date
    ends_on: date = doc("Required for a leave", default=None)
    destination: str = Field(max_length=200)
    reason: enum(LEAVE_REASONS)
    reason_detail: str = Field(None, max_length=1000)
    applied_on: date = doc("Default today", default=None)


class LeaveDecision(Schema):
    """Approved or not (审批), with the decider's comment: a leave, and on the web a
    proposed sanction or level."""

    approved: bool
    decided_on: date = doc("Default today", default=None)
    note: str = Field(
        None,
        max_length=1000,
        description="The decider's comment; required (the reason) when refusing",
    )
    version: Version = None


Decision = LeaveDecision


class LeaveReturn(Schema):
    returned_on: date
    version: Version = None


class IncidentBody(Schema):
    kind: enum(INCIDENT_KINDS)
    occurred_on: date
    note: str = Field(None, max_length=4000)


class IncidentClose(Schema):
    closed_on: date
    outcome: str = Field(max_length=2000)
    version: Version = None


class Release(Schema):
    released_on: date
    reason: enum(RELEASE_REASONS)
    version: Version = None


class Terminate(Schema):
    terminated_on: date
    reason: enum(TERMINATION_REASONS)
    version: Version = None


class TransferOut(Schema):
    transferred_on: date
    destination: str = Field(max_length=200)
    version: Version = None


class MonitoringStart(Schema):
    """Electronic monitoring (电子定位), as approved by the county head (web form only)."""

    ground: enum(MONITORING_GROUNDS)
    approved_by: str = Field(max_length=100)
    starts_on: date
    ends_on: date


class MonitoringExtension(Schema):
    """An extension of electronic monitoring (web form only)."""

    ends_on: date
    approved_by: str = Field(max_length=100)
    extended_on: date = doc("Default today", default=None)


class MedicalReviewBody(Schema):
    """A 保外就医 re-examination (web form only)."""

    examined_on: date
    hospital: str = Field(max_length=200)
    result: str = Field(max_length=4000)
    conditions_persist: bool = True


class IncidentSearchBody(Schema):
    """A search for an absconded person (web form only)."""

    searched_on: date
    method: enum(SEARCH_METHODS)
    note: str = Field(None, max_length=2000)
