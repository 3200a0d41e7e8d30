"""Small server-rendered SVG maps: region outlines (GeoJSON, lon/lat) and a point per facility.

An equirectangular projection with the longitude scaled by cos(mean latitude) – good enough for a region of
the Czech Republic. The SVG is decorative-plus: pages list the same facilities as text beside it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from qmss.core import svg

MAX_POINTS_PER_RING = 1500
OUTLINE_FILL = "#e8f0f8"
OUTLINE_STROKE = "#2362a2"
POINT_FILL = "#1a4a7a"
APPROXIMATE_FILL = "#ffffff"


@dataclass(frozen=True)
class MapPoint:
    latitude: float
    longitude: float
    title: str
    approximate: bool = False


def _rings(geometry: dict | None) -> list[list[tuple[float, float]]]:
    """Outer and inner rings of a GeoJSON Polygon / MultiPolygon as (lon, lat) lists; [] for anything else."""
    if not isinstance(geometry, dict):
        return []
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    elif kind == "GeometryCollection":
        return [ring for g in geometry.get("geometries") or [] for ring in _rings(g)]
    elif kind == "Feature":
        return _rings(geometry.get("geometry"))
    else:
        return []
    rings = []
    for polygon in polygons:
        for ring in polygon or []:
            points = [(float(p[0]), float(p[1])) for p in ring or [] if isinstance(p, list | tuple) and len(p) >= 2]
            if len(points) >= 3:
                step = max(1, math.ceil(len(points) / MAX_POINTS_PER_RING))
                rings.append(points[::step] if step > 1 else points)
    return rings


class _Projection:
    """Fits the lon/lat box into ``width`` × ``height`` (keeping its shape); ``size`` is the drawing's box."""

    def __init__(self, lons: Sequence[float], lats: Sequence[float], width: int, height: int, padding: int):
        self.min_lon, self.max_lon = min(lons), max(lons)
        self.min_lat, self.max_lat = min(lats), max(lats)
        self.k = math.cos(math.radians((self.min_lat + self.max_lat) / 2))
        span_x = max((self.max_lon - self.min_lon) * self.k, 1e-6)
        span_y = max(self.max_lat - self.min_lat, 1e-6)
        self.scale = min((width - 2 * padding) / span_x, (height - 2 * padding) / span_y)
        self.padding = padding
        self.size = (round(span_x * self.scale + 2 * padding), round(span_y * self.scale + 2 * padding))

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.padding + (lon - self.min_lon) * self.k * self.scale
        y = self.padding + (self.max_lat - lat) * self.scale
        return round(x, 1), round(y, 1)


def _path(ring: list[tuple[float, float]], project: _Projection) -> str:
    parts, last = [], None
    for lon, lat in ring:
        xy = project(lon, lat)
        if xy != last:
            parts.append(f"{svg.number(xy[0])} {svg.number(xy[1])}")
            last = xy
    return "M" + " L".join(parts) + " Z" if len(parts) >= 3 else ""


def render_map(
    boundaries: Iterable[dict | None],
    points: Iterable[MapPoint],
    *,
    label: str,
    width: int = 480,
    height: int = 360,
    padding: int = 12,
) -> SafeString:
    """An inline ``<svg role="img">`` with the outlines and points, at most ``width`` × ``height`` pixels and
    shaped like the drawing; empty when there is nothing to draw."""
    rings = [ring for geometry in boundaries for ring in _rings(geometry)]
    points = [p for p in points if p.latitude is not None and p.longitude is not None]
    lons = [lon for ring in rings for lon, _ in ring] + [float(p.longitude) for p in points]
    lats = [lat for ring in rings for _, lat in ring] + [float(p.latitude) for p in points]
    if not lons:
        return svg.empty()
    if not rings:  # points only: leave some room around them
        pad = 0.05
        lons += [min(lons) - pad, max(lons) + pad]
        lats += [min(lats) - pad, max(lats) + pad]
    project = _Projection(lons, lats, width, height, padding)
    box_w, box_h = project.size
    parts = []
    paths = [d for d in (_path(ring, project) for ring in rings) if d]
    if paths:
        parts.append(
            svg.path(
                " ".join(paths),
                fill=OUTLINE_FILL,
                stroke=OUTLINE_STROKE,
                stroke_width=1.5,
                fill_rule="evenodd",
                stroke_linejoin="round",
            )
        )
    for point in points:
        x, y = project(float(point.longitude), float(point.latitude))
        fill = APPROXIMATE_FILL if point.approximate else POINT_FILL
        parts.append(svg.circle(x, y, 6, svg.title(point.title), fill=fill, stroke=POINT_FILL, stroke_width=2))
    return svg.svg(
        *parts,
        xmlns=svg.SVG_NS,
        class_="registry-map",
        viewBox=f"0 0 {box_w} {box_h}",
        width=box_w,
        height=box_h,
        style="max-width:100%;height:auto",
        role="img",
        aria_label=label,
    )


def facility_points(facilities: Iterable, *, approximate_note: str = "") -> list[MapPoint]:
    """One point per facility with coordinates; facilities with an unpublished address are never drawn."""
    points = []
    for facility in facilities:
        if facility.secret_address or facility.latitude is None or facility.longitude is None:
            continue
        title = facility.name or str(facility.municipality or "")
        address = facility.address_line
        if address:
            title = f"{title}, {address}" if title else address
        if facility.coordinates_approximate and approximate_note:
            title = f"{title} ({approximate_note})"
        points.append(
            MapPoint(
                latitude=float(facility.latitude),
                longitude=float(facility.longitude),
                title=title,
                approximate=facility.coordinates_approximate,
            )
        )
    return points
