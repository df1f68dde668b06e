"""/api/v1/people: register, read, search, update (docs/api.md: People; docs/domain.md §2)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.extensions import db
from corrections.people.models import Person
from tests.helpers import error_of, valid_id, valid_id_ending_in_x

ID1 = valid_id("110101", "19900101", "123")  # male (7th-from-last digit odd)
ID2 = valid_id("110101", "19850615", "124")  # female
ID3 = valid_id("330106", "20000229", "351")  # leap-day birth, male


def counts(app) -> tuple[int, int]:
    with app.app_context():
        people = db.session.execute(select(func.count(Person.id))).scalar_one()
        events = db.session.execute(select(func.count(AuditEvent.id))).scalar_one()
        return people, events


def stored(app, person_id: int) -> Person | None:
    with app.app_context():
        person = db.session.get(Person, person_id)
        if person is not None:
            db.session.expunge(person)
        return person


# --- POST /people ---------------------------------------------------------------------


def test_create_person_derives_sex_and_birth_date(county, app):
    api = county.api("off1")
    response = api.post(
        "/people",
        json={
            "name": "张三",
            "id_number": ID1,
            "phone": "13800000000",
            "ethnicity": "汉族",
            "household_address": "北京市东城区某街1号",
            "residence_address": "城关镇幸福路2号",
            "education": "high_school",
            "employment": "employed",
            "flags": ["drugs", "gang"],
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert isinstance(body["id"], int)
    assert body["version"] == 1
    assert body["name"] == "张三"
    assert body["id_number"] == ID1
    assert body["sex"] == "male"
    assert body["birth_date"] == "1990-01-01"
    assert body["phone"] == "13800000000"
    assert body["ethnicity"] == "汉族"
    assert body["household_address"] == "北京市东城区某街1号"
    assert body["residence_address"] == "城关镇幸福路2号"
    assert body["education"] == "high_school"
    assert body["employment"] == "employed"
    assert isinstance(body["flags"], list)
    assert sorted(body["flags"]) == ["drugs", "gang"]
    assert body["cases"] == []
    assert body["registered_station"] == "S1"  # the officer's only station
    person = stored(app, body["id"])
    assert person.id_number == ID1
    assert person.sex == "male"
    assert person.birth_date.isoformat() == "1990-01-01"
    assert person.flag_drugs and person.flag_gang and not person.flag_cult


def test_create_female_and_minimal_person(county, app):
    response = county.api("off1").post("/people", json={"name": "李梅", "id_number": ID2})
    assert response.status_code == 201
    body = response.get_json()
    assert body["sex"] == "female"
    assert body["birth_date"] == "1985-06-15"
    assert body["flags"] == []
    assert body["phone"] == ""
    assert body["education"] is None
    assert stored(app, body["id"]).sex == "female"


def test_create_leap_day_birth(county):
    response = county.api("off1").post("/people", json={"name": "王五", "id_number": ID3})
    assert response.status_code == 201
    assert response.get_json()["birth_date"] == "2000-02-29"


def test_lowercase_x_and_spaces_are_normalised(county, app):
    number = valid_id_ending_in_x()
    typed = f"{number[:6]} {number[6:14]} {number[14:-1]}x"
    response = county.api("off1").post("/people", json={"name": "赵六", "id_number": typed})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["id_number"] == number
    assert stored(app, response.get_json()["id"]).id_number == number


@pytest.mark.parametrize(
    "bad",
    [
        ID1[:-1] + ("0" if ID1[-1] != "0" else "1"),  # wrong check digit
        ID1[:-1],  # 17 characters
        ID1 + "1",  # 19 characters
        "11010119900101123A",  # letter other than X
        "X10101199001011237",  # X not at the end
        "",
    ],
)
def test_invalid_id_number_is_422_and_writes_nothing(county, app, bad):
    api = county.api("off1")
    before = counts(app)
    error = error_of(api.post("/people", json={"name": "张三", "id_number": bad}), 422)
    assert "id_number" in error["fields"]
    assert counts(app) == before


@pytest.mark.parametrize(
    "number",
    [
        valid_id("110101", "19900230", "123"),  # 30 February
        valid_id("110101", "19901301", "123"),  # month 13
        valid_id("110101", "19900100", "123"),  # day 0
        valid_id("110101", "20261126", "123"),  # tomorrow (today is 2026-11-25)
        valid_id("110101", "18991231", "123"),  # before 1900
    ],
)
def test_impossible_birth_date_is_422(county, app, number):
    api = county.api("off1")
    before = counts(app)
    error = error_of(api.post("/people", json={"name": "张三", "id_number": number}), 422)
    assert "id_number" in error["fields"]
    assert counts(app) == before


def test_birth_today_is_accepted(county):
    number = valid_id("110101", "20261125", "124")
    response = county.api("off1").post("/people", json={"name": "新生", "id_number": number})
    assert response.status_code == 201
    assert response.get_json()["birth_date"] == "2026-11-25"


def test_unknown_area_code_is_a_notice_not_a_refusal(county, app):
    number = "999999199001011238"
    assert number == valid_id("999999", "19900101", "123")
    response = county.api("off1").post("/people", json={"name": "张三", "id_number": number})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["id_number"] == number
    assert body["birth_date"] == "1990-01-01"
    assert body["notices"] and "999999" in body["notices"][0]
    assert stored(app, body["id"]).id_number == number


def test_known_area_code_has_no_notice(county):
    response = county.api("off1").post("/people", json={"name": "张三", "id_number": ID1})
    assert response.get_json()["notices"] == []


def test_retired_area_code_is_accepted(county):
    # 110102 (西城区) is current; 110104 (宣武区) was merged into it in 2010.
    number = valid_id("110104", "19800101", "131")
    response = county.api("off1").post("/people", json={"name": "宣武人", "id_number": number})
    assert response.status_code == 201, response.get_data(as_text=True)


def test_duplicate_id_number_is_409_with_existing_id(county, app):
    first = county.api("off1").post("/people", json={"name": "张三", "id_number": ID1})
    existing = first.get_json()["id"]
    api = county.api("off1")
    before = counts(app)
    error = error_of(api.post("/people", json={"name": "张三丰", "id_number": ID1}), 409)
    assert error["code"] == "duplicate"
    assert error["existing_id"] == existing
    assert counts(app) == before
    assert stored(app, existing).name == "张三"


def test_duplicate_is_found_even_typed_with_lowercase_x_and_spaces(county):
    number = valid_id_ending_in_x()
    existing = county.person("off1", number)
    typed = " " + number[:-1] + "x "
    error = error_of(
        county.api("off1").post("/people", json={"name": "张三", "id_number": typed}), 409
    )
    assert error["existing_id"] == existing


@pytest.mark.parametrize("username", ["far", "off2", "farboss"])
def test_duplicate_answers_409_even_out_of_scope(county, app, username):
    existing = county.person("off1", ID1)
    api = county.api(username)
    assert api.get(f"/people/{existing}").status_code == 404  # really out of scope
    before = counts(app)
    error = error_of(api.post("/people", json={"name": "另一个人", "id_number": ID1}), 409)
    assert error["existing_id"] == existing
    assert counts(app) == before


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (["gang", "minor"], "flags"),
        (["涉黑涉恶"], "flags"),
        ("gang", "flags"),
        ([1], "flags"),
        ({"gang": True}, "flags"),
    ],
)
def test_unknown_or_mistyped_flags_are_422(county, app, flags, field):
    api = county.api("off1")
    before = counts(app)
    error = error_of(
        api.post("/people", json={"name": "张三", "id_number": ID1, "flags": flags}), 422
    )
    assert field in error["fields"]
    assert counts(app) == before


def test_every_documented_flag_is_accepted(county):
    flags = ["gang", "repeat_offender", "drugs", "cult", "three_no"]
    response = county.api("off1").post(
        "/people", json={"name": "张三", "id_number": ID1, "flags": flags + ["gang"]}
    )
    assert response.status_code == 201
    assert sorted(response.get_json()["flags"]) == sorted(flags)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id_number": ID1}, "name"),
        ({"name": "", "id_number": ID1}, "name"),
        ({"name": "   ", "id_number": ID1}, "name"),
        ({"name": 12, "id_number": ID1}, "name"),
        ({"name": None, "id_number": ID1}, "name"),
        ({"name": "张三"}, "id_number"),
        ({"name": "张三", "id_number": 110101199001011237}, "id_number"),
        ({"name": "张" * 101, "id_number": ID1}, "name"),
        ({"name": "张三", "id_number": ID1, "education": "phd"}, "education"),
        ({"name": "张三", "id_number": ID1, "employment": "retired"}, "employment"),
        ({"name": "张三", "id_number": ID1, "household_type": "city"}, "household_type"),
        ({"name": "张三", "id_number": ID1, "phone": 13800000000}, "phone"),
        ({"name": "张三", "id_number": ID1, "same_address": "yes"}, "same_address"),
        ({"name": "张三", "id_number": ID1, "household_address": "址" * 201}, "household_address"),
    ],
)
def test_missing_or_invalid_fields_are_422(county, app, body, field):
    api = county.api("off1")
    before = counts(app)
    error = error_of(api.post("/people", json=body), 422)
    assert field in error["fields"], error
    assert counts(app) == before


def test_name_of_exactly_100_characters_is_accepted(county, app):
    name = "𠮷" * 100  # outside the Basic Multilingual Plane: 100 characters, not 200
    response = county.api("off1").post("/people", json={"name": name, "id_number": ID1})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["name"] == name
    assert stored(app, response.get_json()["id"]).name == name


@pytest.mark.parametrize(
    "name",
    [
        "𠮷田😀",  # a rare CJK character (Ext. B) and an emoji
        "阿卜杜拉·买买提",  # the middle dot of transcribed names
        "𪚥𱁬",  # Ext. B and Ext. G
        "Zoë O'Brien-Łukasz",
        "李\u3000娜",  # an ideographic space inside the name
    ],
)
def test_unicode_names_are_stored_verbatim(county, app, name):
    api = county.api("off1")
    response = api.post(
        "/people", json={"name": name, "id_number": ID1, "ethnicity": "穿青人", "notes": "备注😀"}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["name"] == name
    assert body["ethnicity"] == "穿青人"
    assert body["notes"] == "备注😀"
    person = stored(app, body["id"])
    assert person.name == name and person.notes == "备注😀"
    again = api.get(f"/people/{body['id']}")
    assert again.get_json()["name"] == name
    assert "charset=utf-8" in again.content_type.lower() or again.is_json


def test_viewer_may_not_create(county, app):
    api = county.api("viewer")
    before = counts(app)
    error_of(api.post("/people", json={"name": "张三", "id_number": ID1}), 403, "forbidden")
    # 403 comes before 400 and 422.
    error_of(
        api.client.post("/api/v1/people", headers=api.headers, data="x", content_type="text/plain"),
        403,
    )
    error_of(api.post("/people", json={}), 403)
    assert counts(app) == before


@pytest.mark.parametrize("username", ["off1", "boss", "admin"])
def test_writers_may_create(county, app, username):
    response = county.api(username).post("/people", json={"name": "张三", "id_number": ID1})
    assert response.status_code == 201
    assert stored(app, response.get_json()["id"]) is not None


def test_non_json_body_is_400(county, app):
    api = county.api("off1")
    before = counts(app)
    response = api.client.post(
        "/api/v1/people",
        headers=api.headers,
        data=f"name=张三&id_number={ID1}",
        content_type="application/x-www-form-urlencoded",
    )
    error_of(response, 400, "bad_request")
    error_of(api.post("/people", json=["张三", ID1]), 422)
    assert counts(app) == before


def test_invalid_fields_come_before_duplicate(county):
    county.person("off1", ID1)
    error = error_of(county.api("off1").post("/people", json={"name": "", "id_number": ID1}), 422)
    assert "name" in error["fields"]


def test_station_may_be_chosen_among_the_officers_own(county, app):
    api = county.api("both")
    response = api.post("/people", json={"name": "张三", "id_number": ID1, "station": "S2"})
    assert response.status_code == 201
    assert response.get_json()["registered_station"] == "S2"
    before = counts(app)
    error = error_of(
        api.post("/people", json={"name": "李四", "id_number": ID2, "station": "T1"}), 422
    )
    assert "station" in error["fields"]
    error_of(api.post("/people", json={"name": "李四", "id_number": ID2, "station": "NOPE"}), 422)
    assert counts(app) == before


# --- GET /people and /people/{id} -------------------------------------------------------


def test_get_person_in_scope(county):
    pid = county.person("off1", ID1, name="张三", phone="13900000000")
    response = county.api("off1").get(f"/people/{pid}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == pid
    assert body["name"] == "张三"
    assert body["id_number"] == ID1  # in full, for a user with the record in scope
    assert body["phone"] == "13900000000"
    assert body["cases"] == []
    assert body["version"] == 1


def test_get_missing_person_is_404(county):
    error_of(county.api("admin").get("/people/424242"), 404, "not_found")


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("off1", 200),
        ("both", 200),
        ("boss", 200),
        ("viewer", 200),
        ("admin", 200),
        ("off2", 404),
        ("far", 404),
        ("farboss", 404),
    ],
)
def test_get_person_scope(county, username, status):
    pid = county.person("off1", ID1)
    response = county.api(username).get(f"/people/{pid}")
    assert response.status_code == status
    if status == 200:
        assert response.get_json()["id_number"] == ID1
    else:
        error = error_of(response, 404, "not_found")
        assert ID1 not in str(error)
        # Out of scope looks exactly like missing.
        missing = county.api(username).get("/people/424242").get_json()
        assert missing == response.get_json()


def test_list_people_shape_and_order(county):
    first = county.person("off1", ID1, name="张三")
    second = county.person("off1", ID2, name="李四")
    response = county.api("off1").get("/people")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert body["page"] == 1 and body["per_page"] == 50 and body["total"] == 2
    assert [p["id"] for p in body["items"]] == [second, first]  # newest first
    item = body["items"][0]
    assert item["name"] == "李四" and item["id_number"] == ID2
    assert {"id", "version", "sex", "birth_date", "flags"} <= set(item)


def test_list_people_pagination(county, app):
    ids = [
        county.person("off1", valid_id("110101", "19900101", f"{n:03d}"), name=f"人{n}")
        for n in range(100, 107)
    ]
    api = county.api("off1")
    body = api.get("/people?per_page=3&page=1").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 3, 7)
    assert [p["id"] for p in body["items"]] == ids[::-1][:3]
    body = api.get("/people?per_page=3&page=3").get_json()
    assert [p["id"] for p in body["items"]] == [ids[0]]
    body = api.get("/people?per_page=3&page=9").get_json()
    assert body["items"] == [] and body["total"] == 7
    all_pages = []
    for page in (1, 2, 3):
        all_pages += [
            p["id"] for p in api.get(f"/people?per_page=3&page={page}").get_json()["items"]
        ]
    assert sorted(all_pages) == sorted(ids)


def test_per_page_is_capped_at_500(county):
    body = county.api("off1").get("/people?per_page=100000").get_json()
    assert body["per_page"] == 500
    body = county.api("off1").get("/people?per_page=500").get_json()
    assert body["per_page"] == 500
    body = county.api("off1").get("/people?per_page=7").get_json()
    assert body["per_page"] == 7


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("per_page=0", "per_page"),
        ("per_page=lots", "per_page"),
    ],
)
def test_bad_paging_parameters_are_422(county, query, field):
    error = error_of(county.api("off1").get(f"/people?{query}"), 422)
    assert field in error["fields"]


def test_search_by_name(county):
    zhang = county.person("off1", ID1, name="张三")
    county.person("off1", ID2, name="李四")
    latin = county.person("off1", ID3, name="Alice Wong")
    api = county.api("off1")
    assert [p["id"] for p in api.get("/people?q=张").get_json()["items"]] == [zhang]
    assert [p["id"] for p in api.get("/people?q=张三").get_json()["items"]] == [zhang]
    assert [p["id"] for p in api.get("/people?q=alice").get_json()["items"]] == [latin]
    body = api.get("/people?q=王").get_json()
    assert body["items"] == [] and body["total"] == 0
    # The empty query lists everyone in scope.
    assert api.get("/people?q=").get_json()["total"] == 3


def test_search_by_id_number_fragment(county):
    a = county.person("off1", ID1, name="张三")  # born 1990-01-01
    b = county.person("off1", ID2, name="李四")  # born 1985-06-15
    api = county.api("off1")
    assert [p["id"] for p in api.get(f"/people?q={ID1}").get_json()["items"]] == [a]
    assert [p["id"] for p in api.get("/people?q=19850615").get_json()["items"]] == [b]
    assert [p["id"] for p in api.get(f"/people?q={ID2[-6:]}").get_json()["items"]] == [b]
    found = {p["id"] for p in api.get("/people?q=110101").get_json()["items"]}
    assert found == {a, b}


def test_search_id_number_with_lowercase_x(county):
    number = valid_id_ending_in_x()
    pid = county.person("off1", number)
    items = county.api("off1").get(f"/people?q={number[:-1]}x").get_json()["items"]
    assert [p["id"] for p in items] == [pid]


def test_search_treats_like_wildcards_literally(county):
    county.person("off1", ID1, name="张三")
    api = county.api("off1")
    for q in ("%", "_", "%25", "张%"):
        body = api.get("/people", query_string={"q": q}).get_json()
        assert body["total"] == 0, q


def test_search_is_scoped(county):
    county.person("off1", ID1, name="张三")
    theirs = county.person("off2", ID2, name="张四")
    api = county.api("off2")
    assert [p["id"] for p in api.get("/people?q=张").get_json()["items"]] == [theirs]
    assert api.get(f"/people?q={ID1}").get_json()["total"] == 0


# --- PATCH /people/{id} -----------------------------------------------------------------


def test_patch_with_current_version(county, app):
    pid = county.person("off1", ID1, name="张三")
    api = county.api("off1")
    response = api.patch(
        f"/people/{pid}",
        json={"version": 1, "name": "张叁", "phone": "13700000000", "flags": ["cult"]},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["version"] == 2
    assert body["name"] == "张叁"
    assert body["phone"] == "13700000000"
    assert body["flags"] == ["cult"]
    assert body["cases"] == []
    person = stored(app, pid)
    assert (person.version, person.name, person.flag_cult) == (2, "张叁", True)
    # The next update sends the new version.
    response = api.patch(f"/people/{pid}", json={"version": 2, "flags": []})
    assert response.status_code == 200
    assert response.get_json()["version"] == 3
    assert response.get_json()["flags"] == []


def test_patch_stale_version_is_409_and_changes_nothing(county, app):
    pid = county.person("off1", ID1, name="张三")
    api = county.api("off1")
    assert api.patch(f"/people/{pid}", json={"version": 1, "name": "张叁"}).status_code == 200
    before = counts(app)
    response = api.patch(f"/people/{pid}", json={"version": 1, "name": "张仨", "phone": "1"})
    error = error_of(response, 409)
    assert error["code"] == "stale_version"
    person = stored(app, pid)
    assert (person.version, person.name, person.phone) == (2, "张叁", "")
    assert counts(app) == before
    error_of(api.patch(f"/people/{pid}", json={"version": 3, "name": "张仨"}), 409)
    assert stored(app, pid).name == "张叁"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "张叁"},
        {"version": None, "name": "张叁"},
        {"version": "abc", "name": "张叁"},
        {"version": "1", "name": "张叁"},
        {"version": 1.0, "name": "张叁"},
        {"version": True, "name": "张叁"},
    ],
)
def test_patch_missing_or_mistyped_version_is_422(county, app, body):
    pid = county.person("off1", ID1, name="张三")
    api = county.api("off1")
    before = counts(app)
    error = error_of(api.patch(f"/people/{pid}", json=body), 422)
    assert "version" in error["fields"]
    assert stored(app, pid).name == "张三"
    assert counts(app) == before


@pytest.mark.parametrize("username", ["off2", "far", "farboss"])
def test_patch_out_of_scope_is_404(county, app, username):
    pid = county.person("off1", ID1, name="张三")
    error_of(county.api(username).patch(f"/people/{pid}", json={"version": 1, "name": "X"}), 404)
    # 404 comes before 400 and 422.
    api = county.api(username)
    error_of(
        api.client.patch(
            f"/api/v1/people/{pid}", headers=api.headers, data="x", content_type="text/plain"
        ),
        404,
    )
    error_of(api.patch(f"/people/{pid}", json={}), 404)
    assert stored(app, pid).name == "张三"


def test_patch_missing_person_is_404(county):
    error_of(county.api("admin").patch("/people/424242", json={"version": 1}), 404)


def test_patch_by_viewer_is_403_even_for_a_missing_id(county, app):
    pid = county.person("off1", ID1, name="张三")
    api = county.api("viewer")
    assert api.get(f"/people/{pid}").status_code == 200  # the viewer reads it
    error_of(api.patch(f"/people/{pid}", json={"version": 1, "name": "X"}), 403, "forbidden")
    error_of(api.patch("/people/424242", json={"version": 1, "name": "X"}), 403)
    error_of(api.patch(f"/people/{pid}", json={}), 403)
    assert stored(app, pid).name == "张三"


@pytest.mark.parametrize("username", ["boss", "admin", "both"])
def test_patch_in_scope_by_supervisor_admin_and_multi_station_officer(county, app, username):
    pid = county.person("off1", ID1, name="张三")
    response = county.api(username).patch(f"/people/{pid}", json={"version": 1, "name": "张叁"})
    assert response.status_code == 200
    assert stored(app, pid).name == "张叁"


def test_patch_id_number_rederives_sex_and_birth_date(county, app):
    pid = county.person("off1", ID1, name="张三")
    response = county.api("off1").patch(f"/people/{pid}", json={"version": 1, "id_number": ID2})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id_number"], body["sex"], body["birth_date"]) == (ID2, "female", "1985-06-15")
    person = stored(app, pid)
    assert (person.id_number, person.sex) == (ID2, "female")


def test_patch_id_number_to_another_persons_is_409(county, app):
    pid = county.person("off1", ID1, name="张三")
    other = county.person("far", ID2, name="李四")  # out of off1's scope
    api = county.api("off1")
    before = counts(app)
    error = error_of(api.patch(f"/people/{pid}", json={"version": 1, "id_number": ID2}), 409)
    assert error["code"] == "duplicate"
    assert error["existing_id"] == other
    person = stored(app, pid)
    assert (person.id_number, person.version) == (ID1, 1)
    assert counts(app) == before


def test_patch_invalid_id_number_is_422(county, app):
    pid = county.person("off1", ID1, name="张三")
    bad = ID1[:-1] + ("0" if ID1[-1] != "0" else "1")
    error = error_of(
        county.api("off1").patch(f"/people/{pid}", json={"version": 1, "id_number": bad}), 422
    )
    assert "id_number" in error["fields"]
    assert stored(app, pid).id_number == ID1


@pytest.mark.parametrize(
    "field",
    ["sex", "birth_date", "registered_station", "cases", "registered_by_id", "id", "nickname"],
)
def test_patch_unknown_or_derived_field_is_422(county, app, field):
    pid = county.person("off1", ID1, name="张三")
    api = county.api("off1")
    before = counts(app)
    error = error_of(api.patch(f"/people/{pid}", json={"version": 1, field: "x"}), 422)
    assert field in error["fields"]
    person = stored(app, pid)
    assert (person.version, person.sex) == (1, "male")
    assert counts(app) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "张" * 101}, "name"),
        ({"flags": ["minor"]}, "flags"),
        ({"education": "phd"}, "education"),
    ],
)
def test_patch_invalid_values_are_422(county, app, body, field):
    pid = county.person("off1", ID1, name="张三")
    error = error_of(county.api("off1").patch(f"/people/{pid}", json={"version": 1, **body}), 422)
    assert field in error["fields"]
    assert stored(app, pid).version == 1


def test_patch_invalid_field_with_stale_version_answers_422(county):
    pid = county.person("off1", ID1, name="张三")
    error = error_of(
        county.api("off1").patch(f"/people/{pid}", json={"version": 9, "name": ""}), 422
    )
    assert "name" in error["fields"]


def test_patch_non_json_is_400(county, app):
    pid = county.person("off1", ID1, name="张三")
    api = county.api("off1")
    response = api.client.patch(
        f"/api/v1/people/{pid}", headers=api.headers, data="version=1", content_type="text/plain"
    )
    error_of(response, 400, "bad_request")
    error_of(api.patch(f"/people/{pid}", json=[1]), 422)
    assert stored(app, pid).version == 1


def test_patch_without_changes_keeps_the_version(county, app):
    pid = county.person("off1", ID1, name="张三")
    api = county.api("off1")
    before = counts(app)
    response = api.patch(f"/people/{pid}", json={"version": 1, "name": "张三", "id_number": ID1})
    assert response.status_code == 200
    assert response.get_json()["version"] == 1
    assert counts(app) == before
