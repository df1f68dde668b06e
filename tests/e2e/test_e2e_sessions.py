"""Browser journeys of sessions (log out everywhere, an admin ending a user's sessions, a
copied cookie), and a confirmation that moved from an inline handler to static/app.js."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def _login(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


@pytest.fixture
def two_users(world):
    world.station("S1", "城关司法所")
    world.user("chen", "officer", ("S1",))
    world.user("admin", "admin")
    return world


def test_logging_out_everywhere_ends_the_other_browsers_session(new_page, two_users):
    office, phone = new_page(), new_page("phone")
    _login(office, "chen")
    _login(phone, "chen")

    office.locator("#user-menu").click()
    office.get_by_role("link", name="登录会话").click()
    expect(office.locator("#session-list tbody tr")).to_have_count(2)
    office.locator("#end-all-sessions").click()
    expect(office).to_have_url(re.compile(r"/login$"))
    expect(office.locator("main")).to_contain_text("已在所有设备上退出登录")

    phone.reload()
    expect(phone).to_have_url(re.compile(r"/login"))


def test_an_admin_ends_a_users_sessions_and_logging_out_kills_a_copied_cookie(
    new_page, two_users, browser, live_server
):
    officer, admin = new_page(), new_page()
    _login(officer, "chen")
    _login(admin, "admin")

    # a copy of the officer's cookie in another browser works until the officer logs out
    copy = browser.new_context(base_url=live_server)
    copy.add_cookies(officer.context.cookies())
    stolen = copy.new_page()
    stolen.goto("/")
    expect(stolen).to_have_url(f"{live_server}/")

    admin.goto("/admin/users")
    admin.get_by_role("link", name="chen").click()
    admin.locator("#end-user-sessions").click()
    expect(admin.locator("main")).to_contain_text("已让该用户在所有设备上退出登录")

    officer.reload()
    expect(officer).to_have_url(re.compile(r"/login"))
    stolen.reload()
    expect(stolen).to_have_url(re.compile(r"/login"))
    copy.close()


def _declared_years(app) -> list[int]:
    from sqlalchemy import select

    from corrections.extensions import db
    from corrections.rules.holidays import HolidayYear

    with app.app_context():
        return list(db.session.execute(select(HolidayYear.year)).scalars())


def test_a_confirmation_moved_out_of_the_page_still_asks_first(page, two_users, app):
    """The holiday year form asked with an inline onsubmit; now static/app.js asks."""
    _login(page, "admin")
    page.goto("/assessments/holidays")
    page.fill("#year-year", "2031")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.locator("#year-form button[type=submit]").click()
    page.wait_for_timeout(300)
    assert questions == ["确认该年的放假日和调休上班日都已录入？"]
    assert 2031 not in _declared_years(app)

    page.once("dialog", lambda d: answer(d, True))
    with page.expect_navigation():
        page.locator("#year-form button[type=submit]").click()
    assert 2031 in _declared_years(app)
