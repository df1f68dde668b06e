"""Registering a pre-release notice or a release: existing person, new person, refusals."""

from __future__ import annotations

import re

from corrections.extensions import db
from corrections.people.models import Person
from corrections.resettlement.models import KeyStatusChange, ResettlementCase
from tests.helpers import MALE_ID, id_number
from tests.supervision.webhelpers import count, text

NEW_ID = id_number(21)


def _case_fields(**overrides):
    data = {
        "station": "S1",
        "source": "prison",
        "facility": "省第一监狱",
        "crime": "盗窃罪",
        "sentence": "有期徒刑三年",
        "released_on": "2026-11-20",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _one_case(app) -> ResettlementCase:
    with app.app_context():
        case = db.session.query(ResettlementCase).one()
        db.session.expunge(case)
        return case


def test_form_renders_for_writers_only(client, world, county):
    world.login(client, "off1")
    r = client.get("/resettlement/new")
    assert r.status_code == 200 and 'id="rs-new-form"' in text(r) and "预计释放日期" in text(r)
    client.post("/logout")
    world.login(client, "viewer")
    r = client.get("/resettlement/new")
    assert r.status_code == 403 and "只读账号不能修改数据" in text(r)
    r = client.post("/resettlement/new", data=_case_fields())
    assert r.status_code == 403


def test_release_for_an_existing_person_by_id_number(app, client, world, person_id):
    world.login(client, "off1")
    r = client.post(
        "/resettlement/new",
        data={"person_mode": "existing", "existing_id_number": MALE_ID.lower(), **_case_fields()},
    )
    assert r.status_code == 302
    case = _one_case(app)
    assert r.headers["Location"].endswith(f"/resettlement/{case.id}")
    assert case.person_id == person_id and case.status == "released"
    assert case.period_ends_on.isoformat() == "2031-11-20"
    page = text(client.get(r.headers["Location"]))
    assert "已建立 张三 的安置帮教案件（释放登记）" in page


def test_pre_release_notice_from_the_person_page(app, client, world, person_id):
    world.login(client, "off1")
    r = client.get(f"/resettlement/new?person_id={person_id}")
    assert r.status_code == 200 and 'id="fixed-person"' in text(r)
    data = _case_fields(
        released_on=None,
        expected_release_on="2026-12-20",
        notice_received_on="2026-11-20",
        is_key="y",
        key_reason="监狱建议列为重点",
    )
    r = client.post(f"/resettlement/new?person_id={person_id}", data=data)
    assert r.status_code == 302
    case = _one_case(app)
    assert case.status == "expected" and case.is_key and case.period_ends_on is None
    assert count(app, KeyStatusChange) == 1
    # a second open case for the same person is a conflict, linking to the first
    r = client.post(f"/resettlement/new?person_id={person_id}", data=data)
    assert r.status_code == 409 and 'id="existing-case"' in text(r)
    assert count(app, ResettlementCase) == 1


def test_flags_are_hints_never_applied(app, client, world, county):
    pid = world.person("off1", NEW_ID, name="郑涉黑", station="S1", flags=["gang", "drugs"])
    world.login(client, "off1")
    page = text(client.get(f"/resettlement/new?person_id={pid}"))
    assert "人员档案标记：涉黑涉恶" in page and "涉毒。" not in page
    tag = re.search(r"<input[^>]*id=\"is_key\"[^>]*>", page).group(0)
    assert "checked" not in tag
    r = client.post(f"/resettlement/new?person_id={pid}", data=_case_fields())
    assert r.status_code == 302
    assert _one_case(app).is_key is False


def test_new_person_in_the_same_form(app, client, world, county):
    world.login(client, "off1")
    data = {
        "person_mode": "new",
        "name": "王五",
        "id_number": NEW_ID,
        "phone": "13800000000",
        "flags": ["repeat_offender"],
        **_case_fields(),
    }
    r = client.post("/resettlement/new", data=data)
    assert r.status_code == 302
    with app.app_context():
        person = db.session.query(Person).one()
        assert person.name == "王五" and person.flags == ["repeat_offender"]
        assert db.session.query(ResettlementCase).one().person_id == person.id


def test_new_person_with_a_refused_case_writes_nothing(app, client, world, county):
    world.login(client, "off1")
    data = {
        "person_mode": "new",
        "name": "王五",
        "id_number": NEW_ID,
        **_case_fields(released_on=None),
    }
    r = client.post("/resettlement/new", data=data)
    assert r.status_code == 422 and "请填写释放日期或预计释放日期" in text(r)
    assert count(app, Person) == 0 and count(app, ResettlementCase) == 0


def test_bad_id_number_also_shows_the_case_problems(app, client, world, county):
    world.login(client, "off1")
    data = {
        "person_mode": "new",
        "name": "王五",
        "id_number": "330106198503120110",
        **_case_fields(released_on="2026-11-30"),
    }
    r = client.post("/resettlement/new", data=data)
    page = text(r)
    assert r.status_code == 422 and "校验位不正确" in page and "不能晚于今天" in page
    assert count(app, Person) == 0 and count(app, ResettlementCase) == 0


def test_unknown_existing_id_number_is_refused(app, client, world, county):
    world.login(client, "off1")
    r = client.post(
        "/resettlement/new",
        data={"person_mode": "existing", "existing_id_number": NEW_ID, **_case_fields()},
    )
    assert r.status_code == 422 and "没有找到该身份证号码的档案" in text(r)
    assert count(app, ResettlementCase) == 0


def test_lookup_fixes_the_person(client, world, person_id):
    world.login(client, "off1")
    r = client.post(
        "/resettlement/new",
        data={"person_mode": "existing", "existing_id_number": MALE_ID, "lookup": "1"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"person_id={person_id}")
    r = client.post(
        "/resettlement/new",
        data={"person_mode": "existing", "existing_id_number": NEW_ID, "lookup": "1"},
    )
    assert r.status_code == 200 and "未找到" in text(r)


def test_source_correction_needs_a_type_without_history(app, client, world, person_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/new?person_id={person_id}", data=_case_fields(source="correction")
    )
    assert r.status_code == 422 and "请填写原矫正类别" in text(r)
    assert count(app, ResettlementCase) == 0
    r = client.post(
        f"/resettlement/new?person_id={person_id}",
        data=_case_fields(source="correction", correction_type="probation"),
    )
    assert r.status_code == 302
    assert _one_case(app).period_ends_on.isoformat() == "2029-11-20"


def test_duplicate_id_number_for_new_person_points_to_the_file(app, client, world, person_id):
    world.login(client, "off1")
    r = client.post(
        "/resettlement/new",
        data={"person_mode": "new", "name": "张三", "id_number": MALE_ID, **_case_fields()},
    )
    assert r.status_code == 409
    assert 'id="existing-person"' in text(r) and f"person_id={person_id}" in text(r)
    assert count(app, Person) == 1 and count(app, ResettlementCase) == 0


def test_person_out_of_scope_is_404(client, world, person_id):
    world.login(client, "off2")
    assert client.get(f"/resettlement/new?person_id={person_id}").status_code == 404


def test_station_out_of_scope_is_refused(app, client, world, person_id):
    world.login(client, "off1")
    r = client.post(f"/resettlement/new?person_id={person_id}", data=_case_fields(station="S2"))
    assert r.status_code == 422 and "不在您的范围内" in text(r)
    assert count(app, ResettlementCase) == 0
