"""预警处置 pages: the list, one alert with its steps (usable on a phone), the unit's area,
and the 信息化核查 import (docs/domain.md §7.11)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from corrections import clock
from corrections.alerts import services
from corrections.alerts.models import ALERT_KINDS, ALERT_STATUSES, OUTCOMES
from corrections.auth.models import Station
from corrections.auth.scope import scope, station_in_scope
from corrections.errors import DomainError
from corrections.extensions import db
from corrections.supervision import services as supervision
from corrections.supervision.models import INCIDENT_KINDS, SANCTION_KINDS
from corrections.web import (
    load_upload_meta,
    page_args,
    paginate,
    role_required,
    save_upload_meta,
    upload_dir,
)

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


def _stations():
    return (
        db.session.execute(scope(select(Station), current_user, Station).order_by(Station.code))
        .scalars()
        .all()
    )


@bp.route("/")
@login_required
def index():
    status = request.args.get("status", "active")
    kind = request.args.get("kind") or None
    code = request.args.get("station") or None
    station = None
    if code:
        station = db.session.execute(
            select(Station).where(Station.code == code)
        ).scalar_one_or_none()
        if station is None or not station_in_scope(current_user, station):
            station = None
    if kind not in ALERT_KINDS:
        kind = None
    query = services.alerts_query(
        current_user,
        status=status if status in ALERT_STATUSES else None,
        kind=kind,
        station=station,
        open_only=status == "active",
    )
    if status == "active":
        query = query.order_by(None).order_by(services.Alert.due_by, services.Alert.id)
    page, per_page = page_args()
    alerts = paginate(query, page, per_page)
    return render_template(
        "alerts/index.html",
        alerts=alerts,
        status=status,
        kind=kind,
        station=code,
        stations=_stations(),
        kinds=ALERT_KINDS,
        statuses=ALERT_STATUSES,
        counts=services.counts_by_status(current_user),
        now=clock.now_utc(),
    )


@bp.route("/<int:alert_id>")
@login_required
def show(alert_id: int):
    alert = services.get_alert(current_user, alert_id)
    suggested = "admonition"
    if alert.is_open and alert.case.status == "active":
        found = supervision.suggestions(alert.case).get("sanctions") or []
        if found:
            suggested = found[0].kind
    return render_template(
        "alerts/show.html",
        alert=alert,
        outcomes=OUTCOMES,
        sanction_kinds=[
            k for k in SANCTION_KINDS if k != "commendation" and _sanction_fits(alert.case, k)
        ],
        incident_kinds=INCIDENT_KINDS,
        suggested=suggested,
        now=clock.now_utc(),
    )


def _sanction_fits(case, kind: str) -> bool:
    if kind == "custody_request":
        return case.correction_type == "temporary_release"
    if kind == "revocation_request":
        return case.correction_type in ("probation", "parole")
    return True


@bp.route("/<int:alert_id>/steps", methods=["POST"])
@role_required("writer")
def step(alert_id: int):
    alert = services.get_alert(current_user, alert_id)
    form = request.form
    data = {
        "action": form.get("action", ""),
        "note": form.get("note", ""),
        "outcome": form.get("outcome") or None,
    }
    if data["outcome"] == "sanction_proposed":
        data["sanction_kind"] = form.get("sanction_kind", "")
    if data["outcome"] == "incident_opened":
        data["incident_kind"] = form.get("incident_kind") or "absconded"
        if form.get("occurred_on"):
            data["occurred_on"] = form.get("occurred_on")
    try:
        services.take_step(current_user, alert, data)
    except DomainError as e:
        db.session.rollback()
        details = "；".join(f"{v}" for v in e.fields.values())
        flash(e.message + (f"（{details}）" if details else ""), "danger")
        return redirect(url_for("alerts.show", alert_id=alert_id))
    db.session.commit()
    flash(_("已记录：%(a)s。", a=_label("alert_action", data["action"])), "success")
    return redirect(url_for("alerts.show", alert_id=alert_id))


def _label(kind, code):
    from corrections.labels import label

    return label(kind, code)


@bp.route("/area", methods=["GET", "POST"])
@role_required("supervisor")
def area():
    """The unit's supervised area (a GeoJSON polygon or a circle), or one station's own,
    which wins over the unit's: the one area that the 信息化核查 import and self check-in
    judge 越界 against (docs/domain.md §7.11)."""
    import json

    from corrections.alerts import areas
    from corrections.auth.models import Station
    from corrections.errors import DomainError

    unit = current_user.unit
    station = None
    station_id = request.values.get("station_id", type=int)
    if station_id:
        station = db.session.get(Station, station_id)
        if station is None or station.unit_id != unit.id:
            abort(404)
    here = url_for("alerts.area", station_id=station.id) if station else url_for("alerts.area")
    errors, message, status = {}, None, 200
    if request.method == "POST":
        try:
            if request.form.get("shape") == "clear" and station is not None:
                areas.clear_station_area(current_user, unit, station)
            else:
                areas.save_area(current_user, unit, request.form, station=station)
        except DomainError as e:
            db.session.rollback()
            errors, message, status = e.fields, _("辖区范围无效：%(e)s", e=e.message), e.status
        else:
            db.session.commit()
            flash(_("已保存辖区范围。"), "success")
            return redirect(here)
    row = areas.own_row(unit, station)
    form = request.form if request.method == "POST" else {}
    saved = json.dumps(row.geojson, ensure_ascii=False, indent=1) if row and row.geojson else ""
    return render_template(
        "alerts/area.html",
        row=row,
        station=station,
        stations=unit.stations,
        geojson=form.get("geojson", saved) if form.get("shape") != "circle" else saved,
        form=form,
        errors=errors,
        message=message,
    ), status


# --------------------------------------------------------------------------- 信息化核查 import

_IMPORT_ID = __import__("re").compile(r"^[0-9a-f]{32}$")


_IMPORTS = "location_imports"


def _import_dir() -> str:
    return upload_dir(_IMPORTS)


def _import_meta(import_id: str) -> dict:
    return load_upload_meta(_IMPORTS, import_id)


def _save_meta(import_id: str, meta: dict) -> None:
    save_upload_meta(_IMPORTS, import_id, meta)


def _progress(import_id: str, meta: dict, state: str):
    def report(done: int, total: int) -> None:
        meta["progress"] = {"done": done, "total": total, "state": state}
        _save_meta(import_id, meta)

    return report


def _run_stored(import_id: str, meta: dict, *, dry_run: bool, selected=None):
    import os

    from corrections.alerts import location_import as li

    path = os.path.join(_import_dir(), meta["stored"])
    with open(path, "rb") as fh:
        return li.run_location_import(
            current_user,
            meta["filename"],
            fh,
            dry_run=dry_run,
            selected=selected,
            mapping_override=meta.get("mapping_override"),
            progress=_progress(import_id, meta, "importing" if not dry_run else "checking"),
        )


@bp.route("/import", methods=["GET", "POST"])
@role_required("writer")
def import_page():
    """Upload → dry run (the three lists) → raise alerts for the selected rows."""
    import os
    import uuid

    from corrections.alerts import location_import as li

    if request.method == "GET":
        remembered = li.remembered_mapping(current_user.unit_id) if current_user.unit_id else None
        return render_template(
            "alerts/import.html",
            remembered=remembered,
            labels=li.FIELD_LABELS,
            import_id=uuid.uuid4().hex,
        )
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择要导入的 .csv 或 .xlsx 文件。"), "danger")
        return (
            render_template(
                "alerts/import.html",
                remembered=None,
                labels=li.FIELD_LABELS,
                import_id=uuid.uuid4().hex,
            ),
            422,
        )
    filename = os.path.basename(upload.filename)
    ext = os.path.splitext(filename)[1].lower()
    import_id = request.form.get("import_id") or uuid.uuid4().hex
    if not _IMPORT_ID.match(import_id):
        import_id = uuid.uuid4().hex
    stored = import_id + (ext if ext in (".csv", ".txt", ".xlsx", ".xlsm") else ".bin")
    upload.save(os.path.join(_import_dir(), stored))
    meta = {
        "user_id": current_user.id,
        "filename": filename,
        "stored": stored,
        "progress": {"done": 0, "total": 1, "state": "checking"},
    }
    _save_meta(import_id, meta)
    return _check(import_id, meta)


def _check(import_id: str, meta: dict):
    from corrections.alerts import location_import as li
    from corrections.errors import ValidationFailed

    try:
        result = _run_stored(import_id, meta, dry_run=True)
    except ValidationFailed as e:
        db.session.rollback()
        meta["error"] = e.message
        meta["progress"] = {"done": 1, "total": 1, "state": "refused"}
        _save_meta(import_id, meta)
        return _result_page(import_id, meta, None, status=422)
    db.session.rollback()  # a dry run writes nothing
    meta.pop("error", None)
    meta["result"] = li.result_json(result)
    meta["progress"] = {"done": 1, "total": 1, "state": "checked"}
    _save_meta(import_id, meta)
    if request.headers.get("X-Requested-With") == "fetch":
        from flask import jsonify

        return jsonify({"redirect": url_for("alerts.import_result", import_id=import_id)})
    return redirect(url_for("alerts.import_result", import_id=import_id))


def _result_page(import_id: str, meta: dict, result: dict | None, status: int = 200):
    from corrections.alerts import location_import as li

    return (
        render_template(
            "alerts/import_result.html",
            import_id=import_id,
            meta=meta,
            result=result,
            lists=li.LISTS,
            fields=li.FIELDS,
            labels=li.FIELD_LABELS,
        ),
        status,
    )


@bp.route("/import/<import_id>")
@role_required("writer")
def import_result(import_id: str):
    meta = _import_meta(import_id)
    return _result_page(import_id, meta, meta.get("result"), 422 if meta.get("error") else 200)


@bp.route("/import/<import_id>/progress")
@login_required
def import_progress(import_id: str):
    from flask import jsonify

    meta = _import_meta(import_id) if _IMPORT_ID.match(import_id) else None
    if meta is None:
        abort(404)
    return jsonify(meta.get("progress", {}))


@bp.route("/import/<import_id>/mapping", methods=["POST"])
@role_required("writer")
def import_mapping(import_id: str):
    """The officer names the columns the page could not recognise; the dry run runs again."""
    meta = _import_meta(import_id)
    headers = request.form.getlist("header")
    fields = request.form.getlist("field")
    meta["mapping_override"] = {h: f for h, f in zip(headers, fields, strict=False)}
    _save_meta(import_id, meta)
    return _check(import_id, meta)


@bp.route("/import/<import_id>/confirm", methods=["POST"])
@role_required("writer")
def import_confirm(import_id: str):
    import os

    from corrections.alerts import location_import as li
    from corrections.errors import ValidationFailed

    meta = _import_meta(import_id)
    selected = set(request.form.getlist("item"))
    if not selected:
        flash(_("请至少选择一行。"), "warning")
        return redirect(url_for("alerts.import_result", import_id=import_id))
    try:
        result = _run_stored(import_id, meta, dry_run=False, selected=selected)
    except ValidationFailed as e:
        db.session.rollback()
        flash(e.message, "danger")
        return redirect(url_for("alerts.import_result", import_id=import_id))
    db.session.commit()
    meta["result"] = li.result_json(result)
    meta["done"] = True
    meta["progress"] = {"done": 1, "total": 1, "state": "imported"}
    _save_meta(import_id, meta)
    import contextlib

    with contextlib.suppress(FileNotFoundError):  # the upload is not kept once imported
        os.remove(os.path.join(_import_dir(), meta["stored"]))
    flash(
        _("已为选中的%(n)d行发出%(m)d条预警（已有未办结同类预警的对象不重复预警）。",
          n=len(selected), m=result.alerts_created),
        "success",
    )  # fmt: skip
    return redirect(url_for("alerts.import_result", import_id=import_id))
