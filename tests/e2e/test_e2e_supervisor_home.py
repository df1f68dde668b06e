"""Browser journeys of the supervisor's day: the home page on a laptop and a phone in Chinese
and English (no sideways scrolling, every navbar item reachable), and refusing an approval
with a reason and a confirmation step. Screenshots go to ``test-results/`` (git-ignored)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
CJK_PUNCTUATION = re.compile("[，。：；（）]")


@pytest.fixture
def open_at(browser, live_server):
    contexts = []

    def open_page(viewport: dict) -> Page:
        context = browser.new_context(base_url=live_server, viewport=viewport, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def save(page: Page, name: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page: Page, username: str, lang: str = "zh") -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    if lang == "en":
        page.goto("/lang/en?next=/")


def no_sideways_scroll(page: Page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} is {width}px wide in a {inner}px window"


def open_user_menu(page: Page) -> None:
    """Open the user menu. Under load a click can land before Bootstrap's script has bound
    the dropdown: click again (at most three times) until the menu says it is open."""
    menu = page.locator("#user-menu")
    for _attempt in range(3):
        menu.click()
        try:
            expect(menu).to_have_attribute("aria-expanded", "true", timeout=2000)
            return
        except AssertionError:
            continue
    expect(menu).to_have_attribute("aria-expanded", "true")


def nav_reachable(page: Page) -> None:
    """Every navbar item is on screen, or the menu button opens a menu showing it."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        # wait for the collapse to finish opening: a click during its transition is lost
        expect(page.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    for selector in ("#lang-switch", "#inbox-link", "#user-menu"):
        item = page.locator(selector)
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], selector
        # one line: an item never wraps a character per line
        assert box["height"] < 48, f"{selector} wraps: {box}"
    open_user_menu(page)
    logout = page.locator("#logout")
    expect(logout).to_be_visible()
    box = logout.bounding_box()
    assert box["x"] + box["width"] <= page.viewport_size["width"]
    page.locator("#user-menu").click()
    links = page.locator("#mainnav .nav-link:visible")
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box["height"] < 48, f"nav item wraps: {links.nth(i).inner_text()!r} {box}"


def chrome_has_no_cjk_punctuation(page: Page) -> None:
    """In English the navbar, headings, buttons and labels show no Chinese punctuation."""
    texts = page.evaluate(
        """() => [...document.querySelectorAll(
              'nav, h1, h2, h3, label, button, .btn, th, .card-title, .form-text, .alert')]
            .map(e => e.innerText)"""
    )
    found = [t for t in texts if CJK_PUNCTUATION.search(t)]
    assert found == [], f"{page.url}: Chinese punctuation in English chrome: {found[:5]}"


@pytest.fixture
def supervisor_scene(app, county, world):
    from corrections.extensions import db
    from corrections.supervision import services as sv
    from tests.helpers import open_case, user, valid_id

    ids = [
        world.person("off1", valid_id(birth=f"198{i}0101", serial=f"45{i}"), name=f"王{i}",
                     station="S1")
        for i in range(3)
    ]  # fmt: skip
    with app.app_context():
        late = open_case(ids[0], received_on="2026-11-01")
        open_case(ids[1], received_on="2026-11-10", term_end="2026-12-20")
        away = open_case(ids[2], received_on="2026-11-10")
        leave = sv.apply_leave(
            user("off1"),
            late,
            {"starts_on": "2026-11-15", "ends_on": "2026-11-19", "destination": "宁波",
             "reason": "work", "kind": "leave", "applied_on": "2026-11-12"},
        )  # fmt: skip
        sv.decide_leave(user("off1"), late, leave.id, {"approved": True})
        long_leave = sv.apply_leave(
            user("off1"),
            away,
            {"starts_on": "2026-11-26", "ends_on": "2026-12-10", "destination": "上海",
             "reason": "family", "kind": "leave"},
        )  # fmt: skip
        db.session.commit()
        return {"leave_id": long_leave.id, "case_id": away.id}


