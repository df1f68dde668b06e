"""社区矫正 reads for the pages and the API: the case list, the overdue list on a day, a
person's cases, the case page's records, the approvals queue and an officer's day.

Scoped to the user given; the stored due state (``next_due_on``) answers "overdue" on the
lists (docs/domain.md §3.5), the engine only explains the cases on screen.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections import queries as shared
from corrections.auth.models import User
from corrections.auth.scope import scope
from corrections.extensions import db
from corrections.rules import engine, twins
from corrections.rules.tables import deadline
from corrections.supervision import services
from corrections.supervision.models import (
    LEVELS,
    STATUSES,
    CaseLevel,
    CorrectionCase,
    Incident,
    Leave,
    MonitoringEpisode,
    Sanction,
    TeamMember,
)

CC = CorrectionCase
OPEN_STATUSES = ("expected", "active")


def absconded_ids():
    """SQL: the ids of the cases with an open 脱管 incident."""
    return select(Incident.case_id).where(
        Incident.kind == "absconded", Incident.closed_on.is_(None)
    )


def cases(user: User, filters, today: date | None = None):
    """The case list's statement and the search text: ``filters`` as the list page's
    address gives them (status, station, level, overdue, missed, absconded, mine, q);
    the earliest due date first."""
    today = today or clock.today()
    query, q = shared.case_list(CC, user, filters)
    status = filters.get("status", "open")
    if status == "open":
        query = query.where(CC.status.in_(OPEN_STATUSES))
    elif status in STATUSES:
        query = query.where(CC.status == status)
    if filters.get("level") in LEVELS:
        query = query.where(CC.level == filters["level"])
    if filters.get("overdue"):
        query = query.where(CC.status == "active", CC.next_due_on < today)
    if filters.get("missed"):
        query = query.where(
            twins.still_missing(CC.status, CC.source, CC.report_deadline, CC.received_on, today)
        )
    if filters.get("absconded"):
        query = query.where(CC.status == "active", CC.id.in_(absconded_ids()))
    query = query.order_by(
        CC.next_due_on.is_(None), CC.next_due_on, CC.report_deadline, CC.id.desc()
    )
    return query, q


def api_cases(user: User, *, status=None, station=None, level=None):
    """The API's list: current status, station and level, oldest first."""
    return shared.api_cases(CC, user, status=status, station=station, level=level)


def overdue_on(user: User, day: date, *, status=None, station=None, level=None) -> list[int]:
    """The ids of the cases overdue on ``day`` (the ``cc.overdue`` figure's cases), at the
    ``station`` and ``level`` in force that day; ``status`` is the current status."""
    ids = shared.overdue_ids(CC, user, "cc.overdue", day, status=status, station=station)
    if level:
        ids = shared.keep_on(
            services,
            CC,
            ids,
            day,
            lambda case, facts: (engine.level_on(facts.levels, day) or case.level) == level,
        )
    return ids


def overdue_states(case_ids: list[int], day: date) -> dict[int, list]:
    """Case id → its requirements overdue on ``day`` (the engine, for a page of cases)."""
    return shared.overdue_states(services, CC, case_ids, day)


def by_ids(case_ids: list[int]) -> list[CorrectionCase]:
    return shared.by_ids(
        CC,
        case_ids,
        selectinload(CC.person),
        selectinload(CC.station),
        selectinload(CC.officer),
    )


def person_cases(user: User, person, *, newest_first: bool = True) -> list[CorrectionCase]:
    """The person's correction cases in ``user``'s scope."""
    return shared.person_cases(CC, user, person, newest_first=newest_first)


# --------------------------------------------------------------------------- the case page


def _all(query) -> list:
    return db.session.execute(query).scalars().all()


def case_records(case: CorrectionCase) -> dict:
    """The records the case page shows beside its history: leaves (newest first), sanctions
    not voided, open incidents, current monitoring and team, level proposals."""
    return {
        "leaves": _all(
            select(Leave).where(Leave.case_id == case.id).order_by(Leave.starts_on.desc())
        ),
        "sanctions": _all(
            select(Sanction)
            .where(Sanction.case_id == case.id, Sanction.voided_at.is_(None))
            .order_by(Sanction.id)
        ),
        "open_incidents": _all(
            select(Incident)
            .where(Incident.case_id == case.id, Incident.closed_on.is_(None))
            .order_by(Incident.occurred_on)
        ),
        "monitoring": _all(
            select(MonitoringEpisode)
            .where(MonitoringEpisode.case_id == case.id, MonitoringEpisode.removed_on.is_(None))
            .order_by(MonitoringEpisode.starts_on)
        ),
        "team": _all(
            select(TeamMember)
            .where(TeamMember.case_id == case.id, TeamMember.removed_on.is_(None))
            .order_by(TeamMember.id)
        ),
        "level_proposals": _all(
            select(CaseLevel).where(CaseLevel.case_id == case.id, CaseLevel.status == "proposed")
        ),
    }


