"""Browser journey: a leader opens the summary, follows a number to its records and on to the
case, copies the paragraph, downloads the month's PDF and closes the month."""

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


def test_leader_follows_a_number_to_its_records(app, county, world, new_page):
    from corrections.extensions import db
    from corrections.supervision import services as sv
    from tests.helpers import open_case, user

    person = world.person("off1", MALE_ID, name="王五", station="S1")
    with app.app_context():
        case = open_case(
            person,
            received_on="2026-10-05",
            judgment_effective_on="2026-10-01",
            term_start="2026-10-01",
            term_end="2027-10-01",
        )
        sv.record_contact(user("off1"), case, {"kind": "field_visit", "occurred_on": "2026-10-10"})
        db.session.commit()
        case_id = case.id

    page = new_page()
    _login(page, "boss")
    page.get_by_role("link", name="统计报表").first.click()
    expect(page.locator("#report-heading")).to_contain_text("2026年10月")
    expect(page.locator("#monthly-chart .chart-month")).to_have_count(12)
    expect(page.locator("#report-text")).to_contain_text(
        "2026年10月，全县开展调查评估0例，接收社区矫正对象1人"
    )
    page.locator("#copy-text").click()
    expect(page.locator("#copy-text")).to_have_text("已复制")

    page.locator('tr[data-key="cc.received"] td.total-col a').click()
    expect(page.locator("#figure-label")).to_have_text("接收社区矫正对象")
    expect(page.locator("#records-total")).to_have_text("共 1 人")
    page.get_by_role("link", name="王五").click()
    expect(page).to_have_url(f"{page.url.split('/corrections/')[0]}/corrections/{case_id}")

    page.go_back()
    page.locator("#back-to-summary").click()
    pdf = page.locator("#dl-monthly_pdf_download")
    if pdf.count():  # the printable summary, where it is built
        with page.expect_download() as info:
            pdf.click()
        with open(info.value.path(), "rb") as fh:
            assert fh.read(5) == b"%PDF-"

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("#close-month button[type=submit]").first.click()
    expect(page.locator("#frozen-badge")).to_have_text("已关账（冻结数据）")
    expect(page.locator("#no-changes")).to_be_visible()
