"""/api/v1/activities: group sessions of education, public service, counselling and
assistance (docs/api.md; docs/domain.md §3.6). One session, many attendees (人次)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from corrections.activities import services
from corrections.activities.models import Activity
from corrections.activities.schemas import ActivityBody
from corrections.api import (
    act_on,
    current_api_user,
    page_json,
    read_query,
    require_writer,
    write_body,
)
from corrections.api.openapi import SCOPED, listing, operation, write
from corrections.api.records import activities as records
from corrections.auth.scope import scope
from corrections.core.voiding import VoidBody
from corrections.web import paginate

# --------------------------------------------------------------------------- reads


def _period_in_order(f, v) -> None:
    if v.from_ and v.to and v.to < v.from_:
        f.error("to", _("结束日期不能早于开始日期。"))


@listing(
    "/activities",
    "Sessions in scope, newest first",
    records.Activity,
    records.ActivityQuery,
)
def list_activities():
    page, per_page, v, station = read_query(records.ActivityQuery, _period_in_order)
    start, end, kind = v.from_, v.to, v.kind
    query = scope(select(Activity), current_api_user(), Activity)
    if start:
        query = query.where(Activity.held_on >= start)
    if end:
        query = query.where(Activity.held_on <= end)
    if kind:
        query = query.where(Activity.kind == kind)
    if station:
        query = query.where(Activity.station_id == station.id)
    query = query.options(
        selectinload(Activity.station), selectinload(Activity.attendances)
    ).order_by(Activity.held_on.desc(), Activity.id.desc())
    return page_json(paginate(query, page, per_page), records.Activity.of)


@operation("get", "/activities/<int:activity_id>", "A session", ok=records.Activity, errors=SCOPED)
def get_activity(activity_id: int):
    return records.Activity.of(services.get_activity(current_api_user(), activity_id))


# --------------------------------------------------------------------------- writes


@write(
    "/activities",
    "Record a session; attendees must be active on held_on",
    records.Activity,
    ActivityBody,
    status=201,
)
def record_activity():
    require_writer()
    return write_body(services.record_activity, records.Activity.of, status=201)


@write(
    "/activities/<int:activity_id>/void",
    "Void a mistaken session (kept, stops counting)",
    records.Activity,
    VoidBody,
)
def void_activity(activity_id: int):
    require_writer()
    activity = services.get_activity(current_api_user(), activity_id)
    return act_on(activity, records.Activity.of, services.void_activity, activity)
