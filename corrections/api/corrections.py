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

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections.api import (
    CaseRoute,
    case_routes,
    current_api_user,
    lang,
    page_json,
    read_query,
    require,
    require_writer,
    versioned_action,
    write_body,
)
from corrections.api.openapi import SCOPED, action_routes, listing, operation, write
from corrections.api.people import CASE_SERIALIZERS
from corrections.api.records import cases as records
from corrections.auth.models import User
from corrections.auth.scope import get_in_scope
from corrections.core.voiding import VoidBody
from corrections.extensions import db
from corrections.people import privacy
from corrections.rules import engine
from corrections.rules.tables import contact_rules
from corrections.schema import Schema, StationCode, doc, enum
from corrections.supervision import queries, services
from corrections.supervision import schemas as bodies
from corrections.supervision.models import (
    LEVELS,
    STATUSES,
    CaseLevel,
    Contact,
    CorrectionCase,
    Incident,
    Leave,
    Sanction,
)
from corrections.web import Page, paginate

overdue_json = records.OverdueItem.of

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
        name = privacy.display_name(current_api_user(), case.person_id, case.person.name)
        due = engine.due_dates_on(facts[case.id], rules, today)
        body = records.CorrectionCase.fields_of(case, name, today, term_end)
        body["level"] = engine.level_on(facts[case.id].levels, today) or case.level
        body["levels"] = levels.get(case.id, [])
        body["due"] = [records.DueItem.of(s, language) for s in due]
        out.append(records.CorrectionCase.dump(**body))
    return out


def case_json(case: CorrectionCase) -> dict:
    body = render_cases([case])[0]
    body["suggestions"] = _suggestions(case)
    return body


def _suggestions(case: CorrectionCase) -> list[dict]:
    """The sanction and level suggestions the case page shows (docs/domain.md §7.5):
    sanction kinds, then ``level_review`` / ``level_tighten``."""
    hints = services.suggestions(case)
    zh = lang() == "zh"
    out = [
        records.Suggestion.dump(kind=s.kind, reason=s.reason_zh if zh else s.reason_en)
        for s in hints["sanctions"]
    ]
    out += [
        records.Suggestion.dump(kind=f"level_{s.kind}", reason=s.reason_zh if zh else s.reason_en)
        for s in hints["levels"]
    ]
    return out


def person_cases(person, user: User) -> list[dict]:
    """The person's correction cases in the user's scope, short form (for GET /people/{id})."""
    today = clock.today()
    return [
        records.CorrectionCaseSummary.of(case, today)
        for case in queries.person_cases(user, person, newest_first=False)
    ]


CASE_SERIALIZERS.append(person_cases)


# --------------------------------------------------------------------------- plumbing


def _decider() -> None:
    require_writer()
    require(current_api_user().can_decide, _("此操作需要县局主管或管理员。"))


CASE = "/corrections/<int:case_id>/{}"


def _case(case_id: int) -> CorrectionCase:
    return get_in_scope(CorrectionCase, case_id, current_api_user())


# --------------------------------------------------------------------------- reads


class CaseQuery(Schema):
    station: StationCode = None
    status: enum(STATUSES) = None
    level: enum(LEVELS) = None
    overdue_on: date = doc(
        "Only the cases overdue on that date (docs/domain.md 3.5), each with `overdue`; "
        "station and level are then those in force on that date",
        default=None,
    )


def _decision(rule: str, summary: str, ok, body, **details):
    """A write only a supervisor or an admin may make."""
    return write(rule, summary + " (supervisor or admin)", ok, body, **details)


def _leave_decider(leave: Leave) -> None:
    if leave.tier != "station":
        require(current_api_user().can_decide, _("超过7天的外出需要县局审批。"))


@listing(
    "/corrections",
    "Correction cases in scope",
    records.OverdueCorrectionCase,
    CaseQuery,
)
def list_cases():
    user = current_api_user()
    page, per_page, v, station = read_query(CaseQuery)
    status, level, overdue_on = v.status, v.level, v.overdue_on
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


@operation(
    "get",
    "/corrections/<int:case_id>",
    "A case with its level history and today's due dates",
    ok=records.CorrectionCase,
    errors=SCOPED,
)
def get_case(case_id: int):
    return case_json(_case(case_id))


# --------------------------------------------------------------------------- intake, caseload


@write(
    "/corrections",
    "Open a case (expected, or received at once with received_on)",
    records.CorrectionCase,
    bodies.CaseCreate,
    status=201,
    conflict=True,
)
def create_case():
    require_writer()
    return write_body(services.create_case, case_json, status=201)


