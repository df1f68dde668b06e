"""Alerts, 预警处置, and the 信息化核查 import (docs/api.md: Alerts; docs/domain.md §7.11)."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict

from corrections.alerts.models import ALERT_KINDS, ALERT_STATUSES, OUTCOMES, STEP_ACTIONS
from corrections.schema import Binary, NullTimestamp, Schema, StationCode, Timestamp, doc, enum
from corrections.schema import timestamp as ts


class AlertStep(Schema):
    at: Timestamp
    by: str | None
    action: enum(("raise", *STEP_ACTIONS, "escalate", "cleared"))
    note: str

    @classmethod
    def of(cls, step) -> dict:
        by = step.by.username if step.by is not None else None
        return cls.dump(at=ts(step.at), by=by, action=step.action, note=step.note or "")


class Alert(Schema):
    id: int
    case_id: int
    person_id: int
    station: str | None
    kind: enum(ALERT_KINDS)
    cause: str
    message: str
    raised_at: Timestamp
    due_by: Timestamp
    status: enum(ALERT_STATUSES)
    assigned_to: str | None
    outcome: enum(OUTCOMES) | None
    closed_at: NullTimestamp
    closed_on_time: bool | None
    cleared_at: NullTimestamp
    escalated_at: NullTimestamp
    sanction_id: int | None
    incident_id: int | None
    steps: list[AlertStep]
    version: int

    @classmethod
    def of(cls, alert) -> dict:
        return cls.of_row(
            alert,
            station=alert.case.station.code if alert.case and alert.case.station else None,
            raised_at=ts(alert.raised_at),
            due_by=ts(alert.due_by),
            assigned_to=alert.assigned_to.username if alert.assigned_to else None,
            closed_at=ts(alert.closed_at),
            cleared_at=ts(alert.cleared_at),
            escalated_at=ts(alert.escalated_at),
            steps=[AlertStep.of(s) for s in alert.steps],
        )


class AlertQuery(Schema):
    status: enum(ALERT_STATUSES) = None
    kind: enum(ALERT_KINDS) = None
    station: StationCode = None
    case_id: int = None


class LocationImportForm(Schema):
    model_config = ConfigDict(extra="forbid")

    file: Binary
    dry_run: enum(("true", "false")) = None
    selected: str = doc("comma-separated item keys to raise (default: every item)", default=None)
    mapping: str = doc("JSON object column header → field", default=None)


class UnmatchedLine(Schema):
    line: int
    id_number: str
    rows: int
    reason: str


class ImportProblem(Schema):
    line: int
    message: str = doc("An unreadable time or status")


class ImportItem(Schema):
    key: str = doc("<kind>:<case_id>:<day>")
    kind: enum(("location_missing", "outside_area", "location_anomaly"))
    case_id: int
    person_id: int
    name: str
    day: date
    reason: str
    line: int | None = doc("The file's line; null for a day without any check (location_missing)")


class ImportLists(Schema):
    location_anomaly: int
    outside_area: int
    location_missing: int


class LocationImportResult(Schema):
    dry_run: bool
    rows: int
    matched: int
    unmatched: list[UnmatchedLine]
    duplicates: int
    problems: list[ImportProblem]
    encoding: str | None
    mapping: dict[str, str]
    ignored_columns: list[str]
    first_day: date | None
    last_day: date | None
    lists: ImportLists
    items: list[ImportItem]
    alerts_created: int
