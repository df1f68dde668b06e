"""Stored figures of open periods, per station (docs/performance.md, "Stored figures of open
periods").

``compute_many`` answers exactly what ``figures.compute_many`` answers. A station's figures of
a period are stored the first time they are computed, with the station's version
(``changes``), the day and a hash of the code that computed them; while all three still hold
they are read instead of computed. A write that touches a record counted at a station raises
the station's version in its own transaction, so the next report computes that station again
and no other. The versions are read before anything is computed: a write committed while the
figures are computed leaves them stored under the older version, which the next report no
longer uses.

Counts add up over stations; a figure of distinct people is the size of the union of the ids
stored per station, as for closed months.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from flask import has_request_context, request
from sqlalchemy import select, tuple_
from sqlalchemy.exc import SQLAlchemyError

from corrections import clock
from corrections.db import dialect_insert
from corrections.extensions import db
from corrections.reports import figures
from corrections.reports.figures import changes


def _code() -> str:
    """A hash of the application's source (the registry and its SQL, the rules, the facts the
    engine reads and everything they import): stored figures from another version of the
    code are not used."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for file in sorted(root.rglob("*.py")):
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


log = logging.getLogger("corrections.figures")
CODE = _code()
_PENDING = "figure_rollups_written"


def compute_many(
    periods: list[tuple[date, date]],
    station_ids: Iterable[int] | None,
    keys: Iterable[str] | None = None,
) -> list[figures.Result]:
    """``figures.compute_many`` from stored figures where they still hold; the stations
    without them are computed (together, one ``figures.compute_many``) and stored."""
    from corrections.auth.models import Station
    from corrections.reports.models import FigureRollup

    wanted = list(keys or figures.KEYS)
    distinct = [k for k in wanted if figures.BY_KEY[k].distinct_people]
    if station_ids is None:
        ids = sorted(db.session.execute(select(Station.id)).scalars())
    else:
        ids = sorted(set(station_ids))
    if not ids or not periods:
        return figures.compute_many(periods, ids, wanted)
    today = clock.today()
    # the versions first: figures computed after this are stored under these versions
    versions = changes.versions(db.session, ids)
    spans = sorted(set(periods))
    stored: dict[tuple[date, date], dict[int, FigureRollup]] = defaultdict(dict)
    for row in db.session.execute(
        select(FigureRollup).where(
            FigureRollup.station_id.in_(ids),
            tuple_(FigureRollup.period_start, FigureRollup.period_end).in_(spans),
        )
    ).scalars():
        stored[(row.period_start, row.period_end)][row.station_id] = row
    usable: dict[tuple[date, date], dict[int, FigureRollup]] = {}
    missing: dict[tuple[date, date], list[int]] = {}
    for span in spans:
        good = {
            sid: row
            for sid, row in stored[span].items()
            if row.computed_on == today
            and row.code == CODE
            and row.version == versions.get(sid, 0)
            and all(k in row.figures for k in wanted)
            and all(k in row.members for k in distinct)
        }
        usable[span] = good
        missing[span] = [sid for sid in ids if sid not in good]
    computed = _compute(missing, wanted, distinct)
    if computed:
        _store(computed, stored, versions, today)
    answers = {span: _sum(span, ids, usable[span], computed, wanted) for span in spans}
    return [answers[p] for p in periods]


def _compute(
    missing: dict[tuple[date, date], list[int]], wanted: list[str], distinct: list[str]
) -> dict[tuple[date, date], dict[int, tuple[dict, dict]]]:
    """Figures (and distinct members) of the stations without stored ones: the periods
    missing the same stations are computed together."""
    groups: dict[tuple[int, ...], list[tuple[date, date]]] = defaultdict(list)
    for span, sids in missing.items():
        if sids:
            groups[tuple(sids)].append(span)
    out: dict[tuple[date, date], dict[int, tuple[dict, dict]]] = {}
    for sids, spans in groups.items():
        results = figures.compute_many(spans, sids, wanted)
        for span, result in zip(spans, results, strict=True):
            members = figures.distinct_members(span[0], span[1], sids, distinct) if distinct else {}
            out[span] = {
                sid: (
                    {k: int(result.by_station.get(sid, {}).get(k, 0)) for k in wanted},
                    {k: members.get(k, {}).get(sid, []) for k in distinct},
                )
                for sid in sids
            }
    return out


