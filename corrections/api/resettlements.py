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
    require_writer,
    versioned_action,
    write_body,
)
from corrections.api.openapi import SCOPED, action_routes, listing, operation, write
from corrections.api.people import CASE_SERIALIZERS
from corrections.api.records import resettlement as records
from corrections.auth.models import User
from corrections.auth.scope import get_in_scope
from corrections.core.voiding import VoidBody
from corrections.extensions import db
from corrections.people import privacy
from corrections.resettlement import queries, services
from corrections.resettlement import schemas as bodies
from corrections.resettlement.models import (
    STATUSES,
    Assistance,
    KeyStatusChange,
    ResettlementCase,
    ResettlementContact,
)
from corrections.rules import engine
from corrections.rules.tables import contact_rules
from corrections.schema import Schema, StationCode, doc, enum
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
        name = privacy.display_name(current_api_user(), case.person_id, case.person.name)
        body = records.ResettlementCase.fields_of(case, name)
        periods = facts[case.id].key_periods
        body["is_key"] = engine.is_key_on(periods, today) if periods else case.is_key
        body["key_changes"] = [records.KeyChange.of(row) for row in keys.get(case.id, [])]
        due = engine.due_dates_on(facts[case.id], rules, today)
        body["due"] = [records.ResettlementDueItem.of(s, language) for s in due]
        body["handover_overdue"] = services.handover_overdue(case, today)
        body["period_ending_soon"] = services.period_ending_soon(case, today)
        body["period_over"] = services.period_over_not_ended(case, today)
        body["key_not_escorted"] = body["is_key"] and services.key_without_escort(case)
        out.append(records.ResettlementCase.dump(**body))
    return out


def case_json(case: ResettlementCase) -> dict:
    return render_cases([case])[0]


def person_cases(person, user: User) -> list[dict]:
    """The person's resettlement cases in the user's scope, short form (GET /people/{id})."""
    return [
        records.ResettlementCaseSummary.of(case)
        for case in queries.person_cases(user, person, newest_first=False)
    ]


CASE_SERIALIZERS.append(person_cases)


# --------------------------------------------------------------------------- plumbing


CASE = "/resettlements/<int:case_id>/{}"


def _case(case_id: int) -> ResettlementCase:
    return get_in_scope(ResettlementCase, case_id, current_api_user())


# --------------------------------------------------------------------------- reads


class ResettlementQuery(Schema):
    station: StationCode = None
    status: enum(STATUSES) = None
    is_key: bool = None
    overdue_on: date = doc(
        "Only the cases overdue for a visit on that date, each with `overdue`; is_key is then "
        "the status in force on that date",
        default=None,
    )


@listing(
    "/resettlements",
    "Resettlement cases in scope",
    records.OverdueResettlementCase,
    ResettlementQuery,
)
def list_resettlements():
    user = current_api_user()
    page, per_page, v, station = read_query(ResettlementQuery)
    status, overdue_on, is_key = v.status, v.overdue_on, v.is_key
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
        item["overdue"] = [records.ResettlementOverdueItem.of(s) for s in overdue[case_id]]
    return page_json(Page(items, page, per_page, len(ids)), lambda item: item)


@operation(
    "get",
    "/resettlements/<int:case_id>",
    "A case with its key history, today's due dates and alerts",
    ok=records.ResettlementCase,
    errors=SCOPED,
)
def get_resettlement(case_id: int):
    return case_json(_case(case_id))


# --------------------------------------------------------------------------- writes


@write(
    "/resettlements",
    "Open a case (a pre-release notice, or a release already known)",
    records.ResettlementCase,
    bodies.ResettlementCreate,
    status=201,
    conflict=True,
)
def create_resettlement():
    require_writer()
    return write_body(services.create_case, case_json, status=201)


action_routes(
    CASE,
    records.ResettlementCase,
    versioned_action(_case, case_json),
    [
        (
            "release_resettlement",
            "release",
            "Record the release of a notified person",
            bodies.ReleaseBody,
            services.release,
        ),
        (
            "set_resettlement_key",
            "key",
            "Record a dated change of key status (not before released_on)",
            bodies.KeyBody,
            services.set_key,
        ),
        (
            "verify_resettlement",
            "verification",
            "Record the verification (核查); not a precondition for handover. "
            "false_identity and not_local end the case on verified_on (end_reason of the "
            "same name); records dated after it: records_after_end",
            bodies.VerificationBody,
            services.verify,
        ),
        (
            "hand_over_resettlement",
            "handover",
            "Record the handover (衔接); the visit requirement starts here",
            bodies.HandoverBody,
            services.handover,
        ),
        (
            "end_resettlement",
            "end",
            "End the case; an end date before a contact, assistance, the handover or the "
            "verification: records_after_end (fields: '<kind>:<id>' → date)",
            bodies.EndBody,
            services.end_case,
        ),
    ],
)


case_routes(
    "/resettlements/<int:case_id>/{}",
    _case,
    [
        CaseRoute(
            "record_resettlement_contact",
            "contacts",
            "Record a contact (field_visit and report_in_person meet the visit requirement)",
            records.ResettlementContact,
            bodies.ResettlementContactBody,
            services.record_contact,
            status=201,
        ),
        CaseRoute(
            "void_resettlement_contact",
            "contacts/<int:contact_id>/void",
            "Void a mistaken contact (kept, stops counting)",
            records.ResettlementContact,
            VoidBody,
            services.void_record,
            child=ResettlementContact,
            void="contact",
        ),
        CaseRoute(
            "add_resettlement_assistance",
            "assistance",
            "Record assistance given",
            records.Assistance,
            bodies.AssistanceBody,
            services.add_assistance,
            status=201,
        ),
        CaseRoute(
            "void_resettlement_assistance",
            "assistance/<int:assistance_id>/void",
            "Void a mistaken assistance record (kept, stops counting)",
            records.Assistance,
            VoidBody,
            services.void_record,
            child=Assistance,
            void="assistance",
        ),
    ],
    lambda _route: write,
)
