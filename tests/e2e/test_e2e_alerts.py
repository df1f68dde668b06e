"""Browser journeys of 预警处置 (docs/domain.md §7.11): an officer verifies and closes an
alert from the phone; a supervisor sees an escalated one on the dashboard; the
信息化核查 import with its progress bar and three lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

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


def _alert(app, world, at=None):
    from corrections.alerts import services
    from corrections.extensions import db
    from tests.helpers import open_case

    person = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        case = open_case(person)
        alert = services.raise_alert(
            case, "location_missing", cause="import:2026-11-24",
            note="信息化核查（2026-11-24）：当天3次核查均未成功", at=at,
        )  # fmt: skip
        db.session.commit()
        return alert.id


def test_officer_verifies_and_closes_an_alert_from_the_phone(app, county, world, new_page):
    alert_id = _alert(app, world)
    page = new_page("phone")
    _login(page, "off1")
    mine = page.locator("#my-alerts")
    expect(mine).to_contain_text("张三")
    expect(mine).to_contain_text("定位缺失")
    with page.expect_navigation():
        mine.get_by_role("link", name="处置").click()
    expect(page.locator("#alert-status")).to_contain_text("待核实")
    page.fill("#note", "已电话联系本人：手机没电，已充电。")
    with page.expect_navigation():
        page.locator("#btn-verify").click()
    expect(page.locator("#alert-status")).to_contain_text("核实中")
    # closing without an outcome is refused with a message
    page.check("#act-close")
    page.fill("#note", "情况属实。")
    with page.expect_navigation():
        page.locator("#btn-step").click()
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.locator("#alert-status")).to_contain_text("核实中")
    page.check("#act-close")
    page.fill("#note", "情况属实，已教育。")
    page.select_option("#outcome", "explained")
    with page.expect_navigation():
        page.locator("#btn-step").click()
    expect(page.locator("#alert-status")).to_contain_text("已办结")
    expect(page.locator("#alert-outcome")).to_contain_text("已说明情况")
    steps = page.locator("#alert-steps li")
    expect(steps).to_have_count(3)
    expect(steps.nth(1)).to_contain_text("已电话联系本人")
    page.goto("/")
    expect(page.locator("#my-alerts")).to_contain_text("没有待处置的预警")
    assert alert_id


def test_supervisor_sees_an_escalated_alert(app, county, world, new_page):
    from corrections.alerts import services
    from corrections.extensions import db

    alert_id = _alert(app, world, at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC))
    with app.app_context():
        services.escalate_overdue()
        db.session.commit()
    page = new_page("phone")
    _login(page, "boss")
    page.goto(_dashboard_url(app))
    table = page.locator("#alerts-by-station")
    expect(table).to_contain_text("城关司法所")
    escalated = page.locator("#escalated-alerts")
    expect(escalated).to_contain_text("张三")
    with page.expect_navigation():
        escalated.get_by_role("link", name="张三").click()
    expect(page.locator("#alert-status")).to_contain_text("已上报主管")
    expect(page.locator("#alert-status")).to_contain_text("已超时")
    assert str(alert_id) in page.url


def _dashboard_url(app) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for("reminders.overview")


def test_location_import_with_progress_and_lists(app, county, world, new_page, tmp_path):
    from corrections.alerts import sample_export as se

    person = world.person("off1", MALE_ID, name="张三", station="S1")
    from tests.helpers import open_case

    with app.app_context():
        open_case(person)
    plan = [se.Person(MALE_ID, "张三", (30.0, 120.0), missing_days={date(2026, 11, 21)})]
    path = tmp_path / "核查.csv"
    path.write_bytes(se.to_csv(se.rows(plan, date(2026, 11, 20), 3), "gbk"))
    page = new_page("phone")
    _login(page, "off1")
    page.goto("/alerts/import")
    page.set_input_files("#file", str(path))
    with page.expect_navigation():
        page.locator("#btn-check").click()
    expect(page.locator("#import-summary")).to_contain_text("试运行")
    expect(page.locator("#list-location_missing")).to_contain_text("（1）")
    expect(page.locator("#list-outside_area")).to_contain_text("（0）")
    with page.expect_navigation():
        page.locator("#btn-raise").click()
    expect(page.locator("#import-done")).to_contain_text("1")
    page.goto("/")
    expect(page.locator("#my-alerts")).to_contain_text("定位缺失")


def test_one_area_from_the_checkin_settings_with_chinese_errors(app, county, world, new_page):
    """The check-in settings page links to the one area page (docs/domain.md §7.11); a bad
    polygon is refused in Chinese with the text kept; a circle is saved."""
    page = new_page("desktop")
    _login(page, "boss")
    page.goto("/checkins/settings")
    expect(page.locator("#checkin-area")).to_contain_text("未设置")
    with page.expect_navigation():
        page.locator("#checkin-area").get_by_role("link", name="设置辖区范围").click()
    page.fill("#geojson", '{"type": "Point", "coordinates": [120, 30]}')
    with page.expect_navigation():
        page.get_by_role("button", name="保存多边形").click()
    expect(page.locator("#area-error")).to_contain_text("辖区范围无效")
    expect(page.locator("#area-error")).to_contain_text("GeoJSON 多边形")
    expect(page.locator("#geojson")).to_have_value('{"type": "Point", "coordinates": [120, 30]}')
    page.fill("#center_lat", "30")
    page.fill("#center_lon", "120")
    page.fill("#radius_m", "3000")
    with page.expect_navigation():
        page.get_by_role("button", name="保存圆形范围").click()
    expect(page.locator("#area-current")).to_contain_text("圆形")
    page.goto("/checkins/settings")
    expect(page.locator("#checkin-area")).to_contain_text("已设置")
