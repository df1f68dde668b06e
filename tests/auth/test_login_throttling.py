"""Login throttling: failures per account+address and per account; a start-up warning when
the memory:// store is split over several workers."""

import logging

import pytest

from corrections.security import warn_about_limiter_store, worker_count
from tests.conftest import PASSWORD


def _login(app, username, password, address):
    return app.test_client().post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_given_ten_failures_from_one_address_then_that_pair_is_throttled(app, county):
    for _ in range(10):
        assert _login(app, "off1", "wrong-pass", "10.1.1.1").status_code == 401
    refused = _login(app, "off1", PASSWORD, "10.1.1.1")
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.get_data(as_text=True)


def test_given_a_colleague_locked_out_behind_the_office_address_then_others_still_log_in(
    app, county
):
    """One office, one NAT address: off1 mistypes until throttled; off2 and boss are not."""
    for _ in range(10):
        _login(app, "off1", "wrong-pass", "10.1.1.1")
    assert _login(app, "off1", PASSWORD, "10.1.1.1").status_code == 429
    assert _login(app, "off2", PASSWORD, "10.1.1.1").status_code == 302
    assert _login(app, "boss", PASSWORD, "10.1.1.1").status_code == 302


def test_given_failures_on_many_accounts_from_one_address_then_a_correct_password_still_works(
    app, county
):
    for i in range(15):
        assert _login(app, f"ghost{i}", "wrong-pass", "10.1.1.1").status_code == 401
    assert _login(app, "off2", PASSWORD, "10.1.1.1").status_code == 302


def test_given_failures_from_twenty_addresses_then_the_account_is_throttled_everywhere(app, county):
    """The per-account limit (LOGIN_ACCOUNT_LIMIT, 20 a minute) holds against many addresses."""
    for i in range(20):
        assert _login(app, "off1", "wrong-pass", f"10.2.0.{i + 1}").status_code == 401
    assert _login(app, "off1", PASSWORD, "10.2.0.99").status_code == 429
    assert _login(app, "off2", PASSWORD, "10.2.0.99").status_code == 302  # only that account


def test_given_nineteen_failures_from_nineteen_addresses_then_the_owner_still_logs_in(app, county):
    for i in range(19):
        _login(app, "off1", "wrong-pass", f"10.2.0.{i + 1}")
    assert _login(app, "off1", PASSWORD, "10.2.0.99").status_code == 302


def test_given_usernames_differing_in_case_then_they_count_as_one_account(app, county):
    for i in range(10):
        _login(app, "OFF1" if i % 2 else "off1", "wrong-pass", "10.1.1.1")
    assert _login(app, "Off1", PASSWORD, "10.1.1.1").status_code == 429


def test_given_a_smaller_account_limit_then_it_applies(app, county, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_LIMIT", "3 per minute")
    for i in range(3):
        _login(app, "off1", "wrong-pass", f"10.3.0.{i + 1}")
    assert _login(app, "off1", PASSWORD, "10.3.0.9").status_code == 429


# --- the start-up warning -----------------------------------------------------------


@pytest.fixture
def caplog(caplog, monkeypatch):
    """Alembic's logging set-up (run by the session's migrations) disables the app's logger."""
    monkeypatch.setattr(logging.getLogger("corrections"), "disabled", False)
    return caplog


def test_worker_count_reads_web_concurrency_gunicorn_args_and_the_command_line():
    assert worker_count({}, ["flask"]) == 1
    assert worker_count({"WEB_CONCURRENCY": "4"}, ["flask"]) == 4
    assert worker_count({"GUNICORN_CMD_ARGS": "--bind 0:8000 --workers 3"}, ["x"]) == 3
    assert worker_count({"GUNICORN_CMD_ARGS": "-w 2"}, ["x"]) == 2
    assert worker_count({}, ["/srv/.venv/bin/gunicorn", "-w", "2", "wsgi:app"]) == 2
    assert worker_count({}, ["gunicorn", "--workers=5", "wsgi:app"]) == 5
    assert worker_count({}, ["gunicorn", "-w4", "wsgi:app"]) == 4
    assert worker_count({}, ["gunicorn", "wsgi:app"]) == 1
    assert worker_count({}, ["python", "-w", "9"]) == 1  # not gunicorn: -w means nothing
    assert worker_count({"WEB_CONCURRENCY": "many"}, ["x"]) == 1


def test_given_memory_store_and_several_workers_then_start_up_warns(app, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "memory://")
    with caplog.at_level(logging.WARNING, logger="corrections"):
        assert warn_about_limiter_store(app, {"WEB_CONCURRENCY": "2"}, ["gunicorn"]) is True
    assert "RATELIMIT_STORAGE_URI=memory://" in caplog.text and "2 workers" in caplog.text


def test_given_one_worker_or_a_shared_store_then_no_warning(app, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "memory://")
    with caplog.at_level(logging.WARNING, logger="corrections"):
        assert warn_about_limiter_store(app, {}, ["gunicorn", "wsgi:app"]) is False
        monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
        assert warn_about_limiter_store(app, {"WEB_CONCURRENCY": "8"}, ["gunicorn"]) is False
    assert "RATELIMIT_STORAGE_URI" not in caplog.text


def test_given_a_gunicorn_start_with_workers_then_create_app_warns(caplog, monkeypatch):
    from corrections import create_app

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    with caplog.at_level(logging.WARNING, logger="corrections"):
        create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "3 workers" in caplog.text
