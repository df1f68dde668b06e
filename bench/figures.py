"""Time each figure of the registry on its own (where a month's figures spend their time).

    python -m bench.figures --database-url URL [--month YYYY-MM] [--explain KEY]

Runs ``figures.compute`` for one key at a time over every station and prints the
seconds each took, slowest first; ``--explain KEY`` prints PostgreSQL's
EXPLAIN ANALYZE of that figure's grouped query.
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


if __name__ == "__main__":
    sys.exit(main())
