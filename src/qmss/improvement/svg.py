"""Server-rendered SVG: the process map, KPI sparklines and the region's bar chart of nonconformities.

Layout only: every element is built (and every text escaped) by :mod:`qmss.core.svg`.

The map has three bands: management processes at the top, main processes in the middle as a chain of
arrow-shaped boxes from left to right, support processes at the bottom. Sub-processes are listed under their
parent. Every process links to its page. Text is escaped and wrapped by an estimate of the glyph width.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.core import svg
from qmss.core.formatting import format_number

WIDTH = 1120
PAD = 16
GAP = 14
BAND_LABEL = 30
FONT = 13
SMALL = 11.5
LINE = 16
SMALL_LINE = 15
BOX_PAD = 10
ARROW_TIP = 22
MAX_TITLE_LINES = 4
MAX_PER_ROW = {"management": 4, "main": 6, "support": 4}

COLOURS = {
    # fill, stroke, text (contrast of text on fill ≥ 4.5:1)
    "management": ("#e8f0f8", "#2362a2", "#1a4a7a"),
    "main": ("#2362a2", "#1a4a7a", "#ffffff"),
    "support": ("#f5f5f5", "#595959", "#262626"),
}
LINK_STYLE = (
    ".process-map .hit{fill:transparent;stroke:none;cursor:pointer}"
    ".process-map a:hover .hit{stroke:#595959;stroke-width:2;stroke-dasharray:4 2}"
    ".process-map a:focus .hit{stroke:#000;stroke-width:3;outline:none}"
    ".process-map a:focus-visible .hit{stroke:#000;stroke-width:3}"
)
BAND_FILL = {"management": "#f7fafd", "main": "#fbfbfb", "support": "#f9f9f9"}


@dataclass
class MapItem:
    code: str
    name: str
    url: str
    children: list[MapItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}".strip()


@dataclass
class MapBand:
    kind: str
    label: str
    items: list[MapItem]


def wrap(text: str, width_px: float, font_size: float = FONT, max_lines: int = MAX_TITLE_LINES) -> list[str]:
    """Lines of ``text`` that fit ``width_px`` (estimated at 0.56 em per glyph), at most ``max_lines``."""
    chars = max(6, int(width_px / (font_size * 0.56)))
    lines = textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, chars - 1)].rstrip() + "…"
    return lines


def _text(
    x: float,
    y: float,
    lines: Sequence[str],
    *,
    size: float,
    colour: str,
    weight: str = "normal",
    anchor: str = "start",
    line: float = LINE,
) -> svg.Fragment:
    return svg.text_lines(
        x, y, lines, line_height=line, font_size=size, fill=colour, font_weight=weight, text_anchor=anchor
    )


def _hit(url: str, label: str, shape: svg.Fragment) -> svg.Fragment:
    """A link over a drawn box: the transparent ``shape`` takes the clicks and shows the focus ring."""
    return svg.link(url, shape, aria_label=label)


def _hit_rect(url: str, label: str, x: float, y: float, w: float, h: float) -> svg.Fragment:
    return _hit(url, label, svg.element("rect", class_="hit", x=x, y=y, width=w, height=h, rx=6))


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


class _Canvas:
    def __init__(self) -> None:
        self.parts: list[svg.Fragment] = []  # the drawing (an image for assistive technology)
        self.links: list[svg.Fragment] = []  # links laid over it, outside the image
        self.y = PAD

    def add(self, part: svg.Fragment) -> None:
        self.parts.append(part)


def _children_block(
    canvas: _Canvas, item: MapItem, x: float, y: float, width: float, colour: str
) -> list[svg.Fragment]:
    """The sub-processes of ``item`` as lines from (x, y); returns the drawn parts and adds a link per line to the
    canvas (the height used is :func:`_children_height`)."""
    parts, height = [], 0.0
    for child in item.children:
        lines = wrap(f"▸ {child.label}", width, SMALL, max_lines=2)
        parts.append(_text(x, y + height + SMALL, lines, size=SMALL, colour=colour, line=SMALL_LINE))
        line_h = len(lines) * SMALL_LINE + 3
        canvas.links.append(_hit_rect(child.url, child.label, x - 3, y + height, width + 6, line_h))
        height += line_h
    return parts


def _children_height(item: MapItem, width: float) -> float:
    return sum(len(wrap(f"▸ {c.label}", width, SMALL, max_lines=2)) * SMALL_LINE + 3 for c in item.children)


def _box_band(canvas: _Canvas, band: MapBand) -> None:
    """Management or support processes: rounded boxes in rows, sub-processes listed inside the box."""
    fill, stroke, colour = COLOURS[band.kind]
    inner = WIDTH - 2 * PAD - 2 * GAP
    per_row = min(MAX_PER_ROW[band.kind], max(1, len(band.items)))
    box_w = (inner - (per_row - 1) * GAP) / per_row
    top = canvas.y
    body: list[svg.Fragment] = []
    y = top + BAND_LABEL
    for row in _chunks(band.items, per_row):
        layouts = []
        for item in row:
            title = wrap(item.label, box_w - 2 * BOX_PAD)
            child_lines = sum(len(wrap(f"▸ {c.label}", box_w - 2 * BOX_PAD, SMALL, 2)) for c in item.children)
            height = BOX_PAD * 2 + len(title) * LINE + (child_lines * SMALL_LINE + len(item.children) * 3 + 4)
            layouts.append((item, title, height))
        row_h = max((h for _i, _t, h in layouts), default=LINE * 2)
        for index, (item, title, _h) in enumerate(layouts):
            x = PAD + GAP + index * (box_w + GAP)
            body.append(svg.rect(x, y, box_w, row_h, rx=8, fill=fill, stroke=stroke, stroke_width=1.5))
            body.append(_text(x + BOX_PAD, y + BOX_PAD + FONT, title, size=FONT, colour=colour, weight="bold"))
            canvas.links.append(_hit_rect(item.url, item.label, x, y, box_w, BOX_PAD + len(title) * LINE + 4))
            body.extend(
                _children_block(
                    canvas, item, x + BOX_PAD, y + BOX_PAD + len(title) * LINE + 4, box_w - 2 * BOX_PAD, colour
                )
            )
        y += row_h + GAP
    if not band.items:
        body.append(_text(PAD + GAP, y + FONT, [_("No processes of this type yet.")], size=FONT, colour="#595959"))
        y += LINE + GAP
    canvas.add(_band_frame(band, top, y - top))
    canvas.parts.extend(body)
    canvas.y = y + GAP


def _band_frame(band: MapBand, top: float, height: float) -> svg.Fragment:
    _fill, stroke, _colour = COLOURS[band.kind]
    frame = svg.rect(
        PAD, top, WIDTH - 2 * PAD, height, rx=10, fill=BAND_FILL[band.kind], stroke=stroke, stroke_dasharray="4 3"
    )
    label = _text(PAD + GAP, top + 20, [band.label], size=14, colour="#262626", weight="bold")
    return svg.join([frame, label])


def _chevron(x: float, y: float, w: float, h: float, first: bool) -> list[tuple[float, float]]:
    notch = 0 if first else ARROW_TIP
    return [
        (x, y),
        (x + w - ARROW_TIP, y),
        (x + w, y + h / 2),
        (x + w - ARROW_TIP, y + h),
        (x, y + h),
        (x + notch, y + h / 2),
    ]


def _main_band(canvas: _Canvas, band: MapBand) -> None:
    """Main processes as a chain of arrow-shaped boxes left → right; sub-processes listed under each."""
    fill, stroke, colour = COLOURS[band.kind]
    inner = WIDTH - 2 * PAD - 2 * GAP
    per_row = min(MAX_PER_ROW[band.kind], max(1, len(band.items)))
    box_w = (inner + (per_row - 1) * (ARROW_TIP - 4)) / per_row
    top = canvas.y
    body: list[svg.Fragment] = []
    y = top + BAND_LABEL
    for row_index, row in enumerate(_chunks(band.items, per_row)):
        text_w = box_w - 2 * ARROW_TIP - BOX_PAD
        titles = [wrap(item.label, text_w) for item in row]
        arrow_h = max((len(t) for t in titles), default=1) * LINE + 2 * BOX_PAD + 4
        under = 0.0
        for index, (item, title) in enumerate(zip(row, titles, strict=True)):
            x = PAD + GAP + index * (box_w - ARROW_TIP + 4)
            first = row_index == 0 and index == 0
            points = _chevron(x, y, box_w, arrow_h, first)
            body.append(svg.polygon(points, fill=fill, stroke=stroke, stroke_width=1.5))
            text_x = x + (BOX_PAD if first else ARROW_TIP + 4)
            text_y = y + (arrow_h - len(title) * LINE) / 2 + FONT - 2
            body.append(_text(text_x, text_y, title, size=FONT, colour=colour, weight="bold"))
            hit = svg.element("polygon", class_="hit", points=svg.points(points))
            canvas.links.append(_hit(item.url, item.label, hit))
            child_w = box_w - ARROW_TIP - 8
            body.extend(_children_block(canvas, item, x + ARROW_TIP / 2, y + arrow_h + 6, child_w, "#262626"))
            under = max(under, _children_height(item, child_w))
        y += arrow_h + under + 6 + GAP
    if not band.items:
        body.append(_text(PAD + GAP, y + FONT, [_("No processes of this type yet.")], size=FONT, colour="#595959"))
        y += LINE + GAP
    canvas.add(_band_frame(band, top, y - top))
    canvas.parts.extend(body)
    canvas.y = y + GAP


def _description(bands: Sequence[MapBand]) -> str:
    parts = []
    for band in bands:
        names = "; ".join(
            item.label + (f" ({', '.join(c.label for c in item.children)})" if item.children else "")
            for item in band.items
        )
        parts.append(f"{band.label}: {names or '–'}.")
    return " ".join(parts)


def render_process_map(
    bands: Sequence[MapBand], *, title: str, id_prefix: str = "process-map", standalone: bool = False
) -> str:
    """The SVG of a process map. ``standalone`` adds the XML declaration for a downloaded file."""
    canvas = _Canvas()
    for band in bands:
        (_main_band if band.kind == "main" else _box_band)(canvas, band)
    height = round(canvas.y + PAD / 2)
    # The drawing is an image (named by the title, described by the desc); the links to the processes lie over
    # it outside the image, so that they stay reachable by keyboard and screen readers.
    drawing = svg.svg(
        svg.title(title, id=f"{id_prefix}-title"),
        svg.style(LINK_STYLE),
        svg.group(
            svg.desc(_description(bands), id=f"{id_prefix}-desc"),
            svg.rect(0, 0, WIDTH, height, fill="#ffffff"),
            *canvas.parts,
            role="img",
            aria_labelledby=f"{id_prefix}-title {id_prefix}-desc",
        ),
        svg.group(*canvas.links, class_="process-map__links"),
        attrs={"xmlns": svg.SVG_NS, "xmlns:xlink": svg.XLINK_NS},
        viewBox=f"0 0 {WIDTH} {height}",
        width=WIDTH,
        height=height,
        role="group",
        aria_labelledby=f"{id_prefix}-title",
        class_="process-map",
        font_family="DejaVu Sans, Roboto, Arial, sans-serif",
    )
    return svg.standalone(drawing) if standalone else drawing


def bands_from_groups(groups, url_for: Callable[[object], str]) -> list[MapBand]:
    """Map bands from :func:`qmss.improvement.selectors.map_processes` groups (management, main, support)."""
    labels = {"management": _("Management processes"), "main": _("Main processes"), "support": _("Support processes")}
    bands = []
    for group in groups:
        items = [
            MapItem(
                code=p.code,
                name=p.name,
                url=url_for(p),
                children=[MapItem(code=c.code, name=c.name, url=url_for(c)) for c in p.subprocesses],
            )
            for p in group.processes
        ]
        bands.append(MapBand(kind=group.kind, label=labels[group.kind], items=items))
    return bands


# --- small charts ---------------------------------------------------------------------------------------


def _fmt(value) -> str:
    return format_number(value) if value is not None else "–"


def sparkline(
    values: Sequence[Decimal], *, target: Decimal | None = None, label: str = "", width: int = 140, height: int = 32
) -> SafeString:
    """A small line chart of a KPI's values (with the target as a dashed line), with a text alternative."""
    if not values:
        return svg.empty()
    numbers = [float(v) for v in values]
    span_values = numbers + ([float(target)] if target is not None else [])
    low, high = min(span_values), max(span_values)
    spread = (high - low) or 1.0
    step = (width - 8) / max(1, len(numbers) - 1)

    def y_of(v: float) -> float:
        return height - 4 - (v - low) / spread * (height - 8)

    coords = [(4 + i * step, y_of(v)) for i, v in enumerate(numbers)]
    alt = label or ngettext(
        "Trend of %(n)s value from %(first)s to %(last)s",
        "Trend of %(n)s values from %(first)s to %(last)s",
        len(numbers),
    ) % {
        "n": len(numbers),
        "first": _fmt(values[0]),
        "last": _fmt(values[-1]),
    }
    target_line = None
    if target is not None:
        ty = y_of(float(target))
        target_line = svg.line(2, ty, width - 2, ty, stroke="#595959", stroke_dasharray="3 3")
    last_x, last_y = coords[-1]
    return svg.svg(
        target_line,
        svg.polyline(coords, fill="none", stroke="#2362a2", stroke_width=2),
        svg.circle(last_x, last_y, 3, fill="#1a4a7a"),
        class_="sparkline",
        viewBox=f"0 0 {width} {height}",
        width=width,
        height=height,
        role="img",
        aria_label=alt,
    )


