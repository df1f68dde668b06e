"""Rule table pages: everyone reads them, only admins add or correct rows (docs/domain.md (rules are data))."""

from datetime import date

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.extensions import db
from corrections.rules import engine, tables
from corrections.rules.models import ContactRuleRow, DeadlineRuleRow

STRICT_F2F_TEXT = "严管 · 面对面 · 当面报告或实地查访 · 每7天 · 默认"


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (ContactRuleRow, DeadlineRuleRow, AuditEvent)
        )


def _row_id(app, model, **where) -> tuple[int, int]:
    with app.app_context():
        row = db.session.execute(select(model).filter_by(**where)).scalars().first()
        return row.id, row.version


def _strict_f2f(**overrides) -> dict:
    data = {
        "programme": "correction",
        "requirement": "face_to_face",
        "level": "strict",
        "correction_type": "",
        "is_key": "",
        "satisfied_by": ["report_in_person", "field_visit"],
        "every_days": "10",
        "effective_from": "2026-06-01",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("username", ["off1", "viewer", "boss"])
def test_everyone_signed_in_reads_both_tables(client, county, world, username):
    world.login(client, username)
    r = client.get("/rules/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert STRICT_F2F_TEXT in html
    assert "重点帮教对象 · 见面走访 · 当面报告或实地查访 · 每30天" in html
    assert "暂予监外执行 · 病情报告 · 书面报告或当面报告 · 每30天" in html
    for label in ("报到期限（天）", "调查评估期限（工作日）", "每月教育学习时长（严管，小时）"):
        assert label in html
    assert "现行" in html
    # No admin controls for others.
    assert "/rules/contact/new" not in html
    assert "/rules/deadlines/new" not in html


def test_nav_links_to_rule_tables(client, county, world):
    world.login(client, "off1")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/rules/"' in html and "规则表" in html


def test_anonymous_is_sent_to_login(client, county):
    r = client.get("/rules/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_admin_adds_contact_rule_in_force_only_from_its_date(app, client, county, world):
    world.login(client, "admin")
    assert client.get("/rules/contact/new").status_code == 200
    r = client.post("/rules/contact/new", data=_strict_f2f())
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]

    with app.app_context():
        rules = tables.contact_rules()
        before = engine.rule_in_force(
            rules, "correction", "face_to_face", "strict", "probation", None, date(2026, 5, 31)
        )
        after = engine.rule_in_force(
            rules, "correction", "face_to_face", "strict", "probation", None, date(2026, 6, 1)
        )
        assert before.every_days == 7 and after.every_days == 10
        # Other levels are untouched.
        normal = engine.rule_in_force(
            rules, "correction", "face_to_face", "normal", "probation", None, date(2026, 7, 1)
        )
        assert normal.every_days == 30

        case = engine.CaseFacts(
            programme="correction",
            received_on=date(2026, 1, 5),
            correction_type="probation",
            levels=(engine.LevelPeriod(date(2026, 1, 5), "strict"),),
            contacts=(
                engine.ContactFact(date(2026, 5, 20), "report_in_person"),
                engine.ContactFact(date(2026, 6, 10), "report_in_person"),
            ),
        )

        def f2f_due(rule_set, on):
            states = engine.due_dates_on(case, rule_set, on)
            return next(s for s in states if s.requirement == "face_to_face")

        defaults = engine.default_contact_rules()
        # Before the new row's date: the old 7-day window, same as the defaults.
        assert f2f_due(rules, date(2026, 5, 25)).due_on == date(2026, 5, 27)
        assert f2f_due(defaults, date(2026, 5, 25)).due_on == date(2026, 5, 27)
        # After it: 10 days instead of 7.
        assert f2f_due(defaults, date(2026, 6, 12)).due_on == date(2026, 6, 17)
        changed = f2f_due(rules, date(2026, 6, 12))
        assert changed.due_on == date(2026, 6, 20)
        assert "每10天" in changed.explain()

    html = client.get("/rules/").get_data(as_text=True)
    assert "严管 · 面对面 · 当面报告或实地查访 · 每10天 · 自2026-06-01起" in html
    assert "已被取代" in html  # the 1900 strict face-to-face row no longer governs today


def test_admin_adds_deadline_in_force_only_from_its_date(app, client, county, world):
    world.login(client, "admin")
    r = client.post(
        "/rules/deadlines/new",
        data={"key": "report_days", "value": "15", "effective_from": "2026-12-01"},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with app.app_context():
        assert tables.deadline("report_days", date(2026, 11, 30)) == 10
        assert tables.deadline("report_days", date(2026, 12, 1)) == 15
        assert tables.deadlines(date(2026, 11, 30))["report_days"] == 10
        assert tables.deadlines(date(2027, 1, 1))["report_days"] == 15
    html = client.get("/rules/").get_data(as_text=True)
    assert "未生效" in html  # in force from next week, not today


def test_withdrawing_a_requirement_from_a_date(app, client, county, world):
    world.login(client, "admin")
    r = client.post(
        "/rules/contact/new",
        data=_strict_f2f(
            requirement="remote_report",
            level="normal",
            satisfied_by=["phone", "video"],
            every_days="0",
        ),
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with app.app_context():
        case = engine.CaseFacts(
            programme="correction",
            received_on=date(2026, 1, 5),
            correction_type="parole",
            levels=(engine.LevelPeriod(date(2026, 1, 5), "normal"),),
        )
        rules = tables.contact_rules()
        before = {s.requirement for s in engine.due_dates_on(case, rules, date(2026, 5, 31))}
        after = {s.requirement for s in engine.due_dates_on(case, rules, date(2026, 6, 1))}
    assert "remote_report" in before
    assert "remote_report" not in after and "face_to_face" in after
    html = client.get("/rules/").get_data(as_text=True)
    assert "普管 · 远程报告 · 电话报告或视频报告 · 不再要求 · 自2026-06-01起" in html


@pytest.mark.parametrize("username", ["off1", "boss", "viewer"])
def test_non_admin_cannot_add_or_correct_rows(app, client, county, world, username):
    world.login(client, username)
    contact_id, contact_version = _row_id(app, ContactRuleRow, level="strict")
    deadline_id, deadline_version = _row_id(app, DeadlineRuleRow, key="report_days")
    before = _counts(app)
    attempts = [
        ("/rules/contact/new", _strict_f2f()),
        (f"/rules/contact/{contact_id}", _strict_f2f(every_days="3", version=contact_version)),
        (
            "/rules/deadlines/new",
            {"key": "report_days", "value": "3", "effective_from": "2026-01-01"},
        ),
        (
            f"/rules/deadlines/{deadline_id}",
            {
                "key": "report_days",
                "value": "3",
                "effective_from": "1900-01-01",
                "version": deadline_version,
            },
        ),
    ]
    for url, data in attempts:
        assert client.post(url, data=data).status_code == 403, url
        assert client.get(url).status_code == 403, url
    assert _counts(app) == before
    with app.app_context():
        assert tables.deadline("report_days", date(2026, 11, 25)) == 10
        assert db.session.get(ContactRuleRow, contact_id).version == contact_version
        assert db.session.get(DeadlineRuleRow, deadline_id).version == deadline_version


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_strict_f2f(requirement="weekly_chat"), "未知的联系要求"),
        (_strict_f2f(every_days="-1"), "不能小于0"),
        (_strict_f2f(every_days="abc"), "应为整数"),
        (_strict_f2f(every_days="3651"), "不能大于3650"),
        (_strict_f2f(effective_from="2026-02-30"), "不存在或格式不对"),
        (_strict_f2f(effective_from=""), "请填写日期"),
        (_strict_f2f(satisfied_by=[]), "请至少选择一种"),
        (_strict_f2f(requirement="visit"), "社区矫正的联系要求为"),
        (_strict_f2f(programme="resettlement"), "安置帮教只有“见面走访”"),
        (_strict_f2f(is_key="true"), "重点帮教只适用于安置帮教"),
        (_strict_f2f(requirement="health_report", level=""), "病情报告只适用于暂予监外执行"),
        (_strict_f2f(effective_from="1899-12-31"), "生效日期应在1900-01-01至2099-12-31之间"),
    ],
)
def test_invalid_contact_rule_is_refused_in_chinese(app, client, county, world, data, message):
    world.login(client, "admin")
    before = _counts(app)
    r = client.post("/rules/contact/new", data=data)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert message in html
    assert "规则信息不完整或不正确" in html
    assert _counts(app) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"key": "bedtime_hours", "value": "8", "effective_from": "2026-01-01"}, "未知的期限项目"),
        ({"key": "report_days", "value": "-1", "effective_from": "2026-01-01"}, "应在1至90天之间"),
        ({"key": "report_days", "value": "", "effective_from": "2026-01-01"}, "必填"),
        ({"key": "assessment_days", "value": "99", "effective_from": "2026-01-01"}, "工作日之间"),
        ({"key": "report_days", "value": "12", "effective_from": "2026-13-01"}, "不存在或格式不对"),
    ],
)
def test_invalid_deadline_rule_is_refused_in_chinese(app, client, county, world, data, message):
    world.login(client, "admin")
    before = _counts(app)
    r = client.post("/rules/deadlines/new", data=data)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert message in html and "期限信息不完整或不正确" in html
    assert _counts(app) == before


