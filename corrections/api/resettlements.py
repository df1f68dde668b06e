"""/api/v1/resettlements: 安置帮教 cases (docs/api.md: Resettlement cases; docs/domain.md §4).

Every read of a case carries ``period_ends_on`` (null until ``released_on`` is
known), the dated key history, today's visit ``due`` dates and the alerts
(handover overdue, period ending soon). Writes check the role (403), then the
case and any sub-record in scope (404), then the body (400), then call the
service (422 for fields and rules, 409 for conflicts); actions on the case
accept an optional ``version`` (409 when stale, after any 422).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import jsonify
from flask_babel import gettext as _
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
    bool_filter,
    check_version,
    due_json,
    get_one,
    get_page,
    given_version,
    iso,
    lang,
    number,
    obj,
    overdue_json,
    post,
    query_fields,
    query_params,
    station_filter,
    string,
)
from corrections.api.people import CASE_SERIALIZERS
from corrections.auth.models import User
from corrections.auth.scope import get_in_scope
from corrections.errors import NotFound
from corrections.extensions import db
from corrections.people import privacy
from corrections.resettlement import queries, services
from corrections.resettlement.models import (
    ASSISTANCE_KINDS,
    CONTACT_KINDS,
    END_REASONS,
    HANDOVER_METHODS,
    PLACEMENTS,
    SOURCES,
    STATUSES,
    VERIFICATION_RESULTS,
    Assistance,
    KeyStatusChange,
    ResettlementCase,
    ResettlementContact,
)
from corrections.rules import engine
from corrections.rules.tables import contact_rules
from corrections.supervision.models import CORRECTION_TYPES
from corrections.web import Page, paginate

_EAGER = (
    selectinload(ResettlementCase.person),
    selectinload(ResettlementCase.station),
    selectinload(ResettlementCase.officer),
)

# --------------------------------------------------------------------------- rendering


def _key_changes(case_ids: list[int]) -> dict[int, list[KeyStatusChange]]:
    out: dict[int, list[KeyStatusChange]] = defaultdict(list)
    for start in range(0, len(case_ids), 500):
        for row in db.session.execute(
            select(KeyStatusChange)
            .where(KeyStatusChange.case_id.in_(case_ids[start : start + 500]))
            .order_by(KeyStatusChange.effective_on, KeyStatusChange.id)
        ).scalars():
            out[row.case_id].append(row)
    return out


def _case_fields(case: ResettlementCase) -> dict:
    return {
        "id": case.id,
        "version": case.version,
        "person_id": case.person_id,
        "person_name": privacy.display_name(current_api_user(), case.person_id, case.person.name),
        "station": case.station.code,
        "officer": case.officer.username if case.officer else None,
        "source": case.source,
        "correction_type": case.correction_type,
        "correction_case_id": case.correction_case_id,
        "facility": case.facility,
        "crime": case.crime,
        "sentence": case.sentence,
        "notice_received_on": iso(case.notice_received_on),
        "expected_release_on": iso(case.expected_release_on),
        "released_on": iso(case.released_on),
        "period_ends_on": iso(case.period_ends_on),
        "key_reason": case.key_reason,
        "recommendation": case.recommendation,
        "verified_on": iso(case.verified_on),
        "verification_result": case.verification_result,
        "handed_over_on": iso(case.handed_over_on),
        "handover_method": case.handover_method,
        "placement": case.placement,
        "status": case.status,
        "ended_on": iso(case.ended_on),
        "end_reason": case.end_reason,
    }


def render_cases(cases: list[ResettlementCase]) -> list[dict]:
    """Full case objects (key history, today's ``due`` and alerts) in a few queries."""
    if not cases:
        return []
    today = clock.today()
    rules = contact_rules()
    facts = services.case_facts_many(cases, today)
    keys = _key_changes([c.id for c in cases])
    language = lang()
    out = []
    for case in cases:
        body = _case_fields(case)
        periods = facts[case.id].key_periods
        body["is_key"] = engine.is_key_on(periods, today) if periods else case.is_key
        body["key_changes"] = [
            {
                "effective_on": row.effective_on.isoformat(),
                "is_key": row.is_key,
                "reason": row.reason,
            }
            for row in keys.get(case.id, [])
        ]
        body["due"] = [
            due_json(s, language) for s in engine.due_dates_on(facts[case.id], rules, today)
        ]
        body["handover_overdue"] = services.handover_overdue(case, today)
        body["period_ending_soon"] = services.period_ending_soon(case, today)
        body["period_over"] = services.period_over_not_ended(case, today)
        body["key_not_escorted"] = body["is_key"] and services.key_without_escort(case)
        out.append(body)
    return out


def case_json(case: ResettlementCase) -> dict:
    return render_cases([case])[0]


def _username(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return user.username if user else None


def contact_json(contact: ResettlementContact) -> dict:
    return {
        "id": contact.id,
        "case_id": contact.case_id,
        "kind": contact.kind,
        "occurred_on": contact.occurred_on.isoformat(),
        "note": contact.note,
        "recorded_by": _username(contact.recorded_by_id),
        "voided": contact.is_void,
        "void_reason": contact.void_reason,
    }


def assistance_json(row: Assistance) -> dict:
    return {
        "id": row.id,
        "case_id": row.case_id,
        "kind": row.kind,
        "given_on": row.given_on.isoformat(),
        "amount": number(row.amount),
        "note": row.note,
        "recorded_by": _username(row.recorded_by_id),
        "voided": row.is_void,
        "void_reason": row.void_reason,
    }


def person_cases(person, user: User) -> list[dict]:
    """The person's resettlement cases in the user's scope, short form (GET /people/{id})."""
    return [
        {
            "programme": "resettlement",
            "id": case.id,
            "version": case.version,
            "status": case.status,
            "source": case.source,
            "station": case.station.code,
            "is_key": case.is_key,
            "expected_release_on": iso(case.expected_release_on),
            "released_on": iso(case.released_on),
            "period_ends_on": iso(case.period_ends_on),
            "handed_over_on": iso(case.handed_over_on),
            "ended_on": iso(case.ended_on),
            "end_reason": case.end_reason,
        }
        for case in queries.person_cases(user, person, newest_first=False)
    ]


CASE_SERIALIZERS.append(person_cases)


# --------------------------------------------------------------------------- plumbing


def _case(case_id: int) -> ResettlementCase:
    return get_in_scope(ResettlementCase, case_id, current_api_user())


def _child(model: type, case: ResettlementCase, child_id: int):
    obj_ = db.session.get(model, child_id)
    if obj_ is None or obj_.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    return obj_


# --------------------------------------------------------------------------- reads


@bp.get("/resettlements")
def list_resettlements():
    user = current_api_user()
    page, per_page = page_from_args()
    f = query_fields("status", "overdue_on")
    status = f.choice("status", STATUSES, required=False)
    overdue_on = f.date("overdue_on", required=False)
    is_key = bool_filter(f, "is_key")
    station = station_filter(f)
    f.raise_if_errors()
    if overdue_on is not None:
        return _overdue_page(user, overdue_on, status, is_key, station, page, per_page)
    query = queries.api_cases(user, status=status, station=station, is_key=is_key)
    found = paginate(query.options(*_EAGER), page, per_page)
    found.items = render_cases(found.items)
    return page_json(found, lambda item: item)


def _overdue_page(user, on: date, status, is_key, station, page: int, per_page: int):
    """Cases overdue for a visit on ``on`` (docs/domain.md §4 with §3.5 semantics), as the
    ``rs.overdue`` figure counts them.

    Active on ``on`` means handed over on or before it and not ended on or before it;
    ``is_key`` is the key status in force on ``on``; ``status`` is the current status.
    """
    ids = queries.overdue_on(user, on, status=status, station=station, is_key=is_key)
    window = ids[(page - 1) * per_page : page * per_page]
    overdue = queries.overdue_states(window, on)
    items = render_cases(queries.by_ids(window, *_EAGER))
    for item, case_id in zip(items, window, strict=True):
        item["overdue"] = [overdue_json(s) for s in overdue[case_id]]
    return page_json(Page(items, page, per_page, len(ids)), lambda item: item)


@bp.get("/resettlements/<int:case_id>")
def get_resettlement(case_id: int):
    return jsonify(case_json(_case(case_id)))


# --------------------------------------------------------------------------- writes


@bp.post("/resettlements")
def create_resettlement():
    require_writer()
    data = json_body()
    case = services.create_case(current_api_user(), data)
    return answer(201, lambda: case_json(case))


def _case_action(case_id: int, action):
    """Role → case (404) → body (400) → service (422) → version (409) → 200 with the case."""
    require_writer()
    case = _case(case_id)
    data = json_body()
    given, stored = given_version(data), case.version
    action(current_api_user(), case, data)
    check_version(given, stored)
    return answer(200, lambda: case_json(case))


@bp.post("/resettlements/<int:case_id>/release")
def release_resettlement(case_id: int):
    return _case_action(case_id, services.release)


@bp.post("/resettlements/<int:case_id>/key")
def set_resettlement_key(case_id: int):
    return _case_action(case_id, services.set_key)


@bp.post("/resettlements/<int:case_id>/verification")
def verify_resettlement(case_id: int):
    return _case_action(case_id, services.verify)


@bp.post("/resettlements/<int:case_id>/handover")
def hand_over_resettlement(case_id: int):
    return _case_action(case_id, services.handover)


@bp.post("/resettlements/<int:case_id>/end")
def end_resettlement(case_id: int):
    return _case_action(case_id, services.end_case)


@bp.post("/resettlements/<int:case_id>/contacts")
def record_resettlement_contact(case_id: int):
    require_writer()
    case = _case(case_id)
    data = json_body()
    contact = services.record_contact(current_api_user(), case, data)
    return answer(201, lambda: contact_json(contact))


@bp.post("/resettlements/<int:case_id>/contacts/<int:contact_id>/void")
def void_resettlement_contact(case_id: int, contact_id: int):
    require_writer()
    case = _case(case_id)
    _child(ResettlementContact, case, contact_id)
    data = json_body()
    contact = services.void_record(current_api_user(), case, "contact", contact_id, data)
    return answer(200, lambda: contact_json(contact))


@bp.post("/resettlements/<int:case_id>/assistance")
def add_resettlement_assistance(case_id: int):
    require_writer()
    case = _case(case_id)
    data = json_body()
    row = services.add_assistance(current_api_user(), case, data)
    return answer(201, lambda: assistance_json(row))


@bp.post("/resettlements/<int:case_id>/assistance/<int:assistance_id>/void")
def void_resettlement_assistance(case_id: int, assistance_id: int):
    require_writer()
    case = _case(case_id)
    _child(Assistance, case, assistance_id)
    data = json_body()
    row = services.void_record(current_api_user(), case, "assistance", assistance_id, data)
    return answer(200, lambda: assistance_json(row))


# --------------------------------------------------------------------------- OpenAPI

_CASE = ("case_id",)
_REQUIREMENTS = ("visit",)

doc.EXTRA_SCHEMAS.update(
    {
        "ResettlementCase": obj(
            [],
            id=INT,
            version=INT,
            person_id=INT,
            person_name=TEXT,
            station=string(description="Station code"),
            officer=string(nullable=True, description="Responsible officer's username"),
            source=string(SOURCES),
            correction_type=string(
                CORRECTION_TYPES, nullable=True, description="source correction only"
            ),
            correction_case_id=NULL_INT,
            facility=TEXT,
            crime=TEXT,
            sentence=TEXT,
            notice_received_on=NULL_DATE,
            expected_release_on=NULL_DATE,
            released_on=NULL_DATE,
            period_ends_on={
                **NULL_DATE,
                "description": "End of the 帮教期 (docs/domain.md §4); null until released_on",
            },
            is_key={"type": "boolean", "description": "Key status (重点) in force today"},
            key_reason=TEXT,
            key_changes={"type": "array", "items": doc._ref("KeyChange")},
            recommendation=TEXT,
            verified_on=NULL_DATE,
            verification_result=string(VERIFICATION_RESULTS, nullable=True),
            handed_over_on=NULL_DATE,
            handover_method=string(HANDOVER_METHODS, nullable=True),
            placement=string(PLACEMENTS, nullable=True),
            status=string(STATUSES),
            ended_on=NULL_DATE,
            end_reason=string(END_REASONS, nullable=True),
            due={"type": "array", "items": doc._ref("ResettlementDueItem")},
            handover_overdue={
                "type": "boolean",
                "description": "Released and not handed over within the alert days (7)",
            },
            period_ending_soon={
                "type": "boolean",
                "description": "Within the reminder days (30) before period_ends_on, or past it",
            },
            period_over={
                "type": "boolean",
                "description": "帮教期满未结案: period_ends_on has passed and the case is not "
                "ended; off rs.on_register from the day after period_ends_on (docs/domain.md "
                "§7.7)",
            },
            key_not_escorted={
                "type": "boolean",
                "description": "Key person handed over without escort (必接必送)",
            },
        ),
        "OverdueResettlementCase": {
            "allOf": [
                doc._ref("ResettlementCase"),
                obj(
                    [],
                    overdue={"type": "array", "items": doc._ref("ResettlementOverdueItem")},
                ),
            ]
        },
        "KeyChange": obj(
            ["effective_on", "is_key", "reason"], effective_on=DATE, is_key=BOOL, reason=TEXT
        ),
        "ResettlementDueItem": obj(
            ["requirement", "due_on", "last_contact_on"],
            requirement=string(_REQUIREMENTS),
            due_on=DATE,
            last_contact_on=NULL_DATE,
            days_overdue=INT,
            paused=BOOL,
            explanation=TEXT,
        ),
        "ResettlementOverdueItem": obj(
            ["requirement", "due_on", "days_overdue"],
            requirement=string(_REQUIREMENTS),
            due_on=DATE,
            days_overdue=INT,
        ),
        "ResettlementContact": obj(
            [],
            id=INT,
            case_id=INT,
            kind=string(CONTACT_KINDS),
            occurred_on=DATE,
            note=TEXT,
            recorded_by=string(nullable=True),
            voided=BOOL,
            void_reason=string(nullable=True),
        ),
        "Assistance": obj(
            [],
            id=INT,
            case_id=INT,
            kind=string(ASSISTANCE_KINDS),
            given_on=DATE,
            amount={"type": "number", "nullable": True},
            note=TEXT,
            recorded_by=string(nullable=True),
            voided=BOOL,
            void_reason=string(nullable=True),
        ),
    }
)

_CREATE_BODY = obj(
    ["person_id", "station", "source"],
    person_id=INT,
    station=TEXT,
    source=string(SOURCES),
    released_on={**DATE, "description": "Given: released; else expected_release_on is needed"},
    expected_release_on={**DATE, "description": "A pre-release notice"},
    notice_received_on=DATE,
    facility=TEXT,
    crime=TEXT,
    sentence=TEXT,
    is_key=BOOL,
    key_reason=TEXT,
    correction_type=string(
        CORRECTION_TYPES,
        description="source correction, when the person's ended correction case is not "
        "in the system",
    ),
)

doc.EXTRA_PATHS.update(
    {
        "/resettlements": {
            **get_page(
                "Resettlement cases in scope",
                "OverdueResettlementCase",
                query_params(
                    station=string(description="Station code"),
                    status=string(STATUSES),
                    is_key=BOOL,
                    overdue_on={
                        **DATE,
                        "description": "Only the cases overdue for a visit on that date, each "
                        "with `overdue`; is_key is then the status in force on that date",
                    },
                ),
            ),
            **post(
                "Open a case (a pre-release notice, or a release already known)",
                _CREATE_BODY,
                "201",
                "ResettlementCase",
                conflict=True,
            ),
        },
        "/resettlements/{case_id}": get_one(
            "A case with its key history, today's due dates and alerts",
            "ResettlementCase",
            *_CASE,
        ),
        "/resettlements/{case_id}/release": post(
            "Record the release of a notified person",
            obj(["released_on"], released_on=DATE, version=VERSION),
            "200",
            "ResettlementCase",
            *_CASE,
            conflict=True,
        ),
        "/resettlements/{case_id}/key": post(
            "Record a dated change of key status (not before released_on)",
            obj(
                ["effective_on", "is_key", "reason"],
                effective_on=DATE,
                is_key=BOOL,
                reason=TEXT,
                version=VERSION,
            ),
            "200",
            "ResettlementCase",
            *_CASE,
            conflict=True,
        ),
        "/resettlements/{case_id}/verification": post(
            "Record the verification (核查); not a precondition for handover. "
            "false_identity and not_local end the case on verified_on (end_reason of the "
            "same name); records dated after it: records_after_end",
            obj(
                ["verified_on", "result"],
                verified_on=DATE,
                result=string(VERIFICATION_RESULTS),
                version=VERSION,
            ),
            "200",
            "ResettlementCase",
            *_CASE,
            conflict=True,
        ),
        "/resettlements/{case_id}/handover": post(
            "Record the handover (衔接); the visit requirement starts here",
            obj(
                ["handed_over_on", "method"],
                handed_over_on=DATE,
                method=string(HANDOVER_METHODS),
                version=VERSION,
            ),
            "200",
            "ResettlementCase",
            *_CASE,
            conflict=True,
        ),
        "/resettlements/{case_id}/contacts": post(
            "Record a contact (field_visit and report_in_person meet the visit requirement)",
            obj(
                ["kind", "occurred_on"],
                kind=string(CONTACT_KINDS),
                occurred_on=DATE,
                note=TEXT,
            ),
            "201",
            "ResettlementContact",
            *_CASE,
        ),
        "/resettlements/{case_id}/contacts/{contact_id}/void": post(
            "Void a mistaken contact (kept, stops counting)",
            obj(["reason"], reason=TEXT),
            "200",
            "ResettlementContact",
            *_CASE,
            "contact_id",
        ),
        "/resettlements/{case_id}/assistance": post(
            "Record assistance given",
            obj(
                ["kind", "given_on"],
                kind=string(ASSISTANCE_KINDS),
                given_on=DATE,
                amount={"type": "number", "minimum": 0},
                note=TEXT,
            ),
            "201",
            "Assistance",
            *_CASE,
        ),
        "/resettlements/{case_id}/assistance/{assistance_id}/void": post(
            "Void a mistaken assistance record (kept, stops counting)",
            obj(["reason"], reason=TEXT),
            "200",
            "Assistance",
            *_CASE,
            "assistance_id",
        ),
        "/resettlements/{case_id}/end": post(
            "End the case; an end date before a contact, assistance, the handover or the "
            "verification: records_after_end (fields: '<kind>:<id>' → date)",
            obj(
                ["ended_on", "reason"],
                ended_on=DATE,
                reason=string(END_REASONS),
                version=VERSION,
            ),
            "200",
            "ResettlementCase",
            *_CASE,
            conflict=True,
        ),
    }
)
