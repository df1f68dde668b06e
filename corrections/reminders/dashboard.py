"""What the two daily screens show: an officer's day and a supervisor's overview.

Lists read the stored due state (``next_due_on``) through indexes and are
paginated; only the rows on screen are explained by the engine.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections.assessments.models import Assessment
from corrections.auth.models import Station, User
from corrections.auth.scope import scope
from corrections.extensions import db
from corrections.resettlement import queries as rs_queries
from corrections.resettlement import services as resettlement
from corrections.resettlement.models import ResettlementCase
from corrections.rules import engine, twins
from corrections.rules.tables import contact_rules
from corrections.supervision import queries as cc_queries
from corrections.supervision import services as supervision
from corrections.supervision.models import (
    CaseLevel,
    CorrectionCase,
    Leave,
    Sanction,
)

PROGRAMMES = {"correction": CorrectionCase, "resettlement": ResettlementCase}


def _open(model):
    return model.status == "active"


def overdue_query(
    user: User,
    programme: str = "correction",
    *,
    on: date | None = None,
    station_id: int | None = None,
    officer_id: int | None = None,
    level: str | None = None,
    correction_type: str | None = None,
):
    """Active cases overdue on ``on`` (stored earliest due date before it), most days first."""
    on = on or clock.today()
    model = PROGRAMMES[programme]
    query = select(model).where(_open(model), model.next_due_on < on)
    if station_id:
        query = query.where(model.station_id == station_id)
    if officer_id:
        query = query.where(model.officer_id == officer_id)
    if programme == "correction":
        if level:
            query = query.where(CorrectionCase.level == level)
        if correction_type:
            query = query.where(CorrectionCase.correction_type == correction_type)
    query = query.options(
        selectinload(model.person), selectinload(model.station), selectinload(model.officer)
    )
    return scope(query, user, model).order_by(model.next_due_on, model.id)


def explain_overdue(case, programme: str, on: date | None = None, lang: str = "zh") -> list:
    """The overdue requirements of one case with their explanations (engine, on demand)."""
    return explain_overdue_many([case], programme, on, lang)[case.id]


def explain_overdue_many(
    cases: list, programme: str, on: date | None = None, lang: str = "zh"
) -> dict[int, list]:
    """``explain_overdue`` for a page of cases: their facts in a few queries."""
    on = on or clock.today()
    module = supervision if programme == "correction" else resettlement
    facts = module.case_facts_many(cases, on) if cases else {}
    rules = contact_rules()
    out = {}
    for case in cases:
        states = engine.due_dates_on(facts[case.id], rules, on)
        out[case.id] = [(s, s.explain(lang)) for s in states if s.overdue_days > 0]
    return out


def overdue_counts(user: User, programme: str = "correction", on: date | None = None):
    """Overdue cases per station and per officer (one GROUP BY each)."""
    on = on or clock.today()
    model = PROGRAMMES[programme]
    base = scope(select(model.id).where(_open(model), model.next_due_on < on), user, model)
    ids = base.subquery()
    by_station = db.session.execute(
        select(Station.id, Station.name, func.count(model.id))
        .join(model, model.station_id == Station.id)
        .where(model.id.in_(select(ids.c.id)))
        .group_by(Station.id, Station.name)
        .order_by(Station.name)
    ).all()
    by_officer = db.session.execute(
        select(
            model.officer_id,
            func.coalesce(User.display_name, User.username),
            User.username,
            func.count(model.id),
        )
        .outerjoin(User, User.id == model.officer_id)
        .where(model.id.in_(select(ids.c.id)))
        .group_by(model.officer_id, User.display_name, User.username)
        .order_by(func.count(model.id).desc())
    ).all()
    return by_station, by_officer


def headline_counts(user: User, on: date | None = None) -> dict[str, int]:
    on = on or clock.today()

    def count(query, model):
        return db.session.execute(
            select(func.count()).select_from(scope(query, user, model).subquery())
        ).scalar_one()

    cc, rc = CorrectionCase, ResettlementCase
    return {
        "active": count(select(cc.id).where(cc.status == "active"), cc),
        "overdue": count(select(cc.id).where(cc.status == "active", cc.next_due_on < on), cc),
        "missed_intake": count(
            select(cc.id).where(
                twins.still_missing(cc.status, cc.source, cc.report_deadline, cc.received_on, on)
            ),
            cc,
        ),
        "absconded": count(
            select(cc.id).where(
                cc.status == "active",
                cc.id.in_(cc_queries.absconded_ids()),
            ),
            cc,
        ),
        "pending_levels": count(
            select(cc.id)
            .join(CaseLevel, CaseLevel.case_id == cc.id)
            .where(CaseLevel.status == "proposed"),
            cc,
        ),
        "pending_sanctions": count(
            select(cc.id)
            .join(Sanction, Sanction.case_id == cc.id)
            .where(Sanction.status == "proposed", Sanction.voided_at.is_(None)),
            cc,
        ),
        "pending_leave": count(
            select(cc.id)
            .join(Leave, Leave.case_id == cc.id)
            .where(Leave.status == "applied", Leave.tier != "station"),
            cc,
        ),
        "rs_overdue": count(select(rc.id).where(rc.status == "active", rc.next_due_on < on), rc),
        "rs_not_handed_over": count(
            select(rc.id).where(
                rc.status == "released",
                twins.handover_overdue(rc.released_on, rc.handed_over_on, on),
            ),
            rc,
        ),
    }


def on_time_rates(
    user: User, days: int = engine.ON_TIME_WINDOW_DAYS, on: date | None = None, *, stored=True
) -> dict[str, list]:
    """On-time rate (docs/domain.md §3.5) per station and per officer over the last ``days`` days.

    Over the correction cases active at some point in the window; returns rows
    (label, ok, total, rate) sorted worst first. Each case stores its counts over
    the standard window whenever its due state is refreshed (every write and the
    nightly job), so the usual call only sums them; cases whose stored state is not
    from ``on`` (or another window, or ``stored=False``) are evaluated with the engine.
    """
    on = on or clock.today()
    start = on - timedelta(days=days - 1)
    cc = CorrectionCase
    in_window = (cc.received_on <= on, or_(cc.ended_on.is_(None), cc.ended_on > start))
    counts: dict[tuple[int, int | None], list[int]] = defaultdict(lambda: [0, 0])
    use_stored = stored and days == engine.ON_TIME_WINDOW_DAYS
    if use_stored:
        summed = scope(
            select(
                cc.station_id, cc.officer_id, func.sum(cc.on_time_ok), func.sum(cc.on_time_total)
            )
            .where(*in_window, cc.due_computed_on == on)
            .group_by(cc.station_id, cc.officer_id),
            user,
            cc,
        )
        for station_id, officer_id, ok, total in db.session.execute(summed):
            counts[(station_id, officer_id)][0] += int(ok or 0)
            counts[(station_id, officer_id)][1] += int(total or 0)
    fresh = [cc.due_computed_on.is_(None) | (cc.due_computed_on != on)] if use_stored else []
    others = db.session.execute(
        scope(
            select(cc.id, cc.received_on, cc.ended_on, cc.correction_type, cc.station_id,
                   cc.officer_id).where(*in_window, *fresh),
            user,
            cc,
        )
    ).all()  # fmt: skip
    if others:
        rules = contact_rules()
        for i in range(0, len(others), 500):
            chunk = others[i : i + 500]
            facts = supervision.case_facts_many(chunk, on, since=start)
            for row in chunk:
                ok, total = engine.on_time_rate([facts[row.id]], rules, start, on)
                counts[(row.station_id, row.officer_id)][0] += ok
                counts[(row.station_id, row.officer_id)][1] += total
    station_names = dict(
        db.session.execute(
            select(Station.id, Station.name).where(Station.id.in_({k[0] for k in counts}))
        ).all()
    )
    officer_ids = {k[1] for k in counts if k[1] is not None}
    officer_names = {
        u.id: u.label
        for u in db.session.execute(select(User).where(User.id.in_(officer_ids))).scalars()
    }
    by_station: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_officer: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    overall = [0, 0]
    for (station_id, officer_id), (ok, total) in counts.items():
        officer = officer_names.get(officer_id, "（未指定）")
        for bucket in (by_station[station_names[station_id]], by_officer[officer], overall):
            bucket[0] += ok
            bucket[1] += total

    def rows(groups):
        out = [(name, ok, total, (ok / total) if total else None)
               for name, (ok, total) in groups.items()]  # fmt: skip
        return sorted(out, key=lambda r: (r[3] is None, r[3] if r[3] is not None else 0, r[0]))

    ok, total = overall
    return {
        "stations": rows(by_station),
        "officers": rows(by_officer),
        "overall": (ok, total, (ok / total) if total else None),
        "start": start,
        "end": on,
    }


def my_day(user: User, on: date | None = None) -> dict:
    """An officer's day: overdue (most days first), due today, due this week, open deadlines."""
    on = on or clock.today()
    day = cc_queries.due_windows(user, on)
    rc = ResettlementCase
    until = on + timedelta(days=day["week_days"])
    assessments = db.session.execute(
        scope(select(Assessment).where(Assessment.completed_on.is_(None)), user, Assessment)
        .order_by(Assessment.due_on.is_(None), Assessment.due_on)
        .limit(50)
    ).scalars()
    return day | {
        "rs_overdue": rs_queries.visits_due(user, rc.next_due_on < on),
        "rs_week": rs_queries.visits_due(user, rc.next_due_on >= on, rc.next_due_on <= until),
        "expected": cc_queries.expected_cases(user),
        "assessments": assessments.all(),
        "leaves": cc_queries.leaves_ending(user, on),
        "term_ending": term_ending(user, on, mine=True),
    }