def nonconformity_chart(rows: Sequence[dict], *, title: str, id_prefix: str = "nc-chart") -> SafeString:
    """Horizontal stacked bars (major, minor nonconformities) per standard; the page shows the same numbers in a
    table next to it."""
    if not rows:
        return svg.empty()
    label_w, bar_w, row_h = 330, 560, 26
    top = 30
    height = top + len(rows) * row_h + 36
    peak = max(row["total"] for row in rows) or 1
    parts = [svg.title(title, id=f"{id_prefix}-title")]
    desc = "; ".join(f"{row['standard_ref']} {row['standard_title']}: {row['major']} + {row['minor']}" for row in rows)
    parts.append(svg.desc(desc, id=f"{id_prefix}-desc"))
    for index, row in enumerate(rows):
        y = top + index * row_h
        label = wrap(f"{row['framework']} {row['standard_ref']} {row['standard_title']}", label_w - 10, 12, 1)
        parts.append(_text(label_w - 8, y + 17, label, size=12, colour="#262626", anchor="end"))
        major_w = row["major"] / peak * bar_w
        minor_w = row["minor"] / peak * bar_w
        parts.append(svg.rect(label_w, y + 4, major_w, row_h - 8, fill="#b3261e"))
        parts.append(
            svg.rect(label_w + major_w, y + 4, minor_w, row_h - 8, fill="#f0c36d", stroke="#6b4e00", stroke_width=1)
        )
        parts.append(_text(label_w + major_w + minor_w + 6, y + 17, [str(row["total"])], size=12, colour="#262626"))
    legend_y = top + len(rows) * row_h + 18
    parts.append(svg.rect(label_w, legend_y - 10, 12, 12, fill="#b3261e"))
    parts.append(_text(label_w + 18, legend_y, [_("Major nonconformities")], size=12, colour="#262626"))
    parts.append(svg.rect(label_w + 220, legend_y - 10, 12, 12, fill="#f0c36d", stroke="#6b4e00"))
    parts.append(_text(label_w + 238, legend_y, [_("Minor nonconformities")], size=12, colour="#262626"))
    total_w = label_w + bar_w + 50
    return svg.svg(
        *parts,
        viewBox=f"0 0 {total_w} {height}",
        width="100%",
        style=f"max-width:{total_w}px",
        role="img",
        aria_labelledby=f"{id_prefix}-title {id_prefix}-desc",
        class_="chart",
        font_family="DejaVu Sans, Roboto, Arial, sans-serif",
    )
