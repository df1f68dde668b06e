"""Browser journey (docs/domain.md §7.6): a supervisor ends a case on a date before one of
its contacts, sees the contact listed with a link, follows it, then ends on the right day."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_e2e_corrections import _case, _login, _open_section

pytestmark = pytest.mark.e2e


def test_end_before_a_contact_lists_it_then_ends_on_its_day(app, county, world, new_page):
    from corrections.extensions import db
    from corrections.supervision import services as sv
    from corrections.supervision.models import CorrectionCase
    from tests.helpers import user

    case_id = _case(app, world)
    with app.app_context():
        case = db.session.get(CorrectionCase, case_id)
        contact = sv.record_contact(
            user("off1"), case, {"kind": "field_visit", "occurred_on": "2026-11-20"}
        )
        db.session.commit()
        contact_id = contact.id
    boss = new_page("desktop")
    boss.on("dialog", lambda dialog: dialog.accept())
    _login(boss, "boss")
    boss.goto(f"/corrections/{case_id}")
    _open_section(boss, "end")
    boss.fill("#terminate-terminated_on", "2026-11-19")
    boss.select_option("#terminate-reason", "death")
    with boss.expect_navigation():
        boss.locator("#terminate-form button[type=submit]").click()
    link = boss.locator("#body-end .record-after-end")
    expect(link).to_have_count(1)
    expect(link).to_contain_text("2026-11-20")
    expect(boss.locator("#terminate-terminated_on")).to_have_value("2026-11-19")
    with boss.expect_navigation():
        link.click()
    expect(boss.locator(f"#contact-{contact_id}")).to_be_visible()
    _open_section(boss, "end")
    boss.fill("#terminate-terminated_on", "2026-11-20")
    boss.select_option("#terminate-reason", "death")
    with boss.expect_navigation():
        boss.locator("#terminate-form button[type=submit]").click()
    expect(boss.locator("#case-status")).to_contain_text("2026-11-20")
