"""The reference province deployment, run on loopback (docs/deployment.md).

Given PostgreSQL, Redis, two gunicorn app servers started from deploy/gunicorn.conf.py,
nginx in front of both from deploy/nginx/corrections.conf.template (TLS with a
self-signed certificate, in a temporary prefix) and one scheduler, when a person logs
in through nginx and works, then a session and an uploaded photo made on one server
are served by the other, login throttling is shared through Redis, the monthly PDF
prints, static files come from nginx, and the security headers survive the proxy.

Runs in the PostgreSQL pass of the suite (it needs the shared database).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import urllib3
from stdnum.cn import ric

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE") != "postgresql",
    reason="the province deployment runs in the PostgreSQL pass of the suite",
)
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2, verify=False)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


class Province:
    """The processes of the deployment; stopped in reverse order."""

    def __init__(self, app, tmp: Path):
        self.app = app
        self.tmp = tmp
        self.procs: list[subprocess.Popen] = []
        self.logs = []
        self.env = dict(
            os.environ,
            APP_ENV="production",
            DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"].replace(
                "postgresql+psycopg://", "postgresql://"
            ),
            SECRET_KEY="province-test-secret-" + "x" * 20,
            AUDIT_KEY=app.config["AUDIT_KEY"],
            RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
            RATELIMIT_KEY_PREFIX=f"province-test-{uuid.uuid4().hex[:8]}",
            PROXY_FIX_HOPS="1",
            SECURE_COOKIES="1",
            STORAGE_BACKEND="database",
            INSTANCE_PATH=str(tmp / "instance"),
            WEB_CONCURRENCY="2",
            SCHEDULER_POLL_SECONDS="1",
            FLASK_APP="wsgi",
        )
        self.env.pop("FLASK_RUN_FROM_CLI", None)

    def start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115 (closed in stop)
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.procs.append(proc)
        self.logs.append(log)
        return proc

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for log in self.logs:
            log.close()


def _gunicorn(province: Province, name: str, port: int) -> None:
    env = dict(
        province.env,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        ATTACHMENT_DIR=str(province.tmp / f"files-{name}"),
    )
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    province.start(name, [gunicorn, "-c", str(DEPLOY / "gunicorn.conf.py"), "wsgi:app"], env)


def _nginx(province: Province, ports: dict[str, int]) -> None:
    prefix = province.tmp / "nginx"
    for sub in ("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(prefix / sub, 0o777)
    cert, key = prefix / "cert.pem", prefix / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    site = string.Template((DEPLOY / "nginx" / "corrections.conf.template").read_text())
    (prefix / "site.conf").write_text(
        site.safe_substitute(
            APP_SERVERS=f"server 127.0.0.1:{ports['a']}; server 127.0.0.1:{ports['b']};",
            SERVER_NAME="127.0.0.1",
            PUBLIC_URL=f"https://127.0.0.1:{ports['https']}",
            LISTEN_HTTP=f"127.0.0.1:{ports['http']}",
            LISTEN_HTTPS=f"127.0.0.1:{ports['https']}",
            TLS_CERT=str(cert),
            TLS_KEY=str(key),
            STATIC_ROOT=str(ROOT / "corrections" / "static"),
            LOG_DIR=str(prefix / "logs"),
        )
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    include {prefix}/site.conf;
}}
"""
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run(
        [nginx, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    province.start(
        "nginx", [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"]
    )


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def _login(session: requests.Session, base: str, username: str, password: str):
    page = session.get(f"{base}/login", verify=False)
    return session.post(
        f"{base}/login",
        data={"username": username, "password": password, "csrf_token": _csrf(page.text)},
        headers={"Referer": f"{base}/login"},  # as a browser sends it (CSRF over HTTPS)
        verify=False,
        allow_redirects=False,
    )


@pytest.fixture
def province(app, county, tmp_path):
    from tests.conftest import PASSWORD

    ports = {name: _free_port() for name in ("a", "b", "http", "https")}
    province = Province(app, tmp_path)
    province.password = PASSWORD
    province.ports = ports
    try:
        _gunicorn(province, "a", ports["a"])
        _gunicorn(province, "b", ports["b"])
        _wait_http(f"http://127.0.0.1:{ports['a']}/healthz")
        _wait_http(f"http://127.0.0.1:{ports['b']}/healthz")
        _nginx(province, ports)
        _wait_http(f"https://127.0.0.1:{ports['https']}/healthz")
        province.start(
            "scheduler",
            [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "jobs", "run"],
        )
        yield province
    finally:
        province.stop()


def test_a_province_behind_nginx(province, app):
    ports = province.ports
    base = f"https://127.0.0.1:{ports['https']}"
    server_a, server_b = f"http://127.0.0.1:{ports['a']}", f"http://127.0.0.1:{ports['b']}"
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.10"}

    # plain HTTP is sent to HTTPS
    plain = requests.get(f"http://127.0.0.1:{ports['http']}/login", allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")

    # the security headers survive the proxy; nginx's request id reaches the app
    login_page = requests.get(f"{base}/login", verify=False)
    assert login_page.status_code == 200
    headers = login_page.headers
    assert "default-src" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["Referrer-Policy"]
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])

    # log in through nginx; the session works on both app servers
    browser = requests.Session()
    assert _login(browser, base, "off1", province.password).status_code == 302
    cookie = browser.cookies.get("session")
    assert cookie
    for server in (server_a, server_b):
        home = requests.get(
            f"{server}/", cookies={"session": cookie}, headers=proxied, allow_redirects=False
        )
        assert home.status_code == 200, (server, home.status_code)
        assert "no-store" in home.headers["Cache-Control"]

    # a photo uploaded on server A is served by server B (each has its own local folder:
    # only the shared store can serve it)
    token = {"Authorization": f"Bearer {province_token(app, 'off1')}", **proxied}
    body = "11010119900307" + "663"
    created = requests.post(
        f"{server_a}/api/v1/people",
        json={"name": "省测试", "id_number": body + ric.calc_check_digit(body + "0")},
        headers=token,
    )
    assert created.status_code == 201, created.text
    case = requests.post(
        f"{server_a}/api/v1/corrections",
        json={
            "person_id": created.json()["id"],
            "station": "S1",
            "correction_type": "probation",
            "judgment_effective_on": "2026-11-02",
            "term_start": "2026-11-02",
            "term_end": "2027-11-01",
            "received_on": "2026-11-03",
        },
        headers=token,
    )
    assert case.status_code == 201, case.text
    upload = requests.post(
        f"{server_a}/api/v1/corrections/{case.json()['id']}/attachments",
        files={"file": ("visit.png", PNG, "image/png")},
        data={"kind": "other", "note": "loopback"},
        headers=token,
    )
    assert upload.status_code == 201, upload.text
    download = requests.get(
        f"{server_b}/attachments/{upload.json()['id']}",
        cookies={"session": cookie},
        headers=proxied,
    )
    assert download.status_code == 200 and download.content == PNG

    # the monthly PDF prints through nginx
    supervisor = requests.Session()
    assert _login(supervisor, base, "boss", province.password).status_code == 302
    pdf = supervisor.get(f"{base}/reports/monthly.pdf?month=2026-11", verify=False)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # static files come from nginx itself; metrics are not exposed through it
    css = requests.get(f"{base}/static/vendor/bootstrap/bootstrap.min.css", verify=False)
    assert css.status_code == 200 and "public" in css.headers.get("Cache-Control", "")
    assert requests.get(f"{base}/metrics", verify=False).status_code == 404

    # failed logins are counted across both servers through Redis (the session cookie is
    # Secure, so it is passed by hand on these plain-HTTP calls behind the proxy)
    statuses = []
    for attempt in range(12):
        server = server_a if attempt % 2 == 0 else server_b
        page = requests.get(f"{server}/login", headers=proxied)
        reply = requests.post(
            f"{server}/login",
            data={
                "username": "off2",
                "password": "wrong-" + str(attempt),
                "csrf_token": _csrf(page.text),
            },
            cookies={"session": page.cookies.get("session")},
            headers={**proxied, "Referer": server.replace("http://", "https://") + "/login"},
            allow_redirects=False,
        )
        statuses.append(reply.status_code)
    assert 429 in statuses and statuses.index(429) >= 10, statuses

    # the one scheduler is active and has run its jobs
    deadline = time.monotonic() + 30
    while "scheduler active" not in province.log("scheduler") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "scheduler active" in province.log("scheduler")


def province_token(app, username: str) -> str:
    from corrections.auth import services
    from corrections.extensions import db

    with app.app_context():
        user = services.user_by_username(username)
        _token, secret = services.issue_token(user, user, "province-test")
        db.session.commit()
        return secret
