"""Printing HTML to PDF with WeasyPrint, locked down: the one place in QMSS that calls ``write_pdf``.

- :func:`html_to_pdf` prints with :class:`StaticOnlyFetcher`, which serves only the project's own static files
  (found through the staticfiles finders, else in STATIC_ROOT) and ``data:`` URLs. Every other URL – ``http``,
  ``https``, ``file``, ``ftp``, a path outside the static files, ``..`` in any spelling – is refused (logged on
  the ``qmss.security`` logger; WeasyPrint then leaves the resource out). The base URL is a placeholder origin,
  so ``{% static %}`` URLs and paths relative to STATIC_URL resolve to static files and nothing else.
- :func:`css_string` is the only way a text enters a stylesheet (page headers and footers): a quoted CSS string
  in which every character but ASCII letters and digits is a hex escape, so no text can end the string, the
  declaration or the ``<style>`` element.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger("qmss.security")

STATIC_ORIGIN = "http://qmss-static.invalid"  # never contacted: the fetcher maps it to files on disk


class RefusedURL(ValueError):
    """A URL the PDF renderer will not fetch."""


def css_string(text: str) -> SafeString:
    """``text`` as a quoted CSS string with every character except ASCII letters and digits hex-escaped
    (``\\00XXXX`` and a space), e.g. ``"A\\000020 b"``. Safe inside a ``<style>`` element and a declaration."""
    out = []
    for char in text:
        if char.isascii() and char.isalnum():
            out.append(char)
            continue
        code = ord(char)
        if code == 0 or 0xD800 <= code <= 0xDFFF:
            code = 0xFFFD  # CSS reads these as the replacement character anyway
        out.append(f"\\{code:06x} ")
    return mark_safe('"' + "".join(out) + '"')  # noqa: S308 – only [A-Za-z0-9], backslash, space and quotes


def _static_prefix() -> str:
    path = urlsplit(settings.STATIC_URL or "/static/").path or "/static/"
    return path if path.endswith("/") else path + "/"


def base_url() -> str:
    """The base URL of printed documents: relative URLs resolve below the static files."""
    return STATIC_ORIGIN + _static_prefix()


def _static_file(url: str) -> Path | None:
    """The file on disk of a static URL under :func:`base_url`, or None."""
    from django.contrib.staticfiles import finders

    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != STATIC_ORIGIN or not parts.path.startswith(_static_prefix()):
        return None
    name = unquote(parts.path[len(_static_prefix()) :])
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in name:
        return None
    if any(segment in ("", ".", "..") for segment in name.split("/")) or posixpath.normpath(name) != name:
        return None
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    path = Path(found) if found else None
    if path is None and settings.STATIC_ROOT:  # collected files only (e.g. a manifest's hashed names)
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / name).resolve()
        path = candidate if candidate.is_relative_to(root) else None
    if path is None or not path.resolve().is_file():
        return None
    resolved = path.resolve()
    if settings.MEDIA_ROOT and resolved.is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        return None  # a static directory must never lead into uploaded files
    return resolved


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """WeasyPrint's fetcher limited to ``data:`` URLs and the project's static files."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",), allow_redirects=False)

        def fetch(self, url, headers=None):
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            path = _static_file(url)
            if path is None:
                logger.warning("PDF rendering refused to fetch %r", url[:300])
                raise RefusedURL(f"not fetched while printing: {url[:300]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher


def static_only_fetcher():
    """A new fetcher that serves only static files and ``data:`` URLs (see the module's docstring)."""
    return _fetcher_class()()


def html_to_pdf(html: str) -> bytes:
    """Print ``html`` (a whole document) to PDF bytes; it can load static files and ``data:`` URLs only."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url(), url_fetcher=static_only_fetcher()).write_pdf()
