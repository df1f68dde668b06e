"""The 安置帮教 case page: who sees it, each form's success path and its refusals."""

from __future__ import annotations

import pytest

from corrections.audit.models import AuditEvent
from corrections.resettlement.models import (
    Assistance,
    KeyStatusChange,
    LostContact,
    LostContactSearch,
    ResettlementCase,
    ResettlementContact,
)
from tests.resettlement.rshelpers import make_rs_case
from tests.supervision.webhelpers import count, form, get, text

HANDED_OVER = [("handover", {"handed_over_on": "2026-10-01", "method": "family"})]


@pytest.fixture
def case_id(app, person_id):
    """Released 2026-10-01, handed over the same day: first visit due 2026-12-30 (90 days)."""
    return make_rs_case(app, person_id, steps=HANDED_OVER)


@pytest.fixture
def notice_id(app, person_id):
    """A pre-release notice: not released yet."""
    return make_rs_case(
        app,
        person_id,
        released_on=None,
        expected_release_on="2026-12-20",
        notice_received_on="2026-11-20",
        is_key=True,
        key_reason="监狱建议列为重点",
    )


def case(app, case_id) -> ResettlementCase:
    return get(app, ResettlementCase, case_id)


# --------------------------------------------------------------------------- who sees it


@pytest.mark.parametrize("who", ["off1", "both", "boss", "viewer", "admin"])
def test_case_page_renders_for_roles_in_scope(client, world, case_id, who):
    world.login(client, who)
    r = client.get(f"/resettlement/{case_id}")
    assert r.status_code == 200
    page = text(r)
    assert "张三" in page and "监狱刑满释放" in page and 'id="timeline"' in page
    assert "帮教期满日" in page and "2031-10-01" in page
    assert "每90天至少一次见面走访" in page  # the due explanation, in Chinese
    assert "家属接回" in page
    if who == "viewer":
        assert 'id="contact-form"' not in page and "作废" not in page
    else:
        assert 'id="contact-form"' in page


@pytest.mark.parametrize("who", ["off2", "far", "farboss"])
def test_case_page_out_of_scope_is_404(app, client, world, case_id, who):
    world.login(client, who)
    assert client.get(f"/resettlement/{case_id}").status_code == 404
    if who != "farboss":
        r = client.post(
            f"/resettlement/{case_id}/contacts",
            data=form("contact", kind="field_visit", occurred_on="2026-11-24"),
        )
        assert r.status_code == 404
    assert count(app, ResettlementContact) == 0


def test_missing_case_is_404(client, world, county):
    world.login(client, "admin")
    assert client.get("/resettlement/999").status_code == 404


def test_case_page_needs_login(client, case_id):
    r = client.get(f"/resettlement/{case_id}")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_english_explanation_follows_the_locale(client, world, case_id):
    world.login(client, "off1")
    assert "every 90 days" in text(client.get(f"/resettlement/{case_id}?lang=en"))


@pytest.mark.parametrize(
    "path, data",
    [
        ("contacts", form("contact", kind="field_visit", occurred_on="2026-11-24")),
        ("assistance", form("assistance", kind="relief", given_on="2026-11-24")),
        ("placement", form("placement", placement="employed")),
        ("end", form("end", ended_on="2026-11-24", reason="death")),
    ],
)
def test_viewer_posting_is_403_and_writes_nothing(app, client, world, case_id, path, data):
    world.login(client, "viewer")
    r = client.post(f"/resettlement/{case_id}/{path}", data=data)
    assert r.status_code == 403 and "只读账号不能修改数据" in text(r)
    assert count(app, ResettlementContact) == 0 and count(app, Assistance) == 0
    c = case(app, case_id)
    assert c.placement is None and c.status == "active"


# --------------------------------------------------------------------------- contacts


