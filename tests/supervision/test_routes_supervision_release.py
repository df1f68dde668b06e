"""Ending a case from its page: the release checklist, then 解除; refusals write nothing."""

from __future__ import annotations

from corrections.supervision.models import ChecklistItem, CorrectionCase
from tests.supervision.webhelpers import count, form, get, make_case, text

ITEMS = (
    "self_assessment",
    "appraisal",
    "announcement",
    "certificate",
    "notice_decision_body",
    "notice_procuratorate",
    "notice_police",
)


def test_release_through_the_checklist(app, client, world, person_id):
    cid = make_case(
        app,
        person_id,
        judgment_effective_on="2025-11-20",
        term_start="2025-11-20",
        term_end="2026-11-20",
        received_on="2025-11-25",
    )
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{cid}"))
    assert "期满未解除" in page and 'id="checklist-form"' in page
    assert 'id="release-form"' not in page  # officers do not release
    # the appraisal needs its 安置帮教 recommendation
    r = client.post(
        f"/corrections/{cid}/checklist",
        data=form("checklist", item="appraisal", done_on="2026-11-18"),
    )
    assert r.status_code == 422 and "必填" in text(r)
    assert count(app, ChecklistItem) == 0
    for item in ITEMS:
        r = client.post(
            f"/corrections/{cid}/checklist",
            data=form(
                "checklist",
                item=item,
                done_on="2026-11-18",
                note="建议纳入一般安置帮教" if item == "appraisal" else None,
            ),
        )
        assert r.status_code == 302, item
    page = text(client.get(f"/corrections/{cid}"))
    assert "7/7" in page and "建议纳入一般安置帮教" in page
    r = client.post(
        f"/corrections/{cid}/checklist",
        data=form("checklist", item="announcement", done_on="2026-11-19"),
    )
    assert r.status_code == 422 and "该项已完成" in text(r)
    r = client.post(
        f"/corrections/{cid}/release",
        data=form("release", released_on="2026-11-21", reason="expiry"),
    )
    assert r.status_code == 403
    client.post("/logout")

    world.login(client, "boss")
    r = client.post(
        f"/corrections/{cid}/release",
        data=form("release", released_on="2026-11-21", reason="expiry"),
    )
    assert r.status_code == 302
    row = get(app, CorrectionCase, cid)
    assert row.status == "released" and row.ended_on.isoformat() == "2026-11-21"
    page = text(client.get(f"/corrections/{cid}"))
    assert "已解除" in page and "期满未解除" not in page and 'id="contact-form"' in page
    assert "只能补录此前的联系" in page


def test_release_before_term_end_is_refused(app, client, world, person_id):
    cid = make_case(app, person_id, term_end="2026-12-10")
    world.login(client, "boss")
    r = client.post(
        f"/corrections/{cid}/release",
        data=form("release", released_on="2026-11-25", reason="expiry"),
    )
    assert r.status_code == 422
    page = text(r)
    assert "期满解除的日期不能早于矫正期限止日 2026-12-10" in page
    assert 'id="end"' in page and "accordion-collapse collapse show" in page  # section kept open
    assert get(app, CorrectionCase, cid).status == "active"


def test_checklist_opens_thirty_days_before_term_end(app, client, world, person_id):
    cid = make_case(app, person_id, term_end="2027-01-04")
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{cid}"))
    assert 'id="checklist-closed"' in page and "2026-12-05" in page
    r = client.post(
        f"/corrections/{cid}/checklist",
        data=form("checklist", item="self_assessment", done_on="2026-11-25"),
    )
    assert r.status_code == 422 and "30天开启" in text(r)
    assert count(app, ChecklistItem) == 0


def test_pending_revocation_blocks_release(app, client, world, person_id):
    cid = make_case(
        app,
        person_id,
        judgment_effective_on="2025-11-20",
        term_start="2025-11-20",
        term_end="2026-11-20",
        received_on="2025-11-25",
    )
    world.login(client, "boss")
    client.post(
        f"/corrections/{cid}/sanctions",
        data=form(
            "sanction", kind="revocation_request", decided_on="2026-11-10", reason="多次违规"
        ),
    )
    r = client.post(
        f"/corrections/{cid}/release",
        data=form("release", released_on="2026-11-21", reason="expiry"),
    )
    assert r.status_code == 422 and "不能解除" in text(r)
    assert get(app, CorrectionCase, cid).status == "active"
    r = client.post(
        f"/corrections/{cid}/terminate",
        data=form("terminate", terminated_on="2026-11-22", reason="probation_revoked"),
    )
    assert r.status_code == 302
    assert get(app, CorrectionCase, cid).status == "terminated"
