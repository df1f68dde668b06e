"""/api/v1/corrections: intake, reads, overdue_on, contacts, levels, endings (docs/api.md; docs/domain.md §3).

Today is frozen at 2026-11-25.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.extensions import db
from corrections.supervision.models import (
    CaseLevel,
    Contact,
    CorrectionCase,
    Incident,
    Leave,
    Sanction,
    StationMove,
)
from tests.helpers import error_of, ok_json, valid_id

PERSON_ID = valid_id("110101", "19900101", "123")
OTHER_ID = valid_id("110101", "19850615", "124")


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def snapshot_counts(app) -> dict:
    models = (
        CorrectionCase,
        CaseLevel,
        Contact,
        Sanction,
        Leave,
        Incident,
        StationMove,
        AuditEvent,
    )
    return {m.__name__: count(app, m) for m in models}


CASE = {
    "station": "S1",
    "correction_type": "probation",
    "crime": "盗窃罪",
    "crime_category": "property",
    "judgment_effective_on": "2026-09-28",
    "term_start": "2026-09-28",
    "term_end": "2027-09-27",
    "received_on": "2026-10-01",
}


def body(person_id: int, **overrides) -> dict:
    data = {"person_id": person_id, **CASE, **overrides}
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def person(county):
    return county.person("off1", PERSON_ID, name="张三", station="S1")


@pytest.fixture
def other(county):
    return county.person("off1", OTHER_ID, name="李梅", station="S1")


def open_case(api, person_id: int, **overrides) -> dict:
    return ok_json(api.post("/corrections", json=body(person_id, **overrides)), 201)


def due_of(case: dict) -> dict:
    return {d["requirement"]: d for d in case["due"]}


# --------------------------------------------------------------------------- create, read


def test_create_received_case_shape(county, person):
    api = county.api("off1")
    case = open_case(api, person, decision_body="某县人民法院")
    assert isinstance(case["id"], int) and isinstance(case["version"], int)
    assert case["person_id"] == person
    assert case["station"] == "S1"
    assert case["officer"] == "off1"
    assert case["status"] == "active"
    assert case["correction_type"] == "probation"
    assert case["grounds"] is None
    assert case["crime"] == "盗窃罪" and case["crime_category"] == "property"
    assert case["decision_body"] == "某县人民法院"
    assert case["judgment_effective_on"] == "2026-09-28"
    assert case["term_start"] == "2026-09-28" and case["term_end"] == "2027-09-27"
    assert case["received_on"] == "2026-10-01"
    assert case["report_deadline"] == "2026-10-08"
    assert case["received_on_time"] is True
    assert case["source"] == "self_report"
    assert case["level"] == "strict"
    assert case["missed_intake"] is False
    assert case["ended_on"] is None and case["end_reason"] is None
    assert case["levels"] == [
        {"effective_on": "2026-10-01", "level": "strict", "reason": case["levels"][0]["reason"]}
    ]
    due = due_of(case)
    assert set(due) == {"face_to_face", "field_visit"}
    assert due["face_to_face"]["due_on"] == "2026-10-08"
    assert due["face_to_face"]["last_contact_on"] is None
    assert due["field_visit"]["due_on"] == "2026-10-31"
    again = ok_json(api.get(f"/corrections/{case['id']}"))
    assert again == case


def test_expected_case_missed_intake_then_receive(county, person, app):
    api = county.api("off1")
    case = open_case(
        api,
        person,
        received_on=None,
        judgment_effective_on="2026-11-01",
        term_start="2026-11-01",
        term_end="2027-10-31",
    )
    assert case["status"] == "expected"
    assert case["report_deadline"] == "2026-11-11"
    assert case["missed_intake"] is True
    assert case["received_on"] is None and case["received_on_time"] is None
    assert case["due"] == []
    received = ok_json(
        api.post(
            f"/corrections/{case['id']}/receive",
            json={"received_on": "2026-11-20", "source": "escorted"},
        )
    )
    assert received["status"] == "active"
    assert received["received_on"] == "2026-11-20"
    assert received["received_on_time"] is False
    assert received["source"] == "escorted"
    assert received["missed_intake"] is False
    assert received["levels"][0]["effective_on"] == "2026-11-20"
    assert due_of(received)["face_to_face"]["due_on"] == "2026-11-27"
    before = snapshot_counts(app)
    error_of(
        api.post(f"/corrections/{case['id']}/receive", json={"received_on": "2026-11-21"}), 422
    )
    assert snapshot_counts(app) == before
    assert ok_json(api.get(f"/corrections/{case['id']}"))["received_on"] == "2026-11-20"


def test_expected_case_on_its_deadline_is_not_missed(county, person):
    case = open_case(
        county.api("off1"),
        person,
        received_on=None,
        judgment_effective_on="2026-11-15",
        term_start="2026-11-15",
        term_end="2027-11-14",
    )
    assert case["report_deadline"] == "2026-11-25"
    assert case["missed_intake"] is False


def test_transfer_in_deadline_from_notice_and_never_missed(county, person):
    case = open_case(
        county.api("off1"),
        person,
        received_on=None,
        source="transfer_in",
        notified_on="2026-11-02",
        judgment_effective_on="2025-06-01",
        term_start="2025-06-01",
        term_end="2027-05-31",
    )
    assert case["report_deadline"] == "2026-11-09"  # a Monday: no move to a working day
    assert case["missed_intake"] is False


def test_receive_validation(county, person, app):
    api = county.api("off1")
    case = open_case(api, person, received_on=None)
    before = snapshot_counts(app)
    for bad in (
        {},
        {"received_on": "2026-11-26"},
        {"received_on": "2026-09-27"},
        {"received_on": "2026-11-20", "source": "teleported"},
    ):
        error_of(api.post(f"/corrections/{case['id']}/receive", json=bad), 422)
    assert snapshot_counts(app) == before


def test_supervisor_creates_without_officer_or_names_one(county, person, other):
    boss = county.api("boss")
    assert open_case(boss, person)["officer"] is None
    assert open_case(boss, other, officer="both")["officer"] == "both"


def test_temporary_release_grounds_and_health_report(county, person, other):
    api = county.api("off1")
    case = open_case(api, person, correction_type="temporary_release")
    assert case["grounds"] == "medical"
    assert set(due_of(case)) == {"face_to_face", "field_visit", "health_report"}
    assert due_of(case)["health_report"]["due_on"] == "2026-10-31"
    assert case["medical_review_due_on"] == "2027-01-01"
    pregnant = open_case(api, other, correction_type="temporary_release", grounds="pregnancy")
    assert pregnant["grounds"] == "pregnancy"
    assert pregnant["medical_review_due_on"] is None


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"received_on": "2026-09-27"}, "received_on"),  # before the judgment took effect
        ({"received_on": "2026-11-26"}, "received_on"),  # after today
        ({"term_end": "2026-09-28"}, "term_end"),  # not after term_start
        ({"correction_type": "house_arrest"}, "correction_type"),
        ({"correction_type": None}, "correction_type"),
        ({"grounds": "medical"}, "grounds"),  # 暂外 only
        ({"source": "mail"}, "source"),
        ({"level": "severe"}, "level"),
        ({"crime_category": "theft"}, "crime_category"),
        ({"judgment_effective_on": "2026-02-30"}, "judgment_effective_on"),
        ({"term_start": 20260101}, "term_start"),
        ({"station": "T1"}, "station"),  # another unit's station
        ({"station": "NOPE"}, "station"),
        ({"officer": "off2"}, "officer"),  # not at S1
        ({"officer": "boss"}, "officer"),  # not an officer
    ],
)
def test_create_invalid_fields_are_422_and_write_nothing(county, person, app, overrides, field):
    api = county.api("off1")  # issuing a token is audited: before the snapshot
    before = snapshot_counts(app)
    error = error_of(api.post("/corrections", json=body(person, **overrides)), 422)
    assert field in error["fields"]
    assert snapshot_counts(app) == before


@pytest.mark.parametrize("person_id", [None, "1", True, 999999])
def test_create_with_bad_person_is_422(county, person, person_id):
    error = error_of(
        county.api("off1").post("/corrections", json={**body(person), "person_id": person_id}),
        422,
    )
    assert "person_id" in error["fields"]


def test_person_out_of_scope_is_422(county, person):
    error = error_of(county.api("far").post("/corrections", json=body(person, station="T1")), 422)
    assert "person_id" in error["fields"]


def test_person_with_an_active_case_is_409(county, person, app):
    api = county.api("off1")
    first = open_case(api, person)
    before = snapshot_counts(app)
    error = error_of(api.post("/corrections", json=body(person)), 409)
    assert error["existing_id"] == first["id"]
    # an expected case counts too; and 422 comes before 409
    error_of(api.post("/corrections", json=body(person, received_on="2026-11-30")), 422)
    assert snapshot_counts(app) == before


def test_new_case_allowed_after_the_last_ended(county, person):
    api = county.api("off1")
    first = open_case(api, person, term_end="2026-11-20")
    ok_json(
        county.api("boss").post(
            f"/corrections/{first['id']}/release",
            json={"released_on": "2026-11-20", "reason": "expiry"},
        )
    )
    second = open_case(
        api,
        person,
        judgment_effective_on="2026-11-22",
        term_start="2026-11-22",
        received_on="2026-11-24",
    )
    assert second["id"] != first["id"]


# --------------------------------------------------------------------------- auth and error order


def test_no_token_is_401(county, person, client):
    assert client.get("/api/v1/corrections").status_code == 401
    response = client.post("/api/v1/corrections", json=body(person))
    error_of(response, 401)


def test_viewer_reads_but_may_not_write(county, person, app):
    case = open_case(county.api("off1"), person)
    viewer = county.api("viewer")
    assert ok_json(viewer.get(f"/corrections/{case['id']}"))["id"] == case["id"]
    assert ok_json(viewer.get("/corrections"))["total"] == 1
    before = snapshot_counts(app)
    error_of(viewer.post("/corrections", json=body(person)), 403)
    error_of(viewer.post("/corrections", data="not json"), 403)
    for path in ("contacts", "leaves", "incidents", "receive", "release", "levels"):
        error_of(viewer.post(f"/corrections/{case['id']}/{path}", json={}), 403)
        error_of(viewer.post(f"/corrections/999999/{path}", json={}), 403)  # 403 before 404
    error_of(viewer.post(f"/corrections/{case['id']}/contacts/1/void", json={}), 403)
    assert snapshot_counts(app) == before


@pytest.mark.parametrize(
    "path",
    ["levels", "sanctions", "release", "terminate", "transfer-out", "station", "officer"],
)
def test_officer_may_not_do_county_decisions(county, person, app, path):
    api = county.api("off1")
    case = open_case(api, person)
    before = snapshot_counts(app)
    error_of(api.post(f"/corrections/{case['id']}/{path}", json={}), 403, "forbidden")
    error_of(api.post(f"/corrections/999999/{path}", json={}), 403)  # 403 before 404
    error_of(api.post(f"/corrections/{case['id']}/{path}", data="x"), 403)  # 403 before 400
    assert snapshot_counts(app) == before


def test_out_of_scope_case_is_404_before_400(county, person):
    case = open_case(county.api("off1"), person)
    for username in ("off2", "far", "farboss"):
        api = county.api(username)
        error_of(api.get(f"/corrections/{case['id']}"), 404, "not_found")
        error_of(api.post(f"/corrections/{case['id']}/contacts", data="not json"), 404)
    error_of(county.api("farboss").post(f"/corrections/{case['id']}/release", data="x"), 404)
    error_of(county.api("off1").get("/corrections/999999"), 404)


def test_non_json_body_is_400(county, person):
    api = county.api("off1")
    case = open_case(api, person)
    error_of(api.post("/corrections", data="nope", content_type="application/json"), 400)
    error_of(api.post(f"/corrections/{case['id']}/contacts", data="{"), 400)
    error_of(county.api("boss").post(f"/corrections/{case['id']}/release", data="x"), 400)
    # a JSON value that is not an object is a 422
    error_of(api.post(f"/corrections/{case['id']}/contacts", json=[1, 2]), 422)


def test_missing_sub_record_is_404_before_400(county, person):
    api = county.api("off1")
    case = open_case(api, person)
    error_of(api.post(f"/corrections/{case['id']}/contacts/999/void", data="x"), 404)
    error_of(api.post(f"/corrections/{case['id']}/leaves/999/decision", data="x"), 404)
    error_of(api.post(f"/corrections/{case['id']}/leaves/999/return", data="x"), 404)
    error_of(api.post(f"/corrections/{case['id']}/incidents/999/close", data="x"), 404)
    boss = county.api("boss")
    error_of(boss.post(f"/corrections/{case['id']}/sanctions/999/outcome", data="x"), 404)
    error_of(boss.post(f"/corrections/{case['id']}/sanctions/999/void", data="x"), 404)


def test_sub_record_of_another_case_is_404(county, person, other):
    api = county.api("off1")
    first = open_case(api, person)
    second = open_case(api, other)
    contact = ok_json(
        api.post(
            f"/corrections/{first['id']}/contacts",
            json={"kind": "phone", "occurred_on": "2026-11-02"},
        ),
        201,
    )
    error_of(
        api.post(
            f"/corrections/{second['id']}/contacts/{contact['id']}/void", json={"reason": "x"}
        ),
        404,
    )


# --------------------------------------------------------------------------- lists


def test_list_filters_and_scope(county, person, other, world):
    api = county.api("both")
    third = world.person("off2", valid_id("110101", "19700101", "135"), name="王五")
    a = open_case(api, person)  # S1 strict active
    b = open_case(api, other, station="S2", level="normal")  # S2 normal active
    c = open_case(api, third, station="S2", received_on=None)  # S2 expected

    def ids(client, query=""):
        found = ok_json(client.get("/corrections" + query))
        assert found["total"] == len(found["items"])
        return {item["id"] for item in found["items"]}

    assert ids(api) == {a["id"], b["id"], c["id"]}
    assert ids(api, "?station=S2") == {b["id"], c["id"]}
    assert ids(api, "?status=expected") == {c["id"]}
    assert ids(api, "?status=active&station=S2") == {b["id"]}
    assert ids(api, "?level=normal") == {b["id"]}
    assert ids(api, "?status=released") == set()
    assert ids(county.api("off1")) == {a["id"]}
    assert ids(county.api("off2")) == {b["id"], c["id"]}
    assert ids(county.api("boss")) == {a["id"], b["id"], c["id"]}
    assert ids(county.api("far")) == set()
    assert ids(county.api("admin")) == {a["id"], b["id"], c["id"]}
    page = ok_json(api.get("/corrections?per_page=2&page=2"))
    assert page["total"] == 3 and page["page"] == 2 and page["per_page"] == 2
    assert len(page["items"]) == 1
    item = page["items"][0]
    assert {"levels", "due", "missed_intake", "station", "officer", "status"} <= set(item)


@pytest.mark.parametrize(
    "query, field",
    [
        ("?status=open", "status"),
        ("?level=severe", "level"),
        ("?overdue_on=2026-02-30", "overdue_on"),
        ("?overdue_on=yesterday", "overdue_on"),
        ("?station=NOPE", "station"),
        ("?station=S2", "station"),  # off1 does not work at S2
        ("?page=0", "page"),
    ],
)
def test_list_bad_query_is_422(county, query, field):
    error = error_of(county.api("off1").get("/corrections" + query), 422)
    assert field in error["fields"]


def test_overdue_on_lists_exactly_the_overdue_cases(county, person, other, world):
    api = county.api("off1")
    strict = open_case(api, person)  # received 2026-10-01, no contacts
    kept_up = open_case(api, other)
    for on in ("2026-10-07", "2026-10-14"):
        ok_json(
            api.post(
                f"/corrections/{kept_up['id']}/contacts",
                json={"kind": "report_in_person", "occurred_on": on},
            ),
            201,
        )

    def overdue(on):
        found = ok_json(api.get(f"/corrections?overdue_on={on}"))
        assert found["total"] == len(found["items"])
        return {item["id"]: item["overdue"] for item in found["items"]}

    assert overdue("2026-09-30") == {}  # nobody received yet
    assert overdue("2026-10-08") == {}  # the due date itself is not overdue
    assert overdue("2026-10-09") == {
        strict["id"]: [{"requirement": "face_to_face", "due_on": "2026-10-08", "days_overdue": 1}]
    }
    # kept_up: face-to-face last on 10-14 → due 10-21, overdue on 10-22 by 1
    on_22 = overdue("2026-10-22")
    assert on_22[kept_up["id"]] == [
        {"requirement": "face_to_face", "due_on": "2026-10-21", "days_overdue": 1}
    ]
    assert on_22[strict["id"]] == [
        {"requirement": "face_to_face", "due_on": "2026-10-08", "days_overdue": 14}
    ]
    # field visits (every 30 days from reception) become overdue on 11-01
    today = overdue("2026-11-25")
    assert sorted(today[strict["id"]], key=lambda o: o["requirement"]) == [
        {"requirement": "face_to_face", "due_on": "2026-10-08", "days_overdue": 48},
        {"requirement": "field_visit", "due_on": "2026-10-31", "days_overdue": 25},
    ]
    assert "overdue" not in ok_json(api.get("/corrections"))["items"][0]
    # other filters combine with overdue_on
    assert overdue("2026-10-09") == {strict["id"]: overdue("2026-10-09")[strict["id"]]}
    found = ok_json(api.get("/corrections?overdue_on=2026-10-09&status=expected"))
    assert found["total"] == 0
    found = ok_json(county.api("off2").get("/corrections?overdue_on=2026-10-09"))
    assert found["total"] == 0  # out of scope


def test_overdue_on_only_counts_cases_active_that_day(county, person, other):
    api = county.api("off1")
    boss = county.api("boss")
    ended = open_case(api, person, term_end="2026-10-20")
    ok_json(
        boss.post(
            f"/corrections/{ended['id']}/release",
            json={"released_on": "2026-10-20", "reason": "expiry"},
        )
    )
    late = open_case(api, other, received_on="2026-11-01")

    def ids(on):
        return {i["id"] for i in ok_json(api.get(f"/corrections?overdue_on={on}"))["items"]}

    assert ids("2026-10-19") == {ended["id"]}
    assert ids("2026-10-20") == set()  # released on that day: no longer active
    assert ids("2026-11-09") == {late["id"]}  # received 11-01, face-to-face due 11-08


def test_overdue_on_follows_level_and_station_on_that_date(county, person):
    api = county.api("both")
    case = open_case(api, person)
    boss = county.api("boss")
    ok_json(
        boss.post(
            f"/corrections/{case['id']}/levels",
            json={"effective_on": "2026-10-05", "level": "lenient", "reason": "表现良好"},
        ),
        201,
    )
    ok_json(
        boss.post(
            f"/corrections/{case['id']}/station", json={"moved_on": "2026-11-10", "station": "S2"}
        )
    )

    def ids(query):
        return {i["id"] for i in ok_json(api.get(f"/corrections?{query}"))["items"]}

    # before 10-05: strict; 10-05 restarts every window (lenient: remote every 30 days)
    assert ids("overdue_on=2026-10-09") == set()
    assert ids("overdue_on=2026-11-05&level=lenient&station=S1") == {case["id"]}
    assert ids("overdue_on=2026-11-05&station=S2") == set()
    assert ids("overdue_on=2026-11-05&level=strict") == set()
    assert ids("overdue_on=2026-11-20&station=S2") == {case["id"]}
    assert ids("overdue_on=2026-11-20&station=S1") == set()
    item = ok_json(api.get("/corrections?overdue_on=2026-11-05"))["items"][0]
    assert item["overdue"] == [
        {"requirement": "remote_report", "due_on": "2026-11-04", "days_overdue": 1}
    ]


# --------------------------------------------------------------------------- contacts


def test_record_contact_shape_and_due(county, person, app):
    api = county.api("off1")
    case = open_case(api, person)
    contact = ok_json(
        api.post(
            f"/corrections/{case['id']}/contacts",
            json={
                "kind": "field_visit",
                "occurred_on": "2026-11-20",
                "note": "夜间突击走访，本人在家",
                "unannounced": True,
                "at_night": True,
            },
        ),
        201,
    )
    assert isinstance(contact["id"], int)
    assert contact["case_id"] == case["id"]
    assert contact["kind"] == "field_visit"
    assert contact["occurred_on"] == "2026-11-20"
    assert contact["note"] == "夜间突击走访，本人在家"
    assert contact["unannounced"] is True and contact["at_night"] is True
    assert contact["voided"] is False
    due = due_of(ok_json(api.get(f"/corrections/{case['id']}")))
    assert due["face_to_face"] == {
        **due["face_to_face"],
        "due_on": "2026-11-27",
        "last_contact_on": "2026-11-20",
    }
    assert due["field_visit"]["due_on"] == "2026-12-20"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "phone", "occurred_on": "2026-09-30"}, "occurred_on"),  # before reception
        ({"kind": "phone", "occurred_on": "2026-11-26"}, "occurred_on"),  # after today
        ({"kind": "pigeon", "occurred_on": "2026-11-01"}, "kind"),
        ({"occurred_on": "2026-11-01"}, "kind"),
        ({"kind": "phone"}, "occurred_on"),
        ({"kind": "phone", "occurred_on": "2026-11-01", "unannounced": True}, "kind"),
        ({"kind": "field_visit", "occurred_on": "2026-11-01", "at_night": "yes"}, "at_night"),
        ({"kind": "phone", "occurred_on": "2026-11-01", "note": 5}, "note"),
    ],
)
def test_invalid_contacts_are_422(county, person, app, data, field):
    api = county.api("off1")
    case = open_case(api, person)
    before = snapshot_counts(app)
    error = error_of(api.post(f"/corrections/{case['id']}/contacts", json=data), 422)
    assert field in error["fields"]
    assert snapshot_counts(app) == before


def test_contact_on_an_expected_case_is_422(county, person):
    api = county.api("off1")
    case = open_case(api, person, received_on=None)
    error_of(
        api.post(
            f"/corrections/{case['id']}/contacts",
            json={"kind": "phone", "occurred_on": "2026-11-01"},
        ),
        422,
    )


def test_contacts_after_the_end_refused_late_entries_accepted(county, person, app):
    api = county.api("off1")
    case = open_case(api, person, term_end="2026-11-10")
    ok_json(
        county.api("boss").post(
            f"/corrections/{case['id']}/release",
            json={"released_on": "2026-11-15", "reason": "expiry"},
        )
    )
    before = snapshot_counts(app)
    error = error_of(
        api.post(
            f"/corrections/{case['id']}/contacts",
            json={"kind": "phone", "occurred_on": "2026-11-16"},
        ),
        422,
    )
    assert error["code"] == "case_ended"
    assert snapshot_counts(app) == before
    for on in ("2026-11-15", "2026-11-01"):
        ok_json(
            api.post(
                f"/corrections/{case['id']}/contacts",
                json={"kind": "report_in_person", "occurred_on": on},
            ),
            201,
        )


def test_voided_contact_stops_counting(county, person, app):
    api = county.api("off1")
    case = open_case(api, person)
    contact = ok_json(
        api.post(
            f"/corrections/{case['id']}/contacts",
            json={"kind": "report_in_person", "occurred_on": "2026-11-20"},
        ),
        201,
    )
    path = f"/corrections/{case['id']}/contacts/{contact['id']}/void"
    error_of(api.post(path, json={}), 422)  # a reason is required
    error_of(api.post(path, json={"reason": "   "}), 422)
    voided = ok_json(api.post(path, json={"reason": "录错了对象"}))
    assert voided["id"] == contact["id"]
    assert voided["voided"] is True and voided["void_reason"] == "录错了对象"
    due = due_of(ok_json(api.get(f"/corrections/{case['id']}")))
    assert due["face_to_face"]["due_on"] == "2026-10-08"
    assert due["face_to_face"]["last_contact_on"] is None
    assert case["id"] in {
        i["id"] for i in ok_json(api.get("/corrections?overdue_on=2026-11-21"))["items"]
    }
    before = snapshot_counts(app)
    error_of(api.post(path, json={"reason": "again"}), 422)
    assert snapshot_counts(app) == before
    assert count(app, Contact) == 1  # the record stays in the file


# --------------------------------------------------------------------------- levels


def test_level_change_restarts_windows_and_shows_in_history(county, person, app):
    case = open_case(county.api("off1"), person)
    boss = county.api("boss")
    row = ok_json(
        boss.post(
            f"/corrections/{case['id']}/levels",
            json={
                "effective_on": "2026-11-01",
                "level": "normal",
                "reason": "入矫满一个月表现良好",
            },
        ),
        201,
    )
    assert isinstance(row["id"], int)
    assert row["effective_on"] == "2026-11-01" and row["level"] == "normal"
    assert row["from_level"] == "strict" and row["reason"] == "入矫满一个月表现良好"
    after = ok_json(boss.get(f"/corrections/{case['id']}"))
    assert after["level"] == "normal"
    assert [(lv["effective_on"], lv["level"]) for lv in after["levels"]] == [
        ("2026-10-01", "strict"),
        ("2026-11-01", "normal"),
    ]
    assert after["levels"][1]["reason"] == "入矫满一个月表现良好"
    due = due_of(after)
    assert set(due) == {"face_to_face", "remote_report", "field_visit"}
    assert due["face_to_face"]["due_on"] == "2026-12-01"
    assert due["remote_report"]["due_on"] == "2026-11-08"
    assert due["field_visit"]["due_on"] == "2026-12-31"
    assert ok_json(boss.get("/corrections?level=normal"))["total"] == 1
    before = snapshot_counts(app)
    for bad in (
        {"effective_on": "2026-11-02", "level": "normal", "reason": "同级"},  # unchanged
        {"effective_on": "2026-09-30", "level": "lenient", "reason": "x"},  # before reception
        {"effective_on": "2026-11-26", "level": "lenient", "reason": "x"},  # future
        {"effective_on": "2026-11-10", "level": "lenient"},  # no reason
        {"effective_on": "2026-11-10", "level": "loose", "reason": "x"},
    ):
        error_of(boss.post(f"/corrections/{case['id']}/levels", json=bad), 422)
    assert snapshot_counts(app) == before


def test_admin_may_change_levels(county, person):
    case = open_case(county.api("off1"), person)
    ok_json(
        county.api("admin").post(
            f"/corrections/{case['id']}/levels",
            json={"effective_on": "2026-11-01", "level": "lenient", "reason": "x"},
        ),
        201,
    )


# --------------------------------------------------------------------------- sanctions, endings


def sanction(client, case_id, kind, on="2026-11-10", **extra):
    return client.post(
        f"/corrections/{case_id}/sanctions",
        json={"kind": kind, "decided_on": on, "reason": "多次未按时报到", **extra},
    )


def test_sanction_shape_and_type_rules(county, person, other, app):
    api = county.api("off1")
    probation = open_case(api, person)
    release = open_case(api, other, correction_type="temporary_release")
    boss = county.api("boss")
    warning = ok_json(sanction(boss, probation["id"], "warning"), 201)
    assert isinstance(warning["id"], int)
    assert warning["kind"] == "warning" and warning["decided_on"] == "2026-11-10"
    assert warning["reason"] == "多次未按时报到"
    assert warning["document_number"]
    assert warning["outcome"] is None and warning["voided"] is False
    before = snapshot_counts(app)
    error = error_of(sanction(boss, probation["id"], "custody_request"), 422)
    assert "kind" in error["fields"]
    error_of(sanction(boss, release["id"], "revocation_request"), 422)
    error_of(sanction(boss, probation["id"], "fine"), 422)
    error_of(sanction(boss, probation["id"], "warning", on="2026-11-26"), 422)
    error_of(sanction(boss, probation["id"], "warning", reason=""), 422)
    assert snapshot_counts(app) == before
    ok_json(sanction(boss, release["id"], "custody_request"), 201)
    ok_json(sanction(boss, probation["id"], "revocation_request"), 201)
    ok_json(sanction(county.api("admin"), probation["id"], "commendation"), 201)


def test_outcome_and_release_while_a_request_is_pending(county, person, app):
    case = open_case(county.api("off1"), person, term_end="2026-11-15")
    boss = county.api("boss")
    request = ok_json(sanction(boss, case["id"], "revocation_request"), 201)
    release = {"released_on": "2026-11-20", "reason": "expiry"}
    before = snapshot_counts(app)
    error = error_of(boss.post(f"/corrections/{case['id']}/release", json=release), 422)
    assert error["code"] == "request_pending"
    assert snapshot_counts(app) == before
    outcome_path = f"/corrections/{case['id']}/sanctions/{request['id']}/outcome"
    error_of(boss.post(outcome_path, json={"decided_on": "2026-11-18"}), 422)  # granted missing
    error_of(boss.post(outcome_path, json={"decided_on": "2026-11-05", "granted": False}), 422)
    error_of(county.api("off1").post(outcome_path, json={"decided_on": "2026-11-18"}), 403)
    refused = ok_json(boss.post(outcome_path, json={"decided_on": "2026-11-18", "granted": False}))
    assert refused["outcome"] == "refused" and refused["granted"] is False
    assert refused["outcome_on"] == "2026-11-18"
    error_of(boss.post(outcome_path, json={"decided_on": "2026-11-19", "granted": True}), 422)
    released = ok_json(boss.post(f"/corrections/{case['id']}/release", json=release))
    assert released["status"] == "released"
    assert released["ended_on"] == "2026-11-20" and released["end_reason"] == "expiry"
    assert released["due"] == []


def test_outcome_only_for_requests(county, person):
    case = open_case(county.api("off1"), person)
    boss = county.api("boss")
    warning = ok_json(sanction(boss, case["id"], "warning"), 201)
    error_of(
        boss.post(
            f"/corrections/{case['id']}/sanctions/{warning['id']}/outcome",
            json={"decided_on": "2026-11-18", "granted": True},
        ),
        422,
    )


def test_voided_request_no_longer_blocks_release(county, person):
    case = open_case(county.api("off1"), person, term_end="2026-11-15")
    boss = county.api("boss")
    request = ok_json(sanction(boss, case["id"], "revocation_request"), 201)
    path = f"/corrections/{case['id']}/sanctions/{request['id']}/void"
    error_of(county.api("off1").post(path, json={"reason": "录入错误"}), 403)
    voided = ok_json(boss.post(path, json={"reason": "录入错误"}))
    assert voided["voided"] is True
    ok_json(
        boss.post(
            f"/corrections/{case['id']}/release",
            json={"released_on": "2026-11-20", "reason": "expiry"},
        )
    )


def test_release_rules(county, person, app):
    case = open_case(county.api("off1"), person)  # term_end 2027-09-27
    boss = county.api("boss")
    path = f"/corrections/{case['id']}/release"
    before = snapshot_counts(app)
    error = error_of(boss.post(path, json={"released_on": "2026-11-20", "reason": "expiry"}), 422)
    assert "released_on" in error["fields"]
    error_of(boss.post(path, json={"released_on": "2026-11-20", "reason": "parole"}), 422)
    error_of(boss.post(path, json={"released_on": "2026-11-26", "reason": "pardon"}), 422)
    error_of(boss.post(path, json={"released_on": "2026-09-30", "reason": "pardon"}), 422)
    assert snapshot_counts(app) == before
    released = ok_json(boss.post(path, json={"released_on": "2026-11-20", "reason": "pardon"}))
    assert released["status"] == "released" and released["end_reason"] == "pardon"


def test_release_after_contacts_recorded_past_the_term_end(county, person):
    api = county.api("off1")
    case = open_case(api, person, term_end="2026-11-01")
    ok_json(
        api.post(
            f"/corrections/{case['id']}/contacts",
            json={"kind": "report_in_person", "occurred_on": "2026-11-20"},
        ),
        201,
    )
    assert ok_json(api.get(f"/corrections/{case['id']}"))["past_term_end"] is True
    # docs/domain.md §7.6: the end date may not be earlier than the case's own records
    error = error_of(
        county.api("boss").post(
            f"/corrections/{case['id']}/release",
            json={"released_on": "2026-11-01", "reason": "expiry"},
        ),
        422,
    )
    assert error["code"] == "records_after_end" and error["fields"]["contact:1"] == "2026-11-20"
    released = ok_json(
        county.api("boss").post(
            f"/corrections/{case['id']}/release",
            json={"released_on": "2026-11-20", "reason": "expiry"},
        )
    )
    assert released["ended_on"] == "2026-11-20" and released["past_term_end"] is False


def test_ended_case_accepts_no_further_sanctions_or_endings(county, person, app):
    case = open_case(county.api("off1"), person)
    boss = county.api("boss")
    terminated = ok_json(
        boss.post(
            f"/corrections/{case['id']}/terminate",
            json={"terminated_on": "2026-11-15", "reason": "probation_revoked"},
        )
    )
    assert terminated["status"] == "terminated"
    assert terminated["ended_on"] == "2026-11-15"
    assert terminated["end_reason"] == "probation_revoked"
    before = snapshot_counts(app)
    error_of(sanction(boss, case["id"], "warning", on="2026-11-20"), 422)
    for path, data in (
        ("release", {"released_on": "2026-11-20", "reason": "pardon"}),
        ("terminate", {"terminated_on": "2026-11-20", "reason": "death"}),
        ("transfer-out", {"transferred_on": "2026-11-20", "destination": "杭州市西湖区"}),
        ("levels", {"effective_on": "2026-11-20", "level": "normal", "reason": "x"}),
        ("incidents", {"kind": "absconded", "occurred_on": "2026-11-20"}),
        (
            "leaves",
            {
                "starts_on": "2026-11-20",
                "ends_on": "2026-11-22",
                "destination": "x",
                "reason": "family",
            },
        ),
        ("station", {"moved_on": "2026-11-20", "station": "S2"}),
        ("officer", {"officer": "both"}),
    ):
        error_of(boss.post(f"/corrections/{case['id']}/{path}", json=data), 422)
    assert snapshot_counts(app) == before
    assert ok_json(boss.get("/corrections?status=terminated"))["total"] == 1


def test_terminate_reason_must_fit_the_type(county, person):
    case = open_case(county.api("off1"), person)  # probation
    boss = county.api("boss")
    error = error_of(
        boss.post(
            f"/corrections/{case['id']}/terminate",
            json={"terminated_on": "2026-11-15", "reason": "parole_revoked"},
        ),
        422,
    )
    assert "reason" in error["fields"]
    ok_json(
        boss.post(
            f"/corrections/{case['id']}/terminate",
            json={"terminated_on": "2026-11-15", "reason": "death"},
        )
    )


def test_release_or_transfer_of_an_expected_case_is_422(county, person):
    # Termination of a never-received case is allowed (docs/domain.md §7.2); the other
    # endings still need the reception.
    case = open_case(county.api("off1"), person, received_on=None)
    boss = county.api("boss")
    error_of(
        boss.post(
            f"/corrections/{case['id']}/release",
            json={"released_on": "2026-11-15", "reason": "pardon"},
        ),
        422,
        "not_received",
    )
    error_of(
        boss.post(
            f"/corrections/{case['id']}/transfer-out",
            json={"transferred_on": "2026-11-15", "destination": "杭州市西湖区司法局"},
        ),
        422,
        "not_received",
    )


def test_transfer_out(county, person):
    case = open_case(county.api("off1"), person)
    boss = county.api("boss")
    path = f"/corrections/{case['id']}/transfer-out"
    error_of(boss.post(path, json={"transferred_on": "2026-11-15"}), 422)
    moved = ok_json(
        boss.post(path, json={"transferred_on": "2026-11-15", "destination": "杭州市西湖区司法局"})
    )
    assert moved["status"] == "transferred_out"
    assert moved["ended_on"] == "2026-11-15"
    assert moved["transfer_destination"] == "杭州市西湖区司法局"
    assert ok_json(boss.get("/corrections?status=transferred_out"))["total"] == 1


# --------------------------------------------------------------------------- leave


def leave(client, case_id, starts, ends, **extra):
    return client.post(
        f"/corrections/{case_id}/leaves",
        json={
            "starts_on": starts,
            "ends_on": ends,
            "destination": "杭州",
            "reason": "family",
            **extra,
        },
    )


def test_leave_decisions_by_tier(county, person, app):
    api = county.api("off1")
    case = open_case(api, person)
    week = ok_json(leave(api, case["id"], "2026-11-10", "2026-11-16", applied_on="2026-11-05"), 201)
    assert week["days"] == 7 and week["tier"] == "station" and week["status"] == "applied"
    assert week["applied_on"] == "2026-11-05" and week["approved"] is None
    longer = ok_json(leave(api, case["id"], "2026-12-01", "2026-12-08"), 201)
    assert longer["days"] == 8 and longer["tier"] == "county"
    before = snapshot_counts(app)
    error_of(
        api.post(
            f"/corrections/{case['id']}/leaves/{longer['id']}/decision",
            json={"approved": True, "decided_on": "2026-11-25"},
        ),
        403,
    )
    error_of(api.post(f"/corrections/{case['id']}/leaves/{longer['id']}/decision", data="x"), 403)
    assert snapshot_counts(app) == before
    approved = ok_json(
        api.post(
            f"/corrections/{case['id']}/leaves/{week['id']}/decision",
            json={"approved": True, "decided_on": "2026-11-06"},
        )
    )
    assert approved["status"] == "approved" and approved["approved"] is True
    assert approved["decided_on"] == "2026-11-06"
    decided = ok_json(
        county.api("boss").post(
            f"/corrections/{case['id']}/leaves/{longer['id']}/decision",
            json={"approved": False, "decided_on": "2026-11-25", "note": "外出事由证明不足"},
        )
    )
    assert decided["status"] == "refused" and decided["approved"] is False
    assert decided["decision_note"] == "外出事由证明不足" and decided["decided_by"] == "boss"
    error_of(
        api.post(
            f"/corrections/{case['id']}/leaves/{week['id']}/decision",
            json={"approved": False, "decided_on": "2026-11-07"},
        ),
        422,
    )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"starts_on": "2026-11-10", "ends_on": "2026-11-09"}, "ends_on"),
        ({"starts_on": "2026-09-30", "ends_on": "2026-10-02"}, "starts_on"),
        ({"reason": "holiday"}, "reason"),
        ({"destination": ""}, "destination"),
        ({"applied_on": "2026-11-26"}, "applied_on"),
    ],
)
def test_invalid_leave_is_422(county, person, app, data, field):
    api = county.api("off1")
    case = open_case(api, person)
    payload = {
        "starts_on": "2026-11-10",
        "ends_on": "2026-11-12",
        "destination": "杭州",
        "reason": "family",
        **data,
    }
    before = snapshot_counts(app)
    error = error_of(api.post(f"/corrections/{case['id']}/leaves", json=payload), 422)
    assert field in error["fields"]
    assert snapshot_counts(app) == before


def test_leave_pauses_face_to_face_and_return_counts(county, person):
    api = county.api("off1")
    case = open_case(api, person)
    ok_json(
        api.post(
            f"/corrections/{case['id']}/contacts",
            json={"kind": "report_in_person", "occurred_on": "2026-11-15"},
        ),
        201,
    )
    away = ok_json(leave(api, case["id"], "2026-11-18", "2026-11-24", applied_on="2026-11-15"), 201)
    path = f"/corrections/{case['id']}/leaves/{away['id']}"
    error_of(api.post(path + "/return", json={"returned_on": "2026-11-23"}), 422)  # not approved
    ok_json(api.post(path + "/decision", json={"approved": True, "decided_on": "2026-11-16"}))
    # on leave on 11-23: face-to-face (due 11-22) paused, not overdue
    assert ok_json(api.get("/corrections?overdue_on=2026-11-23"))["total"] == 0
    # today (11-25) the leave has ended without a return: overdue again
    case_now = ok_json(api.get(f"/corrections/{case['id']}"))
    assert due_of(case_now)["face_to_face"]["days_overdue"] == 3
    error_of(api.post(path + "/return", json={"returned_on": "2026-11-17"}), 422)  # before start
    error_of(api.post(path + "/return", json={"returned_on": "2026-11-26"}), 422)  # future
    back = ok_json(api.post(path + "/return", json={"returned_on": "2026-11-24"}))
    assert back["returned_on"] == "2026-11-24" and back["return_overdue"] is False
    due = due_of(ok_json(api.get(f"/corrections/{case['id']}")))
    assert due["face_to_face"]["due_on"] == "2026-12-01"  # 销假 in person counts
    assert due["field_visit"]["due_on"] == "2026-10-31"  # but not as a field visit
    error_of(api.post(path + "/return", json={"returned_on": "2026-11-24"}), 422)  # twice


# --------------------------------------------------------------------------- incidents


def test_incident_open_and_close(county, person, app):
    api = county.api("off1")
    case = open_case(api, person)
    incident = ok_json(
        api.post(
            f"/corrections/{case['id']}/incidents",
            json={"kind": "absconded", "occurred_on": "2026-11-10", "note": "电话不通"},
        ),
        201,
    )
    assert incident["kind"] == "absconded" and incident["occurred_on"] == "2026-11-10"
    assert incident["open"] is True and incident["closed_on"] is None
    error_of(
        api.post(
            f"/corrections/{case['id']}/incidents",
            json={"kind": "absconded", "occurred_on": "2026-11-12"},
        ),
        422,
    )  # one open 脱管 at a time
    error_of(
        api.post(
            f"/corrections/{case['id']}/incidents",
            json={"kind": "lost", "occurred_on": "2026-11-12"},
        ),
        422,
    )
    path = f"/corrections/{case['id']}/incidents/{incident['id']}/close"
    error_of(api.post(path, json={"closed_on": "2026-11-09", "outcome": "找到"}), 422)
    error_of(api.post(path, json={"closed_on": "2026-11-20"}), 422)
    closed = ok_json(
        api.post(path, json={"closed_on": "2026-11-20", "outcome": "已找回，予以警告"})
    )
    assert closed["closed_on"] == "2026-11-20" and closed["outcome"] == "已找回，予以警告"
    assert closed["open"] is False
    before = snapshot_counts(app)
    error_of(api.post(path, json={"closed_on": "2026-11-21", "outcome": "x"}), 422)
    assert snapshot_counts(app) == before


# --------------------------------------------------------------------------- caseload


def test_officer_reassignment(county, person, app):
    case = open_case(county.api("off1"), person)
    boss = county.api("boss")
    path = f"/corrections/{case['id']}/officer"
    changed = ok_json(boss.post(path, json={"officer": "both", "changed_on": "2026-11-20"}))
    assert changed["officer"] == "both"
    before = snapshot_counts(app)
    for bad in (
        {"officer": "off2"},
        {"officer": "nobody"},
        {},
        {"officer": "both", "changed_on": "2026-11-26"},
    ):
        error_of(boss.post(path, json=bad), 422)
    assert snapshot_counts(app) == before
    assert ok_json(boss.post(path, json={"officer": None}))["officer"] is None


def test_station_move(county, person, app):
    case = open_case(county.api("off1"), person)
    boss, admin = county.api("boss"), county.api("admin")
    path = f"/corrections/{case['id']}/station"
    before = snapshot_counts(app)
    error = error_of(boss.post(path, json={"moved_on": "2026-11-20", "station": "T1"}), 422)
    assert "station" in error["fields"]
    error = error_of(admin.post(path, json={"moved_on": "2026-11-20", "station": "T1"}), 422)
    assert "station" in error["fields"]
    error_of(boss.post(path, json={"moved_on": "2026-11-20", "station": "S1"}), 422)  # same
    error_of(boss.post(path, json={"moved_on": "2026-11-26", "station": "S2"}), 422)  # future
    error_of(boss.post(path, json={"moved_on": "2026-09-30", "station": "S2"}), 422)
    assert snapshot_counts(app) == before
    moved = ok_json(boss.post(path, json={"moved_on": "2026-11-20", "station": "S2"}))
    assert moved["station"] == "S2"
    assert moved["officer"] is None  # off1 does not work at S2
    error_of(county.api("off1").get(f"/corrections/{case['id']}"), 404)
    assert ok_json(county.api("off2").get(f"/corrections/{case['id']}"))["station"] == "S2"


# --------------------------------------------------------------------------- versions


def test_stale_version_is_409_and_writes_nothing(county, person, app):
    api = county.api("off1")
    case = open_case(api, person, received_on=None)
    path = f"/corrections/{case['id']}/receive"
    error_of(api.post(path, json={"received_on": "2026-11-20", "version": "1"}), 422)
    before = snapshot_counts(app)
    stale = case["version"] - 1
    error_of(api.post(path, json={"received_on": "2026-11-20", "version": stale}), 409)
    # a 422 answers before the 409
    error_of(api.post(path, json={"received_on": "2026-11-26", "version": stale}), 422)
    assert snapshot_counts(app) == before
    assert ok_json(api.get(f"/corrections/{case['id']}"))["status"] == "expected"
    received = ok_json(
        api.post(path, json={"received_on": "2026-11-20", "version": case["version"]})
    )
    assert received["version"] > case["version"]


# --------------------------------------------------------------------------- people, audit


def test_person_carries_their_correction_cases(county, person):
    api = county.api("off1")
    case = open_case(api, person)
    found = ok_json(api.get(f"/people/{person}"))
    assert found["cases"] == [
        {**found["cases"][0], "programme": "correction", "id": case["id"], "status": "active"}
    ]
    assert found["cases"][0]["station"] == "S1"
    assert found["cases"][0]["correction_type"] == "probation"
    county.api("boss").post(
        f"/corrections/{case['id']}/station", json={"moved_on": "2026-11-20", "station": "S2"}
    )
    error_of(api.get(f"/people/{person}"), 404)  # the person's only case is now at S2
    assert [c["id"] for c in ok_json(county.api("off2").get(f"/people/{person}"))["cases"]] == [
        case["id"]
    ]


def test_writes_are_audited(county, person, app):
    api = county.api("off1")
    before = count(app, AuditEvent)
    case = open_case(api, person)
    ok_json(
        api.post(
            f"/corrections/{case['id']}/contacts",
            json={"kind": "phone", "occurred_on": "2026-11-20"},
        ),
        201,
    )
    assert count(app, AuditEvent) == before + 2
