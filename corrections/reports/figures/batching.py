"""Figures over the same rows share one statement (docs/performance.md).

Figures are declared one by one (a Source each). Sources over the same rows — the same
entity, FROM, station expression and distinct column, with the same bound values — are
run as one statement: the conditions every member shares stay in WHERE, each member's
own conditions become its aggregate's FILTER, and WHERE keeps rows meeting any member's.
Each member's count is then exactly its own statement's count. Nothing is declared for
this: a figure that shares its rows with no other simply runs alone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from corrections.extensions import db
from corrections.reports.figures.source import Source
from corrections.reports.figures.sql import in_stations


def _hashable(value):
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _signature(element) -> Any:
    """A hashable identity of a SQL expression: its structure and its bound values."""
    if element is None:
        return None
    key = element._generate_cache_key()
    if key is None:  # not cacheable: only equal to itself
        return ("id", id(element))
    return (key.key, tuple(_hashable(bp.effective_value) for bp in key.bindparams))


def _tables(source: Source) -> frozenset:
    found = set(source.station._from_objects)
    for condition in source.where:
        found.update(getattr(condition, "_from_objects", ()))
    return frozenset(found)


def batch(sources: list[Source]) -> list[list[int]]:
    """Indexes of ``sources`` grouped into statements (sources over the same rows)."""
    groups: dict[Any, list[int]] = {}
    for i, source in enumerate(sources):
        key = (
            source.entity,
            _signature(source.frm),
            _signature(source.station),
            _signature(source.per),
            _tables(source),
        )
        groups.setdefault(key, []).append(i)
    return list(groups.values())


_PLANS: OrderedDict = OrderedDict()  # plan key -> [(group, layout)], most recent last
_PLANS_KEPT = 256
_PLANS_LOCK = threading.Lock()


def plan(key, sources: list[Source]) -> list:
    """The batches of ``sources`` and each batch's layout. Working them out compares SQL
    expressions (cache keys and bound values), which costs more than it should per request; the
    result depends only on the figures, the periods and today (the figures' code, never the
    data), so it is kept per process for the same figures and periods."""
    with _PLANS_LOCK:
        found = _PLANS.get(key)
        if found is not None:
            _PLANS.move_to_end(key)
            return found
    found = [(group, _layout([sources[m] for m in group])) for group in batch(sources)]
    with _PLANS_LOCK:
        _PLANS[key] = found
        while len(_PLANS) > _PLANS_KEPT:
            _PLANS.popitem(last=False)
    return found


@dataclass(frozen=True)
class _Layout:
    """Positions (into each source's ``where``) of the conditions all members share and of
    each member's own, and for each own condition the inner query's column it reads:
    ``(column, member, position, kind)`` with kind "cond" (the condition itself) or "left"
    (the left side of ``=``, projected once for every member comparing it)."""

    shared: tuple[int, ...]
    own: tuple[tuple[int, ...], ...]
    slots: tuple[tuple[tuple[str, int, int, str], ...], ...]


def _layout(sources: list[Source]) -> _Layout:
    signed = [[_signature(c) for c in source.where] for source in sources]
    shared_sigs = set.intersection(*(set(sigs) for sigs in signed))
    shared = tuple(k for k, sig in enumerate(signed[0]) if sig in shared_sigs)
    own = tuple(tuple(k for k, sig in enumerate(sigs) if sig not in shared_sigs) for sigs in signed)
    # a left side compared with ``=`` by several conditions is projected once
    lefts: dict[Any, int] = {}
    for j, positions in enumerate(own):
        for k in positions:
            cond = sources[j].where[k]
            if _is_eq(cond):
                sig = _signature(cond.left)
                lefts[sig] = lefts.get(sig, 0) + 1
    columns: dict[Any, tuple[str, int, int, str]] = {}
    slots = []
    for j, positions in enumerate(own):
        mine = []
        for k in positions:
            cond = sources[j].where[k]
            if _is_eq(cond) and lefts[_signature(cond.left)] > 1:
                sig, kind = ("left", _signature(cond.left)), "left"
            else:
                sig, kind = ("cond", signed[j][k]), "cond"
            if sig not in columns:
                columns[sig] = (f"c{len(columns)}", j, k, kind)
            mine.append((columns[sig][0], j, k, kind))
        slots.append(tuple(mine))
    return _Layout(shared, own, tuple(slots))


def run_batch(sources: list[Source], layout: _Layout, allowed: set[int] | None):
    """Run sources of one batch: (each source's value per station, each source's total of
    distinct ``per`` values or None).

    The rows are selected once in an inner query (behind ``OFFSET 0``, so PostgreSQL does not
    fold it into the outer one) that computes each member's own condition once as a column —
    and a value several members compare with ``=`` (a case's level on the day) once for all of
    them; the outer query counts per station with one FILTER per member."""
    first = sources[0]
    shared = [first.where[k] for k in layout.shared]
    own = [[s.where[k] for k in pos] for s, pos in zip(sources, layout.own, strict=True)]
    where = list(shared)
    if all(own):
        where.append(or_(*[and_(*conds) for conds in own]))
        where.extend(_hull(own))
    if allowed is not None:
        where.append(in_stations(first.station, sorted(allowed)))
    if len(sources) == 1:
        return _run_plain(first, own[0], where, allowed)

    inner = [first.station.label("station_id")]
    if first.per is not None:
        inner.append(first.per.label("per"))
    made = set()
    plans = []  # per member: [(column name, right side or None)]
    for mine in layout.slots:
        plan = []
        for name, j, k, kind in mine:
            cond = sources[j].where[k]
            # the column is built from the member and position that first needed it
            if name not in made:
                made.add(name)
                inner.append((cond.left if kind == "left" else cond).label(name))
            plan.append((name, cond.right if kind == "left" else None))
        plans.append(plan)
    rows = first._from(select(*inner)).where(*where).offset(0).subquery("batch_rows")

    def aggregate(plan):
        value = func.count(func.distinct(rows.c.per)) if first.per is not None else func.count()
        if not plan:
            return value
        conds = [rows.c[n] == right if right is not None else rows.c[n] for n, right in plan]
        return value.filter(and_(*conds))

    aggregates = [aggregate(plan).label(f"v{j}") for j, plan in enumerate(plans)]
    query = select(rows.c.station_id, *aggregates).group_by(rows.c.station_id)
    values: list[dict[int, int]] = [{} for _s in sources]
    for row in db.session.execute(query).all():
        station_id = row[0]
        if not in_scope(station_id, allowed):
            continue
        for j in range(len(sources)):
            if row[j + 1]:
                values[j][station_id] = int(row[j + 1])
    totals: list[int | None] = [None] * len(sources)
    if first.per is not None:  # distinct people: the total is not the sum of the stations
        row = db.session.execute(select(*aggregates)).one()
        totals = [int(v or 0) for v in row]
    return values, totals


def _between(cond):
    """(column, low, high) of ``column BETWEEN low AND high`` with bound values, else None."""
    if (
        isinstance(cond, BinaryExpression)
        and cond.operator is operators.between_op
        and len(getattr(cond.right, "clauses", ())) == 2
        and all(isinstance(c, BindParameter) for c in cond.right.clauses)
    ):
        low, high = (c.effective_value for c in cond.right.clauses)
        if low is not None and high is not None:
            return cond.left, low, high
    return None


def _hull(own: list[list]) -> list:
    """When every member keeps rows by ``col BETWEEN a AND b`` on the same column (a month,
    its year to date, the months of a chart), the span from the earliest ``a`` to the latest
    ``b``: implied by the members' OR, and a range an index can read."""
    spans: dict[Any, list] = {}
    for j, conds in enumerate(own):
        for cond in conds:
            found = _between(cond)
            if found is not None:
                column, low, high = found
                entry = spans.setdefault(_signature(column), [column, low, high, set()])
                entry[1], entry[2] = min(entry[1], low), max(entry[2], high)
                entry[3].add(j)
    return [
        column.between(low, high)
        for column, low, high, members in spans.values()
        if len(members) == len(own)
    ]


def _is_eq(cond) -> bool:
    return (
        isinstance(cond, BinaryExpression)
        and cond.operator is operators.eq
        and isinstance(cond.right, BindParameter)
    )


def _run_plain(source: Source, own: list, where: list, allowed: set[int] | None):
    """A batch of one: the figure's own grouped statement."""
    value = func.count(func.distinct(source.per)) if source.per is not None else func.count()
    query = source._from(select(source.station.label("station_id"), value.label("v0")))
    query = query.where(*where).group_by(source.station)
    per = {}
    for station_id, count in db.session.execute(query).all():
        if count and in_scope(station_id, allowed):
            per[station_id] = int(count)
    total = None
    if source.per is not None:
        total = int(db.session.execute(source._from(select(value)).where(*where)).scalar() or 0)
    return [per], [total]


def in_scope(station_id: int | None, allowed: set[int] | None) -> bool:
    """A counted row's station is one asked for (None: every station)."""
    return station_id is not None and (allowed is None or station_id in allowed)
