"""Browser journeys of self check-in on a phone: an officer enrols a person and shows the
QR code; the person activates, checks in with a photo and a faked location, applies for
leave; the officer reviews and the remote-report due date moves; a missed check-in
expires into an alert on the officer's day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from corrections import clock
from corrections.extensions import db
from tests.checkin.conftest import case_dates, jpeg
from tests.conftest import PASSWORD
from tests.e2e.conftest import VIEWPORTS

pytestmark = pytest.mark.e2e

MALE_ID = "33010619900101123X"
PIN = "482916"
HOME = {"latitude": 30.001, "longitude": 120.002, "accuracy": 20}


@pytest.fixture(autouse=True)
def _today_is_now():
    clock.set_today(datetime.now(clock.CHINA).date())
    yield


def _login(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def _person_page(browser, live_server) -> Page:
    context = browser.new_context(
        base_url=live_server,
        viewport=VIEWPORTS["phone"],
        locale="zh-CN",
        geolocation=HOME,
        permissions=["geolocation"],
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def _photo():
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}


def _remote_due(app, case_id):
    from corrections.supervision.models import CorrectionCase
    from corrections.supervision.services import due_states

    with app.app_context():
        case = db.session.get(CorrectionCase, case_id)
        return {s.requirement: s.due_on for s in due_states(case)}.get("remote_report")


def test_enrol_activate_check_in_apply_review(
    app, county, world, new_page, browser, live_server, shot
):
    from corrections.alerts import areas
    from corrections.checkin.models import Checkin
    from corrections.supervision.models import CorrectionCase, Leave
    from tests.supervision.webhelpers import make_case

    with app.test_request_context():
        from tests.helpers import user

        areas.set_area(user("off1").unit, circle=(30.0, 120.0, 2000))
        db.session.commit()
    person = world.person("off1", MALE_ID, name="张三", station="S1")
    case_id = make_case(app, person, level="normal", **case_dates())
    with app.app_context():
        db.session.get(CorrectionCase, case_id).level = "normal"
        db.session.commit()

    # the officer enrols the person on the case page and shows the QR code
    officer = new_page("phone")
    _login(officer, "off1")
    officer.goto(f"/corrections/{case_id}")
    with officer.expect_navigation():
        officer.locator("#to-checkin").click()
    officer.fill("#phone", "13800138000")
    officer.fill("#consent_on", clock.today().isoformat())
    with officer.expect_navigation():
        officer.locator("#enrol").click()
    expect(officer.locator("#qr svg")).to_be_visible()
    code = officer.locator("#activation-code").inner_text().strip()
    url = officer.locator("#activation-url").inner_text().strip()
    assert len(code) == 8 and url.endswith(code)
    shot(officer, "checkin-qr")

    # the person activates on their phone: code, birth date, PIN, reference photo
    person_page = _person_page(browser, live_server)
    person_page.goto(url)
    expect(person_page.locator("#code")).to_have_value(code)
    person_page.fill("#birth_date", "1990-01-01")
    person_page.fill("#pin", PIN)
    person_page.fill("#pin_again", PIN)
    with person_page.expect_navigation():
        person_page.get_by_role("button", name="下一步").click()
    person_page.set_input_files("#photo", files=[_photo()])
    with person_page.expect_navigation():
        person_page.get_by_role("button", name="保存照片").click()
    expect(person_page.locator("#next-checkin")).to_contain_text("目前没有需要完成的报到")

    # the officer requests a check-in with a question
    officer.goto(f"/corrections/{case_id}/checkin")
    officer.fill("input[name=question_extra]", "最近在做什么工作？")
    with officer.expect_navigation():
        officer.locator("#request-checkin").click()

    # the person checks in: photo, location from the browser, the answer
    person_page.goto("/my/")
    with person_page.expect_navigation():
        person_page.locator("#start-checkin").click()
    expect(person_page.locator("#geo-status")).to_contain_text("已获取位置")
    person_page.set_input_files("#photo", files=[_photo()])
    person_page.fill("#answer_0", "在镇上的工厂上班")
    with person_page.expect_navigation():
        person_page.locator("#submit-checkin").click()
    expect(person_page.locator("#checkin-done")).to_be_visible()
    shot(person_page, "checkin-submitted")
    with app.app_context():
        row = db.session.execute(select(Checkin)).scalar_one()
        assert row.status == "submitted" and abs(row.lat - 30.001) < 1e-6
        assert row.accuracy_m == 20 and row.outside_area is False
        checkin_id = row.id

    # the person applies for leave from the phone
    person_page.goto("/my/")
    with person_page.expect_navigation():
        person_page.locator("#apply-leave").click()
    person_page.fill("#starts_on", (clock.today() + timedelta(days=5)).isoformat())
    person_page.fill("#ends_on", (clock.today() + timedelta(days=6)).isoformat())
    person_page.fill("#destination", "杭州市")
    person_page.select_option("#reason", "medical")
    with person_page.expect_navigation():
        person_page.locator("#submit-leave").click()
    expect(person_page.locator("#leave-status")).to_have_text("待审批")
    with app.app_context():
        assert db.session.execute(select(Leave.status)).scalar_one() == "applied"

    # the officer reviews from the phone-sized queue; the remote-report due date moves
    before = _remote_due(app, case_id)
    officer.goto("/checkins")
    with officer.expect_navigation():
        officer.locator("#queue a").first.click()
    expect(officer.locator("#photo-pair img")).to_have_count(2)
    expect(officer.locator("#location")).to_contain_text("范围内")
    with officer.expect_navigation():
        officer.locator("#accept").click()
    expect(officer.locator("#queue-empty")).to_be_visible()
    after = _remote_due(app, case_id)
    assert after > before
    with app.app_context():
        assert db.session.get(Checkin, checkin_id).outcome == "accepted"
    person_page.context.close()


def test_missed_check_in_expires_into_an_alert(app, county, world, new_page, browser, live_server):
    from corrections.checkin.models import Checkin
    from corrections.reminders.jobs import run_job
    from tests.checkin.conftest import enrol, request_checkin
    from tests.supervision.webhelpers import make_case

    person = world.person("off1", MALE_ID, name="张三", station="S1")
    case_id = make_case(app, person, **case_dates())
    code = enrol(app, case_id)
    person_page = _person_page(browser, live_server)
    person_page.goto(f"/my/activate?code={code}")
    person_page.fill("#birth_date", "1990-01-01")
    person_page.fill("#pin", PIN)
    person_page.fill("#pin_again", PIN)
    with person_page.expect_navigation():
        person_page.get_by_role("button", name="下一步").click()
    person_page.set_input_files("#photo", files=[_photo()])
    with person_page.expect_navigation():
        person_page.get_by_role("button", name="保存照片").click()
    checkin_id = request_checkin(app, case_id)
    with app.app_context():
        db.session.get(Checkin, checkin_id).due_by = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    # too late on the phone: refused, with who to call
    person_page.goto(f"/my/checkins/{checkin_id}")
    expect(person_page.locator("#checkin-late")).to_contain_text("已超过报到截止时间")
    with app.test_request_context():
        from corrections.checkin.services import china_date

        assert run_job("expire_checkins", china_date(datetime.now(UTC)))["created"] == 1
    officer = new_page("phone")
    _login(officer, "off1")
    officer.goto("/")
    expect(officer.locator("#my-alerts")).to_contain_text("张三")
    expect(officer.locator("#my-alerts")).to_contain_text("未按时自助报到")
    person_page.context.close()
