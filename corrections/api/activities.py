"""/api/v1/activities: group sessions of education, public service, counselling and
assistance (docs/api.md; docs/domain.md §3.6). One session, many attendees (人次)."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from corrections.activities import services
from corrections.activities.models import ACTIVITY_KINDS, Activity
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
    DATE,
    INT,
    NUMBER,
    TEXT,
    answer,
    get_one,
    get_page,
    number,
    obj,
    post,
    query_fields,
    query_params,
    station_filter,
    string,
)
from corrections.auth.scope import scope
from corrections.web import paginate


def activity_json(activity: Activity) -> dict:
    return {
        "id": activity.id,
        "station": activity.station.code,
        "kind": activity.kind,
        "held_on": activity.held_on.isoformat(),
        "hours": number(activity.hours),
        "topic": activity.topic,
        "place": activity.place,
        "note": activity.note,
        "attendees": sorted(a.case_id for a in activity.attendances),
        "attendance_count": len(activity.attendances),
        "voided": activity.is_void,
        "void_reason": activity.void_reason,
    }


# --------------------------------------------------------------------------- reads


@bp.get("/activities")
def list_activities():
    page, per_page = page_from_args()
    f = query_fields("from", "to", "kind")
    start = f.date("from", required=False)
    end = f.date("to", required=False)
    kind = f.choice("kind", ACTIVITY_KINDS, required=False)
    station = station_filter(f)
    if start and end and end < start:
        f.error("to", _("结束日期不能早于开始日期。"))
    f.raise_if_errors()
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
    return page_json(paginate(query, page, per_page), activity_json)


@bp.get("/activities/<int:activity_id>")
def get_activity(activity_id: int):
    return jsonify(activity_json(services.get_activity(current_api_user(), activity_id)))


# --------------------------------------------------------------------------- writes


@bp.post("/activities")
def record_activity():
    require_writer()
    data = json_body()
    activity = services.record_activity(current_api_user(), data)
    return answer(201, lambda: activity_json(activity))


@bp.post("/activities/<int:activity_id>/void")
def void_activity(activity_id: int):
    require_writer()
    user = current_api_user()
    activity = services.get_activity(user, activity_id)
    data = json_body()
    services.void_activity(user, activity, data)
    return answer(200, lambda: activity_json(activity))


# --------------------------------------------------------------------------- OpenAPI

_ACTIVITY = ("activity_id",)

doc.EXTRA_SCHEMAS.update(
    {
        "Activity": obj(
            [],
            id=INT,
            station=string(description="Station code (figures count the session here)"),
            kind=string(ACTIVITY_KINDS),
            held_on=DATE,
            hours={**NUMBER, "description": "Hours per attendee (0.1–24, one decimal)"},
            topic=TEXT,
            place=TEXT,
            note=TEXT,
            attendees={
                "type": "array",
                "items": INT,
                "description": "Correction case ids (one 人次 each)",
            },
            attendance_count=INT,
            voided=BOOL,
            void_reason=string(nullable=True),
        ),
    }
)

doc.EXTRA_PATHS.update(
    {
        "/activities": {
            **get_page(
                "Sessions in scope, newest first",
                "Activity",
                query_params(
                    station=string(description="Station code"),
                    kind=string(ACTIVITY_KINDS),
                    **{"from": DATE, "to": DATE},
                ),
            ),
            **post(
                "Record a session; attendees must be active on held_on",
                obj(
                    ["station", "kind", "held_on", "hours", "attendees"],
                    station=TEXT,
                    kind=string(ACTIVITY_KINDS),
                    held_on=DATE,
                    hours={**NUMBER, "minimum": 0.1, "maximum": 24},
                    topic=TEXT,
                    place=TEXT,
                    note=TEXT,
                    attendees={"type": "array", "items": INT, "minItems": 1},
                ),
                "201",
                "Activity",
            ),
        },
        "/activities/{activity_id}": get_one("A session", "Activity", *_ACTIVITY),
        "/activities/{activity_id}/void": post(
            "Void a mistaken session (kept, stops counting)",
            obj(["reason"], reason=TEXT),
            "200",
            "Activity",
            *_ACTIVITY,
        ),
    }
)