@pytest.mark.parametrize("who", ["boss", "admin"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_supervisor_home_fits_and_the_navbar_is_reachable(
    open_at, supervisor_scene, who, lang, viewport
):
    page = open_at(viewport)
    login(page, who, lang)
    expect(page.locator("#sv-tiles")).to_be_visible()
    expect(page.locator("#tile-returns [data-count]")).to_have_text("1")
    save(page, f"home-{who}-{lang}")
    no_sideways_scroll(page)
    nav_reachable(page)
    if viewport is PHONE:
        save(page, f"home-{who}-{lang}-menu")
    if lang == "en":
        page.goto("/")
        chrome_has_no_cjk_punctuation(page)
    for path in ("/dashboard", "/corrections/approvals"):
        page.goto(path)
        no_sideways_scroll(page)
        if lang == "en":
            chrome_has_no_cjk_punctuation(page)
        save(page, f"{path.strip('/').replace('/', '-')}-{who}-{lang}")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_refusing_a_leave_needs_a_reason_and_a_confirmation(
    app, open_at, supervisor_scene, viewport
):
    from corrections.extensions import db
    from corrections.supervision.models import Leave

    lid = supervisor_scene["leave_id"]
    page = open_at(viewport)
    login(page, "boss")
    page.goto("/")
    page.locator("#tile-pending a").click()
    expect(page).to_have_url(re.compile(r"/corrections/approvals$"))
    item = page.locator("#approvals-leaves .list-group-item").filter(has_text="上海")
    item.get_by_role("button", name="不批准").click()
    # no reason: the error summary links to the field, nothing written
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary")).to_contain_text("不批准时必须填写理由")
    save(page, "refuse-no-reason")
    no_sideways_scroll(page)
    page.locator("#error-summary a").first.click()
    note = page.locator(f"#leave_decide{lid}-note")
    expect(note).to_be_focused()
    note.fill("探亲事由无证明材料")
    page.locator("#approvals-leaves .list-group-item").filter(has_text="上海").get_by_role(
        "button", name="不批准"
    ).click()
    expect(page.locator("#confirm-refusal")).to_be_visible()
    expect(page.locator("#confirm-reason")).to_have_text("探亲事由无证明材料")
    save(page, "refuse-confirm")
    no_sideways_scroll(page)
    with app.app_context():
        assert db.session.get(Leave, lid).status == "applied"
    page.locator("#confirm-refuse").click()
    expect(page).to_have_url(re.compile(r"/corrections/approvals$"))
    expect(page.locator(".alert-success")).to_contain_text("已不批准外出")
    with app.app_context():
        leave = db.session.execute(select(Leave).where(Leave.id == lid)).scalar_one()
        assert leave.status == "refused" and leave.decision_note == "探亲事由无证明材料"
    page.goto(f"/corrections/{supervisor_scene['case_id']}?timeline=all")
    expect(page.locator("body")).to_contain_text("理由：探亲事由无证明材料")
    expect(page.locator(f"#documents input[name=record_id][value='{lid}']")).to_have_count(0)
    save(page, "refused-case")


# --- English: the demo county's main pages --------------------------------------------

CHROME = """() => [...document.querySelectorAll(
      `nav .nav-link:not(#user-menu), nav .dropdown-item, h1, h2, h3, h4, h5, h6, label,
       button, .btn, th, .card-title, .form-text, .alert, legend, .badge, .nav-tabs a,
       option, .breadcrumb`)]
    .map(e => [e.tagName, (e.innerText || e.textContent || '').trim()])"""
CJK = re.compile(r"[\u3400-\u9fff]")


def english_problems(page: Page) -> list[str]:
    """Chrome texts that show Chinese punctuation (always wrong in English)."""
    return [
        f"{tag}: {text[:80]}" for tag, text in page.evaluate(CHROME) if CJK_PUNCTUATION.search(text)
    ]


@pytest.fixture
def demo_county(app, county):
    from corrections.demo import load_demo
    from corrections.extensions import db

    with app.app_context():
        load_demo()
        db.session.commit()
        from corrections.resettlement.models import ResettlementCase
        from corrections.supervision.models import CorrectionCase

        cc = db.session.execute(
            select(CorrectionCase.id).where(CorrectionCase.status == "active").limit(1)
        ).scalar_one()
        rc = db.session.execute(select(ResettlementCase.id).limit(1)).scalar_one()
    return {"cc": cc, "rc": rc}


def test_walk_main_pages_in_english(app, open_at, demo_county):
    from corrections.demo import DEMO_PASSWORD

    pages = [
        "/", "/dashboard", "/people/", "/corrections/", f"/corrections/{demo_county['cc']}",
        "/corrections/approvals", "/corrections/caseload", "/resettlement/",
        f"/resettlement/{demo_county['rc']}", "/assessments/", "/activities/", "/reports/",
        "/rules/", "/notifications/", "/admin/users", "/admin/audit/", "/admin/jobs",
    ]  # fmt: skip
    problems: dict[str, list[str]] = {}
    for who in ("admin", "zhuguan", "chen"):
        page = open_at(LAPTOP)
        page.goto("/login")
        page.fill("#username", who)
        page.fill("#password", DEMO_PASSWORD)
        with page.expect_navigation():
            page.locator("form button[type=submit]").first.click()
        page.goto("/lang/en?next=/")
        for path in pages:
            response = page.goto(path)
            if response.status >= 400:
                continue
            found = english_problems(page)
            if found:
                problems[f"{who} {path}"] = found
            no_sideways_scroll(page)
        page.context.close()
    print("\n".join(f"{k}: {v}" for k, v in problems.items()))
    assert problems == {}
