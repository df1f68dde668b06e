"""Browser sessions end on the server: logout, idle timeout, absolute lifetime, everywhere."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from corrections import clock
from corrections.audit.models import AuditEvent
from corrections.auth.models import UserSession
from corrections.extensions import db


def _copy_cookie(app, source):
    """A second browser holding a copy of ``source``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", source.get_cookie("session").value, domain="localhost")
    return thief


def _session_rows(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(UserSession)).scalar()


_START = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch):
    """Every test starts at 09:00 China time on the frozen day; _advance moves from there."""
    monkeypatch.setattr(clock, "now_utc", lambda: _START)


def _advance(monkeypatch, delta: timedelta):
    """Move the clock to ``delta`` after the start (the session loader asks clock.now_utc)."""
    monkeypatch.setattr(clock, "now_utc", lambda: _START + delta)


def test_given_a_copied_cookie_when_the_owner_logs_out_then_the_copy_is_refused(
    app, client, county, world
):
    world.login(client, "off1")
    thief = _copy_cookie(app, client)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    client.post("/logout")
    assert client.get("/").status_code == 302
    refused = thief.get("/")
    assert refused.status_code == 302
    assert "/login" in refused.headers["Location"]
    assert _session_rows(app) == 0


def test_given_two_browsers_when_one_logs_out_then_only_that_session_ends(app, county, world):
    first = world.login(app.test_client(), "off1")
    second = world.login(app.test_client(), "off1")
    first.post("/logout")
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 200


def test_given_29_minutes_idle_then_the_session_lives_and_31_minutes_ends_it(
    app, client, county, world, monkeypatch
):
    world.login(client, "off1")
    _advance(monkeypatch, timedelta(minutes=29))
    assert client.get("/").status_code == 200  # a request resets the idle clock
    _advance(monkeypatch, timedelta(minutes=29 + 29))
    assert client.get("/").status_code == 200
    _advance(monkeypatch, timedelta(minutes=29 + 29 + 31))
    assert client.get("/").status_code == 302
    assert _session_rows(app) == 0  # the ended session's row is gone


def test_given_exactly_the_idle_limit_then_the_session_still_lives(
    app, client, county, world, monkeypatch
):
    world.login(client, "off1")
    _advance(monkeypatch, timedelta(minutes=30))
    assert client.get("/").status_code == 200


def test_given_an_active_user_then_the_session_ends_12_hours_after_login(
    app, client, county, world, monkeypatch
):
    world.login(client, "off1")
    # busy all day: a request every 20 minutes keeps the idle clock fresh
    for step in range(1, 37):  # 36 × 20 min = 12 h exactly: still in
        _advance(monkeypatch, timedelta(minutes=20 * step))
        assert client.get("/").status_code == 200, step
    _advance(monkeypatch, timedelta(hours=12, minutes=10))
    assert client.get("/").status_code == 302


def test_given_shorter_settings_then_they_apply(app, client, county, world, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    world.login(client, "off1")
    _advance(monkeypatch, timedelta(minutes=6))
    assert client.get("/").status_code == 302


def test_given_a_cookie_from_before_server_sessions_then_it_is_refused(app, client, county):
    """A signed cookie with a user id but no session secret (or an unknown one) is refused."""
    with client.session_transaction() as s:
        s["_user_id"] = "4:0"
        s["_fresh"] = True
    assert client.get("/").status_code == 302
    with client.session_transaction() as s:
        s["sid"] = "made-up"
    assert client.get("/").status_code == 302


def test_given_three_browsers_when_the_user_logs_out_everywhere_then_all_end(app, county, world):
    browsers = [world.login(app.test_client(), "off1") for _ in range(3)]
    other_user = world.login(app.test_client(), "off2")
    page = browsers[0].get("/account/sessions")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("<tr><td>") == 3
    r = browsers[0].post("/account/sessions/end-all")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    for browser in browsers:
        assert browser.get("/").status_code == 302
    assert other_user.get("/").status_code == 200
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "user.logout_everywhere")
        ).scalar_one()
        assert event.username == "off1" and event.after == {"sessions": 3}


def test_given_an_admin_when_they_log_a_user_out_everywhere_then_that_user_is_out(
    app, county, world
):
    victim = world.login(app.test_client(), "off1")
    admin = world.login(app.test_client(), "admin")
    with app.app_context():
        from corrections.auth.services import user_by_username

        user_id = user_by_username("off1").id
    assert "end-user-sessions" in admin.get(f"/admin/users/{user_id}").get_data(as_text=True)
    r = admin.post(f"/admin/users/{user_id}/sessions/end")
    assert r.status_code == 302
    assert victim.get("/").status_code == 302
    assert admin.get("/").status_code == 200


def test_given_an_officer_then_they_cannot_log_someone_else_out(app, county, world):
    officer = world.login(app.test_client(), "off2")
    victim = world.login(app.test_client(), "off1")
    with app.app_context():
        from corrections.auth.services import user_by_username

        user_id = user_by_username("off1").id
    assert officer.post(f"/admin/users/{user_id}/sessions/end").status_code == 403
    assert victim.get("/").status_code == 200


def test_given_logout_everywhere_then_api_tokens_keep_working(app, county, world):
    api = world.api("off1")
    assert api.get("/people").status_code == 200
    browser = world.login(app.test_client(), "off1")
    browser.post("/account/sessions/end-all")
    assert browser.get("/").status_code == 302
    assert api.get("/people").status_code == 200


def test_given_api_tokens_then_the_session_clock_does_not_apply(app, county, world, monkeypatch):
    api = world.api("off1")
    _advance(monkeypatch, timedelta(hours=13))
    assert api.get("/people").status_code == 200


def test_given_a_session_then_requests_within_a_minute_write_nothing(
    app, client, county, world, monkeypatch
):
    """Per request: one lookup; last_seen_at is written at most once a minute."""
    world.login(client, "off1")
    with app.app_context():
        seen = db.session.execute(select(UserSession.last_seen_at)).scalar()
    _advance(monkeypatch, timedelta(seconds=50))
    client.get("/")
    with app.app_context():
        assert db.session.execute(select(UserSession.last_seen_at)).scalar() == seen
    _advance(monkeypatch, timedelta(seconds=70))
    client.get("/")
    with app.app_context():
        assert db.session.execute(select(UserSession.last_seen_at)).scalar() != seen
