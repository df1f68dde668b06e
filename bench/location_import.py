"""Time the 信息化核查 import (docs/performance.md: "信息化核查 import").

    python -m bench.location_import --database-url URL [--people 2000] [--rows 50000]
                                    [--xlsx] [--out FILE]

Drops and recreates the database at URL, creates one unit with 20 stations, ``--people``
active correction cases and a circular unit area, writes a carrier export of ``--rows``
rows (UTF-8 CSV, or GBK CSV with ``--gbk``, or .xlsx with ``--xlsx``) with a few percent of
the people missing a day, out of area, motionless with the phone off-body, or far from home
at night, and times in this process: the dry run, then the real run raising an alert for
every row of the three lists. Prints the timings as JSON (and writes them with ``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date, timedelta

from bench.generate import reset_database

TODAY = date(2026, 11, 25)
HOME = (30.25, 120.15)


def build(url: str, people: int):
    from werkzeug.security import generate_password_hash

    from config import normalise_database_url
    from corrections import clock, create_app
    from corrections.alerts import areas
    from corrections.auth.models import Station, Unit, User
    from corrections.extensions import db
    from corrections.people.idnumber import make_fictional
    from corrections.people.models import Person
    from corrections.seeds import seed_reference_data
    from corrections.supervision.models import CorrectionCase

    url = normalise_database_url(url)
    reset_database(url)
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    clock.set_today(TODAY)
    with app.app_context():
        db.create_all()
        seed_reference_data()
        unit = db.session.query(Unit).filter_by(is_default=True).one()
        stations = [
            Station(code=f"B{n:02d}", name=f"第{n}司法所", unit_id=unit.id) for n in range(20)
        ]
        db.session.add_all(stations)
        db.session.flush()
        boss = User(username="bench_sup", role="supervisor", unit_id=unit.id,
                    password_hash=generate_password_hash("bench-2026"))  # fmt: skip
        db.session.add(boss)
        db.session.flush()
        numbers = []
        for n in range(people):
            number = make_fictional("330106", date(1970, 1, 1) + timedelta(days=n // 900), n % 900)
            numbers.append(number)
            person = Person(
                name=f"对象{n:05d}", id_number=number, sex="male" if n % 2 else "female",
                birth_date=date(1970, 1, 1) + timedelta(days=n // 900),
                registered_by_id=boss.id,
            )  # fmt: skip
            db.session.add(person)
            db.session.flush()
            db.session.add(
                CorrectionCase(
                    person_id=person.id,
                    station_id=stations[n % 20].id,
                    correction_type="probation",
                    judgment_effective_on=date(2026, 1, 5),
                    term_start=date(2026, 1, 5),
                    term_end=date(2027, 1, 4),
                    report_deadline=date(2026, 1, 15),
                    received_on=date(2026, 1, 10),
                    status="active",
                    level="normal",
                    created_by_id=boss.id,
                )  # fmt: skip
            )
        areas.set_area(unit, circle=(HOME[0], HOME[1], 30000))
        db.session.commit()
    return app, numbers


def export(numbers: list[str], rows: int, path: str, kind: str) -> dict:
    from corrections.alerts import sample_export as se

    days = 5
    per_day = max(1, rows // (len(numbers) * days))
    hours = [8 + (12 * i) // per_day for i in range(per_day)]
    start = TODAY - timedelta(days=days)
    people = []
    planted = {"missing": 0, "outside": 0, "still": 0, "night": 0}
    for n, number in enumerate(numbers):
        home = (HOME[0] + (n % 50) * 0.002, HOME[1] + (n // 50 % 40) * 0.002)
        p = se.Person(number, f"对象{n:05d}", home)
        if n % 50 == 1:
            p.missing_days = {start + timedelta(days=2)}
            planted["missing"] += 1
        if n % 50 == 2:
            p.outside_at = {start + timedelta(days=1): (HOME[0] + 1.0, HOME[1])}
            planted["outside"] += 1
        if n % 50 == 3:
            p.off_body_days = {start + timedelta(days=d) for d in range(3)}
            planted["still"] += 1
        if n % 50 == 4:
            p.night_far = {start + timedelta(days=3): (home[0] + 0.1, home[1])}
            planted["night"] += 1
        people.append(p)
    data = list(se.rows(people, start, days, hours))
    if kind == "xlsx":
        raw = se.to_xlsx(data)
    else:
        raw = se.to_csv(data, "gbk" if kind == "gbk" else "utf-8")
    with open(path, "wb") as fh:
        fh.write(raw)
    return {"rows": len(data), "bytes": len(raw), "planted": planted}


def measure(app, path: str, filename: str) -> dict:
    from sqlalchemy import select

    from corrections.alerts import location_import as li
    from corrections.auth.models import User
    from corrections.extensions import db

    out = {}
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "bench_sup")).scalar_one()
        began = time.perf_counter()
        with open(path, "rb") as fh:
            result = li.run_location_import(user, filename, fh, dry_run=True)
        out["dry_run_s"] = round(time.perf_counter() - began, 2)
        db.session.rollback()
        out["matched"], out["lists"] = result.matched, result.lists
        out["unmatched"] = len(result.unmatched)
        began = time.perf_counter()
        with open(path, "rb") as fh:
            result = li.run_location_import(user, filename, fh, dry_run=False)
        db.session.commit()
        out["import_s"] = round(time.perf_counter() - began, 2)
        out["alerts_created"] = result.alerts_created
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=50000)
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--gbk", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    kind = "xlsx" if args.xlsx else "gbk" if args.gbk else "csv"
    began = time.perf_counter()
    app, numbers = build(args.database_url, args.people)
    setup = round(time.perf_counter() - began, 1)
    with tempfile.TemporaryDirectory() as tmp:
        filename = "export.xlsx" if kind == "xlsx" else "export.csv"
        path = os.path.join(tmp, filename)
        file_facts = export(numbers, args.rows, path, kind)
        timings = measure(app, path, filename)
    summary = {
        "database": args.database_url.split("://")[0],
        "people": args.people,
        "format": kind,
        "setup_s": setup,
        **file_facts,
        **timings,
    }
    print(json.dumps(summary, ensure_ascii=False))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
