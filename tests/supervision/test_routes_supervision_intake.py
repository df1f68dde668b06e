"""The intake form: an existing person or a new file, created with the case in one transaction."""

from __future__ import annotations

from corrections.audit.models import AuditEvent
from corrections.people.models import Person
from corrections.supervision.models import CorrectionCase
from tests.helpers import MALE_ID
from tests.supervision.webhelpers import count, make_case, text

NEW_ID = "330106199001011248"


def _case_fields(**overrides):
    data = {
        "station": "S1",
        "correction_type": "probation",
        "crime": "盗窃罪",
        "crime_category": "property",
        "sentence": "有期徒刑一年，缓刑二年",
        "judgment_effective_on": "2026-11-10",
        "term_start": "2026-11-10",
        "term_end": "2028-11-09",
        "decision_body": "示范县人民法院",
        "decision_document": "（2026）示刑初字第12号",
        "prohibitions": "禁止进入娱乐场所（一年）",
        "received_on": "2026-11-18",
        "source": "self_report",
        "level": "strict",
        "officer": "",
    }
    data.update(overrides)
    return data


def test_intake_page_renders_for_writers_only(client, world, county):
    for who in ("off1", "boss", "admin"):
        world.login(client, who)
        r = client.get("/corrections/new")
        assert r.status_code == 200 and 'id="intake-form"' in text(r), who
        client.post("/logout")
    world.login(client, "viewer")
    r = client.get("/corrections/new")
    assert r.status_code == 403 and "只读账号" in text(r)


def test_intake_creates_person_and_case(app, client, world, county):
    world.login(client, "off1")
    data = {
        "person_mode": "new",
        "name": "王五",
        "id_number": NEW_ID,
        "ethnicity": "汉族",
        "household_type": "rural",
        "flags": ["drugs"],
        **_case_fields(),
    }
    r = client.post("/corrections/new", data=data)
    assert r.status_code == 302, text(r)[:2000]
    page = text(client.get(r.headers["Location"]))
    assert "王五" in page and "已建立" in page and "禁止进入娱乐场所" in page
    with app.app_context():
        from corrections.extensions import db

        case = db.session.query(CorrectionCase).one()
        assert case.person.name == "王五" and case.person.flags == ["drugs"]
        assert case.person.registered_station.code == "S1"
        assert case.officer.username == "off1" and case.status == "active"
        assert case.sentence.startswith("有期徒刑") and case.decision_document


def test_intake_with_an_invalid_id_number_writes_neither(app, client, world, county):
    world.login(client, "off1")
    events = count(app, AuditEvent)
    data = {
        "person_mode": "new",
        "name": "王五",
        "id_number": "330106199001011231",
        **_case_fields(term_end="2026-11-01"),
    }
    r = client.post("/corrections/new", data=data)
    assert r.status_code == 422
    page = text(r)
    assert "校验位不正确" in page
    assert "矫正期限止日应晚于起日" in page  # the case's own problems are shown too
    assert count(app, Person) == 0 and count(app, CorrectionCase) == 0
    assert count(app, AuditEvent) == events


def test_person_is_not_kept_when_the_case_is_refused(app, client, world, county):
    world.login(client, "off1")
    data = {
        "person_mode": "new",
        "name": "王五",
        "id_number": NEW_ID,
        **_case_fields(received_on="2026-11-26"),
    }
    r = client.post("/corrections/new", data=data)
    assert r.status_code == 422 and "不能晚于今天" in text(r)
    assert count(app, Person) == 0 and count(app, CorrectionCase) == 0


def test_intake_for_an_existing_person_by_id_number(app, client, world, person_id):
    world.login(client, "off1")
    r = client.post(
        "/corrections/new",
        data={
            "person_mode": "existing",
            "existing_id_number": MALE_ID.lower(),
            **_case_fields(received_on=""),
        },
    )
    assert r.status_code == 302
    with app.app_context():
        from corrections.extensions import db

        case = db.session.query(CorrectionCase).one()
        assert case.person_id == person_id and case.status == "expected"
    assert count(app, Person) == 1


def test_unknown_existing_id_number_is_refused(app, client, world, county):
    world.login(client, "off1")
    r = client.post(
        "/corrections/new",
        data={"person_mode": "existing", "existing_id_number": NEW_ID, **_case_fields()},
    )
    assert r.status_code == 422 and "没有找到该身份证号码的档案" in text(r)
    assert count(app, CorrectionCase) == 0


def test_duplicate_id_number_for_new_person_points_to_the_file(app, client, world, person_id):
    world.login(client, "off1")
    r = client.post(
        "/corrections/new",
        data={"person_mode": "new", "name": "张三", "id_number": MALE_ID, **_case_fields()},
    )
    assert r.status_code == 409
    assert 'id="existing-person"' in text(r) and f"/people/{person_id}" in text(r)
    assert count(app, Person) == 1 and count(app, CorrectionCase) == 0


def test_prefilled_from_the_person_page(app, client, world, person_id):
    world.login(client, "off1")
    r = client.get(f"/corrections/new?person_id={person_id}")
    assert r.status_code == 200 and 'id="fixed-person"' in text(r) and "张三" in text(r)
    r = client.post(f"/corrections/new?person_id={person_id}", data=_case_fields())
    assert r.status_code == 302
    # a second open case for the same person is a conflict, linking to the first
    r = client.post(f"/corrections/new?person_id={person_id}", data=_case_fields())
    assert r.status_code == 409 and 'id="existing-case"' in text(r)
    assert count(app, CorrectionCase) == 1


def test_person_out_of_scope_is_404(client, world, person_id):
    world.login(client, "off2")
    assert client.get(f"/corrections/new?person_id={person_id}").status_code == 404


def test_grounds_refused_for_probation(app, client, world, person_id):
    world.login(client, "off1")
    r = client.post(f"/corrections/new?person_id={person_id}", data=_case_fields(grounds="medical"))
    assert r.status_code == 422 and "只有暂予监外执行需要填写暂外情形" in text(r)
    assert count(app, CorrectionCase) == 0


def test_supervisor_picks_the_officer(app, client, world, person_id):
    world.login(client, "boss")
    r = client.post(f"/corrections/new?person_id={person_id}", data=_case_fields(officer="off2"))
    assert r.status_code == 422 and "不在" in text(r)
    r = client.post(f"/corrections/new?person_id={person_id}", data=_case_fields(officer="both"))
    assert r.status_code == 302
    with app.app_context():
        from corrections.extensions import db

        assert db.session.query(CorrectionCase).one().officer.username == "both"


def test_existing_cases_unaffected(app, person_id):
    make_case(app, person_id)
    assert count(app, CorrectionCase) == 1