def test_contact_moves_due_date(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{case_id}/contacts",
        data=form("contact", kind="field_visit", occurred_on="2026-11-24", note="在家，已就业"),
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("#contact")
    page = text(client.get(r.headers["Location"]))
    assert "的实地查访（2026-11-24）" in page and "2027-02-22" in page
    assert "在家，已就业" in page and 'id="contact-saved"' in page
    assert count(app, ResettlementContact) == 1
    assert case(app, case_id).next_due_on.isoformat() == "2027-02-22"


def test_contact_before_release_is_refused(app, client, world, notice_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{notice_id}/contacts",
        data=form("contact", kind="field_visit", occurred_on="2026-11-24"),
    )
    assert r.status_code == 422 and "尚未登记释放" in text(r)
    assert count(app, ResettlementContact) == 0


def test_contact_in_future_keeps_the_form(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{case_id}/contacts",
        data=form("contact", kind="field_visit", occurred_on="2026-11-26", note="写了一半"),
    )
    page = text(r)
    assert r.status_code == 422 and "不能晚于今天" in page and "写了一半" in page
    assert count(app, ResettlementContact) == 0


def test_void_contact_with_reason(app, client, world, case_id):
    world.login(client, "off1")
    client.post(
        f"/resettlement/{case_id}/contacts",
        data=form("contact", kind="field_visit", occurred_on="2026-11-24"),
    )
    with app.app_context():
        from corrections.extensions import db

        contact_id = db.session.query(ResettlementContact.id).scalar()
    url = f"/resettlement/{case_id}/void/contact/{contact_id}"
    r = client.post(url, data=form(f"voidcontact{contact_id}", reason=""))
    assert r.status_code == 422 and "必填" in text(r)
    assert get(app, ResettlementContact, contact_id).voided_at is None
    r = client.post(url, data=form(f"voidcontact{contact_id}", reason="录错了对象"))
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert "已作废：录错了对象" in page
    assert case(app, case_id).next_due_on.isoformat() == "2026-12-30"
    assert (
        client.post(
            f"/resettlement/{case_id}/void/other/{contact_id}", data=form("void", reason="x")
        ).status_code
        == 404
    )


def test_quick_contact_page(app, client, world, case_id):
    world.login(client, "off1")
    r = client.get(f"/resettlement/{case_id}/contact")
    assert r.status_code == 200 and 'id="contact-form"' in text(r) and "2026-12-30" in text(r)
    r = client.post(
        f"/resettlement/{case_id}/contact",
        data=form("contact", kind="report_in_person", occurred_on="2026-11-25"),
    )
    assert r.status_code == 302 and count(app, ResettlementContact) == 1


# --------------------------------------------------------------------------- notice → release → handover


def test_notice_page_shows_release_and_escort(client, world, notice_id):
    world.login(client, "off1")
    page = text(client.get(f"/resettlement/{notice_id}"))
    assert 'id="release-form"' in page and "预计 2026-12-20 释放" in page
    assert 'id="escort-note"' in page and "必接必送" in page
    assert 'id="contact-form"' not in page


def test_handover_before_release_is_refused(app, client, world, notice_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{notice_id}/handover",
        data=form("handover", handed_over_on="2026-11-24", method="escorted"),
    )
    assert r.status_code == 422 and "尚未登记释放，请先登记释放日期" in text(r)
    assert case(app, notice_id).handed_over_on is None


def test_release_verify_handover(app, client, world, notice_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{notice_id}/release", data=form("release", released_on="2026-11-22")
    )
    assert r.status_code == 302
    assert "帮教期至 2031-11-22" in text(client.get(r.headers["Location"]))
    r = client.post(
        f"/resettlement/{notice_id}/verify",
        data=form("verify", verified_on="2026-11-23", result="false_address"),
    )
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert "地址不实" in page and "三假" in page
    r = client.post(
        f"/resettlement/{notice_id}/handover",
        data=form("handover", handed_over_on="2026-11-22", method="family"),
    )
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    c = case(app, notice_id)
    assert c.status == "active" and c.handover_method == "family"
    assert c.next_due_on.isoformat() == "2026-12-22"  # key: 30 days
    assert "必接必送未落实" in page  # a key person picked up by family


def test_release_refusals(app, client, world, notice_id):
    world.login(client, "off1")
    r = client.post(f"/resettlement/{notice_id}/release", data=form("release", released_on=""))
    assert r.status_code == 422 and "请填写日期" in text(r)
    assert case(app, notice_id).released_on is None


def test_handover_before_the_release_date_is_refused(app, client, world, person_id):
    cid = make_rs_case(app, person_id)
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{cid}/handover",
        data=form("handover", handed_over_on="2026-09-30", method="family"),
    )
    assert r.status_code == 422 and "衔接日期不能早于释放日期" in text(r)
    assert case(app, cid).handed_over_on is None


