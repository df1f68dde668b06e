"""Browser journeys of the foundation: log in, register people, scope, language, phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

VALID_ID = "33010619900101123X"  # 杭州西湖区, male, born 1990-01-01
VALID_ID_MASKED = "3301**********123X"
BAD_CHECK_DIGIT = "330106199001011231"


def _set_display_name(app, username: str, display_name: str) -> None:
    from corrections.auth import services
    from corrections.extensions import db

    with app.app_context():
        services.user_by_username(username).display_name = display_name
        db.session.commit()


def _count_people(app) -> int:
    from corrections.extensions import db
    from corrections.people.models import Person

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person))


def _login(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def _no_horizontal_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide: {page.url}"


def _labels_beside_values(page: Page) -> None:
    """Each <dt> of a details list has its <dd> on the same line, not wrapped below."""
    misplaced = page.evaluate(
        """() => [...document.querySelectorAll('dl.fields dt')]
            .filter(dt => Math.abs(dt.getBoundingClientRect().top
                                   - dt.nextElementSibling.getBoundingClientRect().top) > 2)
            .map(dt => dt.textContent)"""
    )
    assert misplaced == [], f"values wrapped below their labels: {misplaced}"


@pytest.fixture
def station_world(world):
    world.station("S1", "城关司法所")
    world.station("S2", "东山司法所")
    world.user("chen", "officer", ("S1",))
    world.user("li", "officer", ("S2",))
    world.user("admin", "admin")
    _set_display_name(world.app, "chen", "陈晓明")
    return world


# --- logging in ---------------------------------------------------------------------


def test_officer_logs_in_and_sees_their_name(page, live_server, station_world):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(page.locator("h1")).to_have_text("登录")

    page.fill("#username", "chen")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("h1")).to_contain_text("您好，陈晓明")
    expect(page.locator("#user-menu")).to_have_text("陈晓明")
    expect(page.locator("main")).to_contain_text("司法所工作人员")
    expect(page.locator("main")).to_contain_text("城关司法所")


def test_wrong_password_shows_an_error_and_stays_on_login(page, live_server, station_world):
    page.goto("/login")
    page.fill("#username", "chen")
    page.fill("#password", "not-the-password")
    with page.expect_response(lambda r: r.url.endswith("/login")) as answer:
        page.get_by_role("button", name="登录").click()

    assert answer.value.status == 401
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.locator(".alert-danger")).to_contain_text("用户名或密码不正确，或账号已停用。")
    expect(page.locator("#user-menu")).to_have_count(0)
    expect(page.locator("#username")).to_have_value("chen")
    expect(page.locator("#password")).to_have_value("")  # never echoed back


def test_a_form_post_without_a_csrf_token_is_refused(page, live_server, station_world):
    answer = page.request.post("/login", form={"username": "chen", "password": PASSWORD})
    assert answer.status == 400
    assert "请求有误" in answer.text()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


# --- registering people -------------------------------------------------------------


def test_invalid_id_number_is_shown_next_to_the_field_and_nothing_is_saved(
    page, live_server, station_world, app
):
    _login(page, "chen")
    page.goto("/people/new")
    page.fill("#name", "王五")
    page.fill("#id_number", BAD_CHECK_DIGIT)
    page.click("#save-person")

    expect(page).to_have_url(f"{live_server}/people/new")
    id_field = page.locator("#id_number")
    expect(id_field).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(id_field).to_have_value(BAD_CHECK_DIGIT)
    feedback = page.locator("#id_number ~ .invalid-feedback")
    expect(feedback).to_have_text("身份证号码校验位不正确，请核对后重新输入。")
    expect(page.locator(".alert-danger")).to_contain_text("信息不完整或格式不对")
    expect(page.locator("#name")).not_to_have_class(re.compile(r"\bis-invalid\b"))

    assert _count_people(app) == 0
    page.goto("/people/")
    expect(page.locator("#people-table")).not_to_contain_text("王五")
    expect(page.locator("#people-table")).to_contain_text("没有找到符合条件的人员。")


def test_registering_a_person_shows_derived_fields_and_a_masked_list(
    page, live_server, station_world, app
):
    _login(page, "chen")
    page.goto("/people/")
    page.click("#new-person")
    expect(page).to_have_url(f"{live_server}/people/new")
    page.fill("#name", "李四")
    page.fill("#id_number", VALID_ID.lower())  # a lower-case x is accepted and normalised
    page.fill("#phone", "13800000000")
    page.click("#save-person")

    expect(page).to_have_url(re.compile(r"/people/\d+$"))
    expect(page.locator(".alert-success")).to_contain_text("已登记 李四。")
    expect(page.locator("h1")).to_contain_text("李四")
    details = page.locator("dl.fields")
    expect(details.locator("dt:has-text('性别') + dd")).to_have_text("男")
    expect(details.locator("dt:has-text('出生日期') + dd")).to_have_text("1990-01-01（36岁）")
    expect(details.locator("dt:has-text('出生地') + dd")).to_have_text("西湖区")
    expect(details.locator("dt:has-text('登记司法所') + dd")).to_have_text("城关司法所")
    expect(page.locator("#person-id-number")).to_have_text(VALID_ID)
    assert _count_people(app) == 1

    page.get_by_role("navigation").get_by_role("link", name="人员档案").click()
    expect(page).to_have_url(f"{live_server}/people/")
    row = page.locator("#people-table tbody tr", has_text="李四")
    expect(row).to_have_count(1)
    expect(row.locator(".id-number")).to_have_text(VALID_ID_MASKED)
    expect(page.locator("#people-table")).not_to_contain_text(VALID_ID)
    expect(row.locator("td").nth(2)).to_have_text("男")


def test_an_officer_of_another_station_gets_a_404(page, live_server, station_world):
    person_id = station_world.person("chen", VALID_ID, name="李四")
    _login(page, "li")

    answer = page.goto(f"/people/{person_id}")
    assert answer.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
    expect(page.locator("#error-message")).to_have_text("记录不存在，或不在您的管辖范围内。")
    expect(page.locator("main")).not_to_contain_text("李四")
    assert page.goto(f"/people/{person_id}/edit").status == 404

    page.goto("/people/")
    expect(page.locator("#people-table")).not_to_contain_text("李四")


# --- language -----------------------------------------------------------------------


def test_the_language_switch_changes_the_page_language_and_back(
    page, live_server, station_world, shot
):
    _login(page, "chen")
    page.goto("/people/")
    nav = page.locator("#mainnav")
    expect(nav.get_by_role("link", name="人员档案")).to_be_visible()
    expect(page.locator("#lang-switch")).to_have_text("English")

    page.click("#lang-switch")
    expect(page).to_have_url(re.compile(r"/people/\??$"))  # back on the same page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # English words are longer: below 1400 px the menu sits behind the toggler
    page.locator(".navbar-toggler").click()
    expect(nav.get_by_role("link", name="People", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_visible()
    expect(page.locator("#lang-switch")).to_have_text("中文")
    shot(page, "people-en")
    page.goto("/")  # the choice is kept in the session
    page.locator(".navbar-toggler").click()
    expect(nav.get_by_role("link", name="People", exact=True)).to_be_visible()

    page.click("#lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(nav.get_by_role("link", name="人员档案")).to_be_visible()
    expect(nav.get_by_role("link", name="首页")).to_be_visible()
    expect(page.locator("#lang-switch")).to_have_text("English")


# --- phone --------------------------------------------------------------------------


def test_on_a_phone_the_menu_collapses_and_people_can_be_registered(
    phone, live_server, station_world, app
):
    page = phone
    _login(page, "chen")
    toggler = page.locator(".navbar-toggler")
    people_link = page.locator("#mainnav").get_by_role("link", name="人员档案")
    expect(toggler).to_be_visible()
    expect(people_link).to_be_hidden()

    toggler.click()
    expect(people_link).to_be_visible()
    people_link.click()
    expect(page).to_have_url(f"{live_server}/people/")
    expect(page.locator("#mainnav")).to_be_hidden()  # collapsed again on the new page
    _no_horizontal_overflow(page)

    page.click("#new-person")
    _no_horizontal_overflow(page)
    page.fill("#name", "赵六")
    page.fill("#id_number", BAD_CHECK_DIGIT)
    page.click("#save-person")
    expect(page.locator("#id_number ~ .invalid-feedback")).to_be_visible()
    expect(page.locator("#id_number ~ .invalid-feedback")).to_be_in_viewport()
    _no_horizontal_overflow(page)

    page.fill("#id_number", VALID_ID)
    page.locator("#save-person").scroll_into_view_if_needed()
    page.click("#save-person")
    expect(page).to_have_url(re.compile(r"/people/\d+$"))
    expect(page.locator("h1")).to_contain_text("赵六")
    _no_horizontal_overflow(page)
    assert _count_people(app) == 1

    toggler.click()
    people_link.click()
    row = page.locator("#people-table tbody tr", has_text="赵六")
    expect(row.locator(".id-number")).to_have_text(VALID_ID_MASKED)
    expect(row.locator(".id-number")).to_be_visible()
    _no_horizontal_overflow(page)


# --- every main page at desktop and phone size ----------------------------------------


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_main_pages_render_at_both_sizes(new_page, live_server, station_world, viewport, shot):
    """A screenshot tour (see E2E_SHOTS); each page must fit the width of the screen."""
    person_id = station_world.person("chen", VALID_ID, name="李四", station="S1")

    page = new_page(viewport)
    page.goto("/login")
    expect(page.locator("h1")).to_have_text("登录")
    _no_horizontal_overflow(page)
    shot(page, "login")

    _login(page, "chen")
    expect(page.locator("h1")).to_contain_text("您好，陈晓明")
    _no_horizontal_overflow(page)
    shot(page, "home")

    page.goto("/people/")
    expect(page.locator("#people-table")).to_contain_text(VALID_ID_MASKED)
    _no_horizontal_overflow(page)
    shot(page, "people")

    page.goto(f"/people/{person_id}")
    expect(page.locator("#person-id-number")).to_have_text(VALID_ID)
    _no_horizontal_overflow(page)
    _labels_beside_values(page)
    shot(page, "person")

    page.goto("/people/new")
    page.fill("#name", "王五")
    page.fill("#id_number", "3301061990")
    page.click("#save-person")
    expect(page.locator("#id_number ~ .invalid-feedback")).to_have_text(
        "身份证号码应为18位，现在是10位。"
    )
    _no_horizontal_overflow(page)
    shot(page, "person-form-error")

    assert page.goto("/people/999999").status == 404
    expect(page.locator("#error-message")).to_have_text("记录不存在，或不在您的管辖范围内。")
    _no_horizontal_overflow(page)
    shot(page, "404")

    assert page.goto("/admin/users").status == 403
    _no_horizontal_overflow(page)
    shot(page, "403")

    admin = new_page(viewport)
    _login(admin, "admin")
    if viewport == "phone":
        admin.locator(".navbar-toggler").click()
    admin.get_by_role("button", name="更多").click()  # admin pages: under 更多 › 系统管理
    admin.locator(".dropdown-menu").get_by_role("link", name="用户").click()
    expect(admin).to_have_url(f"{live_server}/admin/users")
    table = admin.locator("#users-table")
    expect(table).to_contain_text("chen")
    expect(table).to_contain_text("陈晓明")
    expect(table).to_contain_text("城关司法所")
    _no_horizontal_overflow(admin)
    shot(admin, "admin-users")