def _store(computed, stored, versions: dict[int, int], today: date) -> None:
    """Store what was computed; a row still valid for other keys keeps them."""
    from corrections.reports.models import FigureRollup

    rows = []
    for span, per in computed.items():
        for sid, (values, members) in per.items():
            version = versions.get(sid, 0)
            old = stored[span].get(sid)
            if old is not None and (old.computed_on, old.code, old.version) == (
                today,
                CODE,
                version,
            ):
                values = {**old.figures, **values}
                members = {**old.members, **members}
            rows.append(
                {
                    "station_id": sid,
                    "period_start": span[0],
                    "period_end": span[1],
                    "computed_on": today,
                    "version": version,
                    "code": CODE,
                    "figures": values,
                    "members": members,
                }
            )
    table = FigureRollup.__table__
    insert = dialect_insert(db.session)(table)
    statement = insert.on_conflict_do_update(
        index_elements=["station_id", "period_start", "period_end"],
        set_={
            c: insert.excluded[c] for c in ("computed_on", "version", "code", "figures", "members")
        },
    )
    db.session.execute(statement, rows, execution_options={changes.KNOWN: True})
    db.session.info[_PENDING] = True


def _sum(span, ids, usable, computed, wanted) -> figures.Result:
    """The Result of ``figures.compute_many`` for one period from the stations' figures."""
    by_station: dict[int, dict[str, int]] = {}
    members: dict[str, set] = defaultdict(set)
    fresh = computed.get(span, {})
    for sid in ids:
        if sid in fresh:
            values, ids_of = fresh[sid]
        else:
            values, ids_of = usable[sid].figures, usable[sid].members
        nonzero = {k: int(values[k]) for k in wanted if int(values.get(k, 0))}
        if nonzero:
            by_station[sid] = nonzero
        for key, people in ids_of.items():
            members[key].update(people)
    totals = {}
    for key in wanted:
        if figures.BY_KEY[key].distinct_people:
            totals[key] = len(members[key])
        else:
            totals[key] = sum(v.get(key, 0) for v in by_station.values())
    return figures.Result(totals, by_station)


def commit_after_read(response):
    """A report request that stored figures commits them (a GET writes nothing else). If that
    fails the answer stands: the figures were computed; they are only not kept."""
    if (
        db.session.info.pop(_PENDING, False)
        and has_request_context()
        and request.method in ("GET", "HEAD")
        and response.status_code < 400
    ):
        try:
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("stored figures not kept", exc_info=True)
    return response


def warm(on: date) -> dict:
    """Compute and store every station's figures that the day's first monthly report asks
    for (the nightly run, after the due state is recomputed): last month and its year to
    date with every figure, the chart's eleven months before it with the chart's figures."""
    from corrections import periods
    from corrections.reports.models import FigureRollup
    from corrections.reports.summary import SERIES_KEYS

    start, end = periods.month_of(periods.previous_month(on))
    report = [(start, end), (date(start.year, 1, 1), end)]
    chart = [
        (first, periods.month_end(first))
        for first in periods.month_starts_until(start, 12)
        if first != start
    ]
    changes.fold(db.session)  # the night's jobs left change rows: versions read short
    compute_many(report, None)
    compute_many(chart, None, keys=SERIES_KEYS)
    db.session.commit()
    stored = db.session.execute(
        select(FigureRollup.id).where(
            tuple_(FigureRollup.period_start, FigureRollup.period_end).in_(report + chart),
            FigureRollup.computed_on == clock.today(),
        )
    ).all()
    return {"created": len(stored), "periods": len(report) + len(chart)}
