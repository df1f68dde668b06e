"""Reports read from a streaming replica (docs/deployment.md, Read scaling).

Given a private primary and a replica made from it with pg_basebackup (streaming), and
the app with REPORTS_DATABASE_URL pointing at the replica, when replay on the replica is
paused and a case is received on the primary, then the report summary (replica) does not
show it yet while the case list (primary) does, and once replay resumes the report does:
reports read from the replica, everything else from the primary. The lag is measured.

Runs in the PostgreSQL pass of the suite.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time

import psycopg
import pytest
from flask_migrate import upgrade

from corrections import create_app
from corrections.extensions import db
from tests.deploy.test_faults import Cluster, _as_postgres, _pg_bin, _port
from tests.helpers import valid_id

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE") != "postgresql",
    reason="the replica test runs in the PostgreSQL pass of the suite",
)


class Replica(Cluster):
    def __init__(self, primary: Cluster):  # not super().__init__: that would run initdb
        self.base = primary.base / "replica-base"
        self.base.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
        self.dir = self.base / "pgdata"
        self.port = _port()
        self.log = self.base / "pg.log"
        _as_postgres(
            [_pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port)]
            + ["-U", "postgres", "-D", str(self.dir), "-R", "-X", "stream", "-c", "fast"]
        )


def _on(url: str, sql: str):
    with psycopg.connect(url.replace("/corrections", "/postgres"), autocommit=True) as conn:
        return conn.execute(sql).fetchone()


@pytest.fixture
def pair():
    primary = Cluster()
    primary.start()
    subprocess_args = [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(primary.port)]
    _as_postgres(subprocess_args + ["-U", "postgres", "corrections"])
    replica = None
    try:
        replica = Replica(primary)
        replica.start()
        yield primary, replica
    finally:
        for cluster in (replica, primary):
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.stop()
        shutil.rmtree(primary.base, ignore_errors=True)


def _wait_replayed(primary: Cluster, replica: Cluster, seconds: float = 30) -> float:
    """Seconds until the replica has replayed everything the primary has written."""
    (target,) = _on(primary.url, "SELECT pg_current_wal_lsn()::text")
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        (done,) = _on(
            replica.url,
            f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn",
        )
        if done:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


def test_reports_read_from_the_replica_and_everything_else_from_the_primary(pair):
    primary, replica = pair
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": primary.url, "REPORTS_DATABASE_URL": replica.url},
    )
    from tests.conftest import World

    world = World(app)
    with app.app_context():
        upgrade()
    world.station("S1", "城关司法所")
    world.user("boss", "supervisor")
    world.user("off1", "officer", ("S1",))
    person_id = world.person("off1", valid_id("110101", "19800101", "123"))
    api = world.api("boss")
    lag = _wait_replayed(primary, replica)

    def received() -> int:
        answer = api.get("/reports/summary?from=2026-11-01&to=2026-11-30")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()["figures"]["cc.received"]

    assert received() == 0
    _on(replica.url, "SELECT pg_wal_replay_pause()")
    created = world.api("off1").post(
        "/corrections",
        json={
            "person_id": person_id,
            "station": "S1",
            "correction_type": "probation",
            "judgment_effective_on": "2026-11-02",
            "term_start": "2026-11-02",
            "term_end": "2027-11-01",
            "received_on": "2026-11-03",
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    assert api.get("/corrections?status=active").get_json()["total"] == 1  # primary
    assert received() == 0  # the replica has not replayed it yet
    _on(replica.url, "SELECT pg_wal_replay_resume()")
    lag = max(lag, _wait_replayed(primary, replica))
    assert received() == 1
    print(f"replica caught up within {lag:.3f} s")  # the measure docs/deployment.md cites
    assert lag < 30
    with app.app_context():
        db.engine.dispose()
        db.engines["reports"].dispose()
