"""Browser journeys of a correction case: receive and log a visit on a phone, level change
proposed by an officer and approved by a supervisor, release through the checklist."""

from __future__ import annotations

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


def _case(app, world, **overrides) -> int:
    from tests.helpers import open_case

    person = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        return open_case(person, **overrides).id


def _open_section(page: Page, section: str) -> None:
    button = page.locator(f"#{section} .accordion-button")
    if "collapsed" in (button.get_attribute("class") or ""):
        button.click()
    expect(page.locator(f"#body-{section}")).to_be_visible()


def test_officer_receives_case_and_logs_visit_on_phone(app, county, world, new_page):
    case_id = _case(
        app,
        world,
        received_on=None,
        judgment_effective_on="2026-11-18",
        term_start="2026-11-18",
        term_end="2027-11-17",
    )
    phone = new_page("phone")
    _login(phone, "off1")
    phone.goto(f"/corrections/{case_id}")
    _open_section(phone, "receive")
    phone.fill("#receive-received_on", "2026-11-20")
    with phone.expect_navigation():
        phone.locator("#receive-form button[type=submit]").click()
    expect(phone.locator("body")).to_contain_text("在矫")
    # strict: face-to-face due 2026-11-27 counting from the reception
    expect(phone.locator("body")).to_contain_text("2026-11-27")
    phone.goto(f"/corrections/{case_id}/contact")
    phone.select_option("#contact-kind", "field_visit")
    phone.fill("#contact-occurred_on", "2026-11-25")
    phone.fill("#contact-note", "走访家中，情况稳定")
    with phone.expect_navigation():
        phone.locator("#save-contact").click()
    # the due date moved: a week from the visit
    expect(phone.locator("body")).to_contain_text("2026-12-02")
    expect(phone.locator("body")).to_contain_text("走访家中，情况稳定")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_level_change_proposed_then_approved(app, county, world, new_page):
    case_id = _case(app, world)
    officer = new_page("desktop")
    _login(officer, "off1")
    officer.goto(f"/corrections/{case_id}")
    _open_section(officer, "level")
    officer.select_option("#level-level", "normal")
    officer.fill("#level-effective_on", "2026-11-20")
    officer.fill("#level-reason", "入矫满两个月，表现良好")
    with officer.expect_navigation():
        officer.locator("#level-form button[type=submit]").click()
    expect(officer.locator("body")).to_contain_text("待审批")
    expect(officer.locator("#case-title")).to_be_visible()
    boss = new_page("desktop")
    _login(boss, "boss")
    boss.goto("/corrections/approvals")
    expect(boss.locator("#approvals-levels")).to_contain_text("张三")
    with boss.expect_navigation():
        boss.locator("#approvals-levels").get_by_role("button", name="批准", exact=True).click()
    expect(boss.locator("#approvals-levels")).to_contain_text("没有待审批的等级调整")
    boss.goto(f"/corrections/{case_id}")
    expect(boss.locator("body")).to_contain_text("普管")


def test_release_through_the_checklist(app, county, world, new_page):
    case_id = _case(app, world, term_end="2026-11-25")
    officer = new_page("desktop")
    _login(officer, "off1")
    officer.goto(f"/corrections/{case_id}")
    _open_section(officer, "checklist")
    for item in (
        "self_assessment",
        "appraisal",
        "announcement",
        "certificate",
        "notice_decision_body",
        "notice_procuratorate",
        "notice_police",
    ):
        officer.select_option("#checklist-item", item)
        officer.fill("#checklist-done_on", "2026-11-24")
        if item == "appraisal":
            officer.fill("#checklist-note", "表现良好，建议列为一般安置帮教对象")
        with officer.expect_navigation():
            officer.locator("#checklist-form button[type=submit]").click()
        _open_section(officer, "checklist")
    expect(officer.locator("#checklist-items")).to_contain_text("建议列为一般安置帮教对象")
    boss = new_page("desktop")
    boss.on("dialog", lambda dialog: dialog.accept())
    _login(boss, "boss")
    boss.goto(f"/corrections/{case_id}")
    _open_section(boss, "end")
    boss.fill("#release-released_on", "2026-11-25")
    boss.select_option("#release-reason", "expiry")
    with boss.expect_navigation():
        boss.locator("#release-form button[type=submit]").click()
    expect(boss.locator("body")).to_contain_text("已解除")
    expect(boss.locator("#to-resettlement")).to_be_visible()
