"""Measure the app on a generated database (see bench/generate.py and docs/performance.md).

    python -m bench.run --database-url URL [--repeat 20] [--workers 2] [--port 8765]
                        [--only name,name] [--skip-jobs] [--location-rows N] [--out FILE]

Starts the app under gunicorn (``--workers`` sync workers) against the database,
logs in as the generated users and times, over repeated requests (median and 95th
percentile; the first two requests of each kind are warm-up and not counted):

* the supervisor's overdue dashboard (first page; a page filtered by station and level),
* an officer's home page, the case page of the case with the longest history,
* the summary figures of one month for the whole province (admin), one unit
  (a supervisor) and one station,
* the monthly PDF and the workbook of a unit (and the province-wide PDF),
* recording contacts through the API from 8 concurrent clients (throughput, latency),
* self check-ins submitted with a 3 MB phone photo, the check-in review queue page and the
  信息化核查 location import of a 50,000-row carrier export (bench/scenarios.py),
* the recompute (the engine on every case, then the next night's carried run) and the daily
  reminder job (run in this process),
* the peak resident memory (VmHWM) of the gunicorn workers,
* the bare SQL of the province-wide month figures replayed on a raw DB-API
  connection, and the ratio of the app's time to it.

Results are printed as a table and written as JSON (``--out``).  Recording contacts
writes real contacts (dated today) into the benchmark database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie

from bench import scenarios

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PASSWORD = "bench-2026"
SECRET = "bench-secret-not-for-production"

TARGETS = {  # name -> p95 limit in ms (docs/performance.md, second round)
    "dashboard": 100,
    "dashboard_filtered": 100,
    "home_officer": 150,
    "case_page": 200,
    "figures_province": 400,
    "figures_unit": 150,
    "figures_closed_province": 50,
    "figures_closed_unit": 50,
    "figures_closed_station": 50,
    "pdf_unit": 1500,
    "pdf_province": 2000,
    # the same targets right after a write (the written station's figures computed again)
    "figures_province_after_write": 400,
    "figures_unit_after_write": 150,
    "pdf_province_after_write": 2000,
    "workbook_unit": 5000,
    "contacts_8_clients": 60,
    "checkin_submit": 500,
    "checkin_queue": 150,
    "location_import": 30000,
    "location_import_dry_run": 30000,
}


# --------------------------------------------------------------------------- http


class Client:
    """A tiny HTTP client with a cookie jar (one connection per request: sync workers)."""

    def __init__(self, port: int, token: str | None = None):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = token

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
        conn.close()
        return resp.status, data

    def get(self, path: str):
        return self.request("GET", path)

    def post_json(self, path: str, payload: dict):
        return self.request(
            "POST", path, json.dumps(payload).encode(), {"Content-Type": "application/json"}
        )

    def login(self, username: str) -> None:
        status, page = self.get("/login")
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if not match:
            raise SystemExit(f"login page without a CSRF token (HTTP {status})")
        form = urllib.parse.urlencode(
            {"csrf_token": match.group(1).decode(), "username": username, "password": PASSWORD}
        ).encode()
        status, _ = self.request(
            "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise SystemExit(f"login as {username} failed (HTTP {status})")


# --------------------------------------------------------------------------- timing


@dataclass
class Result:
    name: str
    what: str
    samples: list[float] = field(default_factory=list)  # milliseconds
    extra: dict = field(default_factory=dict)

    def summary(self) -> dict:
        s = sorted(self.samples)
        out = {"name": self.name, "what": self.what, "n": len(s), **self.extra}
        if s:
            out["p50_ms"] = round(statistics.median(s), 1)
            out["p95_ms"] = round(s[max(0, min(len(s) - 1, int(round(0.95 * len(s))) - 1))], 1)
            out["max_ms"] = round(s[-1], 1)
        target = TARGETS.get(self.name)
        if target is not None and s:
            out["target_p95_ms"] = target
            out["met"] = out["p95_ms"] <= target
        return out


def timed_get(
    client: Client, path: str, repeat: int, expect: int = 200, before=None
) -> list[float]:
    """``repeat`` timed GETs after two untimed ones; ``before()`` runs (untimed) before each."""
    samples = []
    for i in range(repeat + 2):
        if before is not None:
            before()
        started = time.perf_counter()
        status, body = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if status != expect:
            raise SystemExit(f"GET {path}: HTTP {status}: {body[:300]!r}")
        if i >= 2:
            samples.append(elapsed)
    return samples


# --------------------------------------------------------------------------- the app


def app_for(url: str):
    os.environ.update(
        APP_ENV="production",
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        AUDIT_KEY=SECRET,
        SECURE_COOKIES="0",
    )
    from corrections import create_app

    return create_app()


def start_gunicorn(url: str, port: int, workers: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        APP_ENV="production",
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        AUDIT_KEY=SECRET,
        SECURE_COOKIES="0",
    )
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    proc = subprocess.Popen(
        [gunicorn, "-c", "deploy/gunicorn.conf.py", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--timeout", "600", "--access-logfile", "/dev/null", "--max-requests", "0",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    for _ in range(300):
        try:
            status, _ = Client(port).get("/healthz")
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True)
    return [int(p) for p in out.stdout.split()]


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


# --------------------------------------------------------------------------- scenarios


def setup_facts(app, summary: dict) -> dict:
    """Users, tokens and ids the scenarios need (tokens are issued fresh per run)."""
    from sqlalchemy import func, select

    from corrections.auth.models import Station, User
    from corrections.auth.services import issue_token
    from corrections.extensions import db
    from corrections.supervision.models import Contact, CorrectionCase

    with app.app_context():
        case_id = summary.get("long_history_case_id")
        if not case_id:
            case_id = db.session.execute(
                select(Contact.case_id).group_by(Contact.case_id)
                .order_by(func.count().desc()).limit(1)
            ).scalar_one()  # fmt: skip
        case = db.session.get(CorrectionCase, case_id)
        officer = db.session.get(User, case.officer_id) if case.officer_id else None
        if officer is None:
            officer = db.session.execute(
                select(User).where(User.username.like("off%")).order_by(User.id)
            ).scalars().first()  # fmt: skip
        station = db.session.get(Station, case.station_id)
        admin = db.session.execute(select(User).where(User.username == "bench_admin")).scalar_one()
        sup = db.session.execute(select(User).where(User.username == "sup1")).scalar_one()
        tokens = {
            "admin": issue_token(admin, admin, "bench")[1],
            "sup": issue_token(sup, sup, "bench")[1],
        }
        # eight officers of different stations, each with active cases to record contacts on
        writers = []
        for off in db.session.execute(
            select(User).where(User.username.like("off%\\_1", escape="\\")).order_by(User.id)
        ).scalars():
            station_ids = [s.id for s in off.stations]
            cases = db.session.execute(
                select(CorrectionCase.id).where(
                    CorrectionCase.station_id.in_(station_ids), CorrectionCase.status == "active"
                ).limit(50)
            ).scalars().all()  # fmt: skip
            if cases:
                writers.append((off.username, issue_token(off, off, "bench")[1], cases))
            if len(writers) == 8:
                break
        # active cases of the supervisor's unit, one per station (a write the unit's report
        # has to catch up with)
        unit_cases = []
        for sid in db.session.execute(
            select(Station.id).where(Station.unit_id == sup.unit_id).order_by(Station.id)
        ).scalars():
            found = db.session.execute(
                select(CorrectionCase.id).where(
                    CorrectionCase.station_id == sid, CorrectionCase.status == "active"
                ).limit(1)
            ).scalar()  # fmt: skip
            if found:
                unit_cases.append(found)
        closed = _close_month_before_last(admin)
        db.session.commit()
        return {
            "closed_month": closed,
            "case_id": case.id,
            "officer": officer.username,
            "station": station.code,
            "unit_station": db.session.execute(
                select(Station.code).where(Station.unit_id == sup.unit_id).order_by(Station.code)
            )
            .scalars()
            .first(),
            "tokens": tokens,
            "writers": writers,
            "unit_cases": unit_cases,
        }


def _close_month_before_last(admin) -> str:
    """Close the month before last for every unit (once; kept in the benchmark database), so
    the closed-month scenarios read stored figures (docs/domain.md §7.8)."""
    from sqlalchemy import select

    from corrections.auth.models import Unit
    from corrections.extensions import db
    from corrections.reports import summary as summaries

    start, _end = month_before(month_before(_today())[0])
    for unit in db.session.execute(select(Unit).order_by(Unit.id)).scalars():
        if summaries.closed_month(unit.id, start) is None:
            summaries.close_month(admin, unit, start.strftime("%Y-%m"))
    return start.strftime("%Y-%m")


def _today() -> date:
    from corrections import clock

    return clock.today()  # the app's date (Beijing time), not the machine's


def month_before(today: date) -> tuple[date, date]:
    from corrections import periods

    return periods.month_of(periods.previous_month(today))


def run_pages(port: int, facts: dict, repeat: int, only: set[str] | None, app=None) -> list[Result]:
    results: list[Result] = []
    start, end = month_before(_today())
    month = f"{start.year:04d}-{start.month:02d}"
    q = f"from={start.isoformat()}&to={end.isoformat()}"
    closed = facts["closed_month"]
    cstart, cend = month_before(start)  # the month before last, closed in setup_facts
    cq = f"from={cstart.isoformat()}&to={cend.isoformat()}"

    def want(name: str) -> bool:
        return only is None or name in only

    sup = Client(port)
    sup.login("sup1")
    officer = Client(port)
    officer.login(facts["officer"])
    admin_api = Client(port, facts["tokens"]["admin"])
    sup_api = Client(port, facts["tokens"]["sup"])
    plan = [
        ("dashboard", "supervisor's overdue dashboard, first page", sup, "/dashboard", repeat),
        ("dashboard_filtered", "dashboard filtered by station and level", sup,
         f"/dashboard?station={facts['unit_station']}&level=strict", repeat),
        ("home_officer", "officer's home page (my day)", officer, "/", repeat),
        ("case_page", "case page with the longest history", officer,
         f"/corrections/{facts['case_id']}", repeat),
        ("figures_province", f"summary figures of {month}, whole province (API)", admin_api,
         f"/api/v1/reports/summary?{q}", repeat),
        ("figures_unit", f"summary figures of {month}, one unit (API)", sup_api,
         f"/api/v1/reports/summary?{q}", repeat),
        ("figures_station", f"summary figures of {month}, one station (API)", sup_api,
         f"/api/v1/reports/summary?{q}&station={facts['unit_station']}", repeat),
        ("figures_closed_province", f"summary figures of the closed month {closed}, province",
         admin_api, f"/api/v1/reports/summary?{cq}", repeat),
        ("figures_closed_unit", f"summary figures of the closed month {closed}, one unit",
         sup_api, f"/api/v1/reports/summary?{cq}", repeat),
        ("figures_closed_station", f"summary figures of the closed month {closed}, one station",
         sup_api, f"/api/v1/reports/summary?{cq}&station={facts['unit_station']}", repeat),
        ("pdf_unit", f"monthly PDF {month}, one unit", sup_api,
         f"/api/v1/reports/monthly.pdf?month={month}", max(3, repeat // 4)),
        ("pdf_province", f"monthly PDF {month}, whole province", admin_api,
         f"/api/v1/reports/monthly.pdf?month={month}", max(3, repeat // 4)),
        ("workbook_unit", f"monthly workbook {month}, one unit", sup_api,
         f"/api/v1/reports/monthly.xlsx?month={month}", max(3, repeat // 4)),
        ("checkin_queue", "check-in review queue (submitted, first page), supervisor", sup,
         "/checkins", repeat),
    ]  # fmt: skip
    # the stored figures (reports/figures/rollups.py): the rows above read what the night's
    # store_figures left; these measure a report right after a write at one station (that
    # station computed again) and with nothing stored (every station computed and stored)
    write = _one_write(port, [(token, cases) for _u, token, cases in facts["writers"]])
    in_unit = _one_write(port, [(facts["tokens"]["sup"], [c]) for c in facts["unit_cases"]])
    plan += [
        ("figures_province_after_write", f"summary figures of {month}, province, after a "
         "contact at one station", admin_api, f"/api/v1/reports/summary?{q}", repeat, write),
        ("figures_unit_after_write", f"summary figures of {month}, one unit, after a contact "
         "at one of its stations", sup_api, f"/api/v1/reports/summary?{q}", repeat, in_unit),
        ("pdf_province_after_write", f"monthly PDF {month}, province, after a contact at one "
         "station", admin_api, f"/api/v1/reports/monthly.pdf?month={month}",
         max(3, repeat // 4), write),
        ("figures_province_cold", f"summary figures of {month}, province, nothing stored",
         admin_api, f"/api/v1/reports/summary?{q}", max(3, repeat // 4), _forget_figures(app)),
    ]  # fmt: skip
    for name, what, client, path, n, *before in plan:
        if not want(name):
            continue
        print(f"  {name} …", end=" ", flush=True)
        hook = before[0] if before else None
        results.append(Result(name, what, timed_get(client, path, n, before=hook)))
        row = results[-1].summary()
        print(f"p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms", flush=True)
    return results


def _one_write(port: int, writers: list[tuple[str, list[int]]]):
    """A contact recorded through the API by the next of ``writers`` (token, cases), each
    at another station: the write a report has to catch up with."""
    turn = {"i": 0}
    today = _today().isoformat()

    def write() -> None:
        token, cases = writers[turn["i"] % len(writers)]
        turn["i"] += 1
        status, body = Client(port, token).post_json(
            f"/api/v1/corrections/{cases[0]}/contacts",
            {"kind": "phone", "occurred_on": today, "note": "bench"},
        )
        if status != 201:
            raise SystemExit(f"contact before a report: HTTP {status}: {body[:300]!r}")

    return write


def _forget_figures(app):
    """Delete every stored figure row (a report then computes and stores all of them)."""

    def forget() -> None:
        from sqlalchemy import delete

        from corrections.extensions import db
        from corrections.reports.models import FigureRollup

        with app.app_context():
            db.session.execute(delete(FigureRollup))
            db.session.commit()

    return forget


def store_figures(app) -> Result:
    """The nightly store_figures job, so the pages read what a morning's reports read."""
    from corrections.extensions import db
    from corrections.reminders.jobs import run_job

    print("  job store_figures …", flush=True)
    with app.app_context():
        started = time.perf_counter()
        outcome = run_job("store_figures")
        db.session.commit()
        elapsed = (time.perf_counter() - started) * 1000
    return Result("job_store_figures", "store_figures: every station's figures of last month, "
                  "its year to date and the chart", [elapsed],
                  {k: v for k, v in outcome.items() if isinstance(v, int)})  # fmt: skip


