"""Browser journeys for paperwork: a visit photo attached on a phone; a ledger
imported by a supervisor."""

from __future__ import annotations

import io

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


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def attachment_dir(app, tmp_path):
    before = app.config.get("ATTACHMENT_DIR")
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "attachments")
    yield tmp_path / "attachments"
    app.config["ATTACHMENT_DIR"] = before


def test_officer_attaches_visit_photo_on_phone(
    app, county, world, new_page, tmp_path, attachment_dir
):
    from corrections.extensions import db
    from corrections.supervision import services as supervision
    from corrections.supervision.models import CorrectionCase
    from tests.helpers import open_case, user

    person = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        case_id = open_case(person).id
        case = db.session.get(CorrectionCase, case_id)
        contact = supervision.record_contact(
            user("off1"), case, {"kind": "field_visit", "occurred_on": "2026-11-20", "note": "走访"}
        )
        db.session.commit()
        contact_id = contact.id
    photo = tmp_path / "走访照片.jpg"
    photo.write_bytes(_jpeg())

    phone = new_page("phone")
    _login(phone, "off1")
    phone.goto(f"/corrections/{case_id}")
    phone.locator("#attachment-upload summary").click()
    phone.set_input_files("#attachment-file", str(photo))
    phone.select_option("#attachment-kind", "visit_photo")
    phone.select_option("#attachment-contact", str(contact_id))
    with phone.expect_navigation():
        phone.locator("#attachment-upload button[type=submit]").click()
    listing = phone.locator("#attachment-list")
    expect(listing).to_contain_text("走访照片.jpg")
    expect(listing).to_contain_text(f"走访记录#{contact_id}")
    assert any(p.is_file() for p in attachment_dir.rglob("*"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def _ledger(path) -> None:
    from openpyxl import Workbook

    from tests.paperwork.test_ledger_import import ID_A, ID_B

    headers = ["姓名", "身份证号", "矫正类别", "罪名", "判决生效日期", "矫正期限起", "矫正期限止"]
    headers += ["接收日期", "管理等级", "司法所"]
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    common = ["2026-01-05", "2026-01-05", "2027-01-04", "2026-01-10"]
    sheet.append(["王五", ID_A, "缓刑", "盗窃罪", *common, "普管", "S1"])
    sheet.append(["钱七", ID_B, "假释", "诈骗罪", *common, "严管", "S1"])
    book.save(path)


def test_supervisor_imports_ledger(app, county, new_page, tmp_path):
    from sqlalchemy import select

    from corrections.extensions import db
    from corrections.people.models import Person
    from corrections.supervision.models import CorrectionCase
    from tests.paperwork.test_ledger_import import ID_A, ID_B

    ledger = tmp_path / "台账.xlsx"
    _ledger(ledger)
    page = new_page("desktop")
    _login(page, "boss")
    page.goto("/import/")
    page.set_input_files("#file", str(ledger))
    with page.expect_navigation():
        page.get_by_role("button", name="上传").click()
    expect(page.locator("#mapping-form")).to_contain_text("身份证号")
    with page.expect_navigation():
        page.locator("#mapping-form button[type=submit]").click()
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("共 2 行，有问题 0 行。")
    expect(summary).to_contain_text("社区矫正案件 2 件")
    with page.expect_navigation():
        page.locator("#run-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("导入完成")
    expect(page.locator("#import-summary")).to_contain_text("已新建")
    with app.app_context():
        cases = db.session.execute(
            select(CorrectionCase, Person).join(Person, Person.id == CorrectionCase.person_id)
        ).all()
        assert sorted(p.id_number for _, p in cases) == sorted([ID_A, ID_B])
        assert {c.correction_type for c, _ in cases} == {"probation", "parole"}
