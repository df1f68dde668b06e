"""The unit's allowed area and how far a location lies outside it (shapely).

An admin pastes a GeoJSON Polygon / MultiPolygon (a Feature or FeatureCollection of them
is accepted too) in WGS-84 longitude/latitude, or gives a circle: centre and radius in
metres. Distances are computed on a local plane around the point (equirectangular), good
to well under a percent at county scale.
"""

from __future__ import annotations

import json
import math

from flask_babel import gettext as _
from shapely.geometry import Point, shape
from shapely.ops import transform, unary_union

from corrections.errors import ValidationFailed

EARTH_M_PER_DEG_LAT = 110_540.0
EARTH_M_PER_DEG_LON = 111_320.0
APPROXIMATE_M = 1000  # accuracy worse than this: kept, marked approximate


def parse_geojson(text: str):
    """A shapely geometry from GeoJSON text, or ValidationFailed."""
    message = _("区域应为 GeoJSON 多边形（Polygon 或 MultiPolygon，经纬度坐标）。")
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        raise ValidationFailed(message, fields={"geojson": message}) from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        parts = [f.get("geometry") for f in data.get("features") or [] if isinstance(f, dict)]
    elif isinstance(data, dict) and data.get("type") == "Feature":
        parts = [data.get("geometry")]
    else:
        parts = [data]
    geometries = []
    for part in parts:
        if not isinstance(part, dict) or part.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValidationFailed(message, fields={"geojson": message})
        try:
            geometry = shape(part)
        except Exception:
            raise ValidationFailed(message, fields={"geojson": message}) from None
        if geometry.is_empty or not geometry.is_valid:
            invalid = _("多边形无效（边界自相交或点太少）。")
            raise ValidationFailed(invalid, fields={"geojson": invalid})
        minx, miny, maxx, maxy = geometry.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ValidationFailed(message, fields={"geojson": message})
        geometries.append(geometry)
    if not geometries:
        raise ValidationFailed(message, fields={"geojson": message})
    return unary_union(geometries)


def _to_metres(lat0: float, lon0: float):
    cos = math.cos(math.radians(lat0))

    def project(x, y, z=None):
        return ((x - lon0) * EARTH_M_PER_DEG_LON * cos, (y - lat0) * EARTH_M_PER_DEG_LAT)

    return project


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def distance_outside(area, lat: float, lon: float) -> float | None:
    """Metres from (lat, lon) to the allowed area (0 inside); None without an area."""
    if area is None:
        return None
    if area.geojson:
        geometry = parse_geojson(area.geojson)
        if geometry.contains(Point(lon, lat)):
            return 0.0
        local = transform(_to_metres(lat, lon), geometry)
        return round(float(local.distance(Point(0, 0))), 1)
    if area.center_lat is not None and area.center_lon is not None and area.radius_m:
        away = haversine_m(lat, lon, area.center_lat, area.center_lon) - area.radius_m
        return round(max(0.0, away), 1)
    return None
