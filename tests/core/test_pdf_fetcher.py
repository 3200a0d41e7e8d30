"""The locked-down PDF printer (qmss.core.pdf): the URL fetcher serves static files and data: URLs only, texts
reach CSS only hex-escaped, and no other module prints with WeasyPrint."""

from __future__ import annotations

import base64
import io
import logging
import re
from pathlib import Path

import pytest
import tinycss2
from PIL import Image

from qmss.core.pdf import RefusedURL, base_url, css_string, html_to_pdf, static_only_fetcher
from qmss.testing.pdf import hostile_css_payloads, pdf_image_count, pdf_text, recorded_url_opens, secret_png

SRC = Path(__file__).resolve().parents[2] / "src" / "qmss"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def static_dir(settings, tmp_path) -> Path:
    """A static directory with an image, and MEDIA_ROOT with another tenant's evidence image."""
    static = tmp_path / "static"
    (static / "img").mkdir(parents=True)
    (static / "img" / "logo.png").write_bytes(png_bytes())
    settings.STATICFILES_DIRS = [static]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATIC_ROOT.mkdir()
    settings.MEDIA_ROOT = tmp_path / "media"
    secret_png(settings.MEDIA_ROOT / "evidence" / "secret.png")
    return static


def refused(url: str) -> bool:
    try:
        static_only_fetcher().fetch(url)
    except RefusedURL:
        return True
    return False


# --- the fetcher ------------------------------------------------------------------------------------------


def test_serves_static_files_and_data_urls(static_dir):
    fetcher = static_only_fetcher()
    response = fetcher.fetch(base_url() + "img/logo.png")
    assert response.read() == png_bytes() and response.content_type == "image/png"
    response = fetcher.fetch("data:text/plain;base64," + base64.b64encode(b"hello").decode())
    assert response.read() == b"hello"


def test_serves_collected_files_in_static_root(static_dir, settings):
    (settings.STATIC_ROOT / "collected.css").write_text("p { color: red }")
    assert static_only_fetcher().fetch(base_url() + "collected.css").read() == b"p { color: red }"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1:1/latest/meta-data/",
        "https://example.com/x.png",
        "ftp://example.com/x.png",
        "gopher://example.com/",
        "http://qmss-static.invalid/media/evidence/secret.png",  # the static origin, but not below STATIC_URL
        "http://qmss-static.invalid/static/../media/evidence/secret.png",
        "http://qmss-static.invalid/static/%2e%2e/media/evidence/secret.png",
        "http://qmss-static.invalid/static/..%2fmedia%2fevidence%2fsecret.png",
        "http://qmss-static.invalid/static/img/..%2F..%2Fmedia/evidence/secret.png",
        "http://qmss-static.invalid/static//etc/passwd",
        "http://qmss-static.invalid/static/%2Fetc%2Fpasswd",
        "http://qmss-static.invalid/static/..%5cmedia%5cevidence%5csecret.png",
        "http://qmss-static.invalid/static/img/logo.png%00.css",
        "http://qmss-static.invalid/static/missing.png",
        "http://qmss-static.invalid:8080/static/img/logo.png",
        "http://user@qmss-static.invalid/static/img/logo.png",
        "http://qmss-static.invalid.example.com/static/img/logo.png",
    ],
)
def test_refuses_everything_else(static_dir, url, caplog):
    with recorded_url_opens() as opened, caplog.at_level(logging.WARNING, logger="qmss.security"):
        assert refused(url), url
    assert opened == []
    assert any("refused" in record.getMessage() for record in caplog.records)


def test_refuses_a_file_url_into_media(static_dir, settings):
    assert refused((settings.MEDIA_ROOT / "evidence" / "secret.png").as_uri())


def test_refuses_a_symlink_from_static_root_into_media(static_dir, settings):
    (settings.STATIC_ROOT / "evil.png").symlink_to(settings.MEDIA_ROOT / "evidence" / "secret.png")
    (static_dir / "evil2.png").symlink_to(settings.MEDIA_ROOT / "evidence" / "secret.png")
    assert refused(base_url() + "evil.png")
    assert refused(base_url() + "evil2.png")


# --- printing ---------------------------------------------------------------------------------------------


def test_pdf_loads_static_and_data_images_only(static_dir, settings):
    data_url = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    secret = (settings.MEDIA_ROOT / "evidence" / "secret.png").as_uri()
    assert pdf_image_count(html_to_pdf(f'<img src="{data_url}">')) == 1
    assert pdf_image_count(html_to_pdf('<img src="/static/img/logo.png">')) == 1
    assert pdf_image_count(html_to_pdf('<img src="img/logo.png">')) == 1  # relative to STATIC_URL
    with recorded_url_opens() as opened:
        for src in (secret, "../media/evidence/secret.png", "/media/evidence/secret.png", "http://127.0.0.1:1/x"):
            html = f'<img src="{src}"><p style="background: url({src})">x</p><svg><image href="{src}"/></svg>'
            assert pdf_image_count(html_to_pdf(html)) == 0, src
        html = f'<style>@import url("{secret}"); body {{ background: url("{secret}") }}</style><p>x</p>'
        assert pdf_image_count(html_to_pdf(html)) == 0
    assert opened == []


def test_hostile_text_in_a_css_string_is_printed_as_text(static_dir, settings):
    url = (settings.MEDIA_ROOT / "evidence" / "secret.png").as_uri()
    for payload in hostile_css_payloads(url):
        html = (
            f"<style>@page {{ @bottom-left {{ content: {css_string(payload)}; font-size: 6pt }} }}</style><p>body</p>"
        )
        with recorded_url_opens() as opened:
            content = html_to_pdf(html)
        assert opened == [] and pdf_image_count(content) == 0, payload
        assert "secret.png" in pdf_text(content, squeeze=True), payload


# --- css_string -------------------------------------------------------------------------------------------

NASTY = [
    "",
    "plain",
    'a"b',
    "a'b",
    "a\\b",
    "a\\",
    "line\nbreak",
    "cr\rlf",
    "form\ffeed",
    "</style><script>alert(1)</script>",
    "a;}body{background:url(file:///etc/passwd)}",
    "nul\x00char",
    "Žluťoučký kůň · 3 € 😀",
    "\\00003c  hex-looking",
    "ends with backslash\\",
    "\ud800 lone surrogate",
]


@pytest.mark.parametrize("text", NASTY)
def test_css_string_escapes_every_non_alphanumeric_character(text):
    quoted = str(css_string(text))
    assert re.fullmatch(r'"(?:[A-Za-z0-9]|\\[0-9a-f]{6} )*"', quoted), quoted
    tokens = [t for t in tinycss2.parse_component_value_list(quoted) if t.type != "whitespace"]
    assert len(tokens) == 1 and tokens[0].type == "string"
    expected = re.sub("[\x00\ud800-\udfff]", "\ufffd", text)
    assert tokens[0].value == expected


# --- one printer ------------------------------------------------------------------------------------------


def test_only_core_pdf_prints_with_weasyprint():
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "pdf.py" or path.parent.name != "core"
        if re.search(r"\bweasyprint\b|\bwrite_pdf\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "print PDFs through qmss.core.pdf.html_to_pdf"


def test_no_module_defines_its_own_css_escaper():
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.relative_to(SRC).as_posix() != "core/pdf.py"
        if re.search(r"def css_string\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
