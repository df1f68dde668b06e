"""Admin page listing audit events with filters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select

from corrections import clock
from corrections.audit.labels import action_label, entity_label, names_by_username
from corrections.audit.models import AuditEvent
from corrections.audit.services import verify_chain
from corrections.inputs import parse_id
from corrections.web import page_args, paginate, role_required

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _parse_day(value: str | None):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        return None


@bp.route("/")
@role_required("admin")
def index():
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    filters = {
        k: (request.args.get(k) or "").strip()
        for k in ("username", "action", "entity_type", "entity_id", "from", "to")
    }
    if filters["username"]:
        query = query.where(AuditEvent.username == filters["username"])
    if filters["action"]:
        query = query.where(AuditEvent.action.like(filters["action"].replace("%", "") + "%"))
    if filters["entity_type"]:
        query = query.where(AuditEvent.entity_type == filters["entity_type"])
    entity_id = parse_id(filters["entity_id"])
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    start, end = _parse_day(filters["from"]), _parse_day(filters["to"])
    if start and start > date.min:  # the first day there is: no lower bound
        query = query.where(
            AuditEvent.occurred_at >= datetime.combine(start, time.min, clock.CHINA)
        )
    if end and end < date.max:  # the last day there is has no day after it: no upper bound
        query = query.where(
            AuditEvent.occurred_at
            < datetime.combine(end + timedelta(days=1), time.min, clock.CHINA)
        )
    page, per_page = page_args()
    events = paginate(query, page, per_page)
    chain = verify_chain() if request.args.get("verify") else None
    names = names_by_username(e.username for e in events.items)
    return render_template(
        "audit/index.html",
        events=events,
        filters=filters,
        chain=chain,
        names=names,
        action_label=action_label,
        entity_label=entity_label,
    )
