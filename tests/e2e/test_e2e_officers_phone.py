"""Browser journeys of the officer's phone, at 390×844 and on a desktop: a contact recorded
from my day returns there with the new due date; a visit with two photos shows them on the
contact; a refused form shows the error summary on top, focused, its link moving to the
field, the address unchanged."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

MALE_ID = "33010619900101123X"
VIEWPORTS = ["phone", "desktop"]


def _login(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def _case(app, world, **fields) -> int:
    from corrections.extensions import db
    from corrections.people.models import Person
    from tests.helpers import open_case

    person_id = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        person = db.session.get(Person, person_id)
        person.phone = "13800001111"
        person.residence_address = "城关镇解放路12号"
        person.emergency_contact = "张父 13900002222"
        db.session.commit()
        return open_case(person_id, **fields).id


def _photo(path, colour, size=(1600, 1200)) -> str:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    image.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_record_a_contact_from_my_day_and_return_there(
    app, county, world, new_page, shot, viewport
):
    case_id = _case(app, world, received_on="2026-11-10")  # due 11-17: overdue
    page = new_page(viewport)
    _login(page, "off1")
    overdue = page.locator("#my-overdue")
    expect(overdue).to_contain_text("张三")
    button = overdue.get_by_role("link", name="记录联系")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a tap target
    with page.expect_navigation():
        button.click()
    assert page.url.endswith(f"/corrections/{case_id}/contact?next=/")
    page.select_option("#contact-kind", "field_visit")
    page.fill("#contact-occurred_on", "2026-11-25")
    with page.expect_navigation():
        page.locator("#save-contact").click()
    assert urlsplit(page.url).path == "/"  # back on my day
    message = page.locator(".alert-success")
    expect(message).to_contain_text("已记录 张三 的实地查访（2026-11-25）")
    expect(message).to_contain_text("2026-12-02")  # the new due date
    expect(page.locator("#my-overdue")).not_to_contain_text("张三")
    shot(page, "officers-phone-contact-from-my-day")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_record_a_visit_with_two_photos(app, county, world, new_page, shot, tmp_path, viewport):
    case_id = _case(app, world)
    page = new_page(viewport)
    _login(page, "off1")
    page.goto(f"/corrections/{case_id}?next=/")
    # the page starts with what a visit needs: the phone to tap, the address
    expect(page.locator("#visit-phone a")).to_have_attribute("href", "tel:13800001111")
    expect(page.locator("#visit-address")).to_contain_text("城关镇解放路12号")
    shot(page, "officers-phone-case-page")
    page.select_option("#contact-kind", "field_visit")
    page.fill("#contact-note", "在家，情绪稳定")
    page.set_input_files(
        "#contact-photos",
        [
            _photo(tmp_path / "门口.jpg", (30, 90, 160)),
            _photo(tmp_path / "室内.jpg", (160, 90, 30)),
        ],
    )
    with page.expect_navigation():
        page.locator("#save-contact").click()
    assert urlsplit(page.url).path == "/"  # back where the officer came from
    expect(page.locator(".alert-success")).to_contain_text("附照片2张")
    page.goto(f"/corrections/{case_id}")
    photos = page.locator("#timeline-list .contact-photos img")
    expect(photos).to_have_count(2)
    for n in range(2):  # each display copy loads in the page (lazily, when scrolled to)
        photos.nth(n).scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=photos.nth(n).element_handle()
        )
    shot(page, "officers-phone-visit-photos")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_refused_form_shows_the_error_summary_on_top(
    app, county, world, new_page, shot, viewport
):
    case_id = _case(app, world)
    page = new_page(viewport)
    _login(page, "off1")
    page.goto(f"/corrections/{case_id}")
    address = page.url
    page.fill("#contact-occurred_on", "2026-11-30")  # in the future
    with page.expect_navigation():
        page.locator("#save-contact").click()
    assert page.url == address  # the case page's own address, not the action's
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("存在以下问题")
    expect(summary).to_be_focused()
    top = summary.bounding_box()["y"]
    assert top < 844  # on the first screen, not below the fold
    field = page.locator("#contact-occurred_on")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "contact-occurred_on-error")
    expect(page.locator("#contact-occurred_on-error")).to_contain_text("不能晚于今天")
    shot(page, "officers-phone-error-summary")
    summary.get_by_role("link").first.click()
    expect(field).to_be_focused()
    assert page.url.split("#")[0] == address
    field.fill("2026-11-25")
    with page.expect_navigation():
        page.locator("#save-contact").click()
    expect(page.locator("#contact-saved")).to_contain_text("联系已记录")
