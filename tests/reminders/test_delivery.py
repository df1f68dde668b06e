"""Delivery channels: real SMTP to a local aiosmtpd server, a JSON webhook to a local HTTP
server, retries with backoff, and a log of every attempt."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from corrections import clock
from corrections.extensions import db
from corrections.reminders.jobs import run_job
from corrections.reminders.models import Delivery
from tests.helpers import d, open_case, user


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    class Collect(Sink):
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.messages.append(envelope)
            return "250 OK"

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def webhook_server():
    received, statuses = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = statuses.pop(0) if statuses else 200
            if status == 200:
                received.append(json.loads(body))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            return None

    server = HTTPServer(("127.0.0.1", _free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, statuses
    server.shutdown()


@pytest.fixture
def configured(app):
    saved = {k: app.config.get(k) for k in ("SMTP_HOST", "SMTP_PORT", "WEBHOOK_URL")}
    yield app.config
    app.config.update(saved)


def _overdue_case(person_id):
    user("off1").email = "off1@station.example"
    db.session.commit()
    return open_case(person_id, received_on="2026-11-17")


def test_email_is_sent_through_smtp(ctx, person_id, smtp_server, configured):
    controller, handler = smtp_server
    configured.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, WEBHOOK_URL=None)
    _overdue_case(person_id)
    result = run_job("daily_reminders", d("2026-11-25"))
    assert result["queued"] >= 1  # only off1 has an address
    sent = run_job("deliver", d("2026-11-25"))
    assert sent["sent"] == result["queued"] and sent["failed"] == 0
    assert handler.messages and handler.messages[0].rcpt_tos == ["off1@station.example"]
    import email

    parsed = email.message_from_bytes(handler.messages[0].content)
    assert "逾期" in parsed.get_payload(decode=True).decode("utf-8")
    deliveries = db.session.execute(select(Delivery)).scalars().all()
    assert all(x.status == "sent" and x.attempts == 1 for x in deliveries)


def test_webhook_posts_json_and_retries(ctx, person_id, webhook_server, configured):
    url, received, statuses = webhook_server
    configured.update(SMTP_HOST=None, WEBHOOK_URL=url)
    _overdue_case(person_id)
    queued = run_job("daily_reminders", d("2026-11-25"))["queued"]
    statuses.extend([500] * queued)  # the gateway is down for the first attempt
    first = run_job("deliver", d("2026-11-25"))
    assert first["failed"] == queued and received == []
    pending = db.session.execute(select(Delivery)).scalars().all()
    assert all(x.status == "pending" and x.attempts == 1 and "500" in x.last_error for x in pending)
    # backoff: nothing is retried before next_attempt_at
    assert run_job("deliver", d("2026-11-25"))["sent"] == 0
    for x in pending:
        x.next_attempt_at = clock.now_utc() - timedelta(seconds=1)
    db.session.commit()
    second = run_job("deliver", d("2026-11-25"))
    assert second["sent"] == queued
    assert {r["kind"] for r in received} >= {"contact_overdue"}
    assert all("message" in r and "case_id" in r for r in received)


def test_gives_up_after_max_attempts(ctx, person_id, configured):
    from corrections.reminders.services import MAX_ATTEMPTS

    configured.update(SMTP_HOST=None, WEBHOOK_URL=f"http://127.0.0.1:{_free_port()}/closed")
    _overdue_case(person_id)
    run_job("daily_reminders", d("2026-11-25"))
    for _ in range(MAX_ATTEMPTS):
        for x in db.session.execute(select(Delivery)).scalars():
            x.next_attempt_at = clock.now_utc() - timedelta(seconds=1)
        db.session.commit()
        run_job("deliver", d("2026-11-25"))
    rows = db.session.execute(select(Delivery)).scalars().all()
    assert rows and all(x.status == "failed" and x.attempts == MAX_ATTEMPTS for x in rows)


def test_no_channels_no_deliveries(ctx, person_id, configured):
    configured.update(SMTP_HOST=None, WEBHOOK_URL=None)
    _overdue_case(person_id)
    assert run_job("daily_reminders", d("2026-11-25"))["queued"] == 0