def test_same_scope_and_date_twice_is_refused(app, client, county, world):
    world.login(client, "admin")
    assert client.post("/rules/contact/new", data=_strict_f2f()).status_code == 302
    before = _counts(app)
    r = client.post("/rules/contact/new", data=_strict_f2f(every_days="12"))
    assert r.status_code == 200
    assert "同一适用范围在该生效日期已有一行规则" in r.get_data(as_text=True)
    assert _counts(app) == before


def test_admin_corrects_a_row_and_stale_version_is_a_conflict(app, client, county, world):
    world.login(client, "admin")
    row_id, version = _row_id(app, ContactRuleRow, level="lenient", requirement="field_visit")
    page = client.get(f"/rules/contact/{row_id}").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{version}"' in page
    assert "宽管 · 实地查访 · 实地查访 · 每90天" in page
    data = {
        "programme": "correction",
        "requirement": "field_visit",
        "level": "lenient",
        "satisfied_by": ["field_visit"],
        "every_days": "91",
        "effective_from": "1900-01-01",
        "version": version,
    }
    assert client.post(f"/rules/contact/{row_id}", data=data).status_code == 302
    before = _counts(app)
    r = client.post(f"/rules/contact/{row_id}", data={**data, "every_days": "95"})
    assert r.status_code == 200
    assert "已被他人修改" in r.get_data(as_text=True)
    assert _counts(app) == before
    with app.app_context():
        row = db.session.get(ContactRuleRow, row_id)
        assert (row.every_days, row.version) == (91, version + 1)


