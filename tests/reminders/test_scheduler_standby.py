"""A standby scheduler takes over when the active one dies (docs/operations.md, Scheduler).

Given two `flask jobs run` processes on one database, when the active one is killed,
then the standby takes over within seconds, runs the next job, and no job runs twice.
"""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from corrections import clock
from corrections.extensions import db
from corrections.reminders.models import JobRun
from corrections.reminders.scheduler import SCHEDULE, missed_daily_jobs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _start(app, log_path):
    env = dict(
        os.environ,
        APP_ENV="testing",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SCHEDULER_POLL_SECONDS="0.5",
        SCHEDULER_SCHEDULE=json.dumps({"deliver": {"second": "*/2"}}),
        FLASK_APP="wsgi",
    )
    handle = open(log_path, "w")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run"],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    return proc, handle


def _at(run) -> float:
    """Start time as a UTC timestamp (SQLite hands back naive UTC datetimes)."""
    moment = run.started_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _wait_for(predicate, seconds=40.0, what=""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _runs(app, runner_pid=None):
    with app.app_context():
        rows = db.session.execute(select(JobRun).order_by(JobRun.id)).scalars().all()
        db.session.expunge_all()
    if runner_pid is None:
        return rows
    return [r for r in rows if r.runner.endswith(f":{runner_pid}")]


def test_standby_takes_over_when_the_active_scheduler_is_killed(app, tmp_path):
    a, a_log = _start(app, tmp_path / "a.log")
    b = None
    try:
        _wait_for(lambda: "scheduler active" in (tmp_path / "a.log").read_text(), what="A active")
        b, b_log = _start(app, tmp_path / "b.log")
        _wait_for(lambda: "scheduler standby" in (tmp_path / "b.log").read_text(), what="B standby")
        _wait_for(
            lambda: len([r for r in _runs(app, a.pid) if r.job == "deliver"]) >= 2,
            what="A's deliver runs",
        )
        assert _runs(app, b.pid) == []  # the standby runs nothing

        a.send_signal(signal.SIGKILL)
        a.wait(10)
        killed_at = time.time()
        _wait_for(lambda: "took over" in (tmp_path / "b.log").read_text(), what="takeover")
        _wait_for(
            lambda: any(r.job == "deliver" for r in _runs(app, b.pid)), what="B's deliver run"
        )

        runs = _runs(app)
        by_a = [r for r in runs if r.runner.endswith(f":{a.pid}")]
        by_b = [r for r in runs if r.runner.endswith(f":{b.pid}")]
        assert len(by_a) + len(by_b) == len(runs)
        assert all(_at(r) <= killed_at for r in by_a)
        assert all(_at(r) >= max(_at(x) for x in by_a) for r in by_b)
        # each two-second slot ran deliver once; each daily job caught up at most once today
        slots = [int(_at(r)) // 2 for r in runs if r.job == "deliver"]
        assert len(slots) == len(set(slots))
        for name in SCHEDULE:
            if name != "deliver":
                assert len([r for r in runs if r.job == name and r.outcome == "ok"]) <= 1, name

        b.send_signal(signal.SIGTERM)
        assert b.wait(20) == 0  # a clean stop releases the lock
    finally:
        for proc in (a, b):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)
        a_log.close()
        if b is not None:
            b_log.close()


def test_missed_daily_jobs_are_those_past_their_time_without_a_successful_run(app, ctx):
    """Given it is 07:00 and recompute_due (01:00) ran but daily_reminders (06:00) did not,
    when a scheduler takes over, then it catches up daily_reminders only; at 05:59 nothing."""
    today = clock.today()
    for job in ("recompute_due", "raise_alerts"):
        db.session.add(
            JobRun(
                job=job, run_date=today, started_at=clock.now_utc(), outcome="ok", runner="host:1"
            )
        )
    db.session.add(JobRun(job="daily_reminders", run_date=today, outcome="error", runner="host:1"))
    # the night's check-in photo retention (02:30) ran too
    db.session.add(JobRun(job="checkin_retention", run_date=today, outcome="ok", runner="host:1"))
    # and the stored figures (06:30)
    db.session.add(JobRun(job="store_figures", run_date=today, outcome="ok", runner="host:1"))
    db.session.commit()
    seven = datetime.combine(today, datetime.min.time(), clock.CHINA) + timedelta(hours=7)
    assert missed_daily_jobs(SCHEDULE, seven) == ["daily_reminders"]
    assert missed_daily_jobs(SCHEDULE, seven - timedelta(hours=1, minutes=1)) == []
