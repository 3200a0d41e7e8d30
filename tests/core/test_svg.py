"""The one SVG builder (qmss.core.svg) and every SVG QMSS draws: hostile names stay text, output is XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils.safestring import SafeString

from qmss.assessments.charts import Series, line_chart
from qmss.assessments.reports.charts import share_bar_chart
from qmss.core import svg
from qmss.improvement.svg import MapBand, MapItem, nonconformity_chart, render_process_map, sparkline
from qmss.registry.maps import MapPoint, render_map

SRC = Path(__file__).resolve().parents[2] / "src" / "qmss"
NASTY = [
    "<script>alert(1)</script>",
    'say "hi"',
    "it's",
    "R&D &amp; co",
    "end]]>of cdata",
    "</svg><img src=x onerror=alert(1)>",
    "ctrl\x01\x08char",
]
SQUARE = {"type": "Polygon", "coordinates": [[[14, 50], [16, 50], [16, 51], [14, 51], [14, 50]]]}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup.removeprefix('<?xml version="1.0" encoding="UTF-8"?>\n'))


def all_text(root: ET.Element) -> str:
    """Every text and attribute value of the tree, decoded."""
    parts = []
    for node in root.iter():
        parts.extend(node.attrib.values())
        parts.append(node.text or "")
        parts.append(node.tail or "")
    return "\n".join(parts)


def producers(name: str) -> dict[str, str]:
    items = [
        MapItem(code="P1", name=name, url=f"/p/1?x={name}", children=[MapItem("P1.1", name, "/p/2")]),
        MapItem(code="P2", name=name, url="/p/3"),
    ]
    bands = [MapBand(kind, name, items) for kind in ("management", "main", "support")]
    standard = SimpleNamespace(ref_id=name, share=0.5, failed_essential=False)
    row = {"framework": name, "standard_ref": name, "standard_title": name, "major": 1, "minor": 2, "total": 3}
    return {
        "process map": render_process_map(bands, title=name, id_prefix="pm"),
        "process map file": render_process_map(bands, title=name, standalone=True),
        "sparkline": sparkline([Decimal(1), Decimal(3)], target=Decimal(2), label=name),
        "nonconformities": nonconformity_chart([row], title=name),
        "registry map": render_map([SQUARE], [MapPoint(50.5, 15.0, name)], label=name),
        "line chart": line_chart(
            [Series(name, [(date(2024, 1, 1), 0.4), (date(2025, 1, 1), 0.7)])], title=name, description=name
        ),
        "report chart": share_bar_chart([standard], title=name),
    }


@pytest.mark.parametrize("name", NASTY)
def test_every_drawing_is_well_formed_and_keeps_names_as_text(name):
    expected = re.sub(r"[\x00-\x08]", "", name)
    for producer, markup in producers(name).items():
        try:
            root = parse(markup)
        except ET.ParseError as error:  # pragma: no cover – the failure message
            pytest.fail(f"{producer}: not well-formed XML ({error}): {markup[:300]}")
        assert root.tag.endswith("svg"), producer
        tags = {node.tag.rsplit("}", 1)[-1] for node in root.iter()}
        assert not tags & {"script", "img", "foreignObject", "iframe"}, (producer, tags)
        assert expected in all_text(root), producer
        assert not any(key.startswith("on") for node in root.iter() for key in node.attrib), producer
        if producer != "process map file":
            assert isinstance(markup, SafeString), producer  # ready for a template, built by core.svg


def test_builder_escapes_texts_and_attributes():
    fragment = svg.text(1, 2.345, "<b>&]]>", class_='a"b', aria_label="x'y\nz", data_none=None)
    assert fragment == '<text x="1" y="2.35" class="a&quot;b" aria-label="x&#x27;y&#10;z">&lt;b&gt;&amp;]]&gt;</text>'
    assert svg.element("g", svg.rect(0, 0, 1.5, 2), "t") == '<g><rect x="0" y="0" width="1.5" height="2"/>t</g>'
    assert svg.number(-0.001) == "0" and svg.number(3.0) == "3" and svg.number(7) == "7"
    with pytest.raises(ValueError):
        svg.element("g", attrs={'x" onload="alert(1)': 1})
    with pytest.raises(ValueError):
        svg.element("script onload=x")


def test_a_plain_string_is_never_taken_as_markup():
    assert svg.group("<circle/>") == "<g>&lt;circle/&gt;</g>"
    assert svg.group(SafeString("<circle/>")) == "<g>&lt;circle/&gt;</g>"  # only core.svg fragments are markup


def _sources(pattern: str, suffix: str = "*.py") -> set[str]:
    regex = re.compile(pattern)
    return {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob(suffix)
        if "testing" not in path.parts and regex.search(path.read_text(encoding="utf-8"))
    }


def test_no_other_module_writes_or_escapes_svg():
    """Drawings are built and escaped in one place: no module outside qmss.core.svg writes SVG tags or uses an
    XML escaper of its own."""
    tags = r"""f?["']<(?:svg|g|rect|line|text|tspan|path|circle|polygon|polyline|title|desc|a)[\s>/]"""
    library_output = {"core/mfa.py"}  # the QR code is drawn by segno, which escapes its title
    assert _sources(tags) - {"core/svg.py"} - library_output == set()
    assert _sources(r"saxutils|quoteattr") == set()


# Every mark_safe and |safe in src, reviewed: each is fed only by qmss.core.svg or by escaped content.
MARK_SAFE_REVIEWED = {
    "core/svg.py": "drawings built and escaped by the module itself",
    "core/pdf.py": "css_string: only letters, digits, hex escapes and quotes",
    "registry/forms.py": "the catalogue's option list, every piece from format_html",
    "registry/cache.py": "catalogue fragments rendered (and so escaped) by Django templates, cached as they are",
    "portal/markup.py": "article bodies rendered by markdown-it with raw HTML off (escapes all text; safe links only)",
}
SAFE_FILTER_REVIEWED = {
    "core/templates/core/mfa/setup.html": "the QR code drawn by segno (escapes its title; data only as modules)",
}


def test_every_mark_safe_is_reviewed():
    assert _sources(r"mark_safe\(|SafeString\(") <= set(MARK_SAFE_REVIEWED)
    assert _sources(r"\|\s*safe\b", "*.html") <= set(SAFE_FILTER_REVIEWED)
