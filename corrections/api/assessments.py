"""/api/v1/assessments: 调查评估, pre-sentence investigations (docs/api.md; docs/domain.md §3.2).

Writes check the role (403), then the investigation in scope (404), then the body
(400), then call the service (422); an optional ``version`` answers 409 when stale.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from corrections.api import (
    current_api_user,
    page_json,
    read_query,
    require_writer,
    versioned_action,
    write_body,
)
from corrections.api.openapi import SCOPED, action_routes, listing, operation, write
from corrections.api.records import assessments as records
from corrections.assessments import schemas as bodies
from corrections.assessments import services
from corrections.assessments.models import Assessment
from corrections.auth.scope import get_in_scope, scope
from corrections.web import paginate


def _assessment(assessment_id: int) -> Assessment:
    return get_in_scope(Assessment, assessment_id, current_api_user())


# --------------------------------------------------------------------------- reads


@listing(
    "/assessments",
    "Investigations in scope, open first (by due date); with overdue_on only the open ones "
    "whose due_on is before that date",
    records.Assessment,
    records.AssessmentQuery,
)
def list_assessments():
    user = current_api_user()
    page, per_page, v, station = read_query(records.AssessmentQuery)
    overdue_on, status = v.overdue_on, v.status
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
    return page_json(found, lambda a: records.Assessment.of(a, overdue_on))


@operation(
    "get",
    "/assessments/<int:assessment_id>",
    "An investigation",
    ok=records.Assessment,
    errors=SCOPED,
)
def get_assessment(assessment_id: int):
    return records.Assessment.of(_assessment(assessment_id))


# --------------------------------------------------------------------------- writes


@write(
    "/assessments",
    "Register a commission (the answer includes due_on, or null and due_note)",
    records.Assessment,
    bodies.AssessmentCreate,
    status=201,
)
def register_assessment():
    require_writer()
    return write_body(services.register_assessment, records.Assessment.of, status=201)


action_routes(
    "/assessments/<int:assessment_id>/{}",
    records.Assessment,
    versioned_action(_assessment, records.Assessment.of),
    [
        (
            "extend_assessment",
            "extend",
            "Extend the deadline by working days, with a reason",
            bodies.ExtendBody,
            services.extend_assessment,
        ),
        (
            "complete_assessment",
            "complete",
            "Record the completion and the opinion",
            bodies.CompleteBody,
            services.complete_assessment,
        ),
    ],
)