def term_ending(user: User, on: date | None = None, *, mine: bool = False, limit: int | None = 100):
    """Active cases in scope whose term ends soon on ``on`` as ``(case, effective term end)``,
    soonest first: the reminder job's definition (``supervision.term_ending_on``: the
    effective term end, moved by 暂外 absconding days). ``mine``: an officer's own cases."""
    on = on or clock.today()
    query = select(CorrectionCase).where(*supervision.term_ending_candidates(on))
    if mine and user.is_officer:
        query = query.where(CorrectionCase.officer_id == user.id)
    query = scope(query.options(selectinload(CorrectionCase.person)), user, CorrectionCase)
    out = []
    for case in db.session.execute(query.order_by(CorrectionCase.term_end, CorrectionCase.id)):
        ends = supervision.term_ending_on(case[0], on)
        if ends is not None:
            out.append((case[0], ends))
    out.sort(key=lambda row: (row[1], row[0].id))
    return out[:limit]


def supervisor_home(user: User, on: date | None = None) -> dict:
    """Today's numbers for a supervisor's (or viewer's) home page, each with where to act.

    Every number comes from the dashboard's own definitions (``headline_counts``,
    ``overdue_counts``, ``overdue_returns``, ``term_ending``), so the home page and the
    overview always agree.
    """
    on = on or clock.today()
    counts = headline_counts(user, on)
    by_station, _by_officer = overdue_counts(user, "correction", on)
    codes = dict(
        db.session.execute(
            select(Station.id, Station.code).where(Station.id.in_([r[0] for r in by_station]))
        ).all()
    )
    returns = overdue_returns(user, on)
    ending = term_ending(user, on, limit=None)
    home = {
        "today": on,
        "overdue": counts["overdue"],
        "overdue_by_station": [(codes[sid], name, n) for sid, name, n in by_station],
        "overdue_returns": returns,
        "missed_intake": counts["missed_intake"],
        "absconded": counts["absconded"],
        "pending": {
            "levels": counts["pending_levels"],
            "sanctions": counts["pending_sanctions"],
            "leave": counts["pending_leave"],
        },
        "pending_total": (
            counts["pending_levels"] + counts["pending_sanctions"] + counts["pending_leave"]
        ),
        "term_ending": ending,
        "rs_overdue": counts["rs_overdue"],
        "rs_not_handed_over": counts["rs_not_handed_over"],
    }
    # Further numbers are added here, each from its own module's count, with a matching
    # tile in templates/home.html: the alerts not yet closed (docs/domain.md §7.11).
    from corrections.alerts.services import counts_by_status

    home["open_alerts"] = sum(
        n for status, n in counts_by_status(user).items() if status != "closed"
    )
    return home


def overdue_returns(user: User, on: date | None = None, limit: int = 200) -> list[tuple]:
    """Approved leaves of active cases in scope not returned (销假) by their end, as
    ``(leave, case, days_late)``, longest overdue first (docs/domain.md §7.3).

    The same selection as the ``cc.overdue_return`` figure on ``on``; the days late
    come from the leave rule (1 on the first day after ``ends_on``).
    """
    from corrections.rules import leaves as leave_rules

    on = on or clock.today()
    query = (
        select(CorrectionCase, Leave)
        .join(Leave, Leave.case_id == CorrectionCase.id)
        .where(
            _open(CorrectionCase),
            Leave.status == "approved",
            Leave.kind == "leave",
            twins.return_overdue(Leave.ends_on, Leave.returned_on, on),
        )
        .options(
            selectinload(CorrectionCase.person),
            selectinload(CorrectionCase.station),
            selectinload(CorrectionCase.officer),
        )
    )
    query = scope(query, user, CorrectionCase).order_by(Leave.ends_on, Leave.id).limit(limit)
    return [
        (leave, case, leave_rules.return_days_late(leave.ends_on, leave.returned_on, on))
        for case, leave in db.session.execute(query).all()
    ]
