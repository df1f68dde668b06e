"""/api/v1/assessments: 调查评估, pre-sentence investigations (docs/api.md; docs/domain.md §3.2).

Writes check the role (403), then the investigation in scope (404), then the body
(400), then call the service (422); an optional ``version`` answers 409 when stale.
"""

from __future__ import annotations

from datetime import date

from flask import jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from corrections import clock
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
    NULL_DATE,
    NULL_INT,
    TEXT,
    VERSION,
    answer,
    check_version,
    get_one,
    get_page,
    given_version,
    iso,
    obj,
    post,
    query_fields,
    query_params,
    station_filter,
    string,
)
from corrections.assessments import services
from corrections.assessments.models import COMMISSIONERS, OPINIONS, Assessment
from corrections.auth.scope import get_in_scope, scope
from corrections.supervision.models import CORRECTION_TYPES
from corrections.web import paginate

STATUSES = ("open", "completed")


def assessment_json(assessment: Assessment, overdue_on: date | None = None) -> dict:
    today = clock.today()
    body = {
        "id": assessment.id,
        "version": assessment.version,
        "station": assessment.station.code,
        "name": assessment.name,
        "id_number": assessment.id_number,
        "person_id": assessment.person_id,
        "commissioned_by": assessment.commissioned_by,
        "commissioning_body": assessment.commissioning_body,
        "crime": assessment.crime,
        "proposed_type": assessment.proposed_type,
        "fast_track": assessment.fast_track,
        "received_on": assessment.received_on.isoformat(),
        "due_on": iso(assessment.due_on),
        "due_note": assessment.due_note,
        "extensions": [
            {
                "working_days": e.working_days,
                "reason": e.reason,
                "extended_on": e.extended_on.isoformat(),
            }
            for e in assessment.extensions
        ],
        "status": "open" if assessment.completed_on is None else "completed",
        "days_left": services.days_left(assessment, today),
        "overdue": services.is_overdue(assessment, today),
        "completed_on": iso(assessment.completed_on),
        "opinion": assessment.opinion,
        "opinion_note": assessment.opinion_note,
        "correction_case_id": assessment.correction_case_id,
    }
    if overdue_on is not None and assessment.due_on is not None:
        body["days_overdue"] = (overdue_on - assessment.due_on).days
    return body


def _assessment(assessment_id: int) -> Assessment:
    return get_in_scope(Assessment, assessment_id, current_api_user())


# --------------------------------------------------------------------------- reads


@bp.get("/assessments")
def list_assessments():
    user = current_api_user()
    page, per_page = page_from_args()
    f = query_fields("overdue_on", "status")
    overdue_on = f.date("overdue_on", required=False)
    status = f.choice("status", STATUSES, required=False)
    station = station_filter(f)
    f.raise_if_errors()
    if overdue_on is not None:
        # Open investigations whose due date is before that day, most overdue first.
        query = services.open_assessments(user, overdue_on)
    else:
        query = scope(select(Assessment), user, Assessment).order_by(
            Assessment.completed_on.is_not(None),  # open first
            Assessment.due_on.is_(None),
            Assessment.due_on,
            Assessment.completed_on.desc(),
            Assessment.id,
        )
    if status == "open":
        query = query.where(Assessment.completed_on.is_(None))
    elif status == "completed":
        query = query.where(Assessment.completed_on.is_not(None))
    if station is not None:
        query = query.where(Assessment.station_id == station.id)
    query = query.options(selectinload(Assessment.station), selectinload(Assessment.extensions))
    found = paginate(query, page, per_page)
    return page_json(found, lambda a: assessment_json(a, overdue_on))


@bp.get("/assessments/<int:assessment_id>")
def get_assessment(assessment_id: int):
    return jsonify(assessment_json(_assessment(assessment_id)))


# --------------------------------------------------------------------------- writes


@bp.post("/assessments")
def register_assessment():
    require_writer()
    data = json_body()
    assessment = services.register_assessment(current_api_user(), data)
    return answer(201, lambda: assessment_json(assessment))