def test_admin_corrects_a_deadline_and_stale_version_is_a_conflict(app, client, county, world):
    world.login(client, "admin")
    row_id, version = _row_id(app, DeadlineRuleRow, key="monitoring_max_months")
    data = {"key": "monitoring_max_months", "value": "2", "effective_from": "1900-01-01"}
    assert (
        client.post(f"/rules/deadlines/{row_id}", data={**data, "version": version}).status_code
        == 302
    )
    r = client.post(f"/rules/deadlines/{row_id}", data={**data, "value": "4", "version": version})
    assert r.status_code == 200
    assert "已被他人修改" in r.get_data(as_text=True)
    with app.app_context():
        assert tables.deadline("monitoring_max_months", date(2026, 11, 25)) == 2


def test_every_change_is_audited_with_before_and_after(app, client, county, world):
    world.login(client, "admin")
    client.post("/rules/contact/new", data=_strict_f2f())
    client.post(
        "/rules/deadlines/new",
        data={"key": "education_hours_lenient", "value": "6", "effective_from": "2027-01-01"},
    )
    contact_id, contact_version = _row_id(app, ContactRuleRow, every_days=10)
    deadline_id, deadline_version = _row_id(
        app, DeadlineRuleRow, key="education_hours_lenient", effective_from=date(2027, 1, 1)
    )
    client.post(
        f"/rules/contact/{contact_id}",
        data=_strict_f2f(every_days="14", version=contact_version),
    )
    client.post(
        f"/rules/deadlines/{deadline_id}",
        data={
            "key": "education_hours_lenient",
            "value": "5",
            "effective_from": "2027-01-01",
            "version": deadline_version,
        },
    )
    with app.app_context():
        events = {
            e.action: e
            for e in db.session.execute(
                select(AuditEvent).where(
                    AuditEvent.entity_type.in_(["contact_rule", "deadline_rule"])
                )
            ).scalars()
        }
    assert set(events) == {
        "contact_rule.create",
        "contact_rule.update",
        "deadline_rule.create",
        "deadline_rule.update",
    }
    created = events["contact_rule.create"]
    assert created.entity_id == contact_id and created.before is None
    assert created.after["every_days"] == 10
    assert created.after["effective_from"] == "2026-06-01"
    assert created.after["satisfied_by"] == "field_visit,report_in_person"
    assert created.username == "admin"
    updated = events["contact_rule.update"]
    assert (updated.before["every_days"], updated.after["every_days"]) == (10, 14)
    assert events["deadline_rule.create"].after["value"] == 6
    assert events["deadline_rule.create"].after["key"] == "education_hours_lenient"
    d_upd = events["deadline_rule.update"]
    assert d_upd.entity_id == deadline_id
    assert (d_upd.before["value"], d_upd.after["value"]) == (6, 5)
