"""/api/v1 self check-in (自助报到): enrolment, requests, the review queue (docs/api.md;
docs/domain.md §7.12)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from corrections.api import (
    act_on,
    answer,
    bp,
    current_api_user,
    json_body,
    page_json,
    read_query,
    require_writer,
    write_body,
)
from corrections.api.openapi import SCOPED, listing, operation, write
from corrections.api.records import checkins as records
from corrections.auth.scope import get_in_scope
from corrections.checkin import schemas as bodies
from corrections.checkin import services
from corrections.checkin.models import Checkin
from corrections.errors import NotFound
from corrections.supervision.models import CorrectionCase
from corrections.web import paginate

_ENROLMENT = "/corrections/<int:case_id>/checkin-enrolment"


def _case(case_id: int) -> CorrectionCase:
    return get_in_scope(CorrectionCase, case_id, current_api_user())


@bp.route("/corrections/<int:case_id>/checkin-enrolment", methods=["GET", "POST", "DELETE"])
@write(
    _ENROLMENT,
    "Enrol the person in self check-in (code valid 7 days, single use)",
    records.CheckinEnrolment,
    bodies.EnrolBody,
    status=201,
    conflict=True,
    route=False,
)
@operation(
    "get",
    _ENROLMENT,
    "The case's current enrolment",
    ok=records.CheckinEnrolment,
    errors=SCOPED,
    route=False,
)
@operation(
    "delete",
    _ENROLMENT,
    "End the enrolment",
    ok=records.CheckinEnrolment,
    errors=(403, 404),
    route=False,
)
def checkin_enrolment(case_id: int):
    """One rule for the three methods, so an id out of range is 404 for each of them."""
    if request.method == "POST":
        require_writer()
        case = _case(case_id)
        data = json_body()
        enrolment, code = services.enrol(current_api_user(), case, data)
        return answer(201, lambda: records.CheckinEnrolment.of(enrolment, code))
    if request.method == "DELETE":
        require_writer()
    case = _case(case_id)
    enrolment = services.enrolment_of(case)
    if enrolment is None:
        raise NotFound(_("该对象未登记自助报到。"))
    if request.method == "DELETE":
        services.end_enrolment(current_api_user(), enrolment)
        return answer(200, lambda: records.CheckinEnrolment.of(enrolment))
    return records.CheckinEnrolment.of(enrolment)


@write(
    "/corrections/<int:case_id>/checkins",
    "Request a check-in (default due_by: 24 h later)",
    records.Checkin,
    bodies.CheckinRequest,
    status=201,
    conflict=True,
)
def request_checkin(case_id: int):
    require_writer()
    return write_body(services.request_checkin, records.Checkin.of, _case(case_id), status=201)


def _checkin(checkin_id: int) -> Checkin:
    checkin = services.checkin_in_scope(current_api_user(), checkin_id)
    if checkin is None:
        raise NotFound(_("记录不存在，或不在您的管辖范围内。"))
    return checkin


@listing(
    "/checkins",
    "The review queue, oldest first",
    records.Checkin,
    records.CheckinQuery,
)
def list_checkins():
    page, per_page, v, station = read_query(records.CheckinQuery)
    query = services.queue_query(current_api_user(), status=v.status, case_id=v.case_id)
    if station:
        query = query.where(CorrectionCase.station_id == station.id)
    return page_json(paginate(query, page, per_page), records.Checkin.of)


@operation("get", "/checkins/<int:checkin_id>", "A check-in", ok=records.Checkin, errors=SCOPED)
def get_checkin(checkin_id: int):
    return records.Checkin.of(_checkin(checkin_id))


@write(
    "/checkins/<int:checkin_id>/review",
    "Review a submitted check-in: accepted records an info_check contact",
    records.Checkin,
    bodies.ReviewBody,
    conflict=True,
)
def review_checkin(checkin_id: int):
    require_writer()
    checkin = _checkin(checkin_id)
    return act_on(checkin, records.Checkin.of, services.review, checkin)
