"""The choropleth of a region's ORPs (capacity per 1,000 of the target population), drawn with ``qmss.core.svg``
from the ORP boundaries the territory app stores (GeoJSON from the data directory – no tile server).

Classes never rely on colour alone: each has its own fill pattern (dense hatching, sparse hatching, plain, dots,
cross-hatching for no data), the legend names them in words, and every ORP carries a ``<title>`` with its name,
value and class. The page shows the same figures in a table beside the map (the map's text alternative).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString

from qmss.core import svg
from qmss.core.formatting import format_number
from qmss.registry.maps import _path, _Projection, _rings

ID_PREFIX = "analysis-class-"
STROKE = "#1b1b1b"
# class → (background, pattern colour, pattern kind)
STYLES = {
    0: ("#ffffff", "#6f6f6f", "cross"),
    1: ("#f4a582", "#67001f", "dense"),
    2: ("#fddbc7", "#b2182b", "sparse"),
    3: ("#d1e5f0", None, "plain"),
    4: ("#6aa8d2", "#053061", "dots"),
}


def _pattern(map_class: int, prefix: str = ID_PREFIX):
    background, ink, kind = STYLES[map_class]
    size = 8
    parts = [svg.rect(0, 0, size, size, fill=background)]
    if kind == "dense":
        parts += [svg.line(0, 0, 0, size, stroke=ink, stroke_width=2.5)]
        size_attr = 5
    elif kind == "sparse":
        parts += [svg.line(0, 0, 0, size, stroke=ink, stroke_width=1.5)]
        size_attr = size
    elif kind == "dots":
        parts += [svg.circle(4, 4, 1.6, fill=ink)]
        size_attr = size
    elif kind == "cross":
        parts += [svg.line(0, 0, size, size, stroke=ink, stroke_width=1), svg.line(size, 0, 0, size, stroke=ink)]
        size_attr = size
    else:
        size_attr = size
    transform = "rotate(45)" if kind in ("dense", "sparse") else None
    return svg.element(
        "pattern",
        *parts,
        id=f"{prefix}{map_class}",
        patternUnits="userSpaceOnUse",
        width=size_attr,
        height=size,
        patternTransform=transform,
    )


def _defs(classes: Iterable[int], prefix: str = ID_PREFIX):
    return svg.element("defs", *[_pattern(c, prefix) for c in sorted(set(classes))])


def swatch(map_class: int) -> SafeString:
    """A small legend square of the class (its own pattern, decorative: the legend text names the class)."""
    prefix = f"analysis-swatch-{map_class}-"
    return svg.svg(
        _defs([map_class], prefix),
        svg.rect(1, 1, 22, 16, fill=f"url(#{prefix}{map_class})", stroke=STROKE, stroke_width=1),
        xmlns=svg.SVG_NS,
        viewBox="0 0 24 18",
        width=24,
        height=18,
        aria_hidden="true",
        focusable="false",
    )


def orp_title(row, unit_name: str) -> str:
    value = "–" if row.per_1000 is None else format_number(row.per_1000)
    return f"{row.name}: {value} ({unit_name}) – {row.class_label}"


def render_choropleth(rows, boundaries: dict[int, dict | None], *, label: str, unit_name: str,
                      width: int = 640, height: int = 480, padding: int = 8) -> SafeString:  # fmt: skip
    """An inline ``<svg role="img">``: one path per ORP filled with its class pattern, each with a ``<title>``;
    empty when no ORP has a boundary."""
    shapes = [(row, _rings(boundaries.get(row.orp_id))) for row in rows]
    lons = [lon for _row, rings in shapes for ring in rings for lon, _lat in ring]
    lats = [lat for _row, rings in shapes for ring in rings for _lon, lat in ring]
    if not lons:
        return svg.empty()
    project = _Projection(lons, lats, width, height, padding)
    box_w, box_h = project.size
    paths = []
    for row, rings in shapes:
        d = " ".join(p for p in (_path(ring, project) for ring in rings) if p)
        if not d:
            continue
        paths.append(
            svg.element(
                "path",
                svg.title(orp_title(row, unit_name)),
                d=d,
                fill=f"url(#{ID_PREFIX}{row.map_class})",
                stroke=STROKE,
                stroke_width=1,
                fill_rule="evenodd",
                stroke_linejoin="round",
                class_="analysis-orp",
                data_orp=row.ruian_code,
            )
        )
    return svg.svg(
        _defs(row.map_class for row, _rings_ in shapes),
        svg.title(label),
        *paths,
        xmlns=svg.SVG_NS,
        class_="analysis-map",
        viewBox=f"0 0 {box_w} {box_h}",
        width=box_w,
        height=box_h,
        role="img",
        aria_label=label,
    )
