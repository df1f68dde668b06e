"""Refusing a proposal or application: a reason is required, a refusal is confirmed on a
page of its own before anything is written, the history says who decided and why, and a
refused leave has no 外出审批表 (web, API and download)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.extensions import db
from corrections.paperwork import documents
from corrections.supervision.models import CaseLevel, Leave, Sanction
from tests.helpers import user
from tests.supervision.webhelpers import form, get, make_case, text


@pytest.fixture
def case_id(app, person_id):
    return make_case(app, person_id)


def _events(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def _long_leave(app, client, world, case_id) -> int:
    """A 15-day leave applied for by the officer: the county decides."""
    world.login(client, "off1")
    client.post(
        f"/corrections/{case_id}/leaves",
        data=form(
            "leave",
            starts_on="2026-11-26",
            ends_on="2026-12-10",
            destination="上海",
            reason="family",
            kind="leave",
        ),
    )
    client.post("/logout")
    with app.app_context():
        return db.session.execute(select(Leave.id).where(Leave.case_id == case_id)).scalar_one()


def _refuse(client, case_id, lid, note="", **extra):
    return client.post(
        f"/corrections/{case_id}/leaves/{lid}/decision",
        data={**form(f"leave_decide{lid}", refuse="1", note=note or None), **extra},
    )


def test_refusing_without_a_reason_writes_nothing_and_says_why(app, client, world, case_id):
    lid = _long_leave(app, client, world, case_id)
    world.login(client, "boss")
    before = _events(app)
    r = _refuse(client, case_id, lid, "   ", next="approvals")
    assert r.status_code == 422
    page = text(r)
    assert 'id="error-summary"' in page and f'href="#leave_decide{lid}-note"' in page
    assert "不批准时必须填写理由" in page and "is-invalid" in page
    assert get(app, Leave, lid).status == "applied" and _events(app) == before
    # from the case page: the case page again with the error beside the field
    r = _refuse(client, case_id, lid)
    assert r.status_code == 422 and "不批准时必须填写理由" in text(r)
    assert get(app, Leave, lid).status == "applied" and _events(app) == before


def test_a_refusal_is_confirmed_before_it_is_written(app, client, world, case_id):
    lid = _long_leave(app, client, world, case_id)
    world.login(client, "boss")
    before = _events(app)
    r = _refuse(client, case_id, lid, "探亲事由无证明材料", next="approvals")
    page = text(r)
    assert r.status_code == 200 and 'id="confirm-refusal"' in page
    assert "探亲事由无证明材料" in page and "上海" in page and "15天" in page
    assert f'name="leave_decide{lid}-note"' in page and 'name="confirmed"' in page
    assert get(app, Leave, lid).status == "applied" and _events(app) == before
    r = _refuse(client, case_id, lid, "探亲事由无证明材料", next="approvals", confirmed="1")
    assert r.status_code == 302 and r.headers["Location"].endswith("/approvals")
    leave = get(app, Leave, lid)
    assert leave.status == "refused" and leave.decision_note == "探亲事由无证明材料"
    with app.app_context():
        assert leave.decided_by_id == user("boss").id
    assert _events(app) == before + 1
    # the history: who decided, when, and why
    page = text(client.get(f"/corrections/{case_id}"))
    assert "于2026-11-25不批准" in page and "理由：探亲事由无证明材料" in page


def test_approving_keeps_the_comment_and_needs_no_confirmation(app, client, world, case_id):
    lid = _long_leave(app, client, world, case_id)
    world.login(client, "boss")
    r = client.post(
        f"/corrections/{case_id}/leaves/{lid}/decision",
        data=form(f"leave_decide{lid}", approve="1", note="按时销假"),
    )
    assert r.status_code == 302
    leave = get(app, Leave, lid)
    assert leave.status == "approved" and leave.decision_note == "按时销假"
    assert "审批意见：按时销假" in text(client.get(f"/corrections/{case_id}"))


def test_sanction_and_level_refusals_take_a_reason(app, client, world, case_id):
    world.login(client, "off1")
    client.post(
        f"/corrections/{case_id}/sanctions",
        data=form("sanction", kind="warning", decided_on="2026-11-20", reason="未按时报到"),
    )
    client.post(
        f"/corrections/{case_id}/levels",
        data=form("level", effective_on="2026-11-24", level="lenient", reason="表现良好"),
    )
    client.post("/logout")
    with app.app_context():
        sid = db.session.execute(select(Sanction.id)).scalar_one()
        lvid = db.session.execute(
            select(CaseLevel.id).where(CaseLevel.status == "proposed")
        ).scalar_one()
    world.login(client, "boss")
    page = text(client.get("/corrections/approvals"))
    assert f'name="sanction_decide{sid}-note"' in page and f'name="level_decide{lvid}-note"' in page
    url = f"/corrections/{case_id}/sanctions/{sid}/decision"
    r = client.post(url, data={**form(f"sanction_decide{sid}", refuse="1"), "confirmed": "1"})
    assert r.status_code == 422 and get(app, Sanction, sid).status == "proposed"
    r = client.post(url, data=form(f"sanction_decide{sid}", refuse="1", note="情节轻微"))
    assert r.status_code == 200 and "确认不批准" in text(r)
    assert get(app, Sanction, sid).status == "proposed"
    r = client.post(
        url, data={**form(f"sanction_decide{sid}", refuse="1", note="情节轻微"), "confirmed": "1"}
    )
    assert r.status_code == 302
    sanction = get(app, Sanction, sid)
    assert sanction.status == "rejected" and sanction.decision_note == "情节轻微"
    url = f"/corrections/{case_id}/levels/{lvid}/decision"
    r = client.post(url, data={**form(f"level_decide{lvid}", refuse="1"), "confirmed": "1"})
    assert r.status_code == 422 and get(app, CaseLevel, lvid).status == "proposed"
    r = client.post(
        url, data={**form(f"level_decide{lvid}", refuse="1", note="考察期不足"), "confirmed": "1"}
    )
    assert r.status_code == 302 and get(app, CaseLevel, lvid).status == "refused"
    page = text(client.get(f"/corrections/{case_id}"))
    assert "理由：情节轻微" in page and "理由：考察期不足" in page


def test_a_refused_leave_offers_and_serves_no_approval_form(app, client, world, case_id):
    lid = _long_leave(app, client, world, case_id)
    world.login(client, "off1")  # made while pending: the form to carry round for signatures
    made = client.post("/documents/leave_approval", data={"case_id": case_id, "record_id": lid})
    assert made.status_code == 303
    download = made.headers["Location"]
    client.post("/logout")
    world.login(client, "boss")
    r = _refuse(client, case_id, lid, "事由不实", confirmed="1")
    assert r.status_code == 302
    with app.app_context():
        from corrections.supervision.models import CorrectionCase

        case = db.session.get(CorrectionCase, case_id)
        links = documents.links_for("correction", case)
    assert not [x for x in links if x[0] == "leave_approval" and x[2] == lid]
    page = text(client.get(f"/corrections/{case_id}"))
    assert f'<input type="hidden" name="record_id" value="{lid}">' not in page
    r = client.post("/documents/leave_approval", data={"case_id": case_id, "record_id": lid})
    assert r.status_code == 422 and "未获批准" in text(r)
    assert client.get(download).status_code == 422
    api = world.api("boss")
    r = api.post("/documents/leave_approval", json={"case_id": case_id, "record_id": lid})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "leave_not_approved"


def test_api_refusal_needs_a_reason(app, client, world, case_id):
    lid = _long_leave(app, client, world, case_id)
    api = world.api("boss")
    before = _events(app)
    url = f"/corrections/{case_id}/leaves/{lid}/decision"
    for body in ({"approved": False}, {"approved": False, "note": "  "}):
        r = api.post(url, json=body)
        assert r.status_code == 422
        assert "note" in r.get_json()["error"]["fields"]
    assert get(app, Leave, lid).status == "applied" and _events(app) == before
    r = api.post(url, json={"approved": False, "note": "事由不实"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "refused" and body["decision_note"] == "事由不实"
    assert body["decided_by"] == "boss"


@pytest.mark.parametrize("note", [None, "", "同意"])
def test_service_approval_comment_is_optional(ctx, person_id, note):
    from corrections.supervision import services
    from tests.helpers import open_case

    case = open_case(person_id)
    leave = services.apply_leave(
        user("off1"),
        case,
        {"starts_on": "2026-11-26", "ends_on": "2026-11-28", "destination": "宁波",
         "reason": "work", "kind": "leave"},
    )  # fmt: skip
    data = {"approved": True} if note is None else {"approved": True, "note": note}
    services.decide_leave(user("off1"), case, leave.id, data)
    assert leave.status == "approved" and leave.decision_note == (note or "")
