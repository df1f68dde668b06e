"""Where a monthly PDF or workbook spends its time: SQL against Python, statement by statement.

    python -m bench.pages --database-url URL [--user sup1] [--month YYYY-MM] [--station CODE]
                          [--what pdf|xlsx] [--repeat 1] [--profile] [--statements N]

Builds the document in process (after one unmeasured build), times it (wall clock and this
process's CPU time, which a loaded machine inflates less), counts the statements and
the time spent executing them (a client-side cursor has its rows by then; a server-side
one, streaming a register, fetches the rest later), and prints the slowest ``--statements`` of them; ``--profile`` adds
pyinstrument's call tree of the last build.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict

from bench.run import app_for


def build(what: str, user, month: str, station: str | None) -> bytes:
    if what == "pdf":
        from corrections.reports.pdf import monthly_pdf

        return monthly_pdf(user, month, station)
    from corrections.reports.workbook import monthly_workbook

    return monthly_workbook(user, month, station)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--user", default="sup1")
    parser.add_argument("--month", default="")
    parser.add_argument("--station", default=None)
    parser.add_argument("--what", choices=("pdf", "xlsx"), default="pdf")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--statements", type=int, default=15)
    parser.add_argument("--no-warm-up", action="store_true")
    args = parser.parse_args(argv)
    app = app_for(args.database_url)
    from sqlalchemy import event, select

    from corrections import clock, periods
    from corrections.auth.models import User
    from corrections.extensions import db

    with app.test_request_context():
        user = db.session.execute(select(User).where(User.username == args.user)).scalar_one()
        month = args.month or periods.month_text(periods.previous_month(clock.today()))
        if not args.no_warm_up:
            build(args.what, user, month, args.station)
        timings: list[tuple[float, str]] = []
        started: list[float] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            started.append(time.perf_counter())

        def after(conn, cursor, statement, parameters, context, executemany):
            timings.append((time.perf_counter() - started.pop(), statement))

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
        totals = []
        cpu = []
        size = 0
        for i in range(args.repeat):
            timings.clear()
            if profiler is not None and i == args.repeat - 1:
                profiler.start()
            began, began_cpu = time.perf_counter(), time.process_time()
            data = build(args.what, user, month, args.station)
            totals.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
            size = len(data)
            if profiler is not None and i == args.repeat - 1:
                profiler.stop()
            db.session.rollback()
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
        sql = sum(t for t, _s in timings)
        print(
            f"{args.what} {month} as {args.user}"
            + (f", station {args.station}" if args.station else "")
            + f": {size:,} bytes; runs (s): {', '.join(f'{t:.2f}' for t in totals)} "
            f"(this process's CPU: {', '.join(f'{t:.2f}' for t in cpu)}); "
            f"last run: {len(timings)} statements, {sql:.2f} s executing them, "
            f"{totals[-1] - sql:.2f} s in Python (and reading streamed rows)"
        )
        grouped: dict[str, list[float]] = defaultdict(list)
        for t, s in timings:
            grouped[" ".join(s.split())[:160]].append(t)
        slowest = sorted(grouped.items(), key=lambda kv: -sum(kv[1]))[: args.statements]
        for text, times in slowest:
            print(f"  {sum(times):7.3f} s  ×{len(times):<4} {text}")
        if profiler is not None:
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
