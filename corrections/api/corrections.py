"""/api/v1/corrections: 社区矫正 cases (docs/api.md: Correction cases; docs/domain.md §3).

Every write follows the error order of docs/api.md: the role (403) is checked
first, then the case and any sub-record in the user's scope (404), then the
body (400), then the service (422 for fields and rules, 409 for conflicts).
The services own every rule; these routes only parse and render.

Actions on a case, a leave or an incident accept an optional ``version``:
when given and stale, the answer is 409 (after any 422) and nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from flask import jsonify, request
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
    require,
    require_writer,
)
from corrections.api import openapi as doc
from corrections.api.common import due_json, iso, lang, overdue_json
from corrections.api.people import CASE_SERIALIZERS
from corrections.auth.models import Station, User
from corrections.auth.scope import get_in_scope, station_in_scope
from corrections.errors import NotFound, StaleVersion, ValidationFailed
from corrections.extensions import db
from corrections.people import privacy
from corrections.rules import engine
from corrections.rules.tables import contact_rules
from corrections.supervision import queries, services
from corrections.supervision.models import (
    CONTACT_KINDS,
    CORRECTION_TYPES,
    CRIME_CATEGORIES,
    GROUNDS,
    INCIDENT_KINDS,
    LEAVE_REASONS,
    LEVELS,
    RELEASE_REASONS,
    SANCTION_KINDS,
    SOURCES,
    STATUSES,
    TERMINATION_REASONS,
    CaseLevel,
    Contact,
    CorrectionCase,
    Incident,
    Leave,
    Sanction,
)
from corrections.validation import Fields
from corrections.web import Page, paginate

# --------------------------------------------------------------------------- rendering


def _approved_levels(case_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = defaultdict(list)
    for start in range(0, len(case_ids), 500):
        rows = db.session.execute(
            select(CaseLevel)
            .where(CaseLevel.case_id.in_(case_ids[start : start + 500]))
            .where(CaseLevel.status == "approved")
            .order_by(CaseLevel.effective_on, CaseLevel.id)
        ).scalars()
        for row in rows:
            out[row.case_id].append(
                {
                    "effective_on": row.effective_on.isoformat(),
                    "level": row.level,
                    "reason": row.reason,
                }
            )
    return out


def _case_fields(case: CorrectionCase, today: date, term_end: date | None = None) -> dict:
    term_end = term_end or services.term_end_effective(case, today)
    return {
        "id": case.id,
        "version": case.version,
        "person_id": case.person_id,
        "person_name": privacy.display_name(current_api_user(), case.person_id, case.person.name),
        "minor": services.is_minor_case(case),
        "station": case.station.code,
        "officer": case.officer.username if case.officer else None,
        "correction_type": case.correction_type,
        "grounds": case.grounds,
        "crime": case.crime,
        "crime_category": case.crime_category,
        "sentence": case.sentence,
        "decision_body": case.decision_body,
        "decision_document": case.decision_document,
        "prohibitions": case.prohibitions,
        "judgment_effective_on": iso(case.judgment_effective_on),
        "term_start": iso(case.term_start),
        "term_end": iso(case.term_end),
        "term_end_effective": iso(term_end),
        "notified_on": iso(case.notified_on),
        "source": case.source,
        "report_deadline": iso(case.report_deadline),
        "report_deadline_note": case.report_deadline_note,
        "received_on": iso(case.received_on),
        "received_on_time": case.received_on_time,
        "announced_on": iso(case.announced_on),
        "status": case.status,
        "missed_intake": services.missed_intake(case, today),
        "past_term_end": services.past_term_end(case, today, term_end),
        "medical_review_due_on": iso(services.medical_review_due(case)),
        "ended_on": iso(case.ended_on),
        "end_reason": case.end_reason,
        "transfer_destination": case.transfer_destination,
    }


def render_cases(cases: list[CorrectionCase]) -> list[dict]:
    """Full case objects (with ``levels`` and today's ``due``) in a few queries."""
    if not cases:
        return []
    today = clock.today()
    rules = contact_rules()
    facts = services.case_facts_many(cases, today)
    privacy.prefetch(current_api_user(), [c.person_id for c in cases])
    levels = _approved_levels([c.id for c in cases])
    language = lang()
    absconded = services.absconded_periods(
        [c.id for c in cases if c.correction_type == "temporary_release"]
    )
    out = []
    for case in cases:
        term_end = services.term_end_effective(case, today, absconded.get(case.id, []))
        body = _case_fields(case, today, term_end)
        body["level"] = engine.level_on(facts[case.id].levels, today) or case.level
        body["levels"] = levels.get(case.id, [])
        body["due"] = [
            due_json(s, language) for s in engine.due_dates_on(facts[case.id], rules, today)
        ]
        out.append(body)
    return out


def case_json(case: CorrectionCase) -> dict:
    body = render_cases([case])[0]
    body["suggestions"] = suggestions_json(case)
    return body


def suggestions_json(case: CorrectionCase) -> list[dict]:
    """The sanction and level suggestions the case page shows (docs/domain.md §7.5):
    sanction kinds, then ``level_review`` / ``level_tighten``."""
    hints = services.suggestions(case)
    zh = lang() == "zh"
    out = [
        {"kind": s.kind, "reason": s.reason_zh if zh else s.reason_en} for s in hints["sanctions"]
    ]
    out += [
        {"kind": f"level_{s.kind}", "reason": s.reason_zh if zh else s.reason_en}
        for s in hints["levels"]
    ]
    return out


def contact_json(contact: Contact) -> dict:
    return {
        "id": contact.id,
        "case_id": contact.case_id,
        "kind": contact.kind,
        "occurred_on": contact.occurred_on.isoformat(),
        "note": contact.note,
        "unannounced": contact.unannounced,
        "at_night": contact.at_night,
        "recorded_by": contact.recorded_by.username if contact.recorded_by else None,
        "voided": contact.is_void,
        "void_reason": contact.void_reason,
    }


def sanction_json(sanction: Sanction) -> dict:
    return {
        "id": sanction.id,
        "case_id": sanction.case_id,
        "kind": sanction.kind,
        "status": sanction.status,
        "decided_on": iso(sanction.decided_on),
        "reason": sanction.reason,
        "investigation": sanction.investigation,
        "document_number": sanction.document_number,
        "is_request": sanction.is_request,
        "outcome": sanction.outcome,
        "granted": None if sanction.outcome is None else sanction.outcome == "granted",
        "outcome_on": iso(sanction.outcome_on),
        "voided": sanction.is_void,
        "void_reason": sanction.void_reason,
        "decided_by": sanction.decided_by.username if sanction.decided_by else None,
        "decision_note": sanction.decision_note,
    }


def leave_json(leave: Leave) -> dict:
    from corrections.rules.deadlines import leave_days

    return {
        "id": leave.id,
        "case_id": leave.case_id,
        "version": leave.version,
        "kind": leave.kind,
        "starts_on": leave.starts_on.isoformat(),
        "ends_on": leave.ends_on.isoformat(),
        "days": leave_days(leave.starts_on, leave.ends_on),
        "destination": leave.destination,
        "reason": leave.reason,
        "reason_detail": leave.reason_detail,
        "applied_on": leave.applied_on.isoformat(),
        "tier": leave.tier,
        "status": leave.status,
        "approved": None if leave.status == "applied" else leave.status == "approved",
        "decided_on": iso(leave.decided_on),
        "decided_by": leave.decided_by.username if leave.decided_by else None,
        "decision_note": leave.decision_note,
        "returned_on": iso(leave.returned_on),
        "return_overdue": services.return_overdue(leave),
    }


def incident_json(incident: Incident) -> dict:
    return {
        "id": incident.id,
        "case_id": incident.case_id,
        "version": incident.version,
        "kind": incident.kind,
        "occurred_on": incident.occurred_on.isoformat(),
        "note": incident.note,
        "police_notified_on": iso(incident.police_notified_on),
        "procuratorate_notified_on": iso(incident.procuratorate_notified_on),
        "closed_on": iso(incident.closed_on),
        "outcome": incident.outcome,
        "open": incident.closed_on is None,
    }


def level_json(row: CaseLevel) -> dict:
    return {
        "id": row.id,
        "case_id": row.case_id,
        "effective_on": row.effective_on.isoformat(),
        "level": row.level,
        "from_level": row.from_level,
        "reason": row.reason,
        "status": row.status,
        "decided_on": iso(row.decided_on),
        "decided_by": row.decided_by.username if row.decided_by else None,
        "decision_note": row.decision_note,
    }


def person_cases(person, user: User) -> list[dict]:
    """The person's correction cases in the user's scope, short form (for GET /people/{id})."""
    today = clock.today()
    return [
        {
            "programme": "correction",
            "id": case.id,
            "version": case.version,
            "status": case.status,
            "correction_type": case.correction_type,
            "station": case.station.code,
            "officer": case.officer.username if case.officer else None,
            "level": case.level,
            "term_start": iso(case.term_start),
            "term_end": iso(case.term_end),
            "minor": services.is_minor_case(case),
            "received_on": iso(case.received_on),
            "missed_intake": services.missed_intake(case, today),
            "ended_on": iso(case.ended_on),
            "end_reason": case.end_reason,
        }
        for case in queries.person_cases(user, person, newest_first=False)
    ]


CASE_SERIALIZERS.append(person_cases)


# --------------------------------------------------------------------------- plumbing


def _decider() -> None:
    require_writer()
    require(current_api_user().can_decide, _("此操作需要县局主管或管理员。"))


def _case(case_id: int) -> CorrectionCase:
    return get_in_scope(CorrectionCase, case_id, current_api_user())


def _child(model: type, case: CorrectionCase, child_id: int):
    obj = db.session.get(model, child_id)
    if obj is None or obj.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    return obj


def _given_version(data: dict[str, Any]) -> int | None:
    if "version" not in data:
        return None
    value = data["version"]
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(_("版本号（version）应为整数。"), fields={"version": _("整数")})
    return value


def _check_version(given: int | None, stored: int) -> None:
    """Called after the service (so a 422 answers first); the rollback undoes its writes."""
    if given is not None and given != stored:
        raise StaleVersion(_("该记录已被他人修改（当前版本 %(v)d），请刷新后重试。", v=stored))


def _answer(status: int, render):
    db.session.commit()
    return jsonify(render()), status


def _station_filter(code: str | None, fields: Fields) -> Station | None:
    if not code:
        return None
    station = db.session.execute(select(Station).where(Station.code == code)).scalar_one_or_none()
    if station is None or not station_in_scope(current_api_user(), station):
        fields.error("station", _("司法所代码无效或不在您的范围内。"))
        return None
    return station


# --------------------------------------------------------------------------- reads


@bp.get("/corrections")
def list_cases():
    user = current_api_user()
    page, per_page = page_from_args()
    f = Fields({k: request.args.get(k) for k in ("status", "level", "overdue_on")})
    status = f.choice("status", STATUSES, required=False)
    level = f.choice("level", LEVELS, required=False)
    overdue_on = f.date("overdue_on", required=False)
    station = _station_filter(request.args.get("station"), f)
    f.raise_if_errors()
    if overdue_on is None:
        query = queries.api_cases(user, status=status, station=station, level=level)
        found = paginate(query.options(*_EAGER), page, per_page)
        found.items = render_cases(found.items)
        return page_json(found, lambda item: item)
    return _overdue_page(user, overdue_on, status, level, station, page, per_page)


_EAGER = (
    selectinload(CorrectionCase.person),
    selectinload(CorrectionCase.station),
    selectinload(CorrectionCase.officer),
)


def _overdue_page(user, on, status, level, station, page, per_page):
    """Cases overdue on ``on`` (docs/domain.md §3.5), as the ``cc.overdue`` figure counts them.

    Station and level are those in force on ``on`` (as in the figures); the
    status filter is the current status.
    """
    ids = queries.overdue_on(user, on, status=status, level=level, station=station)
    window = ids[(page - 1) * per_page : page * per_page]
    overdue = queries.overdue_states(window, on)
    items = render_cases(queries.by_ids(window))
    for item, case_id in zip(items, window, strict=True):
        item["overdue"] = [overdue_json(s) for s in overdue[case_id]]
    return page_json(Page(items, page, per_page, len(ids)), lambda item: item)


@bp.get("/corrections/<int:case_id>")
def get_case(case_id: int):
    return jsonify(case_json(_case(case_id)))


# --------------------------------------------------------------------------- intake, caseload


@bp.post("/corrections")
def create_case():
    require_writer()
    data = json_body()
    case = services.create_case(current_api_user(), data)
    return _answer(201, lambda: case_json(case))


def _case_action(case_id: int, action, *, decider: bool = False):
    """Role → case (404) → body (400) → service (422) → version (409) → 200 with the case."""
    _decider() if decider else require_writer()
    case = _case(case_id)
    data = json_body()
    given, stored = _given_version(data), case.version
    action(current_api_user(), case, data)
    _check_version(given, stored)
    return _answer(200, lambda: case_json(case))


@bp.post("/corrections/<int:case_id>/receive")
def receive_case(case_id: int):
    return _case_action(case_id, services.receive_case)


@bp.post("/corrections/<int:case_id>/officer")
def assign_officer(case_id: int):
    return _case_action(case_id, services.assign_officer, decider=True)


@bp.post("/corrections/<int:case_id>/station")
def move_station(case_id: int):
    return _case_action(case_id, services.move_station, decider=True)


@bp.post("/corrections/<int:case_id>/release")
def release_case(case_id: int):
    return _case_action(case_id, services.release_case, decider=True)


@bp.post("/corrections/<int:case_id>/terminate")
def terminate_case(case_id: int):
    return _case_action(case_id, services.terminate_case, decider=True)


@bp.post("/corrections/<int:case_id>/transfer-out")
def transfer_out(case_id: int):
    return _case_action(case_id, services.transfer_out, decider=True)


# --------------------------------------------------------------------------- levels, contacts


@bp.post("/corrections/<int:case_id>/levels")
def change_level(case_id: int):
    _decider()
    case = _case(case_id)
    data = json_body()
    row = services.change_level(current_api_user(), case, data)
    return _answer(201, lambda: level_json(row))


@bp.post("/corrections/<int:case_id>/contacts")
def record_contact(case_id: int):
    require_writer()
    case = _case(case_id)
    data = json_body()
    contact = services.record_contact(current_api_user(), case, data)
    return _answer(201, lambda: contact_json(contact))


@bp.post("/corrections/<int:case_id>/contacts/<int:contact_id>/void")
def void_contact(case_id: int, contact_id: int):
    require_writer()
    case = _case(case_id)
    _child(Contact, case, contact_id)
    data = json_body()
    contact = services.void_record(current_api_user(), case, "contact", contact_id, data)
    return _answer(200, lambda: contact_json(contact))


# --------------------------------------------------------------------------- sanctions


@bp.post("/corrections/<int:case_id>/sanctions")
def record_sanction(case_id: int):
    _decider()
    case = _case(case_id)
    data = json_body()
    sanction = services.record_sanction(current_api_user(), case, data)
    return _answer(201, lambda: sanction_json(sanction))


@bp.post("/corrections/<int:case_id>/sanctions/<int:sanction_id>/outcome")
def sanction_outcome(case_id: int, sanction_id: int):
    _decider()
    case = _case(case_id)
    _child(Sanction, case, sanction_id)
    data = json_body()
    sanction = services.record_outcome(current_api_user(), case, sanction_id, data)
    return _answer(200, lambda: sanction_json(sanction))


@bp.post("/corrections/<int:case_id>/sanctions/<int:sanction_id>/void")
def void_sanction(case_id: int, sanction_id: int):
    _decider()
    case = _case(case_id)
    _child(Sanction, case, sanction_id)
    data = json_body()
    sanction = services.void_record(current_api_user(), case, "sanction", sanction_id, data)
    return _answer(200, lambda: sanction_json(sanction))


# --------------------------------------------------------------------------- leave


@bp.post("/corrections/<int:case_id>/leaves")
def apply_leave(case_id: int):
    require_writer()
    case = _case(case_id)
    data = json_body()
    leave = services.apply_leave(current_api_user(), case, data)
    return _answer(201, lambda: leave_json(leave))


@bp.post("/corrections/<int:case_id>/leaves/<int:leave_id>/decision")
def decide_leave(case_id: int, leave_id: int):
    require_writer()
    user = current_api_user()
    case = _case(case_id)
    leave = _child(Leave, case, leave_id)
    if leave.tier != "station":
        require(user.can_decide, _("超过7天的外出需要县局审批。"))
    data = json_body()
    given, stored = _given_version(data), leave.version
    services.decide_leave(user, case, leave_id, data)
    _check_version(given, stored)
    return _answer(200, lambda: leave_json(leave))


@bp.post("/corrections/<int:case_id>/leaves/<int:leave_id>/return")
def return_from_leave(case_id: int, leave_id: int):
    require_writer()
    case = _case(case_id)
    leave = _child(Leave, case, leave_id)
    data = json_body()
    given, stored = _given_version(data), leave.version
    services.return_from_leave(current_api_user(), case, leave_id, data)
    _check_version(given, stored)
    return _answer(200, lambda: leave_json(leave))


# --------------------------------------------------------------------------- incidents


@bp.post("/corrections/<int:case_id>/incidents")
def open_incident(case_id: int):
    require_writer()
    case = _case(case_id)
    data = json_body()
    incident = services.open_incident(current_api_user(), case, data)
    return _answer(201, lambda: incident_json(incident))


@bp.post("/corrections/<int:case_id>/incidents/<int:incident_id>/close")
def close_incident(case_id: int, incident_id: int):
    require_writer()
    case = _case(case_id)
    incident = _child(Incident, case, incident_id)
    data = json_body()
    given, stored = _given_version(data), incident.version
    services.close_incident(current_api_user(), case, incident_id, data)
    _check_version(given, stored)
    return _answer(200, lambda: incident_json(incident))


# --------------------------------------------------------------------------- OpenAPI


def _string(enum=None, fmt: str | None = None, nullable: bool = False, **extra) -> dict:
    schema: dict = {"type": "string", **extra}
    if enum is not None:
        schema["enum"] = list(enum)
    if fmt:
        schema["format"] = fmt
    if nullable:
        schema["nullable"] = True
    return schema


DATE = _string(fmt="date")
NULL_DATE = _string(fmt="date", nullable=True)
BOOL = {"type": "boolean"}
INT = {"type": "integer"}
VERSION = {"type": "integer", "description": "Optional: 409 when the record changed since"}


def _obj(required: list[str], **props) -> dict:
    body: dict = {"type": "object", "properties": props}
    if required:
        body["required"] = required
    return body


def _path_params(*names: str) -> list[dict]:
    return [{"name": n, "in": "path", "required": True, "schema": INT} for n in names]


def _post(summary, body, ok_status, ok_schema, *params, decider=False, conflict=False):
    errors = [400, 403, 422]
    if params:
        errors.append(404)
    if conflict:
        errors.append(409)
    operation = {
        "summary": summary + (" (supervisor or admin)" if decider else ""),
        "requestBody": doc._body(body),
        "responses": doc._responses(ok_status, doc._ref(ok_schema), *sorted(errors)),
    }
    if params:
        operation["parameters"] = _path_params(*params)
    return {"post": operation}


_CASE_PROPS = {
    "id": INT,
    "version": INT,
    "person_id": INT,
    "person_name": {
        "type": "string",
        "description": "Masked (张*) for viewers when the person has a minor's case",
    },
    "minor": {
        "type": "boolean",
        "description": "A minor's case: under 18 when the judgment took effect (whole term)",
    },
    "station": _string(description="Station code"),
    "officer": _string(nullable=True, description="Responsible officer's username"),
    "correction_type": _string(CORRECTION_TYPES),
    "grounds": _string(GROUNDS, nullable=True),
    "crime": {"type": "string"},
    "crime_category": _string(CRIME_CATEGORIES, nullable=True),
    "sentence": {"type": "string"},
    "decision_body": {"type": "string"},
    "decision_document": {"type": "string"},
    "prohibitions": {"type": "string"},
    "judgment_effective_on": DATE,
    "term_start": DATE,
    "term_end": DATE,
    "term_end_effective": {
        **DATE,
        "description": "term_end moved by the days absconded (暂予监外执行 only, counted up to "
        "today; docs/domain.md §7.6); equal to term_end for other types",
    },
    "notified_on": NULL_DATE,
    "source": _string(SOURCES),
    "report_deadline": {
        **DATE,
        "description": "Last day to report; moved off a weekend or holiday to the next working "
        "day (刑事诉讼法 §105)",
    },
    "report_deadline_note": {
        "type": "string",
        "nullable": True,
        "description": "Why report_deadline was not moved off a rest day (the working-day "
        "calendar lacks the year); null otherwise",
    },
    "received_on": NULL_DATE,
    "received_on_time": {"type": "boolean", "nullable": True},
    "announced_on": NULL_DATE,
    "status": _string(STATUSES),
    "level": _string(LEVELS),
    "missed_intake": {
        "type": "boolean",
        "description": "漏管: expected, not a transfer in, and report_deadline before today",
    },
    "past_term_end": {"type": "boolean", "description": "Active after term_end (flagged)"},
    "medical_review_due_on": {**NULL_DATE, "description": "保外就医 re-examination due date"},
    "ended_on": NULL_DATE,
    "end_reason": _string((*RELEASE_REASONS, *TERMINATION_REASONS, "transfer"), nullable=True),
    "transfer_destination": _string(nullable=True),
    "levels": {"type": "array", "items": doc._ref("LevelPeriod")},
    "due": {"type": "array", "items": doc._ref("DueItem")},
    "suggestions": {
        "type": "array",
        "items": doc._ref("Suggestion"),
        "description": "Sanction and level suggestions as the case page shows them (never "
        "acted on); in single-case responses",
    },
}

doc.EXTRA_SCHEMAS.update(
    {
        "CorrectionCase": {"type": "object", "properties": _CASE_PROPS},
        "OverdueCorrectionCase": {
            "allOf": [
                doc._ref("CorrectionCase"),
                _obj([], overdue={"type": "array", "items": doc._ref("OverdueItem")}),
            ]
        },
        "Suggestion": _obj(
            ["kind", "reason"],
            kind=_string(
                (
                    "admonition",
                    "warning",
                    "police_penalty_request",
                    "revocation_request",
                    "custody_request",
                    "level_review",
                    "level_tighten",
                )
            ),
            reason={"type": "string"},
        ),
        "LevelPeriod": _obj(
            ["effective_on", "level", "reason"],
            effective_on=DATE,
            level=_string(LEVELS),
            reason={"type": "string"},
        ),
        "DueItem": _obj(
            ["requirement", "due_on", "last_contact_on"],
            requirement=_string(("face_to_face", "remote_report", "field_visit", "health_report")),
            due_on=DATE,
            last_contact_on=NULL_DATE,
            days_overdue=INT,
            paused={"type": "boolean", "description": "On approved leave: does not apply today"},
            explanation={"type": "string"},
        ),
        "OverdueItem": _obj(
            ["requirement", "due_on", "days_overdue"],
            requirement=_string(("face_to_face", "remote_report", "field_visit", "health_report")),
            due_on=DATE,
            days_overdue=INT,
        ),
        "LevelChange": _obj(
            [],
            id=INT,
            case_id=INT,
            effective_on=DATE,
            level=_string(LEVELS),
            from_level=_string(LEVELS, nullable=True),
            reason={"type": "string"},
            status=_string(("proposed", "approved", "refused")),
            decided_on=NULL_DATE,
            decided_by=_string(nullable=True),
            decision_note={
                "type": "string",
                "description": "The decider's comment; the reason of a refusal",
            },
        ),
        "Contact": _obj(
            [],
            id=INT,
            case_id=INT,
            kind=_string(CONTACT_KINDS),
            occurred_on=DATE,
            note={"type": "string"},
            unannounced=BOOL,
            at_night=BOOL,
            recorded_by=_string(nullable=True),
            voided=BOOL,
            void_reason=_string(nullable=True),
        ),
        "Sanction": _obj(
            [],
            id=INT,
            case_id=INT,
            kind=_string(SANCTION_KINDS),
            status=_string(("proposed", "decided", "rejected")),
            decided_on=NULL_DATE,
            reason={"type": "string"},
            investigation={"type": "string"},
            document_number={"type": "string"},
            is_request=BOOL,
            outcome=_string(("granted", "refused"), nullable=True),
            granted={"type": "boolean", "nullable": True},
            outcome_on=NULL_DATE,
            voided=BOOL,
            void_reason=_string(nullable=True),
            decided_by=_string(nullable=True),
            decision_note={
                "type": "string",
                "description": "The decider's comment; the reason of a refusal",
            },
        ),
        "Leave": _obj(
            [],
            id=INT,
            case_id=INT,
            version=INT,
            kind=_string(("leave", "frequent_permit")),
            starts_on=DATE,
            ends_on=DATE,
            days={"type": "integer", "description": "Both ends counted"},
            destination={"type": "string"},
            reason=_string(LEAVE_REASONS),
            reason_detail={"type": "string"},
            applied_on=DATE,
            tier=_string(("station", "county", "above_county")),
            status=_string(("applied", "approved", "refused")),
            approved={"type": "boolean", "nullable": True},
            decided_on=NULL_DATE,
            decided_by=_string(nullable=True),
            decision_note={
                "type": "string",
                "description": "The decider's comment; the reason of a refusal",
            },
            returned_on=NULL_DATE,
            return_overdue=BOOL,
        ),
        "Incident": _obj(
            [],
            id=INT,
            case_id=INT,
            version=INT,
            kind=_string(INCIDENT_KINDS),
            occurred_on=DATE,
            note={"type": "string"},
            police_notified_on=NULL_DATE,
            procuratorate_notified_on=NULL_DATE,
            closed_on=NULL_DATE,
            outcome=_string(nullable=True),
            open=BOOL,
        ),
    }
)

_CREATE_BODY = _obj(
    ["person_id", "station", "correction_type", "judgment_effective_on", "term_start", "term_end"],
    person_id=INT,
    station={"type": "string"},
    correction_type=_string(CORRECTION_TYPES),
    grounds=_string(GROUNDS, description="temporary_release only; default medical"),
    crime={"type": "string"},
    crime_category=_string(CRIME_CATEGORIES),
    sentence={"type": "string"},
    decision_body={"type": "string"},
    decision_document={"type": "string"},
    prohibitions={"type": "string"},
    judgment_effective_on=DATE,
    term_start=DATE,
    term_end=DATE,
    received_on={**DATE, "description": "Given: received at once (active)"},
    notified_on=DATE,
    source=_string(SOURCES),
    level=_string(LEVELS),
    officer=_string(nullable=True, description="Username; default the creating officer"),
)

_LIST_PARAMS = [
    {"name": "station", "in": "query", "schema": {"type": "string"}},
    {"name": "status", "in": "query", "schema": _string(STATUSES)},
    {"name": "level", "in": "query", "schema": _string(LEVELS)},
    {
        "name": "overdue_on",
        "in": "query",
        "schema": DATE,
        "description": "Only the cases overdue on that date (docs/domain.md 3.5), each with "
        "`overdue`; station and level are then those in force on that date",
    },
]

_CASE = ("case_id",)
doc.EXTRA_PATHS.update(
    {
        "/corrections": {
            "get": {
                "summary": "Correction cases in scope",
                "parameters": _LIST_PARAMS + doc.PAGE_PARAMS,
                "responses": doc._responses("200", doc._page_of("OverdueCorrectionCase"), 422),
            },
            **_post(
                "Open a case (expected, or received at once with received_on)",
                _CREATE_BODY,
                "201",
                "CorrectionCase",
                conflict=True,
            ),
        },
        "/corrections/{case_id}": {
            "get": {
                "summary": "A case with its level history and today's due dates",
                "parameters": _path_params(*_CASE),
                "responses": doc._responses("200", doc._ref("CorrectionCase"), 404),
            }
        },
        "/corrections/{case_id}/receive": _post(
            "Record the reception (报到接收)",
            _obj(["received_on"], received_on=DATE, source=_string(SOURCES), version=VERSION),
            "200",
            "CorrectionCase",
            *_CASE,
            conflict=True,
        ),
        "/corrections/{case_id}/officer": _post(
            "Change the responsible officer",
            _obj(
                ["officer"],
                officer=_string(nullable=True),
                changed_on=DATE,
                version=VERSION,
            ),
            "200",
            "CorrectionCase",
            *_CASE,
            decider=True,
            conflict=True,
        ),
        "/corrections/{case_id}/levels": _post(
            "Record an approved level change",
            _obj(
                ["effective_on", "level", "reason"],
                effective_on=DATE,
                level=_string(LEVELS),
                reason={"type": "string"},
            ),
            "201",
            "LevelChange",
            *_CASE,
            decider=True,
        ),
        "/corrections/{case_id}/station": _post(
            "Move the case to another station of the unit (dated)",
            _obj(
                ["moved_on", "station"], moved_on=DATE, station={"type": "string"}, version=VERSION
            ),
            "200",
            "CorrectionCase",
            *_CASE,
            decider=True,
            conflict=True,
        ),
        "/corrections/{case_id}/contacts": _post(
            "Record a contact",
            _obj(
                ["kind", "occurred_on"],
                kind=_string(CONTACT_KINDS),
                occurred_on=DATE,
                note={"type": "string"},
                unannounced=BOOL,
                at_night=BOOL,
            ),
            "201",
            "Contact",
            *_CASE,
        ),
        "/corrections/{case_id}/contacts/{contact_id}/void": _post(
            "Void a mistaken contact (kept, stops counting)",
            _obj(["reason"], reason={"type": "string"}),
            "200",
            "Contact",
            *_CASE,
            "contact_id",
        ),
        "/corrections/{case_id}/sanctions": _post(
            "Record a reward, sanction or request",
            _obj(
                ["kind", "decided_on", "reason"],
                kind=_string(SANCTION_KINDS),
                decided_on=DATE,
                reason={"type": "string"},
                investigation={"type": "string"},
            ),
            "201",
            "Sanction",
            *_CASE,
            decider=True,
        ),
        "/corrections/{case_id}/sanctions/{sanction_id}/outcome": _post(
            "Record the outcome of a request",
            _obj(["decided_on", "granted"], decided_on=DATE, granted=BOOL),
            "200",
            "Sanction",
            *_CASE,
            "sanction_id",
            decider=True,
        ),
        "/corrections/{case_id}/sanctions/{sanction_id}/void": _post(
            "Void a mistaken sanction record",
            _obj(["reason"], reason={"type": "string"}),
            "200",
            "Sanction",
            *_CASE,
            "sanction_id",
            decider=True,
        ),
        "/corrections/{case_id}/leaves": _post(
            "Apply for leave (外出)",
            _obj(
                ["starts_on", "ends_on", "destination", "reason"],
                starts_on=DATE,
                ends_on=DATE,
                destination={"type": "string"},
                reason=_string(LEAVE_REASONS),
                reason_detail={"type": "string"},
                applied_on=DATE,
            ),
            "201",
            "Leave",
            *_CASE,
        ),
        "/corrections/{case_id}/leaves/{leave_id}/decision": _post(
            "Decide a leave (officers: up to 7 days; longer: supervisor or admin)",
            _obj(
                ["approved"],
                approved=BOOL,
                decided_on=DATE,
                note={
                    "type": "string",
                    "maxLength": 1000,
                    "description": "The decider's comment; required (the reason) when refusing",
                },
                version=VERSION,
            ),
            "200",
            "Leave",
            *_CASE,
            "leave_id",
            conflict=True,
        ),
        "/corrections/{case_id}/leaves/{leave_id}/return": _post(
            "Record the return from leave (销假)",
            _obj(["returned_on"], returned_on=DATE, version=VERSION),
            "200",
            "Leave",
            *_CASE,
            "leave_id",
            conflict=True,
        ),
        "/corrections/{case_id}/incidents": _post(
            "Record an incident (脱管, 重新犯罪, detention)",
            _obj(
                ["kind", "occurred_on"],
                kind=_string(INCIDENT_KINDS),
                occurred_on=DATE,
                note={"type": "string"},
            ),
            "201",
            "Incident",
            *_CASE,
        ),
        "/corrections/{case_id}/incidents/{incident_id}/close": _post(
            "Close an incident",
            _obj(
                ["closed_on", "outcome"],
                closed_on=DATE,
                outcome={"type": "string"},
                version=VERSION,
            ),
            "200",
            "Incident",
            *_CASE,
            "incident_id",
            conflict=True,
        ),
        "/corrections/{case_id}/release": _post(
            "Release (解除): expiry needs released_on ≥ term_end_effective; refused while a "
            "revocation or custody request has no outcome; expiry refused while a 脱管 is open "
            "(absconded_open) or a 重新犯罪 has no request with an outcome "
            "(reoffence_undecided); an end date before a record of the case: "
            "records_after_end (fields: '<kind>:<id>' → date)",
            _obj(
                ["released_on", "reason"],
                released_on=DATE,
                reason=_string(RELEASE_REASONS),
                version=VERSION,
            ),
            "200",
            "CorrectionCase",
            *_CASE,
            decider=True,
            conflict=True,
        ),
        "/corrections/{case_id}/terminate": _post(
            "Terminate (终止): closes open incidents (outcome case_ended); an end date "
            "before a record of the case: records_after_end",
            _obj(
                ["terminated_on", "reason"],
                terminated_on=DATE,
                reason=_string(TERMINATION_REASONS),
                version=VERSION,
            ),
            "200",
            "CorrectionCase",
            *_CASE,
            decider=True,
            conflict=True,
        ),
        "/corrections/{case_id}/transfer-out": _post(
            "Transfer out (变更执行地): ends the case here; an end date before a record "
            "of the case: records_after_end",
            _obj(
                ["transferred_on", "destination"],
                transferred_on=DATE,
                destination={"type": "string"},
                version=VERSION,
            ),
            "200",
            "CorrectionCase",
            *_CASE,
            decider=True,
            conflict=True,
        ),
    }
)
