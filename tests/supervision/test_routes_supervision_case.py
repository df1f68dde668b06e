"""The case page: who sees it, and each action form's success and refusal paths."""

from __future__ import annotations

import pytest

from corrections.supervision.models import (
    CaseLevel,
    Contact,
    CorrectionCase,
    Incident,
    IncidentSearch,
    Leave,
    MedicalReview,
    MonitoringEpisode,
    Sanction,
    TeamMember,
)
from tests.helpers import FEMALE_ID
from tests.supervision.webhelpers import count, form, get, make_case, text


@pytest.fixture
def case_id(app, person_id):
    return make_case(app, person_id)


@pytest.mark.parametrize("who", ["off1", "both", "boss", "viewer", "admin"])
def test_case_page_renders_for_roles_in_scope(client, world, case_id, who):
    world.login(client, who)
    r = client.get(f"/corrections/{case_id}")
    assert r.status_code == 200
    page = text(r)
    assert "张三" in page and "缓刑" in page and 'id="timeline"' in page
    assert "每7天至少一次面对面" in page  # the due explanation, in Chinese
    if who == "viewer":
        assert 'id="contact-form"' not in page and "作废" not in page
    else:
        assert 'id="contact-form"' in page


@pytest.mark.parametrize("who", ["off2", "far", "farboss"])
def test_case_page_out_of_scope_is_404(client, world, case_id, who):
    world.login(client, who)
    assert client.get(f"/corrections/{case_id}").status_code == 404
    assert client.get(f"/corrections/{case_id}/contact").status_code == 404


def test_case_page_needs_login(client, case_id):
    r = client.get(f"/corrections/{case_id}")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_english_explanations_follow_the_locale(client, world, case_id):
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{case_id}?lang=en"))
    assert "every 7 days" in page


# --------------------------------------------------------------------------- contacts


