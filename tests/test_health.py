"""Health, readiness, metrics and request ids (docs/operations.md, Monitoring)."""

import json
import logging
from datetime import date
from types import SimpleNamespace

from corrections import create_app, health
from corrections.health import JsonFormatter


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_checks_database_storage_and_redis(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "storage": "ok", "redis": "not used"},
    }


def test_readyz_and_pages_answer_503_while_the_database_is_down(tmp_path):
    """Given a database that refuses connections, when a probe or an API call comes in,
    then it answers 503 (not 500) naming the failing part, with Retry-After."""
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql://postgres@127.0.0.1:1/none",
            "ATTACHMENT_DIR": str(tmp_path / "files"),
        },
    )
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    checks = ready.get_json()["checks"]
    assert checks["database"].startswith("error") and checks["storage"] == "ok"
    api = client.get("/api/v1/stations", headers={"Authorization": "Bearer cc_whatever"})
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    assert api.get_json()["error"]["code"] == "unavailable"
    page = client.post("/login", data={"username": "chen", "password": "x" * 12})
    assert page.status_code == 503 and "数据库暂时无法连接" in page.get_data(as_text=True)


def test_readyz_reports_redis_down_when_the_limiter_uses_it(app, client, monkeypatch):
    class DownStorage:
        def check(self):
            raise ConnectionError("Connection refused")

    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    monkeypatch.setattr(health, "limiter", SimpleNamespace(storage=DownStorage()))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["redis"] == "error: ConnectionError"


def test_request_id_is_kept_from_the_proxy_or_made(client):
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers[
        "X-Request-ID"
    ]
    assert made != "bad id with spaces" and len(made) == 32


def test_request_log_lines_carry_the_request_id(app, client, caplog, monkeypatch):
    # the migrations' logging.config (run once per test session) disables existing loggers
    monkeypatch.setattr(logging.getLogger("corrections.requests"), "disabled", False)
    app.config["LOG_REQUESTS"] = True
    try:
        with caplog.at_level(logging.INFO, logger="corrections.requests"):
            client.get("/healthz", headers={"X-Request-ID": "req-42"})
    finally:
        app.config["LOG_REQUESTS"] = False
    record = next(r for r in caplog.records if r.name == "corrections.requests")
    assert record.getMessage().startswith("GET /healthz 200")
    assert record.request_id == "req-42"
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/healthz" and line["status"] == 200 and line["request_id"] == "req-42"
    assert line["message"].startswith("GET /healthz 200")


def test_metrics_expose_latency_jobs_and_the_audit_anchor(app, client, county, tmp_path):
    from corrections.reminders.jobs import run_job

    app.config["AUDIT_ANCHOR_FILE"] = str(tmp_path / "anchors.jsonl")
    try:
        with app.app_context():
            run_job("audit_anchor", date(2026, 11, 24))
        client.get("/healthz")
        text = client.get("/metrics").get_data(as_text=True)
    finally:
        app.config["AUDIT_ANCHOR_FILE"] = None
    assert 'corrections_request_seconds_count{method="GET",route="/healthz",status="200"}' in text
    assert 'corrections_job_runs{job="audit_anchor",outcome="ok"} 1.0' in text
    assert 'corrections_job_last_success_timestamp_seconds{job="audit_anchor"}' in text
    assert "corrections_audit_last_anchor_events " in text
    assert "corrections_audit_last_anchor_timestamp_seconds 0.0" not in text


def test_metrics_are_closed_to_other_addresses_unless_a_token_is_given(app, client):
    far = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.get("/metrics", environ_base=far).status_code == 403
    app.config["METRICS_TOKEN"] = "scrape-secret"
    try:
        assert client.get("/metrics").status_code == 403  # loopback needs it too then
        ok = client.get(
            "/metrics", environ_base=far, headers={"Authorization": "Bearer scrape-secret"}
        )
        assert ok.status_code == 200 and b"corrections_request_seconds" in ok.data
    finally:
        app.config["METRICS_TOKEN"] = None
