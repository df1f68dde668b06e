"""/api/v1/alerts: 预警处置 (docs/api.md: Alerts; docs/domain.md §7.11) and the 信息化核查
import. Error order: 403 (role), 404 (alert in scope), 400, 422, 409."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from corrections.alerts import services
from corrections.alerts.schemas import StepBody
from corrections.api import (
    act_on,
    answer,
    current_api_user,
    page_json,
    read_query,
    require_writer,
)
from corrections.api.openapi import SCOPED, listing, operation, write
from corrections.api.records import alerts as records
from corrections.errors import ValidationFailed
from corrections.web import paginate


@listing(
    "/alerts",
    "Alerts in the user's scope (预警处置)",
    records.Alert,
    records.AlertQuery,
)
def list_alerts():
    page, per_page, v, station = read_query(records.AlertQuery)
    user = current_api_user()
    query = services.alerts_query(
        user, status=v.status, kind=v.kind, station=station, case_id=v.case_id
    )
    return page_json(paginate(query, page, per_page), records.Alert.of)


@operation(
    "get", "/alerts/<int:alert_id>", "One alert with its steps", ok=records.Alert, errors=SCOPED
)
def get_alert(alert_id: int):
    return records.Alert.of(services.get_alert(current_api_user(), alert_id))


@write(
    "/alerts/<int:alert_id>/steps",
    "A workflow step: verify, handle or close (close needs outcome)",
    records.Alert,
    StepBody,
    conflict=True,
)
def alert_step(alert_id: int):
    require_writer()
    alert = services.get_alert(current_api_user(), alert_id)
    return act_on(alert, records.Alert.of, services.take_step, alert)


@operation(
    "post",
    "/alerts/import",
    "信息化核查: import the carrier platform's location-check export",
    ok=records.LocationImportResult,
    form=records.LocationImportForm,
    errors=(403, 422),
)
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
    return answer(200, lambda: records.LocationImportResult.dump(**li.result_json(result)))
