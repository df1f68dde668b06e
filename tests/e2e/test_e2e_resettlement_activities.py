"""Browser journeys: a released prisoner handed over and visited on a phone; a group session
recorded for a whole station in one form."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

MALE_ID = "33010619900101123X"
FEMALE_ID = "11010519491231002X"


def _login(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_handover_then_visit_on_a_phone(app, county, world, new_page):
    from corrections.extensions import db
    from corrections.resettlement import services as rs
    from tests.helpers import user

    person = world.person("off1", MALE_ID, name="王五", station="S1")
    with app.app_context():
        case = rs.create_case(
            user("off1"),
            {
                "person_id": person,
                "station": "S1",
                "source": "prison",
                "released_on": "2026-11-20",
                "is_key": True,
                "key_reason": "涉黑涉恶",
            },
        )
        db.session.commit()
        case_id = case.id
    phone = new_page("phone")
    _login(phone, "off1")
    phone.goto(f"/resettlement/{case_id}")
    expect(phone.locator("#escort-note")).to_be_visible()
    phone.fill("#handover-handed_over_on", "2026-11-21")
    phone.select_option("#handover-method", "escorted")
    with phone.expect_navigation():
        phone.locator("#handover-form button[type=submit]").click()
    # key person: a visit every 30 days from the handover
    expect(phone.locator("#due-list")).to_contain_text("2026-12-21")
    phone.select_option("#contact-kind", "field_visit")
    phone.fill("#contact-occurred_on", "2026-11-25")
    with phone.expect_navigation():
        phone.locator("#contact-form button[type=submit]").click()
    expect(phone.locator("#due-list")).to_contain_text("2026-12-25")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_group_session_for_a_station(app, county, world, new_page):
    from tests.helpers import open_case

    a = world.person("off1", MALE_ID, name="张三", station="S1")
    b = world.person("off1", FEMALE_ID, name="李梅", station="S1")
    with app.app_context():
        first, second = open_case(a).id, open_case(b).id
    page = new_page("desktop")
    _login(page, "off1")
    page.goto("/activities/new")
    page.select_option("#station", "S1")
    page.fill("#held_on", "2026-11-20")
    with page.expect_navigation():
        page.locator("#reload-list").click()
    page.check(f"#att-{first}")
    page.check(f"#att-{second}")
    page.select_option("#kind", "education")
    page.fill("#hours", "2")
    page.fill("#topic", "法治教育")
    with page.expect_navigation():
        page.locator("#save-activity").click()
    expect(page.locator("body")).to_contain_text("法治教育")
    expect(page.locator("body")).to_contain_text("张三")
    expect(page.locator("body")).to_contain_text("李梅")
