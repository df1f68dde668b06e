"""The allowed area (GeoJSON or circle, shapely) and the unit's settings page."""

from __future__ import annotations

import json

import pytest

from corrections.checkin import area
from corrections.checkin.models import CheckinArea, CheckinQuestion
from corrections.errors import ValidationFailed
from corrections.extensions import db
from tests.checkin.conftest import csrf

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[120.0, 30.0], [120.01, 30.0], [120.01, 30.01], [120.0, 30.01], [120.0, 30.0]]
    ],
}


class Area:
    def __init__(self, geojson=None, lat=None, lon=None, radius=None):
        self.geojson, self.center_lat, self.center_lon, self.radius_m = geojson, lat, lon, radius


def test_inside_a_polygon_is_zero():
    assert area.distance_outside(Area(json.dumps(SQUARE)), 30.005, 120.005) == 0


def test_distance_outside_a_polygon_in_metres():
    # 0.01° north of the square's top edge: about 1 105 m
    metres = area.distance_outside(Area(json.dumps(SQUARE)), 30.02, 120.005)
    assert 1090 < metres < 1120


def test_feature_collection_and_edge_point():
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": SQUARE}],
    }
    assert area.distance_outside(Area(json.dumps(collection)), 30.0, 120.005) == 0  # on the edge


def test_circle_boundary():
    circle = Area(lat=30.0, lon=120.0, radius=1000)
    inside = area.distance_outside(circle, 30.0 + 999 / 111_195, 120.0)
    outside = area.distance_outside(circle, 30.0 + 1100 / 111_195, 120.0)
    assert inside == 0 and 95 < outside < 105


def test_no_area_means_unknown():
    assert area.distance_outside(None, 30, 120) is None
    assert area.distance_outside(Area(), 30, 120) is None


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"type": "Point", "coordinates": [120, 30]}),
        json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}),
        json.dumps({"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]]}),
        json.dumps({"type": "FeatureCollection", "features": []}),
    ],
)
def test_bad_geojson_is_refused(text, app):
    with app.test_request_context(), pytest.raises(ValidationFailed):
        area.parse_geojson(text)


def test_admin_saves_area_and_questions(app, county, world):
    client = world.login(app.test_client(), "admin")
    page = client.get("/checkins/settings")
    assert page.status_code == 200
    token = csrf(page)
    bad = client.post(
        "/checkins/settings", data={"csrf_token": token, "action": "area", "geojson": "{oops"}
    )
    assert bad.status_code == 422 and "GeoJSON" in bad.get_data(as_text=True)
    ok = client.post(
        "/checkins/settings",
        data={"csrf_token": token, "action": "area", "geojson": json.dumps(SQUARE)},
    )
    assert ok.status_code == 302
    client.post(
        "/checkins/settings",
        data={"csrf_token": token, "action": "question", "text": "身体怎么样？"},
    )
    with app.app_context():
        assert db.session.query(CheckinArea).one().geojson
        assert [q.text for q in db.session.query(CheckinQuestion)] == ["身体怎么样？"]


def test_officers_cannot_change_settings(app, county, world):
    client = world.login(app.test_client(), "off1")
    assert client.get("/checkins/settings").status_code == 403
    boss = world.login(app.test_client(), "boss")
    page = boss.get("/checkins/settings")
    response = boss.post(
        "/checkins/settings",
        data={
            "csrf_token": csrf(page),
            "action": "area",
            "center_lat": "30",
            "center_lon": "120",
            "radius_m": "500",
        },
    )
    assert response.status_code == 403  # the area is the admin's
