"""安置帮教 decisions of docs/domain.md §7.6–§7.7: key status not before release, the escort
alert by the key status on the handover date, verification outcomes that end the case, and
no end date before the case's own records. Services, API and page, on both databases.
Today is frozen at 2026-11-25; ``make_rs_case`` releases on 2026-10-01 by default.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.errors import RecordsAfterEnd, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.reports import figures, records
from corrections.resettlement import services as rs
from corrections.resettlement.models import KeyStatusChange, ResettlementCase
from tests.helpers import FEMALE_ID, d, user
from tests.resettlement.rshelpers import make_rs_case
from tests.supervision.webhelpers import count, form, get, text


def _case(case_id: int) -> ResettlementCase:
    db.session.expire_all()
    return db.session.get(ResettlementCase, case_id)


def _events() -> int:
    return db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


# --- key status not before release ---------------------------------------------------------


def test_key_change_before_release_is_refused_on_the_release_day_accepted(app, ctx, person_id):
    """Given a person released on 2026-10-01, when a key-status change is dated 2026-09-30,
    then 422 with the field effective_on and nothing written; dated 2026-10-01 it is kept."""
    case = _case(make_rs_case(app, person_id))
    events, rows = _events(), count(app, KeyStatusChange)
    with pytest.raises(ValidationFailed) as e:
        rs.set_key(
            user("off1"), case, {"effective_on": "2026-09-30", "is_key": True, "reason": "涉黑涉恶"}
        )
    assert e.value.status == 422 and "2026-10-01" in e.value.fields["effective_on"]
    db.session.rollback()
    assert _events() == events and count(app, KeyStatusChange) == rows
    rs.set_key(
        user("off1"), case, {"effective_on": "2026-10-01", "is_key": True, "reason": "涉黑涉恶"}
    )
    db.session.commit()
    assert count(app, KeyStatusChange) == rows + 1


def test_api_key_change_before_release(app, world, person_id):
    cid = make_rs_case(app, person_id)
    r = world.api("off1").post(
        f"/resettlements/{cid}/key",
        json={"effective_on": "2026-09-30", "is_key": True, "reason": "涉黑涉恶"},
    )
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "validation_failed" and "effective_on" in error["fields"]


def test_page_key_change_before_release_inline(app, client, world, person_id):
    cid = make_rs_case(app, person_id)
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{cid}/key",
        data=form("key", is_key="yes", effective_on="2026-09-30", reason="涉黑涉恶"),
    )
    page = text(r)
    assert r.status_code == 422 and "不能早于释放日期 2026-10-01" in page
    assert 'value="2026-09-30"' in page and "涉黑涉恶" in page


# --- the escort alert uses the key status on the handover date ------------------------------


def test_escort_alert_uses_key_status_on_the_handover_date(app, ctx, person_id):
    """Given a person not key when handed over by family on 2026-10-05 and made key on
    2026-11-01, then no 必接必送 alert; given one key at the handover and no longer key
    later, then the alert stands."""
    handover = [("handover", {"handed_over_on": "2026-10-05", "method": "family"})]
    later_key = make_rs_case(
        app,
        person_id,
        steps=[
            *handover,
            ("set_key", {"effective_on": "2026-11-01", "is_key": True, "reason": "涉黑涉恶"}),
        ],
    )
    case = _case(later_key)
    assert case.is_key is True and rs.key_without_escort(case) is False
    other = _person(FEMALE_ID)
    was_key = make_rs_case(
        app,
        other,
        is_key=True,
        key_reason="暴力犯罪",
        steps=[
            *handover,
            ("set_key", {"effective_on": "2026-11-01", "is_key": False, "reason": "表现良好"}),
        ],
    )
    case = _case(was_key)
    assert case.is_key is False and rs.key_without_escort(case) is True


def _person(id_number: str) -> int:
    from corrections.people.services import create_person

    person = create_person(user("off1"), {"name": "李梅", "id_number": id_number}, None)
    db.session.commit()
    return person.id


def test_page_escort_alert_by_key_status_at_handover(app, client, world, person_id):
    cid = make_rs_case(
        app,
        person_id,
        is_key=True,
        key_reason="暴力犯罪",
        steps=[
            ("handover", {"handed_over_on": "2026-10-05", "method": "family"}),
            ("set_key", {"effective_on": "2026-11-01", "is_key": False, "reason": "表现良好"}),
        ],
    )
    world.login(client, "off1")
    assert "必接必送未落实" in text(client.get(f"/resettlement/{cid}"))


# --- verification outcomes that end the case ----------------------------------------------


@pytest.mark.parametrize("result,label", [("false_identity", "身份虚假"), ("not_local", "非本地")])
def test_verification_outcome_ends_the_case_on_its_date(app, ctx, person_id, result, label):
    """Given a released person, when verification on 2026-11-10 finds false identity (or
    not local), then the case ends that day with the reason of the same name, counted in
    rs.ended for November (figure and drill-down)."""
    case = _case(make_rs_case(app, person_id))
    rs.verify(user("off1"), case, {"verified_on": "2026-11-10", "result": result})
    db.session.commit()
    case = _case(case.id)
    assert (case.status, case.ended_on, case.end_reason) == ("ended", d("2026-11-10"), result)
    start, end = date(2026, 11, 1), date(2026, 11, 30)
    assert figures.compute(start, end, None, ["rs.ended"]).totals["rs.ended"] == 1
    assert records.count("rs.ended", start, end, None) == 1
    actions = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars()
    assert list(actions)[-2:] == ["resettlement.verify", "resettlement.end"]


def test_verification_found_verified_does_not_end_the_case(app, ctx, person_id):
    case = _case(make_rs_case(app, person_id))
    rs.verify(user("off1"), case, {"verified_on": "2026-11-10", "result": "verified"})
    rs.verify(user("off1"), case, {"verified_on": "2026-11-11", "result": "false_address"})
    db.session.commit()
    assert _case(case.id).status == "released"


def test_pre_release_verification_ends_a_notice(app, ctx, person_id):
    """Given a pre-release notice, when verification finds false identity, the case ends."""
    cid = make_rs_case(
        app, person_id, released_on=None, expected_release_on="2026-12-20",
        notice_received_on="2026-11-20",
    )  # fmt: skip
    rs.verify(user("off1"), _case(cid), {"verified_on": "2026-11-21", "result": "false_identity"})
    db.session.commit()
    assert _case(cid).status == "ended" and _case(cid).end_reason == "false_identity"


def test_ending_verification_refusals_write_nothing(app, ctx, person_id):
    """A contact after the verification date holds the end (records_after_end, the day of
    the contact itself is allowed); an ending outcome dated before the release is refused
    on verified_on; an ended case is not ended again."""
    cid = make_rs_case(
        app,
        person_id,
        steps=[
            ("handover", {"handed_over_on": "2026-10-01", "method": "family"}),
            ("record_contact", {"kind": "field_visit", "occurred_on": "2026-11-12"}),
        ],
    )
    events = _events()
    with pytest.raises(RecordsAfterEnd) as e:
        rs.verify(user("off1"), _case(cid), {"verified_on": "2026-11-11", "result": "not_local"})
    assert e.value.code == "records_after_end" and "verified_on" in e.value.fields
    assert [r.kind for r in e.value.records] == ["contact"]
    db.session.rollback()
    with pytest.raises(ValidationFailed) as e:
        rs.verify(user("off1"), _case(cid), {"verified_on": "2026-09-30", "result": "not_local"})
    assert "verified_on" in e.value.fields
    db.session.rollback()
    case = _case(cid)
    assert case.status == "active" and case.verified_on is None and _events() == events
    rs.verify(user("off1"), case, {"verified_on": "2026-11-12", "result": "not_local"})
    db.session.commit()
    with pytest.raises(RuleViolation) as e:
        rs.verify(user("off1"), _case(cid), {"verified_on": "2026-11-12", "result": "not_local"})
    assert e.value.code == "case_ended"


def test_api_verification_answer_shows_the_case_ended(app, world, person_id):
    cid = make_rs_case(app, person_id)
    r = world.api("off1").post(
        f"/resettlements/{cid}/verification",
        json={"verified_on": "2026-11-10", "result": "false_identity"},
    )
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    body = r.get_json()
    assert (body["status"], body["ended_on"], body["end_reason"]) == (
        "ended",
        "2026-11-10",
        "false_identity",
    )


def test_openapi_lists_the_new_end_reasons(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    reasons = spec["components"]["schemas"]["ResettlementCase"]["properties"]["end_reason"]
    assert {"false_identity", "not_local"} <= set(reasons["enum"])


def test_page_verification_ends_the_case_with_the_reason_in_chinese(app, client, world, person_id):
    cid = make_rs_case(app, person_id)
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{cid}/verify",
        data=form("verify", verified_on="2026-11-10", result="not_local"),
    )
    assert r.status_code == 302
    page = text(client.get(f"/resettlement/{cid}"))
    assert "已结束" in page and "2026-11-10" in page and "非本地" in page


# --- no end date before the case's own records ---------------------------------------------


def test_end_on_the_last_record_day_is_allowed_one_day_before_refused(app, ctx, person_id):
    """Given assistance on 2026-11-20, ending on 2026-11-19 is refused naming it, on
    2026-11-20 it ends; the handover date holds the end too."""
    cid = make_rs_case(
        app,
        person_id,
        steps=[
            ("handover", {"handed_over_on": "2026-10-08", "method": "family"}),
            ("add_assistance", {"kind": "relief", "given_on": "2026-11-20"}),
        ],
    )
    events = _events()
    with pytest.raises(RecordsAfterEnd) as e:
        rs.end_case(user("off1"), _case(cid), {"ended_on": "2026-11-19", "reason": "death"})
    assert [k for k in e.value.fields if ":" in k] == ["assistance:1"]
    db.session.rollback()
    with pytest.raises(RecordsAfterEnd) as e:
        rs.end_case(user("off1"), _case(cid), {"ended_on": "2026-10-07", "reason": "death"})
    assert e.value.fields[f"handover:{cid}"] == "2026-10-08"
    db.session.rollback()
    assert _case(cid).status == "active" and _events() == events
    rs.end_case(user("off1"), _case(cid), {"ended_on": "2026-11-20", "reason": "death"})
    db.session.commit()
    assert _case(cid).ended_on == d("2026-11-20")


def test_api_end_records_after_end(app, world, person_id):
    cid = make_rs_case(
        app,
        person_id,
        steps=[
            ("handover", {"handed_over_on": "2026-10-01", "method": "family"}),
            ("record_contact", {"kind": "field_visit", "occurred_on": "2026-11-20"}),
        ],
    )
    r = world.api("off1").post(
        f"/resettlements/{cid}/end", json={"ended_on": "2026-11-19", "reason": "death"}
    )
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "records_after_end"
    assert error["fields"]["contact:1"] == "2026-11-20" and "ended_on" in error["fields"]


def test_page_end_lists_the_records_with_links(app, client, world, person_id):
    cid = make_rs_case(
        app,
        person_id,
        steps=[
            ("handover", {"handed_over_on": "2026-10-01", "method": "family"}),
            ("record_contact", {"kind": "field_visit", "occurred_on": "2026-11-20"}),
        ],
    )
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{cid}/end", data=form("end", ended_on="2026-11-19", reason="death")
    )
    page = text(r)
    assert r.status_code == 422 and 'class="record-after-end"' in page
    assert f"/resettlement/{cid}?at=contact-1#contact-1" in page and 'value="2026-11-19"' in page
    assert get(app, ResettlementCase, cid).status == "active"


def test_page_ending_verification_refused_keeps_the_typed_values(app, client, world, person_id):
    """Given a visit on 2026-11-20, when the page records 非本地 on 2026-11-19, then 422 with
    the visit listed, the typed date and result kept, and the case still open."""
    cid = make_rs_case(
        app,
        person_id,
        steps=[
            ("handover", {"handed_over_on": "2026-10-01", "method": "family"}),
            ("record_contact", {"kind": "field_visit", "occurred_on": "2026-11-20"}),
        ],
    )
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{cid}/verify",
        data=form("verify", verified_on="2026-11-19", result="not_local"),
    )
    page = text(r)
    assert r.status_code == 422 and 'class="record-after-end"' in page
    assert 'value="2026-11-19"' in page and '<option selected value="not_local">' in page
    row = get(app, ResettlementCase, cid)
    assert row.status == "active" and row.verified_on is None
