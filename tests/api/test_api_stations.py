"""GET/POST /api/v1/stations (docs/api.md: Stations)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.auth.models import Station
from corrections.extensions import db
from tests.helpers import error_of


def counts(app) -> tuple[int, int]:
    with app.app_context():
        stations = db.session.execute(select(func.count(Station.id))).scalar_one()
        events = db.session.execute(select(func.count(AuditEvent.id))).scalar_one()
        return stations, events


@pytest.mark.parametrize(
    ("username", "codes"),
    [
        ("admin", ["S1", "S2", "T1"]),
        ("boss", ["S1", "S2"]),
        ("viewer", ["S1", "S2"]),
        ("off1", ["S1"]),
        ("off2", ["S2"]),
        ("both", ["S1", "S2"]),
        ("far", ["T1"]),
        ("farboss", ["T1"]),
    ],
)
def test_list_stations_in_scope(county, username, codes):
    response = county.api(username).get("/stations")
    assert response.status_code == 200
    body = response.get_json()
    assert [s["code"] for s in body["items"]] == codes
    assert body["total"] == len(codes)
    assert body["page"] == 1
    assert body["per_page"] == 50


def test_station_shape(county):
    body = county.api("admin").get("/stations").get_json()
    s1 = body["items"][0]
    assert set(s1) == {"id", "version", "code", "name", "unit", "active"}
    assert s1["code"] == "S1"
    assert s1["name"] == "城关司法所"
    assert s1["unit"] == "本县司法局"
    assert s1["active"] is True
    assert isinstance(s1["id"], int) and s1["version"] == 1
    assert body["items"][2]["unit"] == "邻县司法局"


def test_list_stations_pagination(county):
    api = county.api("admin")
    body = api.get("/stations?per_page=2&page=2").get_json()
    assert body == {
        "items": [body["items"][0]],
        "page": 2,
        "per_page": 2,
        "total": 3,
    }
    assert body["items"][0]["code"] == "T1"
    body = api.get("/stations?per_page=2&page=5").get_json()
    assert body["items"] == [] and body["total"] == 3


def test_admin_creates_station(county, app):
    api = county.api("admin")
    response = api.post("/stations", json={"code": "S3", "name": "西湖司法所"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["code"] == "S3"
    assert body["name"] == "西湖司法所"
    assert body["unit"] == "本县司法局"
    assert body["active"] is True
    assert body["version"] == 1
    with app.app_context():
        station = db.session.get(Station, body["id"])
        assert (station.code, station.name) == ("S3", "西湖司法所")
        event = db.session.execute(
            select(AuditEvent).where(
                AuditEvent.action == "station.create", AuditEvent.entity_id == body["id"]
            )
        ).scalar_one_or_none()
        assert event is not None and event.username == "admin"
        assert event.after["code"] == "S3"
    codes = [s["code"] for s in api.get("/stations").get_json()["items"]]
    assert "S3" in codes
    # A supervisor of the default unit now sees it too.
    codes = [s["code"] for s in county.api("boss").get("/stations").get_json()["items"]]
    assert codes == ["S1", "S2", "S3"]


@pytest.mark.parametrize("username", ["off1", "boss", "viewer", "farboss"])
def test_only_admin_creates_stations(county, app, username):
    api = county.api(username)
    before = counts(app)
    response = api.post("/stations", json={"code": "S9", "name": "新所"})
    assert error_of(response, 403)["code"] == "forbidden"
    assert counts(app) == before


@pytest.mark.parametrize("username", ["off1", "viewer"])
def test_non_admin_sending_non_json_gets_403_not_400(county, username):
    api = county.api(username)
    response = api.client.post(
        "/api/v1/stations", headers=api.headers, data="code=S9", content_type="text/plain"
    )
    error_of(response, 403)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("code=S9&name=x", "application/x-www-form-urlencoded"),
        ("{not json", "application/json"),
        ('{"code": "S9", "name": "x"}', "text/plain"),
        ("", "application/json"),
    ],
)
def test_admin_non_json_body_is_400(county, app, data, content_type):
    api = county.api("admin")
    before = counts(app)
    response = api.client.post(
        "/api/v1/stations", headers=api.headers, data=data, content_type=content_type
    )
    assert error_of(response, 400)["code"] == "bad_request"
    assert counts(app) == before


def test_duplicate_code_is_409(county, app):
    api = county.api("admin")
    before = counts(app)
    response = api.post("/stations", json={"code": "S1", "name": "又一个城关所"})
    error = error_of(response, 409)
    assert error["code"] == "duplicate"
    assert "code" in error["fields"]
    assert counts(app) == before
    with app.app_context():
        station = db.session.execute(select(Station).where(Station.code == "S1")).scalar_one()
        assert station.name == "城关司法所"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"code"}),
        ({"code": "S9"}, {"name"}),
        ({"name": "新所"}, {"code"}),
        ({"code": 9, "name": "新所"}, {"code"}),
        ({"code": "S9", "name": ["新所"]}, {"name"}),
        ({"code": "S 9", "name": "新所"}, {"code"}),
        ({"code": "S9", "name": "  "}, {"name"}),
        ({"code": "S9", "name": "所" * 101}, {"name"}),
        ({"code": "S" * 33, "name": "新所"}, {"code"}),
    ],
)
def test_missing_or_invalid_fields_are_422(county, app, body, fields):
    api = county.api("admin")
    before = counts(app)
    error = error_of(api.post("/stations", json=body), 422)
    assert fields <= set(error["fields"])
    assert counts(app) == before


def test_json_that_is_not_an_object_is_422(county, app):
    api = county.api("admin")
    before = counts(app)
    error_of(api.post("/stations", json=["S9", "新所"]), 422)
    assert counts(app) == before


def test_422_comes_before_409(county):
    # Duplicate code and a missing name: the missing field answers.
    error = error_of(county.api("admin").post("/stations", json={"code": "S1"}), 422)
    assert "name" in error["fields"]


def test_stations_list_bad_paging_is_422(county):
    error = error_of(county.api("admin").get("/stations?page=0"), 422)
    assert "page" in error["fields"]
