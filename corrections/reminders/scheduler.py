"""The scheduler process (``flask --app wsgi jobs run``), never inside web workers.

Only one is active per deployment: on PostgreSQL it holds a session advisory lock
on a dedicated connection (with TCP keepalives, so the server frees the lock soon
after the holder's host dies); on SQLite an exclusive lock on a file next to the
database. Any further ``jobs run`` waits as a standby, tries the lock every
``SCHEDULER_POLL_SECONDS`` and takes over when the active one is gone. On taking
over it runs the daily jobs whose time today has passed without a successful run,
so a handover neither misses a day nor runs one twice (the jobs are idempotent
too). An active scheduler that loses its lock connection stops its jobs and goes
back to standby (docs/operations.md, Scheduler).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from datetime import datetime

from flask import Flask
from sqlalchemy import text

from corrections.extensions import db

log = logging.getLogger("corrections.scheduler")
LOCK_KEY = 7_340_002
SCHEDULE = {
    # job: cron fields (China time)
    "recompute_due": {"hour": 1, "minute": 0},
    "daily_reminders": {"hour": 6, "minute": 0},
    "deliver": {"minute": "*/5"},
    "audit_anchor": {"hour": 23, "minute": 50},
    # nightly, after recompute_due has refreshed the stored due dates it selects by
    "raise_alerts": {"hour": 1, "minute": 30},
    "escalate_alerts": {"minute": "*/5"},
    # self check-in (docs/domain.md §7.12): requests at 8:00 (their window starts then),
    # deadlines every quarter hour, photo retention at night
    "request_checkins": {"hour": 8, "minute": 0},
    "expire_checkins": {"minute": "*/15"},
    "checkin_retention": {"hour": 2, "minute": 30},
    # after the night's due state, alerts and reminders: the day's reports read stored figures
    "store_figures": {"hour": 6, "minute": 30},
    "fold_figure_changes": {"minute": "*/10"},
}


def schedule_for(app: Flask) -> dict:
    """The job schedule; ``SCHEDULER_SCHEDULE`` (JSON, job → cron fields) overrides entries."""
    schedule = {name: dict(fields) for name, fields in SCHEDULE.items()}
    override = app.config.get("SCHEDULER_SCHEDULE")
    if override:
        schedule.update(json.loads(override) if isinstance(override, str) else override)
    return schedule


class AlreadyRunning(RuntimeError):
    pass


def _lock_engine():
    """A connection of its own for the lock, with TCP keepalives: when the active
    scheduler's host dies, the server notices within about half a minute and frees
    the lock for a standby."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(
        db.engine.url,
        poolclass=NullPool,
        connect_args={
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        },
    )


class SchedulerLock:
    def __init__(self, app: Flask):
        self.app = app
        self._conn = None
        self._file = None

    def acquire(self) -> None:
        with self.app.app_context():
            if db.engine.dialect.name == "postgresql":
                self._conn = _lock_engine().connect()
                got = self._conn.execute(
                    text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}
                ).scalar()
                self._conn.commit()
                if not got:
                    self._conn.close()
                    self._conn = None
                    raise AlreadyRunning("another scheduler holds the PostgreSQL advisory lock")
                return
            path = self.lock_path()
        self._file = open(path, "a+")  # noqa: SIM115 (held for the process lifetime)
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.close()
            self._file = None
            raise AlreadyRunning(f"another scheduler holds the lock file {path}") from None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(str(os.getpid()))
        self._file.flush()

    def lock_path(self) -> str:
        database = db.engine.url.database or "memory"
        return os.path.abspath(database) + ".scheduler.lock"

    def alive(self) -> bool:
        """Whether the lock is still held (the PostgreSQL connection still answers)."""
        if self._conn is None:
            return self._file is not None
        try:
            self._conn.execute(text("SELECT 1")).scalar()
            self._conn.commit()
            return True
        except Exception:  # the server restarted or the network dropped: the lock is gone
            log.exception("scheduler lock connection lost")
            return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                self._conn.close()
            except Exception:  # already gone with its connection
                self._conn.invalidate()
            self._conn = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def run_scheduler(app: Flask, stop: threading.Event | None = None) -> None:
    """Run as the active scheduler, or wait as a standby until the lock is free.

    ``stop`` ends the loop (tests and signal handlers); otherwise it runs until the
    process is interrupted.
    """
    stop = stop or threading.Event()
    poll = float(app.config.get("SCHEDULER_POLL_SECONDS", 15))
    lock = SchedulerLock(app)
    standby = False
    while not stop.is_set():
        try:
            lock.acquire()
        except AlreadyRunning as e:
            if not standby:
                log.info("scheduler standby (pid %s): %s; trying every %gs", os.getpid(), e, poll)
                standby = True
            stop.wait(poll)
            continue
        log.info("scheduler active (pid %s)%s", os.getpid(), ": took over" if standby else "")
        try:
            lost = _run_active(app, lock, poll, stop)
        finally:
            lock.release()
        if not lost:
            return
        log.warning("scheduler lost its lock (pid %s): back to standby", os.getpid())
        standby = True


def _run_active(app: Flask, lock: SchedulerLock, poll: float, stop: threading.Event) -> bool:
    """Run the jobs while the lock holds; True when the lock was lost."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from corrections.reminders.jobs import run_job

    schedule = schedule_for(app)
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")

    def wrapped(name: str):
        def job():
            with app.app_context():
                try:
                    log.info("job %s: %s", name, run_job(name))
                except Exception:
                    log.exception("job %s failed", name)

        return job

    for name, fields in schedule.items():
        scheduler.add_job(
            wrapped(name),
            "cron",
            id=name,
            name=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
            **fields,
        )
    scheduler.start()
    log.info("scheduler started: %s", ", ".join(schedule))
    try:
        with app.app_context():
            for name in missed_daily_jobs(schedule):
                log.info("catching up job %s missed today", name)
                wrapped(name)()
        while not stop.wait(poll):
            if not lock.alive():
                return True
        return False
    except (KeyboardInterrupt, SystemExit):
        return False
    finally:
        scheduler.shutdown(wait=True)


def missed_daily_jobs(schedule: dict, now: datetime | None = None) -> list[str]:
    """Daily jobs (a fixed hour) whose time today has passed with no successful run
    for today: the previous active scheduler died before running them."""
    from sqlalchemy import select

    from corrections import clock
    from corrections.reminders.models import JobRun

    now = now or clock.now_utc().astimezone(clock.CHINA)
    today = now.date()
    missed = []
    for name, fields in schedule.items():
        hour, minute = fields.get("hour"), fields.get("minute", 0)
        if not isinstance(hour, int) or not isinstance(minute, int):
            continue  # not a once-a-day job
        if (now.hour, now.minute) < (hour, minute):
            continue
        done = db.session.execute(
            select(JobRun.id).where(
                JobRun.job == name, JobRun.run_date == today, JobRun.outcome == "ok"
            )
        ).first()
        if done is None:
            missed.append(name)
    return missed
