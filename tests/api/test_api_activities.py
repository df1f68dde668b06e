"""/api/v1/activities: group sessions (docs/api.md: Activities; docs/domain.md §3.6).

Today is frozen at 2026-11-25. Correction cases are opened through the services
(received 2026-01-10, term to 2027-01-04 unless stated).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from corrections.activities.models import Activity, Attendance
from corrections.audit.models import AuditEvent
from corrections.extensions import db
from tests import helpers as sv
from tests.helpers import error_of, ok_json, valid_id


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def counts(app) -> dict:
    return {m.__name__: count(app, m) for m in (Activity, Attendance, AuditEvent)}


def open_case(app, person_id: int, actor: str = "off1", **overrides) -> int:
    with app.app_context():
        return sv.open_case(person_id, actor, **overrides).id


@pytest.fixture
def cases(county, app):
    """Two cases at S1 (received 2026-01-10; the second on 2026-06-01) and one at S2."""
    a = county.person("off1", valid_id("110101", "19900101", "123"), name="张三", station="S1")
    b = county.person("off1", valid_id("110101", "19850615", "124"), name="李梅", station="S1")
    c = county.person("off2", valid_id("110101", "19800301", "125"), name="王五", station="S2")
    return {
        "a": open_case(app, a),
        "b": open_case(app, b, received_on="2026-06-01"),
        "s2": open_case(app, c, actor="off2", station="S2"),
    }


def session(**overrides) -> dict:
    data = {
        "station": "S1",
        "kind": "education",
        "held_on": "2026-10-10",
        "hours": 4,
        "topic": "法治教育",
        "attendees": [],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def ids(page: dict) -> list[int]:
    return [item["id"] for item in page["items"]]


# --------------------------------------------------------------------------- record, read


def test_record_session_shape(county, app, cases):
    api = county.api("off1")
    before = count(app, AuditEvent)
    body = session(attendees=[cases["b"], cases["a"]], hours="2.5", place="司法所会议室")
    act = ok_json(api.post("/activities", json=body), 201)
    assert isinstance(act["id"], int)
    assert act["station"] == "S1" and act["kind"] == "education"
    assert act["held_on"] == "2026-10-10" and act["hours"] == 2.5
    assert act["topic"] == "法治教育" and act["place"] == "司法所会议室"
    assert act["attendees"] == sorted([cases["a"], cases["b"]])
    assert act["attendance_count"] == 2
    assert act["voided"] is False and act["void_reason"] is None
    assert count(app, Attendance) == 2 and count(app, AuditEvent) == before + 1
    assert ok_json(api.get(f"/activities/{act['id']}")) == act


def test_individual_counselling_is_a_session_with_one_attendee(county, cases):
    act = ok_json(
        county.api("off1").post(
            "/activities",
            json=session(kind="counselling", hours=1, topic=None, attendees=[cases["a"]]),
        ),
        201,
    )
    assert act["kind"] == "counselling" and act["attendees"] == [cases["a"]]
    assert act["topic"] == ""


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"held_on": "2026-05-01"}, "attendees"),  # b not yet received
        ({"held_on": "2026-01-09"}, "attendees"),  # nobody received yet
        ({"attendees": []}, "attendees"),
        ({"attendees": "1,2"}, "attendees"),
        ({"kind": "sports"}, "kind"),
        ({"hours": 0}, "hours"),
        ({"hours": 25}, "hours"),
        ({"hours": "1.25"}, "hours"),
        ({"hours": True}, "hours"),
        ({"held_on": "2026-11-26"}, "held_on"),  # after today
        ({"held_on": None}, "held_on"),
        ({"station": "S2"}, "station"),  # not off1's station
    ],
)
def test_refusals_write_nothing(county, app, cases, overrides, field):
    api = county.api("off1")
    body = session(attendees=[cases["a"], cases["b"]])
    body.update(overrides)
    before = counts(app)
    error = error_of(api.post("/activities", json=body), 422)
    assert field in error["fields"]
    assert counts(app) == before


def test_attendees_must_be_in_scope_and_active(county, app, cases):
    api = county.api("off1")
    before = counts(app)
    error = error_of(api.post("/activities", json=session(attendees=[cases["s2"]])), 422)
    assert str(cases["s2"]) in error["fields"]["attendees"]
    error_of(api.post("/activities", json=session(attendees=[999999])), 422)
    with app.app_context():
        from corrections.supervision import services

        case = db.session.get(services.CorrectionCase, cases["a"])
        case.term_end = sv.d("2026-10-31")
        services.release_case(
            sv.user("boss"), case, {"released_on": "2026-10-31", "reason": "expiry"}
        )
        db.session.commit()
    before = counts(app)
    # Released on 10-31: not active that day, active the day before.
    error_of(
        api.post("/activities", json=session(held_on="2026-10-31", attendees=[cases["a"]])), 422
    )
    assert counts(app) == before
    ok_json(
        api.post("/activities", json=session(held_on="2026-10-30", attendees=[cases["a"]])), 201
    )


def test_session_counts_at_its_own_station(county, cases):
    # An officer of both stations records a session at S2 attended by an S1 case.
    both = county.api("both")
    act = ok_json(
        both.post("/activities", json=session(station="S2", attendees=[cases["a"], cases["s2"]])),
        201,
    )
    assert act["station"] == "S2"
    error_of(county.api("off1").get(f"/activities/{act['id']}"), 404)
    assert ok_json(county.api("off2").get(f"/activities/{act['id']}"))["id"] == act["id"]


# --------------------------------------------------------------------------- void


def test_void_keeps_the_session_marked(county, app, cases):
    api = county.api("off1")
    act = ok_json(api.post("/activities", json=session(attendees=[cases["a"]])), 201)
    path = f"/activities/{act['id']}/void"
    error_of(api.post(path, json={}), 422)
    error_of(api.post(path, json={"reason": "  "}), 422)
    voided = ok_json(api.post(path, json={"reason": "日期录错"}))
    assert voided["voided"] is True and voided["void_reason"] == "日期录错"
    assert voided["attendees"] == [cases["a"]]
    before = counts(app)
    error_of(api.post(path, json={"reason": "再次"}), 422, "already_void")
    assert counts(app) == before
    assert ok_json(api.get(f"/activities/{act['id']}"))["voided"] is True
    assert ids(ok_json(api.get("/activities"))) == [act["id"]]  # still in the file


# --------------------------------------------------------------------------- list


def test_list_filters_newest_first(county, cases):
    api = county.api("off1")
    first = ok_json(api.post("/activities", json=session(attendees=[cases["a"]])), 201)
    second = ok_json(
        api.post(
            "/activities",
            json=session(kind="public_service", held_on="2026-11-02", attendees=[cases["a"]]),
        ),
        201,
    )
    third = ok_json(
        county.api("off2").post("/activities", json=session(station="S2", attendees=[cases["s2"]])),
        201,
    )
    assert ids(ok_json(api.get("/activities"))) == [second["id"], first["id"]]
    boss = county.api("boss")
    page = ok_json(boss.get("/activities"))
    assert page["total"] == 3 and set(ids(page)) == {first["id"], second["id"], third["id"]}
    assert ids(ok_json(boss.get("/activities?station=S2"))) == [third["id"]]
    assert ids(ok_json(boss.get("/activities?from=2026-11-01"))) == [second["id"]]
    assert set(ids(ok_json(boss.get("/activities?to=2026-10-10")))) == {first["id"], third["id"]}
    assert ids(ok_json(boss.get("/activities?from=2026-10-10&to=2026-10-10&station=S1"))) == [
        first["id"]
    ]
    assert ids(ok_json(boss.get("/activities?kind=public_service"))) == [second["id"]]
    assert ok_json(boss.get("/activities?per_page=1&page=3"))["items"][0]["id"] in ids(page)
    error_of(api.get("/activities?station=S2"), 422)
    error_of(api.get("/activities?from=2026-11-31"), 422)
    error_of(api.get("/activities?from=2026-11-02&to=2026-11-01"), 422)
    error_of(api.get("/activities?kind=sports"), 422)
    assert ok_json(county.api("far").get("/activities"))["total"] == 0


# --------------------------------------------------------------------------- roles


def test_roles_scope_and_bad_bodies(county, app, cases, client):
    api = county.api("off1")
    act = ok_json(api.post("/activities", json=session(attendees=[cases["a"]])), 201)
    viewer, off2, far = county.api("viewer"), county.api("off2"), county.api("far")
    before = counts(app)
    assert ok_json(viewer.get(f"/activities/{act['id']}"))["id"] == act["id"]
    error_of(viewer.post("/activities", json=session(attendees=[cases["a"]])), 403)
    error_of(viewer.post("/activities", data="x", content_type="text/plain"), 403)
    error_of(viewer.post("/activities/999999/void", json={"reason": "x"}), 403)
    for outsider in (off2, far):
        error_of(outsider.get(f"/activities/{act['id']}"), 404)
        error_of(outsider.post(f"/activities/{act['id']}/void", data="x"), 404)
    error_of(api.get("/activities/999999"), 404)
    error_of(api.post("/activities/999999/void", json={"reason": "x"}), 404)
    error_of(api.post("/activities", data="{", content_type="application/json"), 400)
    error_of(api.post(f"/activities/{act['id']}/void", data="x", content_type="text/plain"), 400)
    error_of(client.get("/api/v1/activities"), 401)
    assert counts(app) == before
    ok_json(county.api("boss").post(f"/activities/{act['id']}/void", json={"reason": "重复"}))
