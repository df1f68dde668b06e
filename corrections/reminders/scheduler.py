"""The scheduler process (``flask --app wsgi jobs run``), never inside web workers.

Only one may run per deployment: on PostgreSQL it holds a session advisory lock
on a dedicated connection; on SQLite an exclusive lock on a file next to the
database. A second one reports who holds the lock and exits.
"""

from __future__ import annotations

import fcntl
import logging
import os

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
}


class AlreadyRunning(RuntimeError):
    pass


class SchedulerLock:
    def __init__(self, app: Flask):
        self.app = app
        self._conn = None
        self._file = None

    def acquire(self) -> None:
        with self.app.app_context():
            if db.engine.dialect.name == "postgresql":
                self._conn = db.engine.connect()
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

    def release(self) -> None:
        if self._conn is not None:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            self._conn.close()
            self._conn = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def run_scheduler(app: Flask) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    from corrections.reminders.jobs import run_job

    lock = SchedulerLock(app)
    lock.acquire()
    scheduler = BlockingScheduler(timezone="Asia/Shanghai")

    def wrapped(name: str):
        def job():
            with app.app_context():
                try:
                    log.info("job %s: %s", name, run_job(name))
                except Exception:
                    log.exception("job %s failed", name)

        return job

    for name, fields in SCHEDULE.items():
        scheduler.add_job(
            wrapped(name),
            "cron",
            id=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
            **fields,
        )
    log.info("scheduler started: %s", ", ".join(SCHEDULE))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()