def _action(assessment_id: int, action):
    require_writer()
    assessment = _assessment(assessment_id)
    data = json_body()
    given, stored = given_version(data), assessment.version
    action(current_api_user(), assessment, data)
    check_version(given, stored)
    return answer(200, lambda: assessment_json(assessment))


@bp.post("/assessments/<int:assessment_id>/extend")
def extend_assessment(assessment_id: int):
    return _action(assessment_id, services.extend_assessment)


@bp.post("/assessments/<int:assessment_id>/complete")
def complete_assessment(assessment_id: int):
    return _action(assessment_id, services.complete_assessment)


# --------------------------------------------------------------------------- OpenAPI

_ASSESSMENT = ("assessment_id",)

doc.EXTRA_SCHEMAS.update(
    {
        "Assessment": obj(
            [],
            id=INT,
            version=INT,
            station=string(description="Station code"),
            name=TEXT,
            id_number=string(nullable=True),
            person_id={**NULL_INT, "description": "The registered person with this ID number"},
            commissioned_by=string(COMMISSIONERS),
            commissioning_body=TEXT,
            crime=TEXT,
            proposed_type=string(CORRECTION_TYPES, nullable=True),
            fast_track=BOOL,
            received_on=DATE,
            due_on={
                **NULL_DATE,
                "description": "10th (速裁: 5th) working day after receipt, plus extensions; "
                "null while the working-day calendar does not cover the dates",
            },
            due_note=string(nullable=True, description="Why due_on is null"),
            extensions={
                "type": "array",
                "items": obj(
                    ["working_days", "reason", "extended_on"],
                    working_days=INT,
                    reason=TEXT,
                    extended_on=DATE,
                ),
            },
            status=string(STATUSES),
            days_left={"type": "integer", "nullable": True, "description": "Open only; today"},
            overdue={"type": "boolean", "description": "Open and past due_on today"},
            completed_on=NULL_DATE,
            opinion=string(OPINIONS, nullable=True),
            opinion_note=TEXT,
            correction_case_id=NULL_INT,
            days_overdue={
                "type": "integer",
                "description": "Only in a list with overdue_on: overdue_on − due_on",
            },
        ),
    }
)

doc.EXTRA_PATHS.update(
    {
        "/assessments": {
            **get_page(
                "Investigations in scope, open first (by due date); with overdue_on only the "
                "open ones whose due_on is before that date",
                "Assessment",
                query_params(
                    overdue_on=DATE,
                    status=string(STATUSES),
                    station=string(description="Station code"),
                ),
            ),
            **post(
                "Register a commission (the answer includes due_on, or null and due_note)",
                obj(
                    ["station", "name", "commissioned_by", "received_on"],
                    station=TEXT,
                    name=string(maxLength=100),
                    id_number=string(minLength=18, maxLength=18),
                    commissioned_by=string(COMMISSIONERS),
                    commissioning_body=TEXT,
                    crime=TEXT,
                    proposed_type=string(CORRECTION_TYPES),
                    received_on=DATE,
                    fast_track=BOOL,
                ),
                "201",
                "Assessment",
            ),
        },
        "/assessments/{assessment_id}": get_one("An investigation", "Assessment", *_ASSESSMENT),
        "/assessments/{assessment_id}/extend": post(
            "Extend the deadline by working days, with a reason",
            obj(
                ["working_days", "reason"],
                working_days={"type": "integer", "minimum": 1, "maximum": 30},
                reason=TEXT,
                version=VERSION,
            ),
            "200",
            "Assessment",
            *_ASSESSMENT,
            conflict=True,
        ),
        "/assessments/{assessment_id}/complete": post(
            "Record the completion and the opinion",
            obj(
                ["completed_on", "opinion"],
                completed_on=DATE,
                opinion=string(OPINIONS),
                opinion_note=TEXT,
                version=VERSION,
            ),
            "200",
            "Assessment",
            *_ASSESSMENT,
            conflict=True,
        ),
    }
)