def test_handover_overdue_alert(client, world, person_id, app):
    cid = make_rs_case(app, person_id, released_on="2026-11-10")
    world.login(client, "off1")
    page = text(client.get(f"/resettlement/{cid}"))
    assert "15天未衔接" in page and 'id="handover-form"' in page


# --------------------------------------------------------------------------- key status


def test_key_change_is_dated_and_kept(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{case_id}/key",
        data=form("key", is_key="", effective_on="2026-11-20", reason=""),
    )
    assert r.status_code == 422 and "请选择是否重点" in text(r)
    assert count(app, KeyStatusChange) == 1
    r = client.post(
        f"/resettlement/{case_id}/key",
        data=form("key", is_key="yes", effective_on="2026-11-20", reason="涉黑涉恶"),
    )
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert "自 2026-11-20 起为重点帮教对象" in page and 'id="key-history"' in page
    c = case(app, case_id)
    assert c.is_key and c.next_due_on.isoformat() == "2026-12-20"
    assert count(app, KeyStatusChange) == 2


# --------------------------------------------------------------------------- assistance, placement


def test_assistance_and_void(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{case_id}/assistance",
        data=form(
            "assistance", kind="relief", given_on="2026-11-20", amount="800.50", note="春节临时救助"
        ),
    )
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert "已登记帮扶：临时救助" in page and "800.50元" in page
    with app.app_context():
        from corrections.extensions import db

        row_id = db.session.query(Assistance.id).scalar()
    r = client.post(
        f"/resettlement/{case_id}/void/assistance/{row_id}",
        data=form(f"voidassistance{row_id}", reason="重复登记"),
    )
    assert r.status_code == 302
    assert get(app, Assistance, row_id).void_reason == "重复登记"


def test_negative_amount_is_refused(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{case_id}/assistance",
        data=form("assistance", kind="relief", given_on="2026-11-20", amount="-5"),
    )
    assert r.status_code == 422 and "金额应为不小于0的数字" in text(r)
    assert count(app, Assistance) == 0


def test_placement(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{case_id}/placement", data=form("placement", placement="self_employed")
    )
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert "安置情况：自主创业" in page
    assert case(app, case_id).placement == "self_employed"
    r = client.post(f"/resettlement/{case_id}/placement", data=form("placement", placement="x"))
    assert r.status_code == 422 and case(app, case_id).placement == "self_employed"


# --------------------------------------------------------------------------- lost contact


def test_lost_contact_search_bulletin_and_close(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{case_id}/lost",
        data=form("lost", lost_on="2026-11-10", note="电话停机，家中无人"),
    )
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert "失联中：自 2026-11-10 起已15天" in page and "尚未发布协查通报" in page
    with app.app_context():
        from corrections.extensions import db

        lost_id = db.session.query(LostContact.id).scalar()
    # a second open lost-contact record is refused
    r = client.post(f"/resettlement/{case_id}/lost", data=form("lost", lost_on="2026-11-12"))
    assert r.status_code == 422 and "已有未结束的失联记录" in text(r)
    assert count(app, LostContact) == 1
    r = client.post(
        f"/resettlement/{case_id}/lost/{lost_id}/searches",
        data=form(
            f"lost_search{lost_id}", searched_on="2026-11-12", method="bulletin", note="县公安局"
        ),
    )
    assert r.status_code == 302
    assert "已记录协查通报" in text(client.get(r.headers["Location"]))
    assert get(app, LostContact, lost_id).bulletin_issued_on.isoformat() == "2026-11-12"
    r = client.post(
        f"/resettlement/{case_id}/lost/{lost_id}/searches",
        data=form(f"lost_search{lost_id}", searched_on="2026-11-01", method="phone"),
    )
    assert r.status_code == 422 and "不能早于失联日期" in text(r)
    assert count(app, LostContactSearch) == 1
    r = client.post(
        f"/resettlement/{case_id}/lost/{lost_id}/close",
        data=form(f"lost_close{lost_id}", found_on="2026-11-20", outcome=""),
    )
    assert r.status_code == 422 and get(app, LostContact, lost_id).found_on is None
    r = client.post(
        f"/resettlement/{case_id}/lost/{lost_id}/close",
        data=form(f"lost_close{lost_id}", found_on="2026-11-20", outcome="已找回"),
    )
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert "失联已结束" in page and "失联中" not in page


