"""The one area of a unit or station (docs/domain.md §7.11): GeoJSON or circle, inside /
outside, metres outside, the station's own area winning, and the area page's validation."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from corrections.alerts import areas
from corrections.alerts.models import UnitArea
from corrections.errors import ValidationFailed
from corrections.extensions import db

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[120.0, 30.0], [120.01, 30.0], [120.01, 30.01], [120.0, 30.01], [120.0, 30.0]]
    ],
}


def _area(geojson=None, lat=None, lon=None, radius=None):
    row = SimpleNamespace(geojson=geojson, center_lat=lat, center_lon=lon, radius_m=radius)
    return areas.Area(row)


def test_inside_a_polygon_is_zero(app):
    with app.test_request_context():
        square = _area(SQUARE)
        assert square.contains(30.005, 120.005) and square.distance_outside(30.005, 120.005) == 0


def test_distance_outside_a_polygon_in_metres(app):
    with app.test_request_context():
        # 0.01° north of the square's top edge: about 1 105 m
        metres = _area(SQUARE).distance_outside(30.02, 120.005)
    assert 1090 < metres < 1120


def test_feature_collection_and_edge_point(app):
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": SQUARE}],
    }
    with app.test_request_context():
        area = _area(collection)
        assert area.contains(30.0, 120.005) and area.distance_outside(30.0, 120.005) == 0


def test_just_outside_is_never_zero_metres(app):
    with app.test_request_context():
        area = _area(SQUARE)
        assert not area.contains(30.0100001, 120.005)
        assert area.distance_outside(30.0100001, 120.005) > 0


def test_circle_boundary(app):
    with app.test_request_context():
        circle = _area(lat=30.0, lon=120.0, radius=1000)
        inside = circle.distance_outside(30.0 + 999 / 111_195, 120.0)
        outside = circle.distance_outside(30.0 + 1100 / 111_195, 120.0)
    assert inside == 0 and 95 < outside < 105


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "",
        json.dumps({"type": "Point", "coordinates": [120, 30]}),
        json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}),
        json.dumps({"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]]}),
        json.dumps({"type": "FeatureCollection", "features": []}),
    ],
)
def test_bad_geojson_is_refused_in_chinese(text, app):
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        areas.parse_geojson(text)
    assert "geojson" in refused.value.fields
    assert "多边形" in refused.value.message


def test_station_area_wins_and_outside_agrees_with_distance(app, county, world):
    from tests.helpers import user

    with app.test_request_context():
        unit = user("off1").unit
        station = next(s for s in unit.stations if s.code == "S1")
        assert areas.outside_area(station, 30.0, 120.0) is None
        assert areas.distance_outside(station, 30.0, 120.0) is None
        areas.set_area(unit, circle=(30.0, 120.0, 1000))
        assert areas.outside_area(station, 30.02, 120.005) is True
        assert areas.distance_outside(station, 30.02, 120.005) > 1000
        areas.set_area(unit, station=station, geojson=SQUARE)  # the station's own area wins
        assert areas.outside_area(station, 30.005, 120.005) is False
        assert areas.distance_outside(station, 30.005, 120.005) == 0
        assert areas.outside_area(station, 30.0, 119.999) is True  # inside the unit's circle
        assert areas.outside_area(unit, 30.0, 119.999) is False
        assert areas.outside_area(station, None, 120.0) is None
        db.session.rollback()


def _count(app):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(UnitArea)).scalar()


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"shape": "geojson", "geojson": "{oops"}, "geojson", "GeoJSON 多边形"),
        ({"shape": "geojson", "geojson": '{"type": "Point"}'}, "geojson", "GeoJSON 多边形"),
        ({"shape": "circle", "center_lat": "30", "center_lon": "", "radius_m": "5"}, "center_lat", "请填写圆心经纬度和半径"),
        ({"shape": "circle", "center_lat": "95", "center_lon": "120", "radius_m": "5"}, "center_lat", "圆心经纬度无效"),
        ({"shape": "circle", "center_lat": "30", "center_lon": "120", "radius_m": "0"}, "radius_m", "半径应大于 0"),
        ({"shape": "circle", "center_lat": "abc", "center_lon": "120", "radius_m": "5"}, "center_lat", "请填写数字"),
    ],
)  # fmt: skip
def test_area_page_refuses_bad_input_writes_nothing(app, world, county, data, field, words):
    boss = world.login(app.test_client(), "boss")
    response = boss.post("/alerts/area", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "辖区范围无效" in html and words in html
    assert f'id="{field}"' in html and "is-invalid" in html
    assert _count(app) == 0


def test_area_page_saves_polygon_and_audits(app, world, county):
    from corrections.audit.models import AuditEvent

    admin = world.login(app.test_client(), "admin")
    response = admin.post("/alerts/area", data={"shape": "geojson", "geojson": json.dumps(SQUARE)})
    assert response.status_code == 302
    page = admin.get("/alerts/area").get_data(as_text=True)
    assert "多边形" in page and "120.01" in page
    response = admin.post(
        "/alerts/area",
        data={"shape": "circle", "center_lat": "30", "center_lon": "120", "radius_m": "800"},
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.execute(select(UnitArea)).scalar_one()
        assert row.geojson is None and row.radius_m == 800
        events = (
            db.session.execute(select(AuditEvent).where(AuditEvent.action == "alerts.area"))
            .scalars()
            .all()
        )
        assert len(events) == 2 and events[1].before["geojson"] == SQUARE


def test_a_station_gets_its_own_area_and_can_drop_it(app, world, county):
    from corrections.audit.models import AuditEvent
    from corrections.auth.models import Station

    with app.app_context():
        s1 = db.session.execute(select(Station).where(Station.code == "S1")).scalar_one().id
    boss = world.login(app.test_client(), "boss")
    boss.post(
        "/alerts/area",
        data={"shape": "circle", "center_lat": "40", "center_lon": "110", "radius_m": "1000"},
    )
    page = boss.get(f"/alerts/area?station_id={s1}").get_data(as_text=True)
    assert "未单独设置，适用本单位的范围" in page and 'id="area-clear"' not in page
    response = boss.post(
        f"/alerts/area?station_id={s1}",
        data={"shape": "geojson", "geojson": json.dumps(SQUARE)},
    )
    assert response.status_code == 302 and f"station_id={s1}" in response.headers["Location"]
    with app.test_request_context():
        station = db.session.get(Station, s1)
        assert areas.outside_area(station, 30.005, 120.005) is False  # the station's square
        assert areas.outside_area(station.unit, 30.005, 120.005) is True  # not the unit's
    page = boss.get(f"/alerts/area?station_id={s1}").get_data(as_text=True)
    assert "多边形" in page and 'id="area-clear"' in page
    assert boss.post(f"/alerts/area?station_id={s1}", data={"shape": "clear"}).status_code == 302
    with app.test_request_context():
        station = db.session.get(Station, s1)
        assert areas.outside_area(station, 30.005, 120.005) is True  # the unit's again
        assert db.session.execute(select(func.count()).select_from(UnitArea)).scalar() == 1
        actions = db.session.execute(select(AuditEvent.action)).scalars().all()
        assert actions.count("alerts.area") == 2 and "alerts.area_cleared" in actions


def test_another_units_station_is_not_found(app, world, county):
    boss = world.login(app.test_client(), "boss")
    assert boss.get("/alerts/area?station_id=99999").status_code == 404
    response = boss.post("/alerts/area?station_id=99999", data={"shape": "clear"})
    assert response.status_code == 404
