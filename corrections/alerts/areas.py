"""The area a unit or station supervises, and whether a position lies outside it
(docs/domain.md §7.11).

An area is a GeoJSON geometry (Polygon, MultiPolygon, or a Feature / FeatureCollection
of them) or a circle (centre and radius in metres). A station's own area wins over its
unit's. ``outside_area`` answers ``None`` when no area is defined: nothing is known.
"""

from __future__ import annotations

import math
from functools import lru_cache

from sqlalchemy import select

from corrections.alerts.models import UnitArea
from corrections.auth.models import Station, Unit
from corrections.extensions import db

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def _geometry(geojson: dict):
    from shapely.geometry import shape
    from shapely.ops import unary_union

    kind = geojson.get("type")
    if kind == "FeatureCollection":
        parts = [_geometry(f) for f in geojson.get("features") or []]
        return unary_union([p for p in parts if p is not None]) if parts else None
    if kind == "Feature":
        return _geometry(geojson.get("geometry") or {})
    if kind in ("Polygon", "MultiPolygon"):
        return shape(geojson)
    raise ValueError(f"unsupported GeoJSON type {kind!r}")


def validate_geojson(geojson: dict) -> None:
    """Raise ValueError unless ``geojson`` is a usable polygonal area."""
    if not isinstance(geojson, dict):
        raise ValueError("GeoJSON must be an object")
    geometry = _geometry(geojson)
    if geometry is None or geometry.is_empty or not geometry.is_valid:
        raise ValueError("the area is empty or not a valid polygon")


class Area:
    """A prepared area: ``contains(lat, lon)``."""

    def __init__(self, row: UnitArea):
        self.circle = None
        self.polygon = None
        if row.geojson:
            from shapely import prepare

            self.polygon = _geometry(row.geojson)
            prepare(self.polygon)
        elif row.center_lat is not None and row.center_lon is not None and row.radius_m:
            self.circle = (row.center_lat, row.center_lon, row.radius_m)

    @property
    def defined(self) -> bool:
        return self.polygon is not None or self.circle is not None

    def contains(self, lat: float, lon: float) -> bool:
        if self.polygon is not None:
            from shapely.geometry import Point

            # GeoJSON order is (longitude, latitude); the boundary counts as inside
            return bool(self.polygon.covers(Point(lon, lat)))
        lat0, lon0, radius = self.circle
        return distance_m(lat0, lon0, lat, lon) <= radius


def _row_for(unit_id: int, station_id: int | None) -> UnitArea | None:
    if station_id is not None:
        row = db.session.execute(
            select(UnitArea).where(UnitArea.station_id == station_id)
        ).scalar_one_or_none()
        if row is not None:
            return row
    return db.session.execute(
        select(UnitArea).where(UnitArea.unit_id == unit_id, UnitArea.station_id.is_(None))
    ).scalar_one_or_none()


def area_for(unit_or_station: Unit | Station) -> Area | None:
    """The prepared area of a station (its own, else its unit's) or of a unit; None when
    none is defined."""
    if isinstance(unit_or_station, Station):
        row = _row_for(unit_or_station.unit_id, unit_or_station.id)
    else:
        row = _row_for(unit_or_station.id, None)
    if row is None:
        return None
    area = _prepared(row.id, row.updated_at.isoformat() if row.updated_at else "")
    return area if area.defined else None


@lru_cache(maxsize=256)
def _prepared(row_id: int, stamp: str) -> Area:
    return Area(db.session.get(UnitArea, row_id))


def outside_area(unit_or_station: Unit | Station, lat: float | None, lon: float | None):
    """True when (lat, lon) lies outside the area of the station (or unit), False inside,
    None when no area is defined or no position is given."""
    if lat is None or lon is None:
        return None
    area = area_for(unit_or_station)
    if area is None:
        return None
    return not area.contains(float(lat), float(lon))


def set_area(
    unit: Unit,
    *,
    station: Station | None = None,
    geojson: dict | None = None,
    circle: tuple[float, float, float] | None = None,
) -> UnitArea:
    """Define (or replace) the area of a unit or of one of its stations."""
    if (geojson is None) == (circle is None):
        raise ValueError("give either a GeoJSON area or a circle")
    if geojson is not None:
        validate_geojson(geojson)
    else:
        lat, lon, radius = circle
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or radius <= 0:
            raise ValueError("the circle needs a valid centre and a positive radius")
    query = select(UnitArea).where(UnitArea.unit_id == unit.id)
    query = query.where(
        UnitArea.station_id == station.id if station else UnitArea.station_id.is_(None)
    )
    row = db.session.execute(query).scalar_one_or_none()
    if row is None:
        row = UnitArea(unit_id=unit.id, station_id=station.id if station else None)
        db.session.add(row)
    row.geojson = geojson
    if circle is not None:
        row.center_lat, row.center_lon, row.radius_m = circle
    else:
        row.center_lat = row.center_lon = row.radius_m = None
    db.session.flush()
    return row
