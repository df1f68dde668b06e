"""The one registry of figures (docs/domain.md §5). Nothing else in the code counts these.

Period figures count events dated in ``[start, end]`` (both inclusive); stock
figures are the state at the end of ``end``. Each figure is one aggregate query
grouped by station, so a report for a county gets every station's column and
the total in the same pass. A correction case counts at the station it was at
on the event's date (station moves are dated); a session counts at its own
station. Voided records never count. ``cc.overdue`` and ``rs.overdue`` follow
the due-date engine exactly, on any date.

The registry is declared by programme (``supervision``, ``resettlement``, ``alerts``), each
figure with its ``Source`` (``source``); figures over the same rows are counted together
(``batching``); the engine figures come from ``overdue``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from corrections import clock
from corrections.extensions import db
from corrections.reports.figures import alerts, resettlement, supervision
from corrections.reports.figures.batching import batch, in_scope, plan, run_batch
from corrections.reports.figures.overdue import overdue_cases
from corrections.reports.figures.source import N_, Figure, Source
from corrections.reports.figures.sql import (
    CC,
    RC,
    cc_on_register,
    key_at,
    level_at,
    rc_on_register,
    station_at,
)

FIGURES: list[Figure] = [*supervision.FIGURES, *resettlement.FIGURES, *alerts.FIGURES]
BY_KEY = {f.key: f for f in FIGURES}
KEYS = [f.key for f in FIGURES]


@dataclass
class Result:
    totals: dict[str, int]
    by_station: dict[int, dict[str, int]]


def compute(
    start: date, end: date, station_ids: Iterable[int] | None, keys: Iterable[str] | None = None
) -> Result:
    """Every figure for the period, per station and in total, limited to ``station_ids``
    (None: every station). Figures over the same rows share one statement (see ``batch``)."""
    return compute_many([(start, end)], station_ids, keys)[0]


def compute_many(
    periods: list[tuple[date, date]],
    station_ids: Iterable[int] | None,
    keys: Iterable[str] | None = None,
) -> list[Result]:
    """``compute`` for several periods at once (a month and its year to date, the months of a
    chart): every (figure, period) whose rows are the same kind of rows counted at the same
    station joins one statement, so a table is read once for all of them."""
    allowed = set(station_ids) if station_ids is not None else None
    wanted = [BY_KEY[k] for k in (keys or KEYS)]
    results = [Result({}, defaultdict(dict)) for _p in periods]
    members = []
    for i, (start, end) in enumerate(periods):
        for figure in wanted:
            if figure.engine:
                _put(results[i], figure, _overdue_counts(figure, end, allowed), None)
            elif type(figure) is Figure:
                members.append((i, figure, figure.source(start, end)))
            else:  # a figure that builds its own query: on its own
                per, total = _one(figure, start, end, allowed)
                _put(results[i], figure, per, total)
    sources = [source for _i, _f, source in members]
    plan_key = (
        tuple(f for _i, f, _s in members),
        tuple(periods[i] for i, _f, _s in members),
        clock.today(),
    )
    for group, layout in plan(plan_key, sources):
        values, totals = run_batch([sources[m] for m in group], layout, allowed)
        for j, m in enumerate(group):
            i, figure, _source = members[m]
            per = values[j]
            _put(results[i], figure, per, totals[j] if figure.distinct_people else None)
    for i, _p in enumerate(periods):  # the order of the registry, as before
        results[i].totals = {f.key: results[i].totals[f.key] for f in wanted}
        results[i].by_station = dict(results[i].by_station)
    return results


def _put(result: Result, figure: Figure, per: dict[int, int], total: int | None) -> None:
    for station_id, value in per.items():
        result.by_station[station_id][figure.key] = value
    result.totals[figure.key] = sum(per.values()) if total is None else total


def _overdue_counts(figure: Figure, end: date, allowed: set[int] | None) -> dict[int, int]:
    """An engine figure (``cc.overdue``, ``rs.overdue``) per station."""
    return {sid: len(ids) for sid, ids in overdue_cases(figure.key, end, allowed).items()}


def _one(figure: Figure, start: date, end: date, allowed: set[int] | None):
    """One figure by its own statement(s): (value per station, total)."""
    per = {}
    query = figure.query(start, end, sorted(allowed) if allowed is not None else None)
    for station_id, value in db.session.execute(query).all():
        if in_scope(station_id, allowed):
            per[station_id] = int(value or 0)
    total = sum(per.values())
    if figure.distinct_people:
        total = int(db.session.execute(figure.distinct(start, end, allowed)).one().value or 0)
    return per, total


def compute_one_by_one(
    start: date, end: date, station_ids: Iterable[int] | None, keys: Iterable[str] | None = None
) -> Result:
    """The same figures, each by its own grouped statement (the reference ``compute`` must
    equal; tests compare the two)."""
    allowed = set(station_ids) if station_ids is not None else None
    result = Result({}, defaultdict(dict))
    for figure in (BY_KEY[k] for k in (keys or KEYS)):
        if figure.engine:
            _put(result, figure, _overdue_counts(figure, end, allowed), None)
        else:
            per, total = _one(figure, start, end, allowed)
            _put(result, figure, per, total)
    result.by_station = dict(result.by_station)
    return result


def distinct_members(
    start: date,
    end: date,
    station_ids: Iterable[int] | None,
    keys: Iterable[str] | None = None,
) -> dict[str, dict[int, list[int]]]:
    """For every figure that counts distinct people: the ids counted at each station
    (``{key: {station_id: [id, ...]}}``). The figure over several stations is the size of
    the union of their lists, as ``compute`` counts it. ``keys``: only these figures."""
    allowed = set(station_ids) if station_ids is not None else None
    only = set(keys) if keys is not None else None
    out: dict[str, dict[int, list[int]]] = {}
    for figure in FIGURES:
        if not figure.distinct_people or (only is not None and figure.key not in only):
            continue
        per: dict[int, list[int]] = defaultdict(list)
        query = figure.source(start, end).station_members(
            sorted(allowed) if allowed is not None else None
        )
        for station_id, member in db.session.execute(query).all():
            if in_scope(station_id, allowed):
                per[station_id].append(int(member))
        out[figure.key] = {sid: sorted(ids) for sid, ids in per.items()}
    return out


__all__ = [
    "BY_KEY",
    "CC",
    "FIGURES",
    "KEYS",
    "N_",
    "RC",
    "Figure",
    "Result",
    "Source",
    "batch",
    "cc_on_register",
    "compute",
    "compute_many",
    "compute_one_by_one",
    "distinct_members",
    "key_at",
    "level_at",
    "overdue_cases",
    "rc_on_register",
    "station_at",
]
