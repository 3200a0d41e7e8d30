"""Test helpers for PDF output: the images a PDF embeds, its text, and the URLs opened while rendering."""

from __future__ import annotations

import contextlib
import io
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

HOSTILE_CSS_BREAKOUTS = ["\r", "\f", "\n", "\r\n", '"', '\\"', "\\\r", "\\\f"]


def hostile_css_payloads(url: str) -> list[str]:
    """Texts that try to leave a CSS string (and a ``<style>`` element) to load ``url`` as a page background."""
    css = f";}}}}body{{background-image:url({url})}}@page{{@top-left{{content:'x'}}"
    return [f"X{breakout}{css}" for breakout in HOSTILE_CSS_BREAKOUTS] + [f"X</style><img src='{url}'><style>"]


def secret_png(path: Path) -> str:
    """Write a small PNG ("another tenant's evidence") to ``path``; return its file:// URL."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 40), (200, 0, 0)).save(path)
    return path.as_uri()


def pdf_image_count(content: bytes) -> int:
    """Image XObjects anywhere in the PDF (page backgrounds are drawn through patterns, which
    ``page.images`` does not see)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    count = 0
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001, S112 – free or broken entries of the cross-reference table
            continue
        if hasattr(obj, "get") and obj.get("/Subtype") == "/Image":
            count += 1
    return count


def pdf_text(content: bytes, *, squeeze: bool = False) -> str:
    """The text of every page; ``squeeze`` drops all whitespace (and NULs pypdf puts between some glyphs)."""
    from pypdf import PdfReader

    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"[\s\x00]", "", text) if squeeze else text


@contextlib.contextmanager
def recorded_url_opens() -> Iterator[list[str]]:
    """Record every URL opened through urllib (what WeasyPrint's own fetcher uses for http, ftp, file and data
    URLs) while the block runs. The opens still happen: use it with local ``file:`` and ``data:`` URLs only."""
    opened: list[str] = []
    original = urllib.request.OpenerDirector.open

    def spy(self, fullurl, *args, **kwargs):
        url = fullurl.full_url if isinstance(fullurl, urllib.request.Request) else str(fullurl)
        opened.append(url)
        return original(self, fullurl, *args, **kwargs)

    urllib.request.OpenerDirector.open = spy
    try:
        yield opened
    finally:
        urllib.request.OpenerDirector.open = original