action_routes(
    CASE,
    records.CorrectionCase,
    versioned_action(_case, case_json),
    [
        (
            "receive_case",
            "receive",
            "Record the reception (报到接收)",
            bodies.Receive,
            services.receive_case,
        )
    ],
)
action_routes(
    CASE,
    records.CorrectionCase,
    versioned_action(_case, case_json, role=_decider),
    [
        (
            "assign_officer",
            "officer",
            "Change the responsible officer",
            bodies.OfficerChange,
            services.assign_officer,
        ),
        (
            "move_station",
            "station",
            "Move the case to another station of the unit (dated)",
            bodies.StationMoveBody,
            services.move_station,
        ),
        (
            "release_case",
            "release",
            "Release (解除): expiry needs released_on ≥ term_end_effective; refused while a "
            "revocation or custody request has no outcome; expiry refused while a 脱管 is open "
            "(absconded_open) or a 重新犯罪 has no request with an outcome "
            "(reoffence_undecided); an end date before a record of the case: "
            "records_after_end (fields: '<kind>:<id>' → date)",
            bodies.Release,
            services.release_case,
        ),
        (
            "terminate_case",
            "terminate",
            "Terminate (终止): closes open incidents (outcome case_ended); an end date "
            "before a record of the case: records_after_end",
            bodies.Terminate,
            services.terminate_case,
        ),
        (
            "transfer_out",
            "transfer-out",
            "Transfer out (变更执行地): ends the case here; an end date before a record "
            "of the case: records_after_end",
            bodies.TransferOut,
            services.transfer_out,
        ),
    ],
    register=_decision,
)


# --------------------------------------------------------------------------- records of a case

case_routes(
    "/corrections/<int:case_id>/{}",
    _case,
    [
        CaseRoute(
            "change_level",
            "levels",
            "Record an approved level change",
            records.LevelChange,
            bodies.LevelChangeBody,
            services.change_level,
            status=201,
            role=_decider,
        ),
        CaseRoute(
            "record_contact",
            "contacts",
            "Record a contact",
            records.Contact,
            bodies.ContactBody,
            services.record_contact,
            status=201,
        ),
        CaseRoute(
            "void_contact",
            "contacts/<int:contact_id>/void",
            "Void a mistaken contact (kept, stops counting)",
            records.Contact,
            VoidBody,
            services.void_record,
            child=Contact,
            void="contact",
        ),
        CaseRoute(
            "record_sanction",
            "sanctions",
            "Record a reward, sanction or request",
            records.Sanction,
            bodies.SanctionBody,
            services.record_sanction,
            status=201,
            role=_decider,
        ),
        CaseRoute(
            "sanction_outcome",
            "sanctions/<int:sanction_id>/outcome",
            "Record the outcome of a request",
            records.Sanction,
            bodies.OutcomeBody,
            services.record_outcome,
            child=Sanction,
            role=_decider,
        ),
        CaseRoute(
            "void_sanction",
            "sanctions/<int:sanction_id>/void",
            "Void a mistaken sanction record",
            records.Sanction,
            VoidBody,
            services.void_record,
            child=Sanction,
            void="sanction",
            role=_decider,
        ),
        CaseRoute(
            "apply_leave",
            "leaves",
            "Apply for leave (外出)",
            records.Leave,
            bodies.LeaveBody,
            services.apply_leave,
            status=201,
        ),
        CaseRoute(
            "decide_leave",
            "leaves/<int:leave_id>/decision",
            "Decide a leave (officers: up to 7 days; longer: supervisor or admin)",
            records.Leave,
            bodies.LeaveDecision,
            services.decide_leave,
            child=Leave,
            versioned=True,
            check=_leave_decider,
        ),
        CaseRoute(
            "return_from_leave",
            "leaves/<int:leave_id>/return",
            "Record the return from leave (销假)",
            records.Leave,
            bodies.LeaveReturn,
            services.return_from_leave,
            child=Leave,
            versioned=True,
        ),
        CaseRoute(
            "open_incident",
            "incidents",
            "Record an incident (脱管, 重新犯罪, detention)",
            records.Incident,
            bodies.IncidentBody,
            services.open_incident,
            status=201,
        ),
        CaseRoute(
            "close_incident",
            "incidents/<int:incident_id>/close",
            "Close an incident",
            records.Incident,
            bodies.IncidentClose,
            services.close_incident,
            child=Incident,
            versioned=True,
        ),
    ],
    lambda route: _decision if route.role is _decider else write,
)
