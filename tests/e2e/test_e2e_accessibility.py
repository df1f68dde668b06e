"""Accessibility (WCAG 2.1 AA, docs/accessibility.md): axe-core on the main pages, in Chinese
and English, plus the keyboard checks axe cannot make (skip link, visible focus, field errors).

axe-core is vendored under tests/e2e/vendor/axe-core/ and evaluated in the page through
Playwright's evaluate, which the DevTools protocol runs outside the page's
Content-Security-Policy: the app's policy stays as it is (no inline script) and the
``new_page`` fixture still fails the test on any CSP violation.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text("utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
MALE_ID = "33010619900101123X"


def axe_violations(page: Page) -> list[dict]:
    """Run axe on the page as it stands; return the serious and critical violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE + "\n;void 0")
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
                summaries: v.nodes.map(n => n.failureSummary)}));
        }""",
        WCAG_TAGS,
    )
    return [v for v in result if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        for target, summary in list(zip(v["targets"], v["summaries"], strict=True))[:6]:
            lines.append(
                f"      {target}  -- {summary.splitlines()[-1].strip() if summary else ''}"
            )
        if len(v["targets"]) > 6:
            lines.append(f"      … and {len(v['targets']) - 6} more")
    return "\n".join(lines)


def _login(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    expect(page.locator("#user-menu")).to_have_count(1)  # hidden in the collapsed menu on a phone


def _set_language(page: Page, code: str) -> None:
    page.goto(f"/lang/{code}?next=/")


@pytest.fixture
def demo(app):
    """The demo county, plus one of each kind of pending approval for the supervisor."""
    from sqlalchemy import select

    from corrections.demo import DEMO_PASSWORD, load_demo
    from corrections.extensions import db
    from corrections.models import User
    from corrections.rules import engine
    from corrections.supervision import services as sv
    from corrections.supervision.models import CorrectionCase, Leave

    with app.app_context():
        load_demo()
        chen = db.session.execute(select(User).where(User.username == "chen")).scalar_one()
        cases = (
            db.session.execute(
                select(CorrectionCase)
                .where(CorrectionCase.status == "active", CorrectionCase.officer_id == chen.id)
                .order_by(CorrectionCase.id)
            )
            .scalars()
            .all()
        )
        case = cases[0]
        now = engine.level_on(sv.case_facts(case).levels, date(2026, 11, 24))
        sv.propose_level(
            chen,
            case,
            {
                "effective_on": date(2026, 11, 24),
                "level": "strict" if now == "normal" else "normal",
                "reason": "表现良好",
            },
        )
        sv.record_sanction(
            chen,
            case,
            {"kind": "commendation", "proposed_on": date(2026, 11, 24), "reason": "见义勇为"},
            propose=True,
        )
        leave = sv.apply_leave(
            chen,
            cases[-1],
            {
                "starts_on": date(2026, 12, 10),
                "ends_on": date(2026, 12, 30),
                "destination": "北京市",
                "reason": "medical",
                "applied_on": date(2026, 11, 24),
            },
        )
        db.session.commit()
        assert db.session.get(Leave, leave.id).status == "applied"
        yield {"password": DEMO_PASSWORD, "case_id": case.id, "person_id": case.person_id}


def _pages(demo) -> list[tuple[str, str, str]]:
    """(name, login, path) for every page the accessibility check covers."""
    case, person = demo["case_id"], demo["person_id"]
    return [
        ("my day", "chen", "/"),
        ("case list", "chen", "/corrections/"),
        ("case page", "chen", f"/corrections/{case}"),
        ("contact form", "chen", f"/corrections/{case}/contact"),
        ("person page", "chen", f"/people/{person}"),
        ("dashboard", "zhuguan", "/dashboard"),
        ("approvals", "zhuguan", "/corrections/approvals"),
        ("reports", "zhuguan", "/reports/"),
        ("supervisor home", "zhuguan", "/"),
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_main_pages_have_no_serious_axe_violations(lang, demo, new_page):
    failures: list[str] = []
    page = new_page()
    # the login page, before anyone has signed in (and once more with its error shown)
    html_lang = "zh-CN" if lang == "zh" else "en"
    page.goto(f"/lang/{lang}?next=/login")
    expect(page.locator("html")).to_have_attribute("lang", html_lang)
    if found := axe_violations(page):
        failures.append(f"login:\n{describe(found)}")
    page.fill("#username", "chen")
    page.fill("#password", "wrong-password-1")
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    if found := axe_violations(page):
        failures.append(f"login (refused):\n{describe(found)}")

    signed_in: dict[str, Page] = {}
    for name, username, path in _pages(demo):
        if username not in signed_in:
            user_page = new_page()
            _login(user_page, username, demo["password"])
            _set_language(user_page, lang)
            signed_in[username] = user_page
        user_page = signed_in[username]
        user_page.goto(path)
        expect(user_page.locator("html")).to_have_attribute("lang", html_lang)
        expect(user_page.locator("main#main")).to_be_visible()
        if found := axe_violations(user_page):
            failures.append(f"{name} ({path}):\n{describe(found)}")

    # an officer's phone in the field: the collapsed menu, the home page and the contact form
    phone = new_page("phone")
    _login(phone, "chen", demo["password"])
    _set_language(phone, lang)
    for name, path in (
        ("my day", "/"),
        ("contact form", f"/corrections/{demo['case_id']}/contact"),
    ):
        phone.goto(path)
        phone.locator(".navbar-toggler").click()
        expect(phone.locator("#mainnav")).to_be_visible()
        if found := axe_violations(phone):
            failures.append(f"{name} on a phone, menu open ({path}):\n{describe(found)}")

    # the contact form with its errors shown
    chen = signed_in["chen"]
    chen.goto(f"/corrections/{demo['case_id']}/contact")
    chen.fill("#contact-occurred_on", "")
    with chen.expect_navigation():
        chen.locator("#save-contact").click()
    if found := axe_violations(chen):
        failures.append(f"contact form with errors:\n{describe(found)}")

    assert not failures, f"axe-core, language {lang}:\n" + "\n".join(failures)


# --- what axe cannot check: the keyboard ------------------------------------------------------

FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const label = (el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' +
                   [...el.classList].join('.')) + ' "' + (el.innerText || el.value || '')
                   .trim().slice(0, 30) + '"';
    return {label, tag: el.tagName, id: el.id, classes: [...el.classList],
            outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
            outlineColor: style.outlineColor, background: style.backgroundColor};
}"""