def run_contacts(port: int, facts: dict, seconds: float) -> Result:
    """Eight clients record phone contacts as fast as the app takes them."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    today = _today().isoformat()

    def client_loop(token: str, cases: list[int]) -> None:
        client = Client(port, token)
        i = 0
        while time.perf_counter() < stop_at:
            case_id = cases[i % len(cases)]
            i += 1
            started = time.perf_counter()
            status, body = client.post_json(
                f"/api/v1/corrections/{case_id}/contacts",
                {"kind": "phone", "occurred_on": today, "note": "bench"},
            )
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 201:
                    latencies.append(elapsed)
                else:
                    errors.append(f"{status} {body[:200]!r}")

    writers = facts["writers"][:8]
    threads = [threading.Thread(target=client_loop, args=(t, c)) for _, t, c in writers]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    result = Result(
        "contacts_8_clients",
        f"record a contact (API), {len(writers)} concurrent clients for {seconds:.0f} s",
        latencies,
        {"per_second": round(len(latencies) / wall, 1), "errors": len(errors)},
    )
    if errors:
        print("  contact errors, first:", errors[0])
    return result


def run_jobs(app) -> list[Result]:
    from sqlalchemy import delete

    from corrections.extensions import db
    from corrections.reminders.jobs import recompute_due, run_job
    from corrections.reminders.models import Delivery, Notification

    def timed(name: str, what: str, work) -> Result:
        print(f"  job {name} …", flush=True)
        started = time.perf_counter()
        outcome = work()
        db.session.commit()
        elapsed = (time.perf_counter() - started) * 1000
        return Result(f"job_{name}", what, [elapsed],
                      {k: v for k, v in outcome.items() if isinstance(v, int)})  # fmt: skip

    today = _today()
    results = []
    with app.app_context():
        # the engine on every open case as of yesterday (a rule change; the Sunday run),
        # then tonight's run for today, which carries forward the cases with nothing dated
        # since (docs/operations.md, Scheduled jobs); the database ends computed for today,
        # as the pages read it
        yesterday = today - timedelta(days=1)
        results.append(timed("recompute_due_full", "recompute_due, the engine on every case",
                             lambda: recompute_due(yesterday)))  # fmt: skip
        results.append(timed("recompute_due_nightly", "the night's recompute (carried)",
                             lambda: recompute_due(today, carry=True)))  # fmt: skip
        # a first run of the day: nothing sent yet
        db.session.execute(delete(Delivery))
        db.session.execute(delete(Notification))
        db.session.commit()
        results.append(timed("daily_reminders", "job daily_reminders (whole database)",
                             lambda: run_job("daily_reminders")))  # fmt: skip
    return results


def bare_sql(app, repeat: int) -> tuple[Result, Result]:
    """The province-wide month figures computed from the records (the registry's own path,
    what a report costs with no stored figures): in the app's code vs. its SQL replayed raw."""
    from sqlalchemy import event

    from corrections.extensions import db
    from corrections.reports import figures

    start, end = month_before(_today())
    statements: list[tuple[str, object]] = []
    with app.app_context():
        engine = db.engine

        def capture(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, parameters))

        in_app = []
        for i in range(repeat + 1):
            if i == 0:
                event.listen(engine, "before_cursor_execute", capture)
            began = time.perf_counter()
            figures.compute(start, end, None)
            in_app.append((time.perf_counter() - began) * 1000)
            if i == 0:
                event.remove(engine, "before_cursor_execute", capture)
            db.session.rollback()
        raw = engine.raw_connection()
        times = []
        try:
            for _ in range(repeat):
                cursor = raw.cursor()
                began = time.perf_counter()
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    cursor.fetchall()
                times.append((time.perf_counter() - began) * 1000)
                cursor.close()
                raw.rollback()
        finally:
            raw.close()
    return (
        Result("figures_province_in_process", "province month figures computed from the records, app code in-process",
               in_app[1:], {"statements": len(statements)}),
        Result("figures_province_bare_sql", "the same statements on a raw DB-API connection",
               times, {"statements": len(statements)}),
    )  # fmt: skip


