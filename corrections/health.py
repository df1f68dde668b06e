"""Health, readiness and metrics for operators; request ids in logs (docs/operations.md, Monitoring).

- ``/healthz``: the process answers (no database access).
- ``/readyz``: the database, the attachment store and Redis (when the login limiter
  uses it) are reachable; 503 with the failing part otherwise.
- ``/metrics``: Prometheus text format. Request latency by route, job runs and their
  durations, the audit chain's last anchor. Open to loopback addresses, or to anyone
  presenting ``METRICS_TOKEN`` as a bearer token when that is set. With several
  gunicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` so every worker's counts are summed.
- Every request gets an id: the proxy's ``X-Request-ID`` when it is well formed, else
  a new one. It is sent back in the response, and every log line written while the
  request runs carries it (``LOG_FORMAT=json`` writes one JSON object per line).
- A database outage answers 503 with a clear page instead of a 500; the connection
  pool checks connections before use, so the app recovers by itself when the database
  is back.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, current_app, g, has_request_context, request
from flask_babel import gettext as _
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from corrections.extensions import db, limiter

bp = Blueprint("health", __name__)
log = logging.getLogger("corrections.requests")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

REQUEST_SECONDS = Histogram(
    "corrections_request_seconds",
    "Time to answer a request, by route template.",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 3, 6, 12),
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.register_error_handler(OperationalError, _database_unavailable)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
        if app.config.get("LOG_FORMAT") == "json":
            handler.setFormatter(JsonFormatter())


# --------------------------------------------------------------------------- request ids


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key in ("method", "path", "status", "duration_ms", "user_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _start_request() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    started = g.get("request_started")
    if started is None:
        return response
    elapsed = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule else "unmatched"
    REQUEST_SECONDS.labels(request.method, route, str(response.status_code)).observe(elapsed)
    if current_app.config.get("LOG_REQUESTS"):
        from flask_login import current_user

        log.info(
            "%s %s %s %.1f ms",
            request.method,
            request.path,
            response.status_code,
            elapsed * 1000,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
                "user_id": getattr(current_user, "id", None),
                "request_id": g.get("request_id", "-"),
            },
        )
    return response


def _database_unavailable(error: OperationalError):
    from corrections.web import api_error, wants_json

    log.error("database unavailable: %s", str(error).splitlines()[0][:300])
    with contextlib.suppress(DBAPIError):
        db.session.rollback()
    message = _("数据库暂时无法连接，请稍后重试。如持续出现，请联系系统管理员。")
    if wants_json():
        response, _status = api_error(503, "unavailable", message)
        response.status_code = 503
    else:
        body = (
            '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
            f"<title>503</title></head><body><h1>{_('服务暂时不可用')}</h1>"
            f"<p>{message}</p></body></html>"
        )
        response = Response(body, 503, mimetype="text/html")
    response.headers["Retry-After"] = "30"
    return response


# --------------------------------------------------------------------------- endpoints


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    checks = {"database": _check_database(), "storage": _check_storage(), "redis": _check_redis()}
    ready = all(value in ("ok", "not used") for value in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1")).scalar()
        return "ok"
    except DBAPIError as e:
        db.session.rollback()
        return f"error: {type(e.orig).__name__ if e.orig else type(e).__name__}"


def _check_storage() -> str:
    from corrections import storage

    try:
        return storage.store().check()
    except Exception as e:  # any failure means the store is not usable
        return f"error: {type(e).__name__}"


def _check_redis() -> str:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI", "")
    if not uri.startswith(("redis://", "rediss://", "redis+")):
        return "not used"
    try:
        return "ok" if limiter.storage.check() else "error: no answer"
    except Exception as e:  # any client error means not reachable
        return f"error: {type(e).__name__}"


@bp.get("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return Response("forbidden\n", 403, mimetype="text/plain")
    elif request.remote_addr not in ("127.0.0.1", "::1"):
        return Response("forbidden\n", 403, mimetype="text/plain")
    process = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        process = CollectorRegistry()
        multiprocess.MultiProcessCollector(process)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return Response(
        generate_latest(process) + generate_latest(database), mimetype=CONTENT_TYPE_LATEST
    )


class DatabaseCollector:
    """Figures read from the database at scrape time, so every app server agrees."""

    def collect(self):
        from corrections.audit.models import AuditAnchor
        from corrections.reminders.models import JobRun

        last_ok = GaugeMetricFamily(
            "corrections_job_last_success_timestamp_seconds",
            "When each scheduled job last finished successfully.",
            labels=["job"],
        )
        duration = GaugeMetricFamily(
            "corrections_job_last_duration_seconds",
            "How long each job's last run took.",
            labels=["job", "outcome"],
        )
        runs = GaugeMetricFamily(
            "corrections_job_runs", "Job runs recorded, by outcome.", labels=["job", "outcome"]
        )
        for job, outcome, count in db.session.execute(
            select(JobRun.job, JobRun.outcome, func.count()).group_by(JobRun.job, JobRun.outcome)
        ):
            runs.add_metric([job, outcome], count)
        latest = select(JobRun.job, func.max(JobRun.id).label("id")).group_by(JobRun.job).subquery()
        for run in db.session.execute(
            select(JobRun).join(latest, JobRun.id == latest.c.id)
        ).scalars():
            duration.add_metric([run.job, run.outcome], (run.duration_ms or 0) / 1000)
        for job, started in db.session.execute(
            select(JobRun.job, func.max(JobRun.started_at))
            .where(JobRun.outcome == "ok")
            .group_by(JobRun.job)
        ):
            moment = started if started.tzinfo else started.replace(tzinfo=UTC)
            last_ok.add_metric([job], moment.timestamp())
        yield from (runs, duration, last_ok)

        anchor = db.session.execute(
            select(AuditAnchor).order_by(AuditAnchor.anchored_on.desc()).limit(1)
        ).scalar_one_or_none()
        anchored = GaugeMetricFamily(
            "corrections_audit_last_anchor_timestamp_seconds",
            "Creation time of the audit chain's newest anchor (0: none yet).",
        )
        length = GaugeMetricFamily(
            "corrections_audit_last_anchor_events", "Events covered by the newest anchor."
        )
        if anchor is None:
            anchored.add_metric([], 0)
            length.add_metric([], 0)
        else:
            created = anchor.created_at
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            anchored.add_metric([], created.timestamp())
            length.add_metric([], anchor.length)
        yield from (anchored, length)
