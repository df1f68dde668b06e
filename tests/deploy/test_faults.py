"""Faults an app server must survive (docs/operations.md, Monitoring).

Given an app server (gunicorn, production settings) on a private PostgreSQL cluster and a
private Redis that this test starts itself (never the shared ones), when PostgreSQL is
stopped the server answers 503 with a clear message and recovers by itself when it is
back (no restart of the app); when Redis dies, logins still work (the limiter fails open).

Runs in the PostgreSQL pass of the suite.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.deploy.test_province_loopback import ROOT, _csrf, _wait_http

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE") != "postgresql",
    reason="the fault tests run in the PostgreSQL pass of the suite",
)
PASSWORD = "fault-test-password-7"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    assert found, f"{name} not found (PostgreSQL server binaries)"
    return found[-1]


def _as_postgres(args: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:  # initdb and the server refuse to run as root
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


class Cluster:
    def __init__(self):
        # a folder of its own that the postgres user can reach (pytest's are private to root)
        base = Path(tempfile.mkdtemp(prefix="corrections-pg-"))
        os.chmod(base, 0o755)
        self.base = base
        self.dir = base / "pgdata"
        self.port = _port()
        self.log = base / "pg.log"
        if os.geteuid() == 0:
            shutil.chown(base, "postgres")
        _as_postgres([_pg_bin("initdb"), "-D", str(self.dir), "-A", "trust", "-U", "postgres"])

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_postgres(
            [_pg_bin("pg_ctl"), "-D", str(self.dir), "-o", options, "-l", str(self.log)]
            + ["-w", "start"]
        )

    def stop(self) -> None:
        _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.dir), "-m", "fast", "-w", "stop"])

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/corrections"


@pytest.fixture
def server(tmp_path):
    cluster = Cluster()
    cluster.start()
    redis_port = _port()
    redis = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    app_port = _port()
    env = dict(
        os.environ,
        APP_ENV="production",
        DATABASE_URL=cluster.url,
        SECRET_KEY="fault-test-secret-" + "x" * 20,
        AUDIT_KEY="fault-test-audit-" + "y" * 20,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{redis_port}/0",
        SECURE_COOKIES="0",
        INSTANCE_PATH=str(tmp_path / "instance"),
        GUNICORN_BIND=f"127.0.0.1:{app_port}",
        WEB_CONCURRENCY="1",
        FLASK_APP="wsgi",
    )
    env.pop("FLASK_RUN_FROM_CLI", None)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres"]
        + ["corrections"],
        check=True,
    )
    flask = [str(bin_dir / "flask"), "--app", "wsgi"]
    for args in (
        ["db", "upgrade"],
        ["stations", "create", "CG", "城关司法所"],
        ["users", "create", "chen", "--role", "officer", "--password", PASSWORD]
        + ["--station", "CG"],
    ):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True)
    token = (
        subprocess.run(
            flask + ["users", "token", "chen"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    log = open(tmp_path / "app.log", "w")  # noqa: SIM115 (closed below)
    app = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{app_port}"
    try:
        _wait_http(f"{base}/healthz")
        yield {
            "base": base,
            "token": token,
            "cluster": cluster,
            "redis": redis,
            "log": tmp_path / "app.log",
        }
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(20)
        log.close()
        if redis.poll() is None:
            redis.kill()
            redis.wait(5)
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped by the test
            cluster.stop()
        shutil.rmtree(cluster.base, ignore_errors=True)


def test_database_outage_answers_503_and_recovers_without_a_restart(server):
    base, cluster = server["base"], server["cluster"]
    headers = {"Authorization": f"Bearer {server['token']}"}
    assert requests.get(f"{base}/api/v1/stations", headers=headers).status_code == 200

    cluster.stop()
    during = requests.get(f"{base}/api/v1/stations", headers=headers)
    assert during.status_code == 503
    assert during.json()["error"]["code"] == "unavailable"
    assert during.headers["Retry-After"] == "30"
    ready = requests.get(f"{base}/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("error")
    page = requests.post(f"{base}/login", data={"username": "chen", "password": "x"})
    assert page.status_code in (400, 503)  # CSRF may answer first; never a 500

    cluster.start()
    deadline = time.monotonic() + 30
    answer = None
    while time.monotonic() < deadline:
        answer = requests.get(f"{base}/api/v1/stations", headers=headers)
        if answer.status_code == 200:
            break
        time.sleep(0.5)
    assert answer is not None and answer.status_code == 200
    assert requests.get(f"{base}/readyz").status_code == 200


def test_logins_still_work_when_redis_dies(server):
    base = server["base"]
    server["redis"].kill()
    server["redis"].wait(5)
    session = requests.Session()
    page = session.get(f"{base}/login")
    reply = session.post(
        f"{base}/login",
        data={"username": "chen", "password": PASSWORD, "csrf_token": _csrf(page.text)},
        allow_redirects=False,
    )
    assert reply.status_code == 302
    assert requests.get(f"{base}/readyz").json()["checks"]["redis"].startswith("error")
