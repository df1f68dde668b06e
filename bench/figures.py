"""Time each figure of the registry on its own (where a month's figures spend their time).

    python -m bench.figures --database-url URL [--month YYYY-MM] [--explain KEY]
                            [--batches] [--check]

Runs ``figures.compute`` for one key at a time over every station and prints the
seconds each took, slowest first; ``--explain KEY`` prints PostgreSQL's
EXPLAIN ANALYZE of that figure's grouped query. ``--batches`` times the statements the
month's figures run together (each batch of figures over the same rows, with EXPLAIN
ANALYZE on PostgreSQL with ``--explain all``); ``--check`` compares the batched figures with
each figure's own statement (``compute_one_by_one``) for the month, the month before, the
year to date, and one unit and one station, and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from bench.run import app_for


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--month", default="")
    parser.add_argument("--explain", default="")
    parser.add_argument("--batches", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--compare", type=int, default=0, metavar="N")
    parser.add_argument("--pages", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    app = app_for(args.database_url)
    from sqlalchemy import text

    from corrections import clock, periods
    from corrections.extensions import db
    from corrections.reports import figures

    with app.app_context():
        if args.month:
            start = date.fromisoformat(args.month + "-01")
        else:
            start = periods.previous_month(clock.today())
        end = periods.month_end(start)
        if args.check:
            return _check(start, end)
        if args.pages:
            return _pages(app, start, args.pages)
        if args.compare:
            return _compare(start, end, args.compare)
        if args.batches:
            return _batches(start, end, args.explain == "all")
        if args.explain:
            query = figures.BY_KEY[args.explain].query(start, end)
            sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
            for (line,) in db.session.execute(text("EXPLAIN ANALYZE " + sql)):
                print(line)
            return 0
        timings = []
        for key in figures.KEYS:
            began = time.perf_counter()
            figures.compute(start, end, None, keys=[key])
            timings.append((time.perf_counter() - began, key))
            db.session.rollback()
        total = sum(t for t, _ in timings)
        print(f"{start:%Y-%m}: {len(timings)} figures, {total:.2f} s in all")
        for seconds, key in sorted(timings, reverse=True):
            print(f"  {seconds * 1000:8.1f} ms  {key}")
    return 0


def _check(start: date, end: date) -> int:
    from sqlalchemy import select

    from corrections import periods
    from corrections.auth.models import Station
    from corrections.extensions import db
    from corrections.reports import figures

    stations = list(db.session.execute(select(Station).order_by(Station.code)).scalars())
    unit = [s.id for s in stations if s.unit_id == stations[0].unit_id]
    before = periods.previous_month(start)
    spans = [(start, end), (before, periods.month_end(before)), (date(end.year, 1, 1), end)]
    bad = 0
    for ids in (None, unit, unit[:1]):
        batched = figures.compute_many(spans, ids)
        for (s, e), got in zip(spans, batched, strict=True):
            want = figures.compute_one_by_one(s, e, ids)
            for key in figures.KEYS:
                same = got.totals[key] == want.totals[key]
                bad += not same
                if not same:
                    print(f"DIFFERENT {key} {s}..{e} scope={len(ids or [])}: "
                          f"{got.totals[key]} != {want.totals[key]}")  # fmt: skip
            if {k: v for k, v in got.by_station.items() if any(v.values())} != {
                k: {f: n for f, n in v.items()} for k, v in want.by_station.items()
            }:
                for sid in set(got.by_station) | set(want.by_station):
                    a = {k: v for k, v in got.by_station.get(sid, {}).items() if v}
                    b = {k: v for k, v in want.by_station.get(sid, {}).items() if v}
                    if a != b:
                        bad += 1
                        print(f"DIFFERENT station {sid} {s}..{e}")
            print(f"{s}..{e} scope={'all' if ids is None else len(ids)}: "
                  f"{len(figures.KEYS)} figures compared")  # fmt: skip
    print("all equal" if not bad else f"{bad} differences")
    return 1 if bad else 0


def _compare(start: date, end: date, repeat: int) -> int:
    """Time the batched figures and the one-by-one reference alternately (back to back, same
    conditions) for the province, a unit and a station: p50 / p95 in ms."""
    import statistics

    from sqlalchemy import select

    from corrections.auth.models import Station
    from corrections.extensions import db
    from corrections.reports import figures

    stations = list(db.session.execute(select(Station).order_by(Station.code)).scalars())
    unit = [s.id for s in stations if s.unit_id == stations[0].unit_id]
    for name, ids in (("province", None), ("unit", unit), ("station", unit[:1])):
        times: dict[str, list[float]] = {"one_by_one": [], "batched": []}
        for i in range(repeat + 1):
            for label, run in (
                ("one_by_one", figures.compute_one_by_one),
                ("batched", figures.compute),
            ):
                t0 = time.perf_counter()
                run(start, end, ids)
                if i:  # the first round warms up
                    times[label].append((time.perf_counter() - t0) * 1000)
                db.session.rollback()
        for label, samples in times.items():
            samples.sort()
            p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
            print(f"{name:9s} {label:11s} p50 {statistics.median(samples):7.0f}  p95 {p95:7.0f}")
    return 0


def _pages(app, start: date, repeat: int) -> int:
    """The monthly PDF (a unit, the province) and a unit's workbook, built in-process with the
    batched figures and with the reference (every figure and period by its own statements, as
    before batching), alternately: milliseconds and statements of each."""
    import statistics

    from sqlalchemy import event, select

    from corrections.auth.models import User
    from corrections.extensions import db
    from corrections.reports import figures
    from corrections.reports.pdf import monthly_pdf
    from corrections.reports.workbook import monthly_workbook

    batched = figures.compute_many

    def reference(periods, station_ids, keys=None):
        return [figures.compute_one_by_one(s, e, station_ids, keys) for s, e in periods]

    count = [0]

    def counted(*_a):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    month = start.strftime("%Y-%m")
    with app.test_request_context("/"):
        users = {
            name: db.session.execute(select(User).where(User.username == name)).scalar_one()
            for name in ("sup1", "bench_admin")
        }
        plan = [
            ("pdf_unit", lambda: monthly_pdf(users["sup1"], month)),
            ("pdf_province", lambda: monthly_pdf(users["bench_admin"], month)),
            ("workbook_unit", lambda: monthly_workbook(users["sup1"], month)),
        ]
        for name, run in plan:
            times: dict[str, list[float]] = {"reference": [], "batched": []}
            statements: dict[str, int] = {}
            for _i in range(repeat):
                for label, impl in (("reference", reference), ("batched", batched)):
                    figures.compute_many = impl
                    count[0] = 0
                    t0 = time.perf_counter()
                    run()
                    times[label].append((time.perf_counter() - t0) * 1000)
                    statements[label] = count[0]
                    db.session.rollback()
            figures.compute_many = batched
            for label, samples in times.items():
                print(f"{name:14s} {label:9s} p50 {statistics.median(samples):7.0f} ms, "
                      f"{statements[label]} statements", flush=True)  # fmt: skip
    event.remove(db.engine, "before_cursor_execute", counted)
    return 0


def _batches(start: date, end: date, explain: bool) -> int:
    from sqlalchemy import event

    from corrections.extensions import db
    from corrections.reports import figures

    seen: list[tuple[float, str, object]] = []
    began: list[float] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        began.append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        seen.append((time.perf_counter() - began.pop(), statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    t0 = time.perf_counter()
    figures.compute(start, end, None)
    total = time.perf_counter() - t0
    event.remove(db.engine, "before_cursor_execute", before)
    event.remove(db.engine, "after_cursor_execute", after)
    print(f"{start:%Y-%m}: {len(seen)} statements, {total * 1000:.0f} ms in all")
    for seconds, statement, _params in sorted(seen, key=lambda x: -x[0]):
        print(f"  {seconds * 1000:8.1f} ms  {' '.join(statement.split())[:160]}")
    if explain:
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for _seconds, statement, params in sorted(seen, key=lambda x: -x[0])[:6]:
                print("-" * 100)
                print(" ".join(statement.split())[:300])
                cursor.execute("EXPLAIN ANALYZE " + statement, params)
                for (line,) in cursor.fetchall():
                    print(line)
        finally:
            raw.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
