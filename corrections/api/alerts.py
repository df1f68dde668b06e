"""/api/v1/alerts: 预警处置 (docs/api.md: Alerts; docs/domain.md §7.11) and the 信息化核查
import. Error order: 403 (role), 404 (alert in scope), 400, 422, 409."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from corrections.alerts import services
from corrections.alerts.models import ALERT_KINDS, ALERT_STATUSES, OUTCOMES, STEP_ACTIONS, Alert
from corrections.api import (
    bp,
    current_api_user,
    json_body,
    page_from_args,
    page_json,
    require_writer,
)
from corrections.api import openapi as doc
from corrections.api.common import (
    BOOL,
    INT,
    NULL_INT,
    TEXT,
    VERSION,
    answer,
    get_one,
    get_page,
    obj,
    post,
    query_fields,
    query_params,
    station_filter,
    string,
)
from corrections.api.openapi import timestamp
from corrections.errors import ValidationFailed
from corrections.supervision.models import INCIDENT_KINDS, SANCTION_KINDS
from corrections.web import paginate


def step_json(step) -> dict:
    return {
        "at": timestamp(step.at),
        "by": step.by.username if step.by is not None else None,
        "action": step.action,
        "note": step.note or "",
    }


def alert_json(alert: Alert) -> dict:
    return {
        "id": alert.id,
        "case_id": alert.case_id,
        "person_id": alert.person_id,
        "station": alert.case.station.code if alert.case and alert.case.station else None,
        "kind": alert.kind,
        "cause": alert.cause,
        "message": alert.message,
        "raised_at": timestamp(alert.raised_at),
        "due_by": timestamp(alert.due_by),
        "status": alert.status,
        "assigned_to": alert.assigned_to.username if alert.assigned_to else None,
        "outcome": alert.outcome,
        "closed_at": timestamp(alert.closed_at),
        "closed_on_time": alert.closed_on_time,
        "cleared_at": timestamp(alert.cleared_at),
        "escalated_at": timestamp(alert.escalated_at),
        "sanction_id": alert.sanction_id,
        "incident_id": alert.incident_id,
        "steps": [step_json(s) for s in alert.steps],
        "version": alert.version,
    }


@bp.get("/alerts")
def list_alerts():
    page, per_page = page_from_args()
    f = query_fields("status", "kind", "case_id")
    status = f.choice("status", ALERT_STATUSES, required=False)
    kind = f.choice("kind", ALERT_KINDS, required=False)
    case_id = f.integer("case_id", required=False)
    station = station_filter(f)
    f.raise_if_errors()
    query = services.alerts_query(
        current_api_user(), status=status, kind=kind, station=station, case_id=case_id
    )
    return page_json(paginate(query, page, per_page), alert_json)


@bp.get("/alerts/<int:alert_id>")
def get_alert(alert_id: int):
    return jsonify(alert_json(services.get_alert(current_api_user(), alert_id)))


@bp.post("/alerts/<int:alert_id>/steps")
def alert_step(alert_id: int):
    require_writer()
    user = current_api_user()
    alert = services.get_alert(user, alert_id)
    data = json_body()
    services.take_step(user, alert, data)
    return answer(200, lambda: alert_json(alert))


@bp.post("/alerts/import")
def import_locations():
    from corrections.alerts import location_import as li

    require_writer()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(_("请选择要导入的文件。"), fields={"file": _("必填")})
    raw_dry = (request.form.get("dry_run") or request.args.get("dry_run") or "").strip().lower()
    if raw_dry not in ("", "true", "false", "1", "0"):
        raise ValidationFailed(_("dry_run 应为 true 或 false。"), fields={"dry_run": _("无效")})
    dry_run = raw_dry in ("true", "1")
    selected = request.form.get("selected")
    user = current_api_user()
    result = li.run_location_import(
        user,
        upload.filename,
        upload.stream,
        dry_run=dry_run,
        selected=li.parse_selection(selected) if selected else None,
        mapping_override=li.parse_mapping_override(request.form.get("mapping")),
    )
    return answer(200, lambda: li.result_json(result))


# --------------------------------------------------------------------------- OpenAPI

_STEP = obj(
    ["at", "by", "action", "note"],
    at=string(fmt="date-time"),
    by=string(nullable=True),
    action=string(["raise", *STEP_ACTIONS, "escalate", "cleared"]),
    note=TEXT,
)
doc.EXTRA_SCHEMAS["Alert"] = obj(
    [],
    id=INT,
    case_id=INT,
    person_id=INT,
    station=string(nullable=True),
    kind=string(ALERT_KINDS),
    cause=TEXT,
    message=TEXT,
    raised_at=string(fmt="date-time"),
    due_by=string(fmt="date-time"),
    status=string(ALERT_STATUSES),
    assigned_to=string(nullable=True),
    outcome=string(OUTCOMES, nullable=True),
    closed_at=string(fmt="date-time", nullable=True),
    closed_on_time={"type": "boolean", "nullable": True},
    cleared_at=string(fmt="date-time", nullable=True),
    escalated_at=string(fmt="date-time", nullable=True),
    sanction_id=NULL_INT,
    incident_id=NULL_INT,
    steps={"type": "array", "items": _STEP},
    version=INT,
)
doc.EXTRA_SCHEMAS["LocationImportResult"] = obj(
    [],
    rows=INT,
    matched=INT,
    unmatched={"type": "array", "items": obj([], line=INT, reason=TEXT)},
    duplicates=INT,
    lists=obj(
        [],
        location_anomaly=INT,
        outside_area=INT,
        location_missing=INT,
    ),
    items={"type": "array", "items": {"type": "object"}},
    mapping={"type": "object"},
    dry_run=BOOL,
    alerts_created=INT,
)
doc.EXTRA_PATHS["/alerts"] = get_page(
    "Alerts in the user's scope (预警处置)",
    "Alert",
    query_params(
        status=string(ALERT_STATUSES),
        kind=string(ALERT_KINDS),
        station=string(description="station code"),
        case_id=INT,
    ),
)
doc.EXTRA_PATHS["/alerts/{alert_id}"] = get_one("One alert with its steps", "Alert", "alert_id")
doc.EXTRA_PATHS["/alerts/{alert_id}/steps"] = post(
    "A workflow step: verify, handle or close (close needs outcome)",
    obj(
        ["action", "note"],
        action=string(STEP_ACTIONS),
        note=TEXT,
        outcome=string(OUTCOMES),
        sanction_kind=string(SANCTION_KINDS, description="sanction_proposed: recorded now"),
        sanction_id=INT,
        incident_kind=string(INCIDENT_KINDS, description="incident_opened (default absconded)"),
        incident_id=INT,
        occurred_on=string(fmt="date"),
        version=VERSION,
    ),
    "200",
    "Alert",
    "alert_id",
    conflict=True,
)
doc.EXTRA_PATHS["/alerts/import"] = {
    "post": {
        "summary": "信息化核查: import the carrier platform's location-check export",
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "dry_run": {"type": "string", "enum": ["true", "false"]},
                            "selected": {
                                "type": "string",
                                "description": "comma-separated item keys to raise "
                                "(default: every item)",
                            },
                            "mapping": {
                                "type": "string",
                                "description": "JSON object column header → field",
                            },
                        },
                    }
                }
            },
        },
        "responses": doc._responses("200", doc._ref("LocationImportResult"), 403, 422),
    }
}