# --------------------------------------------------------------------------- end


def test_end_by_expiry_before_period_end_is_refused(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{case_id}/end", data=form("end", ended_on="2026-11-24", reason="expiry")
    )
    assert r.status_code == 422 and "期满结束的日期不能早于帮教期满日 2031-10-01" in text(r)
    assert case(app, case_id).status == "active"


def test_end_case(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{case_id}/end", data=form("end", ended_on="2026-11-24", reason="reoffended")
    )
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert "帮教案件已结束（重新犯罪）" in page and 'id="contact-form"' not in page
    c = case(app, case_id)
    assert c.status == "ended" and c.end_reason == "reoffended"
    r = client.post(
        f"/resettlement/{case_id}/contacts",
        data=form("contact", kind="field_visit", occurred_on="2026-11-25"),
    )
    assert r.status_code == 422 and "已于2026-11-24结束" in text(r)


def test_period_end_prefills_expiry(app, client, world, person_id):
    cid = make_rs_case(
        app,
        person_id,
        released_on="2021-11-20",
        steps=[("handover", {"handed_over_on": "2021-11-20", "method": "family"})],
    )
    world.login(client, "off1")
    page = text(client.get(f"/resettlement/{cid}"))
    assert "帮教期已于 2026-11-20 届满，尚未办理结束" in page
    assert 'value="2026-11-20"' in page
    r = client.post(
        f"/resettlement/{cid}/end", data=form("end", ended_on="2026-11-20", reason="expiry")
    )
    assert r.status_code == 302 and case(app, cid).end_reason == "expiry"


# --------------------------------------------------------------------------- timeline


def test_timeline_newest_first(app, client, world, case_id):
    world.login(client, "off1")
    client.post(
        f"/resettlement/{case_id}/contacts",
        data=form("contact", kind="phone", occurred_on="2026-11-02", note="第一次"),
    )
    client.post(
        f"/resettlement/{case_id}/contacts",
        data=form("contact", kind="field_visit", occurred_on="2026-11-20", note="第二次"),
    )
    page = text(client.get(f"/resettlement/{case_id}"))
    timeline = page[page.index('id="timeline-list"') :]
    assert timeline.index("第二次") < timeline.index("第一次") < timeline.index("衔接：家属接回")
    assert count(app, AuditEvent) > 0


def test_long_history_is_paged_twenty_at_a_time(app, client, world, person_id):
    visits = [
        ("record_contact", {"kind": "field_visit", "occurred_on": f"2026-10-{day:02d}"})
        for day in range(2, 30)
    ]
    cid = make_rs_case(app, person_id, steps=HANDED_OVER + visits)
    world.login(client, "off1")
    page = text(client.get(f"/resettlement/{cid}"))
    assert (
        "共 31 条" in page and "1 / 2" in page
    )  # 28 visits + release, handover, key = 31; 20 a page
    assert "2026-10-02" not in page.split('id="timeline-list"')[1].split("</ul>")[0]
    older = text(client.get(f"/resettlement/{cid}?history=2"))
    older = older[older.index('id="timeline-list"') :]
    assert "2026-10-02" in older and "衔接：家属接回" in older and "2 / 2" in older
    assert 'id="quick-contact-link"' in page