def pending_decisions(user: User, model, *where) -> list[tuple]:
    """``(record, case)`` of ``model`` rows waiting for a county decision, oldest first."""
    query = (
        select(model, CC)
        .join(CC, CC.id == model.case_id)
        .options(selectinload(CC.person), selectinload(CC.station))
        .where(*where)
        .order_by(model.id)
    )
    return db.session.execute(scope(query, user, CC)).all()


def approvals(user: User) -> dict:
    """The approvals page's queues: level and sanction proposals, leave applications that
    need the county (with the tier they need now)."""
    leaves = [
        (lv, case, services.leave_tier_for(case, lv.starts_on, lv.ends_on, exclude_id=lv.id))
        for lv, case in pending_decisions(user, Leave, Leave.status == "applied")
    ]
    return {
        "levels": pending_decisions(user, CaseLevel, CaseLevel.status == "proposed"),
        "sanctions": pending_decisions(
            user, Sanction, Sanction.status == "proposed", Sanction.voided_at.is_(None)
        ),
        "leaves": [row for row in leaves if row[2] != "station" or row[0].tier != "station"],
    }


def open_cases_per_officer(user: User) -> dict:
    """Officer id (None: unassigned) → open cases in ``user``'s scope (caseload handover)."""
    query = (
        select(CC.officer_id, func.count())
        .where(CC.status.in_(OPEN_STATUSES))
        .group_by(CC.officer_id)
    )
    return dict(db.session.execute(scope(query, user, CC)).all())


# --------------------------------------------------------------------------- an officer's day


def due_cases(user: User, *where, limit: int = 100) -> list[CorrectionCase]:
    """Active cases (an officer's own) meeting ``where``, the earliest due date first."""
    mine = CC.officer_id == user.id if user.is_officer else True
    query = select(CC).where(CC.status == "active", mine, *where)
    query = query.options(selectinload(CC.person))
    return _all(scope(query, user, CC).order_by(CC.next_due_on, CC.id).limit(limit))


def expected_cases(user: User, limit: int = 50) -> list[CorrectionCase]:
    """Cases waiting for the person to report, the earliest report deadline first."""
    query = scope(select(CC).where(CC.status == "expected"), user, CC)
    return _all(query.order_by(CC.report_deadline).limit(limit).options(selectinload(CC.person)))


def leaves_ending(user: User, on: date, limit: int = 50) -> list[tuple]:
    """``(case, leave end)`` of approved leave not returned, overdue or ending soon."""
    query = scope(
        select(CC)
        .join(Leave, Leave.case_id == CC.id)
        .where(
            CC.status == "active",
            Leave.status == "approved",
            Leave.kind == "leave",
            Leave.returned_on.is_(None),
            or_(Leave.ends_on < on, twins.due_soon("due_soon_days", Leave.ends_on, on)),
        ),
        user,
        CC,
    )
    return db.session.execute(
        query.add_columns(Leave.ends_on).order_by(Leave.ends_on).limit(limit)
    ).all()


def due_windows(user: User, on: date) -> dict:
    """An officer's correction cases overdue, due today and due in the next N days (N the
    due-soon row in force today, so the heading and the list agree; docs/domain.md §7.1)."""
    ahead = deadline("due_soon_days", on)
    until = on + timedelta(days=ahead)
    return {
        "overdue": due_cases(user, CC.next_due_on < on),
        "today": due_cases(user, CC.next_due_on == on),
        "week_days": ahead,
        "week": due_cases(user, CC.next_due_on > on, CC.next_due_on <= until),
    }


def case_page(case: CorrectionCase, today: date | None = None) -> dict:
    """Everything the case page shows beside its forms and history: the due dates, the
    records (``case_records``) and what follows from them (leave waiting or away, sanctions
    proposed or awaiting a court's outcome, the medical review, the team, the release
    checklist, this month's hours)."""
    from corrections.activities.services import case_month_summary
    from corrections.rules import deadlines as deadline_rules

    today = today or clock.today()
    records = case_records(case)
    leaves, sanctions = records["leaves"], records["sanctions"]
    term_end = services.term_end_effective(case)
    return records | {
        "due": services.due_states(case) if case.status != "expected" else [],
        "suggestions": services.suggestions(case),
        "pending_leaves": [
            (lv, services.leave_tier_for(case, lv.starts_on, lv.ends_on, exclude_id=lv.id))
            for lv in leaves
            if lv.status == "applied"
        ],
        "away_leaves": [lv for lv in leaves if lv.status == "approved" and lv.returned_on is None],
        "sanction_proposals": [s for s in sanctions if s.status == "proposed"],
        "awaiting_outcome": [
            s for s in sanctions if s.is_request and s.status == "decided" and not s.outcome
        ],
        "team_warning": services.team_warning(case),
        "review_due": services.medical_review_due(case),
        "checklist": services.checklist(case),
        "checklist_open": services.checklist_open(case),
        "checklist_opens": deadline_rules.term_end_checklist_opens_on(
            term_end, deadline("term_end_checklist_days", case.term_end)
        ),
        "term_end_effective": term_end,
        "pending_requests": services.pending_requests(case),
        "month_hours": case_month_summary(case, today.year, today.month)
        if case.status == "active"
        else None,
    }
