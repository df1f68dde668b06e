"""安置帮教 reads for the pages and the API: the case list, the overdue list on a day, a
person's cases, the case page's records and an officer's visits due.

Scoped to the user given; the stored due state (``next_due_on``) answers "overdue" on the
lists (docs/domain.md §4 with §3.5), the engine only explains the cases on screen.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections import queries as shared
from corrections.auth.models import User
from corrections.auth.scope import scope
from corrections.extensions import db
from corrections.resettlement import services
from corrections.resettlement.models import (
    STATUSES,
    Assistance,
    KeyStatusChange,
    LostContact,
    ResettlementCase,
)
from corrections.rules import engine, twins
from corrections.supervision.models import CorrectionCase

RC = ResettlementCase


def cases(user: User, filters, today: date | None = None):
    """The case list's statement and the search text: ``filters`` as the list page's
    address gives them (status, station, key, overdue, handover, ending, expired, mine, q);
    most urgent first: the next visit, else the release (handover due), else the notice."""
    today = today or clock.today()
    query, q = shared.case_list(RC, user, filters)
    status = filters.get("status", "open")
    if status == "open":
        query = query.where(RC.status != "ended")
    elif status in STATUSES:
        query = query.where(RC.status == status)
    if filters.get("key"):
        query = query.where(RC.is_key.is_(True))
    if filters.get("overdue"):
        query = query.where(RC.status == "active", RC.next_due_on < today)
    if filters.get("handover"):
        query = query.where(
            RC.status != "ended", twins.handover_overdue(RC.released_on, RC.handed_over_on, today)
        )
    if filters.get("ending"):
        query = query.where(RC.status != "ended", twins.period_end_alert(RC.period_ends_on, today))
    if filters.get("expired"):  # 帮教期满未结案 (docs/domain.md §7.7)
        query = query.where(
            RC.status != "ended", twins.support_period_over(RC.period_ends_on, today)
        )
    urgency = func.coalesce(RC.next_due_on, RC.released_on, RC.expected_release_on)
    return query.order_by(urgency.is_(None), urgency, RC.id.desc()), q


def api_cases(user: User, *, status=None, station=None, is_key=None):
    """The API's list: current status, station and key status, oldest first."""
    return shared.api_cases(RC, user, status=status, station=station, is_key=is_key)


def overdue_on(user: User, day: date, *, status=None, station=None, is_key=None) -> list[int]:
    """The ids of the cases overdue for a visit on ``day`` (the ``rs.overdue`` figure's
    cases), with the key status in force that day; ``status`` is the current status."""
    ids = shared.overdue_ids(RC, user, "rs.overdue", day, status=status, station=station)
    if is_key is not None:
        ids = shared.keep_on(
            services,
            RC,
            ids,
            day,
            lambda case, facts: engine.is_key_on(facts.key_periods, day) == is_key,
        )
    return ids


def overdue_states(case_ids: list[int], day: date) -> dict[int, list]:
    """Case id → its requirements overdue on ``day`` (the engine, for a page of cases)."""
    return shared.overdue_states(services, RC, case_ids, day)


def by_ids(case_ids: list[int], *options) -> list[ResettlementCase]:
    return shared.by_ids(RC, case_ids, *options)


def person_cases(user: User, person, *, newest_first: bool = True) -> list[ResettlementCase]:
    """The person's resettlement cases in ``user``'s scope."""
    return shared.person_cases(RC, user, person, newest_first=newest_first)


def open_case(user: User, person) -> ResettlementCase | None:
    """The person's resettlement case not yet ended, if in scope."""
    query = select(RC).where(RC.person_id == person.id, RC.status != "ended")
    return db.session.execute(scope(query, user, RC)).scalars().first()


def released_corrections(user: User, person) -> list[CorrectionCase]:
    """The person's released correction cases not yet moved into resettlement."""
    moved = select(RC.correction_case_id).where(RC.correction_case_id.is_not(None))
    query = select(CorrectionCase).where(
        CorrectionCase.person_id == person.id,
        CorrectionCase.status == "released",
        CorrectionCase.id.not_in(moved),
    )
    return db.session.execute(scope(query, user, CorrectionCase)).scalars().all()


def from_correction(user: User, correction: CorrectionCase) -> ResettlementCase | None:
    """The resettlement case already made from ``correction``, if in scope."""
    query = select(RC).where(RC.correction_case_id == correction.id)
    return db.session.execute(scope(query, user)).scalar_one_or_none()


def case_records(case: ResettlementCase) -> dict:
    """The records the case page shows beside its history: lost-contact episodes with their
    searches (newest first), key-status changes, assistance not voided."""
    lost_rows = (
        db.session.execute(
            select(LostContact)
            .where(LostContact.case_id == case.id)
            .options(selectinload(LostContact.searches))
            .order_by(LostContact.lost_on.desc(), LostContact.id.desc())
        )
        .scalars()
        .all()
    )
    key_history = db.session.execute(
        select(KeyStatusChange)
        .where(KeyStatusChange.case_id == case.id)
        .order_by(KeyStatusChange.effective_on.desc(), KeyStatusChange.id.desc())
    ).scalars()
    assistance = db.session.execute(
        select(Assistance)
        .where(Assistance.case_id == case.id, Assistance.voided_at.is_(None))
        .order_by(Assistance.given_on.desc(), Assistance.id.desc())
    ).scalars()
    return {
        "open_lost": [row for row in lost_rows if row.found_on is None],
        "key_history": key_history.all(),
        "assistance": assistance.all(),
    }


def visits_due(user: User, *where, limit: int = 100) -> list[ResettlementCase]:
    """Active cases (an officer's own) meeting ``where``, the earliest visit due first."""
    mine = RC.officer_id == user.id if user.is_officer else True
    query = select(RC).where(RC.status == "active", mine, *where)
    query = scope(query.options(selectinload(RC.person)), user, RC)
    return db.session.execute(query.order_by(RC.next_due_on).limit(limit)).scalars().all()
