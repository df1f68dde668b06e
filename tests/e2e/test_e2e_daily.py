"""Daily-work browser journeys: an officer clears an overdue person from the home page;
an investigation registered and completed; a group session for ten people."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

MALE_ID = "33010619900101123X"


def _login(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_overdue_person_leaves_the_home_list_after_a_contact(app, county, world, new_page):
    from tests.helpers import open_case

    person = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        case_id = open_case(person, received_on="2026-11-10").id  # due 11-17: overdue
    page = new_page("phone")
    _login(page, "off1")
    overdue = page.locator("#my-overdue")
    expect(overdue).to_contain_text("张三")
    expect(overdue).to_contain_text("逾期8天")
    with page.expect_navigation():
        overdue.get_by_role("link", name="记录联系").click()
    page.select_option("#contact-kind", "report_in_person")
    page.fill("#contact-occurred_on", "2026-11-25")
    with page.expect_navigation():
        page.locator("#save-contact").click()
    page.goto("/")
    expect(page.locator("#my-overdue")).not_to_contain_text("张三")
    expect(page.locator("#my-overdue")).to_contain_text("没有逾期的对象")
    assert case_id


def test_register_and_complete_an_investigation(app, county, world, new_page):
    page = new_page("desktop")
    _login(page, "off1")
    page.goto("/assessments/new")
    page.fill("#name", "赵六")
    page.select_option("#commissioned_by", "court")
    page.fill("#commissioning_body", "示范县人民法院")
    page.fill("#crime", "危险驾驶罪")
    page.fill("#received_on", "2026-11-20")
    with page.expect_navigation():
        page.locator("#save-assessment").click()
    # received Friday 2026-11-20: the 10th working day after it is 2026-12-04
    expect(page.locator("#due-on")).to_have_text("2026-12-04")
    page.fill("#complete-completed_on", "2026-11-25")
    page.check("#complete-form input[name=complete-opinion][value=suitable]")
    with page.expect_navigation():
        page.locator("#complete-form button[type=submit]").click()
    expect(page.locator("#outcome")).to_contain_text("2026-11-25")
    expect(page.locator("#start-case")).to_be_visible()


def test_group_session_for_ten_people(app, county, world, new_page):
    from corrections.people.idnumber import make_fictional
    from tests.helpers import open_case

    case_ids = []
    for n in range(10):
        number = make_fictional("330726", date(1980, 1, 1 + n), 901 + 2 * n)
        person = world.person("off1", number, name=f"对象{n}", station="S1")
        with app.app_context():
            case_ids.append(open_case(person).id)
    page = new_page("desktop")
    _login(page, "off1")
    page.goto("/activities/new")
    page.select_option("#station", "S1")
    page.fill("#held_on", "2026-11-20")
    with page.expect_navigation():
        page.locator("#reload-list").click()
    page.locator("#tick-all").click()
    expect(page.locator("#ticked-count")).to_have_text("10")
    page.select_option("#kind", "education")
    page.fill("#hours", "2")
    page.fill("#topic", "法治教育")
    with page.expect_navigation():
        page.locator("#save-activity").click()
    for n in range(10):
        expect(page.locator("body")).to_contain_text(f"对象{n}")
    from sqlalchemy import func, select

    from corrections.activities.models import Attendance
    from corrections.extensions import db

    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Attendance)).scalar_one() == 10
