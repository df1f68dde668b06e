"""/api/v1 self check-in (自助报到): enrolment, requests, the review queue (docs/api.md;
docs/domain.md §7.12)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

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
    NUMBER,
    TEXT,
    answer,
    get_page,
    obj,
    path_params,
    post,
    query_fields,
    query_params,
    station_filter,
    string,
)
from corrections.api.openapi import timestamp
from corrections.auth.scope import get_in_scope
from corrections.checkin import services
from corrections.checkin.models import CHECKIN_STATUSES, FACE_RESULTS, Checkin
from corrections.errors import NotFound
from corrections.supervision.models import CorrectionCase
from corrections.web import paginate


def enrolment_json(enrolment, code: str | None = None) -> dict:
    body = {
        "id": enrolment.id,
        "case_id": enrolment.case_id,
        "status": enrolment.status,
        "phone": enrolment.phone,
        "consent_on": enrolment.consent_on.isoformat(),
        "expires_at": timestamp(enrolment.code_expires_at) if enrolment.code_digest else None,
    }
    if code is not None:  # the code is shown once, when issued
        body["activation_code"] = code
        body["activation_url"] = services.activation_url(code)
    return body


def checkin_json(checkin: Checkin) -> dict:
    location = None
    if checkin.lat is not None:
        location = {"lat": checkin.lat, "lon": checkin.lon, "accuracy_m": checkin.accuracy_m}
    return {
        "id": checkin.id,
        "case_id": checkin.case_id,
        "status": checkin.status,
        "source": checkin.source,
        "requested_at": timestamp(checkin.requested_at),
        "due_by": timestamp(checkin.due_by),
        "questions": list(checkin.questions or []),
        "answers": list(checkin.answers or []),
        "checkin_url": services.checkin_url(checkin),
        "submitted_at": timestamp(checkin.submitted_at),
        "location": location,
        "approximate": bool(checkin.approximate),
        "outside_area": checkin.outside_area,
        "distance_m": checkin.distance_m,
        "face": checkin.face,
        "face_distance": checkin.face_distance,
        "expired_at": timestamp(checkin.expired_at),
        "reviewed_at": timestamp(checkin.reviewed_at),
        "outcome": checkin.outcome,
        "note": checkin.review_note or None,
        "contact_id": checkin.contact_id,
        "photo_deleted": checkin.photo_deleted_at is not None,
    }


def _case(case_id: int) -> CorrectionCase:
    return get_in_scope(CorrectionCase, case_id, current_api_user())


@bp.route("/corrections/<int:case_id>/checkin-enrolment", methods=["GET", "POST", "DELETE"])
def checkin_enrolment(case_id: int):
    """One rule for the three methods, so an id out of range is 404 for each of them."""
    if request.method == "POST":
        require_writer()
        case = _case(case_id)
        data = json_body()
        enrolment, code = services.enrol(current_api_user(), case, data)
        return answer(201, lambda: enrolment_json(enrolment, code))
    if request.method == "DELETE":
        require_writer()
    case = _case(case_id)
    enrolment = services.enrolment_of(case)
    if enrolment is None:
        raise NotFound(_("该对象未登记自助报到。"))
    if request.method == "DELETE":
        services.end_enrolment(current_api_user(), enrolment)
        return answer(200, lambda: enrolment_json(enrolment))
    return jsonify(enrolment_json(enrolment))


@bp.post("/corrections/<int:case_id>/checkins")
def request_checkin(case_id: int):
    require_writer()
    case = _case(case_id)
    data = json_body()
    checkin = services.request_checkin(current_api_user(), case, data)
    return answer(201, lambda: checkin_json(checkin))


def _checkin(checkin_id: int) -> Checkin:
    checkin = services.checkin_in_scope(current_api_user(), checkin_id)
    if checkin is None:
        raise NotFound(_("记录不存在，或不在您的管辖范围内。"))
    return checkin


@bp.get("/checkins")
def list_checkins():
    page, per_page = page_from_args()
    f = query_fields("status", "case_id")
    status = f.choice("status", CHECKIN_STATUSES, required=False)
    case_id = f.integer("case_id", required=False, minimum=1)
    station = station_filter(f)
    f.raise_if_errors()
    query = services.queue_query(current_api_user(), status=status, case_id=case_id)
    if station:
        query = query.where(CorrectionCase.station_id == station.id)
    return page_json(paginate(query, page, per_page), checkin_json)


@bp.get("/checkins/<int:checkin_id>")
def get_checkin(checkin_id: int):
    return jsonify(checkin_json(_checkin(checkin_id)))


@bp.post("/checkins/<int:checkin_id>/review")
def review_checkin(checkin_id: int):
    require_writer()
    checkin = _checkin(checkin_id)
    data = json_body()
    services.review(current_api_user(), checkin, data)
    return answer(200, lambda: checkin_json(checkin))


# --------------------------------------------------------------------------- OpenAPI

_CASE = ("case_id",)
_CHECKIN = ("checkin_id",)
DATETIME = string(fmt="date-time")
NULL_DATETIME = string(fmt="date-time", nullable=True)

doc.EXTRA_SCHEMAS.update(
    {
        "CheckinEnrolment": obj(
            [],
            id=INT,
            case_id=INT,
            status=string(["pending", "active", "ended"]),
            phone=TEXT,
            consent_on=string(fmt="date"),
            activation_code=string(description="8 characters, single use; only when issued"),
            activation_url=string(description="Only when issued"),
            expires_at=NULL_DATETIME,
        ),
        "Checkin": obj(
            [],
            id=INT,
            case_id=INT,
            status=string(CHECKIN_STATUSES),
            source=string(["officer", "schedule"]),
            requested_at=DATETIME,
            due_by=DATETIME,
            questions={"type": "array", "items": TEXT, "maxItems": 3},
            answers={"type": "array", "items": TEXT},
            checkin_url=TEXT,
            submitted_at=NULL_DATETIME,
            location={
                **obj([], lat=NUMBER, lon=NUMBER, accuracy_m={**NUMBER, "nullable": True}),
                "nullable": True,
            },
            approximate={**BOOL, "description": "Location accuracy worse than 1 km"},
            outside_area={**BOOL, "nullable": True},
            distance_m={
                **NUMBER,
                "nullable": True,
                "description": "Metres outside the area of the case's station (its own, else its unit's); 0 inside",
            },
            face=string(FACE_RESULTS),
            face_distance={**NUMBER, "nullable": True},
            expired_at=NULL_DATETIME,
            reviewed_at=NULL_DATETIME,
            outcome=string(["accepted", "follow_up"], nullable=True),
            note=string(nullable=True),
            contact_id={**INT, "nullable": True},
            photo_deleted=BOOL,
        ),
    }
)


def _delete(summary: str, schema: str, *params) -> dict:
    return {
        "delete": {
            "summary": summary,
            "parameters": path_params(*params),
            "responses": doc._responses("200", doc._ref(schema), 403, 404),
        }
    }


doc.EXTRA_PATHS.update(
    {
        "/corrections/{case_id}/checkin-enrolment": {
            **post(
                "Enrol the person in self check-in (code valid 7 days, single use)",
                obj(
                    ["phone", "consent_on"],
                    phone=string(description="11-digit mobile number"),
                    consent_on=string(fmt="date"),
                ),
                "201",
                "CheckinEnrolment",
                *_CASE,
                conflict=True,
            ),
            "get": {
                "summary": "The case's current enrolment",
                "parameters": path_params(*_CASE),
                "responses": doc._responses("200", doc._ref("CheckinEnrolment"), 404),
            },
            **_delete("End the enrolment", "CheckinEnrolment", *_CASE),
        },
        "/corrections/{case_id}/checkins": post(
            "Request a check-in (default due_by: 24 h later)",
            obj(
                [],
                due_by=DATETIME,
                questions={"type": "array", "items": TEXT, "maxItems": 3},
            ),
            "201",
            "Checkin",
            *_CASE,
            conflict=True,
        ),
        "/checkins": get_page(
            "The review queue, oldest first",
            "Checkin",
            query_params(
                status=string(CHECKIN_STATUSES),
                station=string(description="Station code"),
                case_id={**INT, "minimum": 1},
            ),
        ),
        "/checkins/{checkin_id}": {
            "get": {
                "summary": "A check-in",
                "parameters": path_params(*_CHECKIN),
                "responses": doc._responses("200", doc._ref("Checkin"), 404),
            }
        },
        "/checkins/{checkin_id}/review": post(
            "Review a submitted check-in: accepted records an info_check contact",
            obj(
                ["outcome"],
                outcome=string(["accepted", "follow_up"]),
                note=string(description="Required for follow_up"),
            ),
            "200",
            "Checkin",
            *_CHECKIN,
            conflict=True,
        ),
    }
)