def test_contact_moves_due_date_and_shows_it(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/contacts",
        data=form(
            "contact",
            kind="field_visit",
            occurred_on="2026-11-24",
            unannounced=True,
            note="在家，情绪稳定",
        ),
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("#contact")
    page = text(client.get(r.headers["Location"]))
    assert "的实地查访（2026-11-24）" in page and "2026-12-01" in page
    assert "在家，情绪稳定" in page and "突击" in page
    assert count(app, Contact) == 1
    assert get(app, CorrectionCase, case_id).next_due_on.isoformat() == "2026-12-01"


def test_contact_in_future_is_refused_in_chinese_and_writes_nothing(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/contacts",
        data=form("contact", kind="phone", occurred_on="2026-11-26", note="明天的"),
    )
    assert r.status_code == 422
    page = text(r)
    assert "不能晚于今天（2026-11-25）" in page and "信息不完整或格式不对" in page
    assert 'value="2026-11-26"' in page and "明天的" in page  # the user's input is kept
    assert count(app, Contact) == 0


def test_night_flag_on_a_phone_call_is_refused(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/contacts",
        data=form("contact", kind="phone", occurred_on="2026-11-25", at_night=True),
    )
    assert r.status_code == 422 and "只适用于实地查访" in text(r)
    assert count(app, Contact) == 0


def test_viewer_posting_is_forbidden_and_writes_nothing(app, client, world, case_id):
    world.login(client, "viewer")
    r = client.post(
        f"/corrections/{case_id}/contacts",
        data=form("contact", kind="phone", occurred_on="2026-11-25"),
    )
    assert r.status_code == 403 and "只读账号不能修改数据" in text(r)
    r = client.post(f"/corrections/{case_id}/contact", data=form("contact", kind="phone"))
    assert r.status_code == 403
    assert count(app, Contact) == 0


def test_quick_contact_page_round_trip(app, client, world, case_id):
    world.login(client, "off1")
    r = client.get(f"/corrections/{case_id}/contact")
    assert r.status_code == 200
    page = text(r)
    assert 'name="contact-kind"' in page and 'value="2026-11-25"' in page
    assert "面对面" in page  # the due dates shown above the form
    r = client.post(
        f"/corrections/{case_id}/contact",
        data=form("contact", kind="report_in_person", occurred_on="2026-11-25"),
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/corrections/{case_id}")
    page = text(client.get(r.headers["Location"]))
    assert "的当面报告（2026-11-25）" in page and "→ 2026-12-02" in page


def test_quick_contact_refusal_stays_on_the_phone_page(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/contact",
        data=form("contact", kind="report_in_person", occurred_on="2026-01-01"),
    )
    assert r.status_code == 422
    page = text(r)
    assert "不能早于接收日期 2026-01-10" in page and "quick-contact" in page
    assert count(app, Contact) == 0


def test_quick_contact_viewer_is_forbidden(client, world, case_id):
    world.login(client, "viewer")
    assert client.get(f"/corrections/{case_id}/contact").status_code == 403


def test_void_contact_needs_a_reason_then_strikes_it_through(app, client, world, case_id):
    world.login(client, "off1")
    client.post(
        f"/corrections/{case_id}/contacts",
        data=form("contact", kind="report_in_person", occurred_on="2026-11-24"),
    )
    with app.app_context():
        from corrections.extensions import db

        contact_id = db.session.query(Contact.id).scalar()
    r = client.post(
        f"/corrections/{case_id}/void/contact/{contact_id}",
        data=form(f"voidcontact{contact_id}", reason=""),
    )
    assert r.status_code == 422 and "必填" in text(r)
    assert get(app, Contact, contact_id).voided_at is None
    r = client.post(
        f"/corrections/{case_id}/void/contact/{contact_id}",
        data=form(f"voidcontact{contact_id}", reason="录错对象"),
    )
    assert r.status_code == 302
    page = text(client.get(f"/corrections/{case_id}"))
    assert "已作废：录错对象" in page and 'class="tl-contact void"' in page
    assert get(app, Contact, contact_id).void_reason == "录错对象"
    assert client.post(f"/corrections/{case_id}/void/bogus/1", data={}).status_code == 404


# --------------------------------------------------------------------------- levels


def test_officer_proposes_and_supervisor_approves_a_level_change(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/levels",
        data=form("level", level="normal", effective_on="2026-11-20", reason="表现良好"),
    )
    assert r.status_code == 302
    assert get(app, CorrectionCase, case_id).level == "strict"  # not yet: a proposal
    page = text(client.get(f"/corrections/{case_id}"))
    assert "已提出管理等级调整建议" in page and "待审批" in page
    assert "level_decide" not in page  # officers cannot decide
    proposal = count(app, CaseLevel, CaseLevel.status == "proposed")
    assert proposal == 1
    with app.app_context():
        from corrections.extensions import db

        level_id = db.session.query(CaseLevel.id).filter(CaseLevel.status == "proposed").scalar()
    # an officer posting a decision is refused
    r = client.post(
        f"/corrections/{case_id}/levels/{level_id}/decision",
        data=form(f"level_decide{level_id}", approve="1"),
    )
    assert r.status_code == 403 and "县局主管" in text(r)
    client.post("/logout")

    world.login(client, "boss")
    page = text(client.get("/corrections/approvals"))
    assert "表现良好" in page and "普管" in page
    r = client.post(
        f"/corrections/{case_id}/levels/{level_id}/decision",
        data={**form(f"level_decide{level_id}", approve="1", note="同意"), "next": "approvals"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/corrections/approvals")
    assert get(app, CorrectionCase, case_id).level == "normal"
    assert get(app, CaseLevel, level_id).status == "approved"
    page = text(client.get(f"/corrections/{case_id}"))
    assert "严管 → 普管" in page and "远程报告" in page  # the normal level's requirements


def test_supervisor_changes_level_directly_and_same_level_is_refused(app, client, world, case_id):
    world.login(client, "boss")
    r = client.post(
        f"/corrections/{case_id}/levels",
        data=form("level", level="strict", effective_on="2026-11-20", reason="x"),
    )
    assert r.status_code == 422 and "已是所选等级" in text(r)
    r = client.post(
        f"/corrections/{case_id}/levels",
        data=form("level", level="lenient", effective_on="2026-11-20", reason="好"),
    )
    assert r.status_code == 302
    assert get(app, CorrectionCase, case_id).level == "lenient"


# --------------------------------------------------------------------------- sanctions


def test_officer_proposes_sanction_supervisor_decides_with_number(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/sanctions",
        data=form("sanction", kind="admonition", decided_on="2026-11-24", reason="未按时报告"),
    )
    assert r.status_code == 302
    assert count(app, Sanction, Sanction.status == "proposed") == 1
    client.post("/logout")
    world.login(client, "boss")
    with app.app_context():
        from corrections.extensions import db

        sid = db.session.query(Sanction.id).scalar()
    r = client.post(
        f"/corrections/{case_id}/sanctions/{sid}/decision",
        data=form(f"sanction_decide{sid}", decided_on="2026-11-25", approve="1"),
    )
    assert r.status_code == 302
    row = get(app, Sanction, sid)
    assert row.status == "decided" and row.document_number == "本县矫训〔2026〕1号"


def test_custody_request_on_probation_is_refused(app, client, world, case_id):
    world.login(client, "boss")
    r = client.post(
        f"/corrections/{case_id}/sanctions",
        data=form("sanction", kind="custody_request", decided_on="2026-11-24", reason="x"),
    )
    assert r.status_code == 422
    assert "只有暂予监外执行对象可以提请收监执行" in text(r)
    assert count(app, Sanction) == 0


def test_sanction_missing_reason_marks_the_field(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/sanctions",
        data=form("sanction", kind="warning", decided_on="2026-11-24"),
    )
    assert r.status_code == 422
    page = text(r)
    assert 'id="sanction-reason"' in page and "is-invalid" in page
    assert count(app, Sanction) == 0


def test_revocation_request_outcome_and_void(app, client, world, case_id):
    world.login(client, "boss")
    client.post(
        f"/corrections/{case_id}/sanctions",
        data=form("sanction", kind="revocation_request", decided_on="2026-11-20", reason="脱管"),
    )
    with app.app_context():
        from corrections.extensions import db

        sid = db.session.query(Sanction.id).scalar()
    page = text(client.get(f"/corrections/{case_id}"))
    assert "尚无结果" in page
    r = client.post(
        f"/corrections/{case_id}/sanctions/{sid}/outcome",
        data=form(f"outcome{sid}", decided_on="2026-11-24"),
    )
    assert r.status_code == 422 and "请填写是否准予" in text(r)
    r = client.post(
        f"/corrections/{case_id}/sanctions/{sid}/outcome",
        data=form(f"outcome{sid}", decided_on="2026-11-24", granted="no"),
    )
    assert r.status_code == 302
    assert get(app, Sanction, sid).outcome == "refused"
    r = client.post(
        f"/corrections/{case_id}/void/sanction/{sid}",
        data=form(f"voidsanction{sid}", reason="文书错误"),
    )
    assert r.status_code == 302 and get(app, Sanction, sid).void_reason == "文书错误"


def test_officer_cannot_void_a_decided_sanction(app, client, world, case_id):
    world.login(client, "boss")
    client.post(
        f"/corrections/{case_id}/sanctions",
        data=form("sanction", kind="warning", decided_on="2026-11-20", reason="x"),
    )
    client.post("/logout")
    with app.app_context():
        from corrections.extensions import db

        sid = db.session.query(Sanction.id).scalar()
    world.login(client, "off1")
    assert f"voidsanction{sid}" not in text(client.get(f"/corrections/{case_id}"))
    r = client.post(
        f"/corrections/{case_id}/void/sanction/{sid}", data=form(f"voidsanction{sid}", reason="x")
    )
    assert r.status_code == 403
    assert get(app, Sanction, sid).voided_at is None


# --------------------------------------------------------------------------- leave


def test_short_leave_station_decides_and_return(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/leaves",
        data=form(
            "leave",
            kind="leave",
            starts_on="2026-11-26",
            ends_on="2026-11-30",
            destination="杭州",
            reason="medical",
            applied_on="2026-11-23",
        ),
    )
    assert r.status_code == 302
    page = text(client.get(f"/corrections/{case_id}"))
    assert "司法所审批" in page and "杭州" in page
    with app.app_context():
        from corrections.extensions import db

        lid = db.session.query(Leave.id).scalar()
    r = client.post(
        f"/corrections/{case_id}/leaves/{lid}/decision",
        data=form(f"leave_decide{lid}", decided_on="2026-11-25", approve="1"),
    )
    assert r.status_code == 302 and get(app, Leave, lid).status == "approved"
    r = client.post(
        f"/corrections/{case_id}/leaves/{lid}/return",
        data=form(f"leave_return{lid}", returned_on="2026-11-20"),
    )
    assert r.status_code == 422 and "销假日期不能早于外出开始日期" in text(r)
    assert get(app, Leave, lid).returned_on is None


def test_long_leave_needs_the_county(app, client, world, case_id):
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
    with app.app_context():
        from corrections.extensions import db

        lid = db.session.query(Leave.id).scalar()
    page = text(client.get(f"/corrections/{case_id}"))
    assert "县局审批" in page and f"leave_decide{lid}" not in page
    r = client.post(
        f"/corrections/{case_id}/leaves/{lid}/decision",
        data=form(f"leave_decide{lid}", approve="1"),
    )
    assert r.status_code == 403 and get(app, Leave, lid).status == "applied"
    client.post("/logout")
    world.login(client, "boss")
    page = text(client.get("/corrections/approvals"))
    assert "上海" in page and "15天" in page
    r = client.post(
        f"/corrections/{case_id}/leaves/{lid}/decision",
        data={**form(f"leave_decide{lid}", refuse="1", note="事由不实"), "next": "approvals"},
    )
    assert r.status_code == 200 and "确认不批准" in text(r)
    assert get(app, Leave, lid).status == "applied"
    r = client.post(
        f"/corrections/{case_id}/leaves/{lid}/decision",
        data={
            **form(f"leave_decide{lid}", refuse="1", note="事由不实"),
            "next": "approvals",
            "confirmed": "1",
        },
    )
    assert r.status_code == 302 and get(app, Leave, lid).status == "refused"


def test_leave_decision_without_a_button_asks(app, client, world, case_id):
    world.login(client, "off1")
    client.post(
        f"/corrections/{case_id}/leaves",
        data=form(
            "leave",
            starts_on="2026-11-26",
            ends_on="2026-11-27",
            destination="杭州",
            reason="work",
            kind="leave",
        ),
    )
    with app.app_context():
        from corrections.extensions import db

        lid = db.session.query(Leave.id).scalar()
    r = client.post(
        f"/corrections/{case_id}/leaves/{lid}/decision",
        data=form(f"leave_decide{lid}", decided_on="2026-11-25"),
    )
    assert r.status_code == 422 and "请选择批准或不批准" in text(r)
    assert get(app, Leave, lid).status == "applied"


# --------------------------------------------------------------------------- incidents, monitoring


def test_incident_search_notify_close(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/incidents",
        data=form("incident", kind="absconded", occurred_on="2026-11-20", note="电话不通"),
    )
    assert r.status_code == 302
    with app.app_context():
        from corrections.extensions import db

        iid = db.session.query(Incident.id).scalar()
    page = text(client.get(f"/corrections/{case_id}"))
    assert "脱管中：自 2026-11-20 起已5天" in page
    r = client.post(
        f"/corrections/{case_id}/incidents/{iid}/searches",
        data=form(f"search{iid}", searched_on="2026-11-19", method="phone"),
    )
    assert r.status_code == 422 and "不能早于事件发生日期" in text(r)
    assert count(app, IncidentSearch) == 0
    client.post(
        f"/corrections/{case_id}/incidents/{iid}/searches",
        data=form(f"search{iid}", searched_on="2026-11-21", method="family", note="家属称去外地"),
    )
    client.post(
        f"/corrections/{case_id}/incidents/{iid}/notified",
        data=form(f"notify{iid}", police_notified_on="2026-11-21"),
    )
    r = client.post(
        f"/corrections/{case_id}/incidents/{iid}/close",
        data=form(f"incident_close{iid}", closed_on="2026-11-24", outcome="已找回"),
    )
    assert r.status_code == 302
    row = get(app, Incident, iid)
    assert row.closed_on.isoformat() == "2026-11-24" and row.police_notified_on is not None
    assert count(app, IncidentSearch) == 1
    page = text(client.get(f"/corrections/{case_id}"))
    assert "家属称去外地" in page and "已找回" in page


def test_monitoring_longer_than_three_months_is_refused(app, client, world, case_id):
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{case_id}"))
    assert 'id="monitoring-form"' not in page
    client.post("/logout")
    world.login(client, "boss")
    r = client.post(
        f"/corrections/{case_id}/monitoring",
        data=form(
            "monitoring",
            ground="prohibition_breach",
            approved_by="王局长",
            starts_on="2026-11-01",
            ends_on="2027-03-01",
        ),
    )
    assert r.status_code == 422 and "每次批准最长3个月" in text(r)
    assert count(app, MonitoringEpisode) == 0
    r = client.post(
        f"/corrections/{case_id}/monitoring",
        data=form(
            "monitoring",
            ground="prohibition_breach",
            approved_by="王局长",
            starts_on="2026-11-01",
            ends_on="2027-01-31",
        ),
    )
    assert r.status_code == 302
    with app.app_context():
        from corrections.extensions import db

        eid = db.session.query(MonitoringEpisode.id).scalar()
    r = client.post(
        f"/corrections/{case_id}/monitoring/{eid}/extend",
        data=form(f"monitoring_extend{eid}", ends_on="2027-04-30", approved_by="王局长"),
    )
    assert r.status_code == 302 and get(app, MonitoringEpisode, eid).ends_on.month == 4
    r = client.post(
        f"/corrections/{case_id}/monitoring/{eid}/remove",
        data=form(f"monitoring_remove{eid}", removed_on="2026-11-25"),
    )
    assert r.status_code == 302 and get(app, MonitoringEpisode, eid).removed_on is not None


# --------------------------------------------------------------------------- 暂外, team, plan, details


def test_medical_review_only_for_medical_parole(app, client, world, person_id, case_id):
    world.login(client, "off1")
    assert 'id="medical-form"' not in text(client.get(f"/corrections/{case_id}"))
    r = client.post(
        f"/corrections/{case_id}/medical-reviews",
        data=form("medical", examined_on="2026-11-20", hospital="县医院", result="病情稳定"),
    )
    assert r.status_code == 422 and "只有保外就医对象需要病情复查" in text(r)
    assert count(app, MedicalReview) == 0


def test_medical_review_recorded_and_due_moves(app, client, world, female_id):
    cid = make_case(
        app,
        female_id,
        correction_type="temporary_release",
        grounds="medical",
        received_on="2026-08-01",
        judgment_effective_on="2026-07-25",
        term_start="2026-07-25",
        term_end="2027-07-24",
    )
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{cid}"))
    assert "病情复查将于 2026-11-01" in page or "病情复查已逾期" in page
    assert "矫正小组中应有女性成员" in page
    r = client.post(
        f"/corrections/{cid}/medical-reviews",
        data=form(
            "medical",
            examined_on="2026-11-20",
            hospital="县人民医院",
            result="仍需治疗",
            conditions_persist=True,
        ),
    )
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert "下次复查应于 2027-02-20 前" in page
    # the team warning goes away with a woman on the team
    client.post(
        f"/corrections/{cid}/team", data=form("team", name="王芳", sex="female", role="村妇联主任")
    )
    assert "矫正小组中应有女性成员" not in text(client.get(f"/corrections/{cid}"))
    assert count(app, TeamMember) == 1


def test_team_member_needs_sex_and_can_be_removed(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(f"/corrections/{case_id}/team", data=form("team", name="李四"))
    assert r.status_code == 422 and count(app, TeamMember) == 0
    client.post(f"/corrections/{case_id}/team", data=form("team", name="李四", sex="male"))
    with app.app_context():
        from corrections.extensions import db

        mid = db.session.query(TeamMember.id).scalar()
    r = client.post(f"/corrections/{case_id}/team/{mid}/remove", data={})
    assert r.status_code == 302 and get(app, TeamMember, mid).removed_on is not None


def test_plan_revisions(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(f"/corrections/{case_id}/plans", data=form("plan", adopted_on="2026-11-20"))
    assert r.status_code == 422 and "必填" in text(r)
    client.post(
        f"/corrections/{case_id}/plans",
        data=form("plan", adopted_on="2026-11-20", content="每周报到"),
    )
    client.post(
        f"/corrections/{case_id}/plans",
        data=form("plan", adopted_on="2026-11-24", content="每周报到，参加公益活动"),
    )
    page = text(client.get(f"/corrections/{case_id}"))
    assert "矫正方案（第2版）" in page and "矫正方案（第1版）" in page


def test_details_edit_and_stale_version(app, client, world, case_id):
    world.login(client, "off1")
    version = get(app, CorrectionCase, case_id).version
    r = client.post(
        f"/corrections/{case_id}/details",
        data=form(
            "details",
            version=str(version),
            crime="诈骗罪",
            crime_category="property",
            announced_on="2026-01-12",
        ),
    )
    assert r.status_code == 302
    row = get(app, CorrectionCase, case_id)
    assert row.crime == "诈骗罪" and row.announced_on.isoformat() == "2026-01-12"
    r = client.post(
        f"/corrections/{case_id}/details",
        data=form("details", version=str(version), crime="抢劫罪"),
    )
    assert r.status_code == 409 and "已被他人修改" in text(r)
    assert get(app, CorrectionCase, case_id).crime == "诈骗罪"
    page = text(client.get(f"/corrections/{case_id}"))
    assert "2026-01-12" in page and 'value="诈骗罪"' in page


def test_receive_an_expected_case(app, client, world, person_id):
    cid = make_case(
        app,
        person_id,
        received_on=None,
        judgment_effective_on="2026-11-20",
        term_start="2026-11-20",
        term_end="2027-11-19",
    )
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{cid}"))
    assert 'id="receive-form"' in page and 'id="contact-form"' not in page
    r = client.post(
        f"/corrections/{cid}/receive",
        data=form("receive", received_on="2026-11-19", source="self_report"),
    )
    assert r.status_code == 422 and "不能早于判决" in text(r)
    r = client.post(
        f"/corrections/{cid}/receive",
        data=form("receive", received_on="2026-11-24", source="escorted"),
    )
    assert r.status_code == 302
    row = get(app, CorrectionCase, cid)
    assert row.status == "active" and row.source == "escorted" and row.received_on_time


# --------------------------------------------------------------------------- supervisors only


def test_station_move_and_officer_assignment(app, client, world, case_id):
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{case_id}"))
    assert 'id="move-form"' not in page and 'id="release-form"' not in page
    r = client.post(
        f"/corrections/{case_id}/station", data=form("move", station="S2", moved_on="2026-11-20")
    )
    assert r.status_code == 403
    client.post("/logout")
    world.login(client, "boss")
    r = client.post(
        f"/corrections/{case_id}/station", data=form("move", station="T1", moved_on="2026-11-20")
    )
    assert r.status_code == 422  # another unit's station
    r = client.post(
        f"/corrections/{case_id}/station", data=form("move", station="S2", moved_on="2026-11-20")
    )
    assert r.status_code == 302
    row = get(app, CorrectionCase, case_id)
    assert row.officer_id is None  # off1 does not work at S2
    r = client.post(
        f"/corrections/{case_id}/officer",
        data=form("assign", officer="off1", changed_on="2026-11-21"),
    )
    assert r.status_code == 422 and "不在" in text(r)
    r = client.post(
        f"/corrections/{case_id}/officer",
        data=form("assign", officer="off2", changed_on="2026-11-21"),
    )
    assert r.status_code == 302
    page = text(client.get(f"/corrections/{case_id}"))
    assert "城关司法所 → 东山司法所" in page and "责任人：off2" in page


def test_terminate_and_transfer_out(app, client, world, case_id):
    world.login(client, "boss")
    r = client.post(
        f"/corrections/{case_id}/terminate",
        data=form("terminate", terminated_on="2026-11-24", reason="parole_revoked"),
    )
    assert r.status_code == 422 and "不适用此终止原因" in text(r)
    r = client.post(
        f"/corrections/{case_id}/transfer-out", data=form("transfer", transferred_on="2026-11-24")
    )
    assert r.status_code == 422
    assert get(app, CorrectionCase, case_id).status == "active"
    r = client.post(
        f"/corrections/{case_id}/transfer-out",
        data=form("transfer", transferred_on="2026-11-24", destination="杭州市西湖区"),
    )
    assert r.status_code == 302
    row = get(app, CorrectionCase, case_id)
    assert row.status == "transferred_out" and row.transfer_destination == "杭州市西湖区"
    page = text(client.get(f"/corrections/{case_id}"))
    assert "已变更执行地" in page and 'id="release-form"' not in page
    r = client.post(
        f"/corrections/{case_id}/contacts",
        data=form("contact", kind="phone", occurred_on="2026-11-25"),
    )
    assert r.status_code == 422 and "结束" in text(r)


def test_female_case_team_warning_on_case_page(app, client, world, female_id):
    cid = make_case(app, female_id)
    world.login(client, "off1")
    assert "矫正小组中应有女性成员" in text(client.get(f"/corrections/{cid}"))
    assert FEMALE_ID  # the fixture's person


def test_long_history_is_paged_twenty_at_a_time(app, client, world, case_id):
    from datetime import date, timedelta

    from corrections.extensions import db
    from corrections.supervision import services
    from tests.helpers import user

    with app.app_context():
        case = db.session.get(CorrectionCase, case_id)
        for n in range(70):
            day = date(2026, 1, 11) + timedelta(days=n)
            services.record_contact(
                user("off1"), case, {"kind": "phone", "occurred_on": day.isoformat()}
            )
        db.session.commit()
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{case_id}"))
    history = page[page.index('id="timeline-list"') :].split("</ul>")[0]
    assert 'id="history-older"' in page and "2026-03-21" in history
    assert "2026-03-01 ·" not in history  # the 21st newest: on page 2
    assert history.count('<li class="tl-') == 20 and "1 / 4" in page  # 70 contacts, reception
    page = text(client.get(f"/corrections/{case_id}?history=4"))
    assert "2026-01-11 ·" in page and "4 / 4" in page
    page = text(client.get(f"/corrections/{case_id}?history=99"))  # past the end: the last page
    assert "4 / 4" in page


def test_ended_case_offers_late_entry_dated_at_the_end(app, client, world, case_id):
    world.login(client, "boss")
    client.post(
        f"/corrections/{case_id}/terminate",
        data=form("terminate", terminated_on="2026-11-20", reason="death"),
    )
    page = text(client.get(f"/corrections/{case_id}"))
    assert "记录联系" in page and 'value="2026-11-20"' in page
    r = client.post(
        f"/corrections/{case_id}/contacts",
        data=form("contact", kind="field_visit", occurred_on="2026-11-19"),
    )
    assert r.status_code == 302 and count(app, Contact) == 1