def _walk(page: Page, limit: int = 250) -> list[dict]:
    """Tab through the page from the top; the state of every element that takes focus."""
    page.locator("body").evaluate("b => b.focus()")
    seen, states = set(), []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None:
            break
        key = (state["label"], state["id"])
        if key in seen and state == states[0]:
            break  # wrapped round to the first stop
        seen.add(key)
        states.append(state)
    return states


def _small_case(app, world) -> int:
    """One case of officer off1 (the ``county`` fixture), for the checks that need no demo."""
    from tests.helpers import open_case

    person = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        return open_case(person, received_on="2026-11-10").id


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(app, county, world, new_page):
    case_id = _small_case(app, world)
    page = new_page()
    _login(page, "off1", PASSWORD)
    page.goto(f"/corrections/{case_id}")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("跳到主要内容")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")
    # the next Tab lands inside the page's content, past the whole navigation bar
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
    # and in English
    page.goto(f"/lang/en?next=/corrections/{case_id}")
    page.keyboard.press("Tab")
    expect(skip).to_have_text("Skip to main content")


def _bare(states: list[dict]) -> list[str]:
    """Focus stops without a visible ring: no outline, a hairline, or one the colour of the fill."""
    return [
        s["label"]
        for s in states
        if s["outlineStyle"] == "none"
        or s["outlineWidth"] < 2
        or s["outlineColor"] == s["background"]
    ]


def test_every_control_shows_a_focus_ring(demo, new_page):
    """A keyboard walk through the officer's and the supervisor's main pages."""
    walks = [
        ("chen", "contact form", f"/corrections/{demo['case_id']}/contact"),
        ("chen", "case page", f"/corrections/{demo['case_id']}"),
        ("chen", "person page", f"/people/{demo['person_id']}"),
        ("chen", "case list", "/corrections/"),
        ("zhuguan", "approvals", "/corrections/approvals"),
    ]
    pages: dict[str, Page] = {}
    failures, primaries = [], 0
    for username, name, path in walks:
        if username not in pages:
            pages[username] = new_page()
            _login(pages[username], username, demo["password"])
        page = pages[username]
        page.goto(path)
        states = _walk(page)
        assert len(states) > 10, f"{name}: only {len(states)} focus stops"
        if bare := _bare(states):
            failures.append(f"{name}: " + ", ".join(bare))
        primaries += sum("btn-primary" in s["classes"] for s in states)
    assert not failures, "no visible focus ring on:\n" + "\n".join(failures)
    assert primaries >= 3, "the walk reached too few .btn-primary buttons to prove their ring"


def test_a_field_with_an_error_is_marked_and_described(app, county, world, new_page):
    case_id = _small_case(app, world)
    page = new_page()
    _login(page, "off1", PASSWORD)
    page.goto(f"/corrections/{case_id}/contact")
    page.fill("#contact-occurred_on", "")
    with page.expect_navigation():
        page.locator("#save-contact").click()
    invalid = page.locator("main [aria-invalid=true]")
    expect(invalid.first).to_be_visible()
    for i in range(invalid.count()):
        control = invalid.nth(i)
        described = control.get_attribute("aria-describedby") or ""
        error_ids = [d for d in described.split() if d.endswith("-error")]
        assert error_ids, f"{control.get_attribute('id')} has no error in aria-describedby"
        for d in error_ids:
            expect(page.locator(f".invalid-feedback[id='{d}']")).not_to_be_empty()
    # the label still names the field for a screen reader
    field_id = invalid.first.get_attribute("id")
    expect(page.locator(f"label[for='{field_id}']")).to_have_count(1)