# --------------------------------------------------------------------------- main


def _summary_file(url: str) -> dict:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    name = os.path.splitext(os.path.basename(u.database or ""))[0]
    for candidate in (f"generate_{u.get_backend_name()}_{name}.json", "last_generate.json"):
        path = os.path.join(HERE, candidate)
        if os.path.exists(path):
            with open(path) as fh:
                return json.load(fh)
    return {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--contact-seconds", type=float, default=20)
    parser.add_argument("--location-rows", type=int, default=50_000)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--skip-jobs", action="store_true")
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    only = set(filter(None, args.only.split(","))) or None

    url = args.database_url
    app = app_for(url)
    summary = _summary_file(url)
    facts = setup_facts(app, summary)
    print(f"benchmark on {re.sub(r'//[^@]*@', '//', url)}: case {facts['case_id']} "
          f"(officer {facts['officer']}), {len(facts['writers'])} writers", flush=True)  # fmt: skip

    results: list[Result] = []
    checkins = []
    if only is None or "checkin_submit" in only:
        print("  setting up check-ins …", flush=True)
        checkins = scenarios.setup_checkins(app, args.repeat + 2)
    proc = start_gunicorn(url, args.port, args.workers)
    try:
        if checkins:
            print("  checkin_submit …", end=" ", flush=True)
            results.append(scenarios.run_checkins(args.port, checkins))
            row = results[-1].summary()
            print(f"p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms", flush=True)
        if not args.skip_jobs:
            results.append(store_figures(app))
        results += run_pages(args.port, facts, args.repeat, only, app)
        if only is None or "contacts_8_clients" in only:
            print("  contacts_8_clients …", flush=True)
            results.append(run_contacts(args.port, facts, args.contact_seconds))
        rss = max((peak_rss_mb(pid) for pid in worker_pids(proc.pid)), default=0.0)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    memory = Result("worker_peak_rss", "peak resident memory of a gunicorn worker (VmHWM)")
    memory.extra = {"mb": round(rss, 1), "target_mb": 300, "met": rss <= 300}
    results.append(memory)
    if only is None or "bare_sql" in only:
        print("  bare SQL …", flush=True)
        in_process, bare = bare_sql(app, max(3, args.repeat // 4))
        results += [in_process, bare]
        bare_p50 = bare.summary()["p50_ms"]
        if bare_p50:
            bare.extra["ratio_in_process_to_bare"] = round(
                in_process.summary()["p50_ms"] / bare_p50, 2
            )
    if only is None or "location_import" in only:
        print("  location import …", flush=True)
        results += scenarios.location_import(app, args.location_rows)
    if not args.skip_jobs and (only is None or "jobs" in only):
        results += run_jobs(app)

    rows = [r.summary() for r in results]
    print()
    print(f"{'scenario':28} {'p50 ms':>9} {'p95 ms':>9}  notes")
    for row in rows:
        notes = {k: v for k, v in row.items()
                 if k not in ("name", "what", "p50_ms", "p95_ms", "max_ms", "n")}  # fmt: skip
        p50 = f"{row['p50_ms']:.1f}" if "p50_ms" in row else "-"
        p95 = f"{row['p95_ms']:.1f}" if "p95_ms" in row else "-"
        print(f"{row['name']:28} {p50:>9} {p95:>9}  {json.dumps(notes, ensure_ascii=False)}")
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"database": summary.get("database"), "size": summary.get("size"),
                       "scale": summary.get("scale"), "date": _today().isoformat(),
                       "results": rows}, fh, ensure_ascii=False, indent=1)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
