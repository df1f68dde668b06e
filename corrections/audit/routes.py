"""Admin page listing audit events with filters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from corrections import clock
from corrections.audit.labels import action_label, names_by_username
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


ENTITIES = {
    "correction_case": _l("矫正案件"),
    "resettlement_case": _l("安置帮教案件"),
    "person": _l("人员档案"),
    "contact": _l("联系记录"),
    "resettlement_contact": _l("走访记录"),
    "attachment": _l("附件"),
    "user": _l("用户"),
    "station": _l("司法所"),
    "unit": _l("单位"),
    "sanction": _l("奖惩"),
    "leave": _l("外出"),
    "incident": _l("事件"),
    "assessment": _l("调查评估"),
    "lost_contact": _l("失联"),
    "case_level": _l("管理等级"),
    "team_member": _l("矫正小组成员"),
    "holiday_entry": _l("节假日"),
    "holiday_year": _l("全年节假日"),
    "deadline_rule": _l("期限规则"),
    "contact_rule": _l("联系频次规则"),
    "activity": _l("教育活动"),
    "monitoring": _l("电子定位"),
    "medical_review": _l("病情复查"),
    "correction_plan": _l("矫正方案"),
    "checklist_item": _l("解除前清单"),
    "assistance": _l("帮扶"),
    "api_token": _l("接口令牌"),
}


def entity_label(entity_type: str) -> str:
    return str(ENTITIES.get(entity_type, entity_type))


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
