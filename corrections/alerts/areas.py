"""The area a unit or station supervises, whether a position lies outside it and how far
(docs/domain.md §7.11). This is the one area of the system: the 信息化核查 import and
self check-in (docs/domain.md §7.12) both judge "outside the area" against it.

An area is a GeoJSON geometry (Polygon, MultiPolygon, or a Feature / FeatureCollection
of them) in WGS-84 longitude/latitude, or a circle (centre and radius in metres). A
station's own area wins over its unit's. ``outside_area`` answers ``None`` when no area
is defined: nothing is known. Distances outside a polygon are computed on a local plane
around the point (equirectangular), good to well under a percent at county scale.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import select

from corrections.alerts.models import UnitArea
from corrections.auth.models import Station, Unit
from corrections.errors import Forbidden, ValidationFailed
from corrections.extensions import db

EARTH_RADIUS_M = 6_371_008.8
EARTH_M_PER_DEG_LAT = 110_540.0
EARTH_M_PER_DEG_LON = 111_320.0
MAX_RADIUS_M = 200_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"geojson": message})


def _geometry(geojson):
    """A shapely geometry from a GeoJSON object, or ValidationFailed (Chinese message)."""
    from shapely.geometry import shape
    from shapely.ops import unary_union

    message = _("区域应为 GeoJSON 多边形（Polygon 或 MultiPolygon，经纬度坐标）。")
    if isinstance(geojson, dict) and geojson.get("type") == "FeatureCollection":
        features = geojson.get("features")
        parts = [f.get("geometry") if isinstance(f, dict) else None for f in features or []]
    elif isinstance(geojson, dict) and geojson.get("type") == "Feature":
        parts = [geojson.get("geometry")]
    else:
        parts = [geojson]
    geometries = []
    for part in parts:
        if not isinstance(part, dict) or part.get("type") not in ("Polygon", "MultiPolygon"):
            raise _invalid(message)
        try:
            geometry = shape(part)
        except Exception:
            raise _invalid(message) from None
        if geometry.is_empty or not geometry.is_valid:
            raise _invalid(_("多边形无效（边界自相交或点太少）。"))
        minx, miny, maxx, maxy = geometry.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise _invalid(message)
        geometries.append(geometry)
    if not geometries:
        raise _invalid(message)
    return unary_union(geometries)


def validate_geojson(geojson) -> None:
    """Raise ValidationFailed (Chinese message, field ``geojson``) unless ``geojson`` is a
    usable polygonal area in longitude/latitude."""
    _geometry(geojson)


def parse_geojson(text: str | None) -> dict:
    """The GeoJSON object pasted as text, validated; ValidationFailed otherwise."""
    try:
        data = json.loads(text or "")
    except (TypeError, ValueError):
        raise _invalid(
            _("区域应为 GeoJSON 多边形（Polygon 或 MultiPolygon，经纬度坐标）。")
        ) from None
    validate_geojson(data)
    return data


def _to_metres(lat0: float, lon0: float):
    """Longitude/latitude coordinates → metres on a plane centred on (lat0, lon0)."""
    cos = math.cos(math.radians(lat0))

    def project(coords):
        out = coords.copy()
        out[:, 0] = (coords[:, 0] - lon0) * EARTH_M_PER_DEG_LON * cos
        out[:, 1] = (coords[:, 1] - lat0) * EARTH_M_PER_DEG_LAT
        return out

    return project


class Area:
    """A prepared area: ``contains(lat, lon)`` and ``distance_outside(lat, lon)``."""

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

    def distance_outside(self, lat: float, lon: float) -> float:
        """Metres from (lat, lon) to the area, 0 inside (or on the boundary)."""
        if self.contains(lat, lon):
            return 0.0
        if self.polygon is not None:
            from shapely import transform
            from shapely.geometry import Point

            local = transform(self.polygon, _to_metres(lat, lon))
            # outside, however close: never report 0 for a position judged outside
            return max(0.1, round(float(local.distance(Point(0, 0))), 1))
        lat0, lon0, radius = self.circle
        return max(0.1, round(distance_m(lat0, lon0, lat, lon) - radius, 1))


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


def distance_outside(unit_or_station: Unit | Station, lat: float | None, lon: float | None):
    """Metres from (lat, lon) to the area of the station (or unit): 0 inside, more than 0
    exactly when ``outside_area`` is True; None when no area is defined or no position."""
    if lat is None or lon is None:
        return None
    area = area_for(unit_or_station)
    if area is None:
        return None
    return area.distance_outside(float(lat), float(lon))


def set_area(
    unit: Unit,
    *,
    station: Station | None = None,
    geojson: dict | None = None,
    circle: tuple[float, float, float] | None = None,
) -> UnitArea:
    """Define (or replace) the area of a unit or of one of its stations; ValidationFailed
    (Chinese message, per field) for an unusable polygon or circle."""
    if (geojson is None) == (circle is None):
        raise _invalid(_("请粘贴 GeoJSON 多边形，或填写圆心经纬度和半径。"))
    if station is not None and station.unit_id != unit.id:
        raise ValueError("the station belongs to another unit")
    if geojson is not None:
        validate_geojson(geojson)
    else:
        lat, lon, radius = circle
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            message = _("圆心经纬度无效：纬度在 -90 到 90 之间，经度在 -180 到 180 之间。")
            raise ValidationFailed(message, fields={"center_lat": message})
        if not (0 < radius <= MAX_RADIUS_M):
            message = _("半径应大于 0 且不超过 %(n)s 米。", n=f"{MAX_RADIUS_M:.0f}")
            raise ValidationFailed(message, fields={"radius_m": message})
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
        row.center_lat, row.center_lon, row.radius_m = (float(v) for v in circle)
    else:
        row.center_lat = row.center_lon = row.radius_m = None
    db.session.flush()
    return row


def _number(data: dict, name: str) -> float | None:
    text = str(data.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        message = _("请填写数字。")
        raise ValidationFailed(message, fields={name: message})
    return value


def save_area(actor, unit: Unit, data: dict, *, station: Station | None = None) -> UnitArea:
    """The area page's form: ``shape`` "geojson" (pasted text) or "circle" (centre and
    radius). Audited with the area before and after; nothing is written on bad input."""
    if not (actor.is_admin or actor.is_supervisor):
        raise Forbidden(_("只有县局主管或管理员可以设置辖区范围。"))
    from corrections.audit.services import record, snapshot

    if data.get("shape") == "circle":
        lat, lon = _number(data, "center_lat"), _number(data, "center_lon")
        radius = _number(data, "radius_m")
        if lat is None or lon is None or radius is None:
            message = _("请填写圆心经纬度和半径。")
            raise ValidationFailed(message, fields={"center_lat": message})
        shape = {"circle": (lat, lon, radius)}
    else:
        shape = {"geojson": parse_geojson(data.get("geojson"))}
    existing = own_row(unit, station)
    before = snapshot(existing) if existing else None
    row = set_area(unit, station=station, **shape)
    record(actor, "alerts.area", "unit_area", row.id, before, snapshot(row))
    return row


def own_row(unit: Unit, station: Station | None = None) -> UnitArea | None:
    """The row of the unit's own area, or of the station's own (not its unit's)."""
    query = select(UnitArea).where(UnitArea.unit_id == unit.id)
    query = query.where(
        UnitArea.station_id == station.id if station else UnitArea.station_id.is_(None)
    )
    return db.session.execute(query).scalar_one_or_none()


def clear_station_area(actor, unit: Unit, station: Station) -> bool:
    """Remove a station's own area: the unit's applies to it again. Audited."""
    if not (actor.is_admin or actor.is_supervisor):
        raise Forbidden(_("只有县局主管或管理员可以设置辖区范围。"))
    from corrections.audit.services import record, snapshot

    row = own_row(unit, station)
    if row is None:
        return False
    record(actor, "alerts.area_cleared", "unit_area", row.id, snapshot(row), None)
    db.session.delete(row)
    db.session.flush()
    return True
