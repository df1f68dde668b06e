"""``cc.overdue`` and ``rs.overdue``: the cases the due-date engine finds overdue on a day
(docs/domain.md §3.5, §5). The figure and its drill-down both come from ``overdue_cases``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from flask import has_request_context, request
from sqlalchemy import and_, or_, select

from corrections import clock
from corrections.extensions import db
from corrections.reports.figures.sql import CC, RC, cc_on_register, station_at
from corrections.rules import engine
from corrections.rules.tables import contact_rules


def overdue_cases(key: str, on: date, allowed: set[int] | None) -> dict[int, list[int]]:
    """The ids of the cases overdue on ``on`` per the engine (``cc.overdue`` or ``rs.overdue``),
    grouped by their station on that day. The figure and its drill-down both come from here.

    Computed once per request for the same arguments (a monthly summary asks for the
    month and its year to date, which end on the same day).
    """
    memo = {}
    if has_request_context():  # the request object lives exactly as long as the request
        memo = request.__dict__.setdefault("_overdue_cases", {})
    memo_key = (key, on, frozenset(allowed) if allowed is not None else None)
    if memo_key not in memo:
        memo[memo_key] = _overdue_cases(key, on, allowed)
    return memo[memo_key]


def _stored(model, on: date):
    """(rows whose stored state answers for ``on``, and of those the overdue) or None.

    On today's date the stored due state is from today (refreshed on every write and
    every night); on a past month end within the month ends each case keeps, the
    stored list of month ends it was overdue on (refreshed with the due state)."""
    if on == clock.today():
        return model.due_computed_on == on, model.is_overdue
    if on.month != (on + timedelta(days=1)).month and on < clock.today():
        covered = and_(model.month_ends_from <= on, model.month_ends_to >= on)
        return covered, model.overdue_month_ends.contains(on.isoformat())
    return None


def _overdue_cases(key: str, on: date, allowed: set[int] | None) -> dict[int, list[int]]:
    """Cases whose stored state answers for ``on`` are read from their rows; every other
    case on register is evaluated with the engine."""
    rules = contact_rules()
    if key == "cc.overdue":
        from corrections.supervision.services import case_facts_many

        model, station = CC, station_at(on).label("at")
        register = cc_on_register(on)
        filter_rows = allowed is not None  # a case's station on the day is only known per row
        fields = (CC.received_on, CC.ended_on, CC.correction_type)
    elif key == "rs.overdue":
        from corrections.resettlement.services import case_facts_many

        model, station = RC, RC.station_id
        register = and_(RC.handed_over_on <= on, or_(RC.ended_on.is_(None), RC.ended_on > on))
        if allowed is not None:
            register = and_(register, RC.station_id.in_(allowed))
        filter_rows = False
        fields = (RC.handed_over_on, RC.ended_on)
    else:
        raise KeyError(key)
    per: dict[int, list[int]] = defaultdict(list)
    stored = _stored(model, on)
    if stored is not None:
        covered, overdue = stored
        query = select(model.id, station).where(register, covered, overdue)
        for case_id, at in db.session.execute(query):
            if not filter_rows or at in allowed:
                per[at].append(case_id)
        register = and_(register, or_(~covered, covered.is_(None)))
    # plain rows with what the facts need (not whole cases: a province is large)
    query = select(model.id, *fields, station).where(register)
    rows = [r for r in db.session.execute(query) if not filter_rows or r[-1] in allowed]
    for chunk in _chunks(rows, 500):
        facts = case_facts_many(chunk, on)
        for row in chunk:
            if engine.overdue_on(facts[row.id], rules, on):
                per[row[-1]].append(row.id)
    return {station: sorted(ids) for station, ids in per.items()}


def _chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]
