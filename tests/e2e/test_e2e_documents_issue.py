"""Browser journey: an officer issues an official document from the case page with the
制作 button (a POST carrying the CSRF token), the PDF downloads, the list shows its number,
and downloading it again takes no new number but is recorded in the audit log."""

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


@pytest.fixture
def store(app, tmp_path):
    before = app.config.get("ATTACHMENT_DIR")
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "store")
    yield
    app.config["ATTACHMENT_DIR"] = before


def test_officer_issues_an_announcement_with_a_button_and_downloads_it_again(
    app, county, world, new_page, store, shot
):
    from sqlalchemy import select

    from corrections.audit.models import AuditEvent
    from corrections.extensions import db
    from corrections.numbering import OfficialNumber
    from tests.helpers import open_case

    person = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        case_id = open_case(person).id

    page = new_page()
    _login(page, "off1")
    # a link or a prefetch of the old address takes no number
    assert page.request.get(f"/documents/announcement?case_id={case_id}").status == 405
    page.goto(f"/corrections/{case_id}")
    make = page.locator('#documents form[action="/documents/announcement"] button')
    expect(make).to_have_text("制作")
    with page.expect_download() as info:
        make.click()
    with open(info.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    page.goto(f"/corrections/{case_id}")
    listing = page.locator("#generated-documents")
    expect(listing).to_contain_text("本县矫宣〔2026〕1号")
    shot(page, "document-issued")
    with page.expect_download() as again:
        listing.get_by_role("link", name="下载").click()
    with open(again.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    with app.app_context():
        assert len(db.session.execute(select(OfficialNumber)).scalars().all()) == 1
        downloads = db.session.execute(
            select(AuditEvent.username).where(AuditEvent.action == "document.download")
        ).scalars()
        assert list(downloads) == ["off1", "off1"]  # after issuing, and again
