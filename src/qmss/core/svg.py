"""The SVG QMSS draws (charts, sparklines, the process map, registry maps) is built here, escaped in one place.

Every builder returns :class:`Fragment` – markup made by this module. Anything else given as a child is text
and is escaped; every attribute value is escaped (numbers are formatted). Characters XML 1.0 forbids are
dropped, so the output is always well-formed XML, inline in HTML, in a standalone ``.svg`` file and in a PDF.
:func:`svg` closes a drawing and returns it as a ``SafeString`` for templates: the only ``mark_safe`` of the
drawings, safe because the whole string was built here.

Attribute names are given as keyword arguments: ``class_`` is ``class``, other underscores become hyphens
(``font_size`` → ``font-size``); names such as ``viewBox`` stay as written; ``attrs`` takes any other name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_NAME = re.compile(r"[A-Za-z_][\w.:-]*\Z")


class Fragment(str):
    """SVG markup built by this module (never build one from other text)."""

    __slots__ = ()


def text_escape(value: object) -> str:
    """``value`` as XML character data (``&``, ``<``, ``>`` escaped, so also ``]]>``; forbidden characters
    dropped)."""
    return _ILLEGAL_XML.sub("", str(value)).translate(_TEXT)


def attr_escape(value: object) -> str:
    """``value`` for a double-quoted XML attribute (quotes and white-space characters escaped too)."""
    return _ILLEGAL_XML.sub("", str(value)).translate(_ATTR)


def number(value: float | int) -> str:
    """A coordinate or size: integers as they are, other numbers with at most two decimals."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def points(coordinates: Iterable[tuple[float, float]]) -> str:
    """A ``points`` attribute: ``x,y x,y …``."""
    return " ".join(f"{number(x)},{number(y)}" for x, y in coordinates)


def _attr_name(name: str) -> str:
    name = name[:-1] if name.endswith("_") else name
    name = name.replace("_", "-")
    if not _NAME.match(name):
        raise ValueError(f"not an attribute name: {name!r}")
    return name


def _attributes(attrs: Mapping[str, object]) -> str:
    out = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = number(value)
        out.append(f' {name}="{attr_escape(value)}"')
    return "".join(out)


def _children(children: Iterable) -> str:
    out = []
    for child in children:
        if child is None or child == "":
            continue
        if isinstance(child, Fragment):
            out.append(child)
        elif isinstance(child, list | tuple):
            out.append(_children(child))
        else:
            out.append(text_escape(child))
    return "".join(out)


def element(tag: str, *children, attrs: Mapping[str, object] | None = None, **kwargs) -> Fragment:
    """``<tag …>children</tag>`` (``<tag …/>`` without children). Children: fragments, texts (escaped), lists."""
    if not _NAME.match(tag):
        raise ValueError(f"not an element name: {tag!r}")
    names = {}
    for key, value in (attrs or {}).items():
        if not _NAME.match(key):
            raise ValueError(f"not an attribute name: {key!r}")
        names[key] = value
    names.update((_attr_name(key), value) for key, value in kwargs.items())
    opening = f"<{tag}{_attributes(names)}"
    inner = _children(children)
    return Fragment(f"{opening}>{inner}</{tag}>" if inner else f"{opening}/>")


def join(parts: Iterable[Fragment]) -> Fragment:
    """Several fragments as one."""
    return Fragment(_children(list(parts)))


# --- shapes and texts ----------------------------------------------------------------------------------------


def rect(x: float, y: float, width: float, height: float, **attrs) -> Fragment:
    return element("rect", x=x, y=y, width=width, height=height, **attrs)


def line(x1: float, y1: float, x2: float, y2: float, **attrs) -> Fragment:
    return element("line", x1=x1, x2=x2, y1=y1, y2=y2, **attrs)


def circle(cx: float, cy: float, r: float, *children, **attrs) -> Fragment:
    return element("circle", *children, cx=cx, cy=cy, r=r, **attrs)


def polyline(coordinates: Iterable[tuple[float, float]], **attrs) -> Fragment:
    return element("polyline", points=points(coordinates), **attrs)


def polygon(coordinates: Iterable[tuple[float, float]], **attrs) -> Fragment:
    return element("polygon", points=points(coordinates), **attrs)


def path(d: str, **attrs) -> Fragment:
    return element("path", d=d, **attrs)


def text(x: float, y: float, content: object, **attrs) -> Fragment:
    """A one-line ``<text>``."""
    return element("text", content, x=x, y=y, **attrs)


def text_lines(x: float, y: float, lines: Sequence[str], *, line_height: float, **attrs) -> Fragment:
    """A ``<text>`` of several lines (one ``<tspan>`` per line, ``line_height`` apart)."""
    spans = [element("tspan", content, x=x, dy=0 if i == 0 else line_height) for i, content in enumerate(lines)]
    return element("text", *spans, x=x, y=y, **attrs)


def title(content: object, **attrs) -> Fragment:
    return element("title", content, **attrs)


def desc(content: object, **attrs) -> Fragment:
    return element("desc", content, **attrs)


def style(css: str) -> Fragment:
    """A ``<style>`` of the module's own constant rules (never user text)."""
    return element("style", css)


def group(*children, **attrs) -> Fragment:
    return element("g", *children, **attrs)


def link(href: str, *children, **attrs) -> Fragment:
    """``<a href>`` around drawn shapes."""
    return element("a", *children, href=href, **attrs)


def svg(*children, attrs: Mapping[str, object] | None = None, **kwargs) -> SafeString:
    """The whole drawing, ready for a template."""
    return mark_safe(element("svg", *children, attrs=attrs, **kwargs))  # noqa: S308 – built and escaped here


def empty() -> SafeString:
    """Nothing to draw."""
    return mark_safe("")  # noqa: S308 – the empty string


def standalone(drawing: str) -> str:
    """A drawing as the content of an ``.svg`` file (XML declaration first)."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + drawing + "\n"
