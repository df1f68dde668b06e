"""People pages: list, search, masked IDs, create, duplicate, edit with versions."""

from sqlalchemy import func, select

from corrections.extensions import db
from corrections.people.models import Person

VALID = "33010619900101123X"
VALID2 = "330106199001011248"


def _people(app):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(Person)).scalar_one()


def _form(**overrides):
    data = {
        "name": "王五",
        "id_number": VALID,
        "ethnicity": "汉族",
        "phone": "13800000000",
        "household_type": "rural",
        "household_address": "示范县城关镇东村1号",
        "same_address": "y",
        "education": "middle_school",
        "employment": "employed",
        "flags": ["gang", "drugs"],
        "station": "S1",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_officer_registers_person_and_sees_derived_fields(app, client, county, world):
    world.login(client, "off1")
    r = client.post("/people/new", data=_form())
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "王五" in page and "1990-01-01" in page and "男" in page and "涉黑涉恶" in page
    with app.app_context():
        person = db.session.execute(select(Person)).scalar_one()
        assert person.sex == "male" and person.flags == ["gang", "drugs"]
        assert person.registered_station.code == "S1"


def test_invalid_id_shows_error_and_writes_nothing(app, client, county, world):
    world.login(client, "off1")
    r = client.post("/people/new", data=_form(id_number="330106199001011231"))
    assert r.status_code == 200
    assert "校验位不正确" in r.get_data(as_text=True)
    assert _people(app) == 0


def test_missing_name_is_refused(app, client, county, world):
    world.login(client, "off1")
    r = client.post("/people/new", data=_form(name="  "))
    assert "请填写姓名" in r.get_data(as_text=True)
    assert _people(app) == 0


def test_unknown_area_code_is_saved_with_notice(app, client, county, world):
    world.login(client, "off1")
    r = client.post(
        "/people/new", data=_form(id_number="999999199001011238"), follow_redirects=True
    )
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "不在现行代码表中" in text
    assert _people(app) == 1


def test_duplicate_in_scope_links_to_existing(app, client, county, world):
    pid = world.person("off1", VALID, name="原有")
    world.login(client, "off1")
    r = client.post("/people/new", data=_form())
    text = r.get_data(as_text=True)
    assert r.status_code == 200
    assert f"/people/{pid}" in text and "duplicate-existing" in text
    assert _people(app) == 1


def test_duplicate_out_of_scope_says_ask_supervisor(app, client, county, world):
    world.person("far", VALID, name="外县")
    world.login(client, "off1")
    r = client.post("/people/new", data=_form())
    text = r.get_data(as_text=True)
    assert "duplicate-out-of-scope" in text and "县局主管" in text
    assert "外县" not in text
    assert _people(app) == 1


def test_list_masks_ids_for_officers_but_not_supervisors(app, client, county, world):
    world.person("off1", VALID, name="甲", station="S1")
    world.login(client, "off1")
    text = client.get("/people/").get_data(as_text=True)
    assert "3301**********123X" in text and VALID not in text
    boss = world.login(app.test_client(), "boss")
    assert VALID in boss.get("/people/").get_data(as_text=True)


def test_search_by_name_and_id_fragment(app, client, county, world):
    world.person("off1", VALID, name="赵大", station="S1")
    world.person("off1", VALID2, name="钱二", station="S1")
    world.login(client, "off1")
    by_name = client.get("/people/?q=赵").get_data(as_text=True)
    assert "赵大" in by_name and "钱二" not in by_name
    by_id = client.get("/people/?q=1011248").get_data(as_text=True)
    assert "钱二" in by_id and "赵大" not in by_id
    wild = client.get("/people/?q=%25").get_data(as_text=True)
    assert "赵大" not in wild  # % is matched literally


def test_pagination(app, client, county, world):
    from stdnum.cn import ric

    for i in range(7):
        body = f"3301061990{i + 1:02d}01123"
        world.person("off1", body + ric.calc_check_digit(body + "0"), name=f"人{i}", station="S1")
    world.login(client, "off1")
    first = client.get("/people/?per_page=5").get_data(as_text=True)
    second = client.get("/people/?per_page=5&page=2").get_data(as_text=True)
    assert "共 7 条" in first and "1 / 2" in first
    assert sum(f"人{i}<" in second for i in range(7)) == 2


def test_out_of_scope_person_page_is_404(app, client, county, world):
    pid = world.person("off2", VALID, name="乙", station="S2")
    world.login(client, "off1")
    assert client.get(f"/people/{pid}").status_code == 404
    assert client.get(f"/people/{pid}/edit").status_code == 404
    assert client.post(f"/people/{pid}/edit", data=_form()).status_code == 404


def test_viewer_reads_but_cannot_register_or_edit(app, client, county, world):
    pid = world.person("off1", VALID, name="甲", station="S1")
    world.login(client, "viewer")
    assert client.get(f"/people/{pid}").status_code == 200
    assert client.get("/people/new").status_code == 403
    assert client.get(f"/people/{pid}/edit").status_code == 403


def test_edit_with_stale_version_is_a_conflict(app, client, county, world):
    pid = world.person("off1", VALID, name="甲", station="S1")
    world.login(client, "off1")
    ok = client.post(f"/people/{pid}/edit", data=_form(name="甲一", version=1))
    assert ok.status_code == 302
    stale = client.post(f"/people/{pid}/edit", data=_form(name="甲二", version=1))
    assert stale.status_code == 200
    assert "已被他人修改" in stale.get_data(as_text=True)
    with app.app_context():
        person = db.session.get(Person, pid)
        assert person.name == "甲一" and person.version == 2


def test_edit_to_another_persons_id_is_refused(app, client, county, world):
    world.person("off1", VALID, name="甲", station="S1")
    pid = world.person("off1", VALID2, name="乙", station="S1")
    world.login(client, "off1")
    r = client.post(f"/people/{pid}/edit", data=_form(name="乙", id_number=VALID, version=1))
    assert r.status_code == 200 and "一人只建一档" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Person, pid).id_number == VALID2


def test_person_page_shows_empty_case_list(app, client, county, world):
    pid = world.person("off1", VALID, name="甲", station="S1")
    world.login(client, "off1")
    assert 'id="no-cases"' in client.get(f"/people/{pid}").get_data(as_text=True)


def test_minor_is_derived(app, client, county, world):
    from stdnum.cn import ric

    body = "33010620100315002"  # born 2010: 16 on 2026-11-25
    pid = world.person("off1", body + ric.calc_check_digit(body + "0"), name="少年", station="S1")
    world.login(client, "off1")
    assert "未成年" in client.get(f"/people/{pid}").get_data(as_text=True)
