"""What a response shows, what forms a page offers, and which query parameters a view reads.

- ``response_texts``: every readable form of a response body – raw, HTML entities unescaped, URL-unquoted, JSON
  decoded (``\\u00e1`` and friends), XLSX cells, PDF text – so that no encoding hides a secret.
- ``harvest_forms``: the POST forms of a page with plausible data (current values, the first real choice, every
  checkbox ticked, empty text filled in, a small file for file inputs), keyed by the path they post to.
- ``tracking_query_params``: while active, every request's ``request.GET`` records the names a view reads, and
  whether it reads them all (iterating, copying, pagination links); forms bound to ``request.GET`` included.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.utils.functional import cached_property

# --- response bodies ------------------------------------------------------------------------------------------


def body_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _json_strings(value, out: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            out.append(str(key))
            _json_strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _json_strings(item, out)
    elif value is not None:
        out.append(str(value))


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    cells = []
    for sheet in workbook.worksheets:
        cells.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells.extend(str(value) for value in row if value is not None)
    return "\n".join(cells)


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def response_texts(response) -> list[str]:
    """Every readable rendering of the response body (and its Location header)."""
    content = body_bytes(response)
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    raw = content.decode("utf-8", "replace")
    texts = [raw, html.unescape(raw), unquote(raw), response.get("Location", "")]
    if "json" in content_type or raw.lstrip()[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            strings: list[str] = []
            _json_strings(json.loads(content), strings)
            texts.append("\n".join(strings))
    if content.startswith(b"PK") or "spreadsheetml" in content_type:
        with contextlib.suppress(Exception):
            texts.append(_xlsx_text(content))
    if content.startswith(b"%PDF"):
        with contextlib.suppress(Exception):
            texts.append(_pdf_text(content))
    return texts


@dataclass
class SecretScanner:
    """Finds a tenant's secrets in responses. Every secret contains ``marker`` (case-insensitive), which makes
    the common case – a response without the marker in any rendering – one cheap check."""

    secrets: list[str]
    marker: str

    def __post_init__(self):
        self.marker = self.marker.lower()
        missing = [s for s in self.secrets if self.marker not in s.lower()]
        assert not missing, f"secrets without the marker {self.marker!r}: {missing}"

    def found(self, response) -> list[str]:
        texts = response_texts(response)
        candidates = [t for t in texts if self.marker in t.lower()]
        if not candidates:
            return []
        return [s for s in self.secrets if any(s in t for t in candidates)]


# --- forms ----------------------------------------------------------------------------------------------------

FILLER_TEXT = "zasah"  # what a form's empty text fields get: a visitor's write must be plausible


@dataclass
class HarvestedForm:
    """A POST form of a page. Each field has the value the page offers and a "filled" value (empty text filled
    in) and an "alternative" value (a select switched to another real choice: a role, a state, another object of
    the same tenant), so that a write is plausible even where the offered values would change nothing."""

    action: str  # path the form posts to (no query string)
    fields: list[tuple[str, object, object, object]] = field(default_factory=list)  # name, offered, filled, alt.
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    def _data(self, which: int) -> dict[str, object]:
        data: dict[str, object] = {}
        for entry in self.fields:
            name, value = entry[0], entry[1 + which]
            if value is UPLOAD:
                value = _upload()  # a fresh file each time: a read upload is empty
            if name in data and not isinstance(value, SimpleUploadedFile):
                existing = data[name]
                data[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                data[name] = value
        return data

    def variants(self) -> list[dict[str, object]]:
        """Offered, filled and alternative data (without repeats); with named submit buttons, the filled and
        alternative data once per button."""
        offered, filled, alternative = self._data(0), self._data(1), self._data(2)
        if self.buttons:
            candidates = [{**data, n: v} for n, v in self.buttons for data in (filled, alternative)]
        else:
            candidates = [offered, filled, alternative]
        unique: dict[str, dict[str, object]] = {}
        for data in candidates:
            unique.setdefault(data_key(data), data)
        return list(unique.values())


UPLOAD = object()  # stands for a small PDF in a file input


def data_key(data: dict[str, object]) -> str:
    """A comparable form of POST data (each upload is a new object, but the same file)."""
    return repr(sorted((k, "<upload>" if isinstance(v, SimpleUploadedFile) else v) for k, v in data.items()))


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("matrix.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "application/pdf")


class _FormParser(HTMLParser):
    def __init__(self, page_path: str, today: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.today = today
        self.forms: list[HarvestedForm] = []
        self._form: HarvestedForm | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def _add(self, name: str, offered, filled=None, alternative=None) -> None:
        filled = offered if filled is None else filled
        self._form.fields.append((name, offered, filled, filled if alternative is None else alternative))

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = urljoin(self.page_path, a.get("action", "") or self.page_path)
                self._form = HarvestedForm(action=urlsplit(action).path)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text").lower()
            value = a.get("value", "")
            if kind in ("submit", "image", "button", "reset"):
                if kind == "submit":
                    form.buttons.append((name, value))
            elif kind == "checkbox":  # every box ticked: "I confirm", "remove" … a visitor's most plausible try
                self._add(name, value or "on")
            elif kind == "radio":  # the checked choice, else the first
                if "checked" in a:
                    form.fields = [f for f in form.fields if f[0] != name]
                    self._add(name, value or "on")
                elif not any(f[0] == name for f in form.fields):
                    self._add(name, value or "on")
            elif kind == "file":
                self._add(name, UPLOAD, UPLOAD, UPLOAD)
            elif kind == "hidden":
                self._add(name, value)
            else:
                self._add(name, value, value or self._filler(kind))
        elif tag == "button" and name and a.get("type", "submit").lower() == "submit":
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "options": [], "selected": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            option = self._option
            value = option["value"] if option["value"] is not None else option["text"].strip()
            self._select["options"].append(value)
            if option["selected"]:
                self._select["selected"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            select = self._select
            real = [v for v in select["options"] if v]
            selected = [v for v in select["selected"] if v]
            offered = selected or real[:1] or select["options"][:1]
            others = [v for v in real if v not in offered]
            alternative = others[:1] if others else offered
            for index, value in enumerate(offered):
                self._add(select["name"], value, value, alternative[index] if index < len(alternative) else value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = self._textarea["text"].strip()
            self._add(self._textarea["name"], text, text or FILLER_TEXT)
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def _filler(self, kind: str) -> str:
        return {
            "number": "1",
            "date": self.today,
            "email": "zasah@example.test",
            "url": "https://example.test/",
            "tel": "123456789",
            "password": "Zasah-zvencI-2026",
        }.get(kind, FILLER_TEXT)


def harvest_forms(response, page_path: str) -> list[HarvestedForm]:
    content_type = response.get("Content-Type", "")
    if "html" not in content_type or getattr(response, "streaming", False):
        return []
    from django.utils import timezone

    parser = _FormParser(page_path, timezone.localdate().isoformat())
    parser.feed(response.content.decode("utf-8", "replace"))
    return parser.forms


# --- query parameters a view reads ----------------------------------------------------------------------------


@dataclass
class QueryReads:
    names: set[str] = field(default_factory=set)
    reads_all: bool = False


_recording: QueryReads | None = None


class TrackingQueryDict(QueryDict):
    """A QueryDict that tells the active recorder which names are read."""

    def _named(self, key):
        if _recording is not None:
            _recording.names.add(key)

    def _all(self):
        if _recording is not None:
            _recording.reads_all = True

    def __getitem__(self, key):
        self._named(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._named(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._named(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self._named(key)
        return super().__contains__(key)

    def __iter__(self):
        self._all()
        return super().__iter__()

    def items(self):
        self._all()
        return super().items()

    def lists(self):
        self._all()
        return super().lists()

    def keys(self):
        self._all()
        return super().keys()

    def values(self):
        self._all()
        return super().values()

    def dict(self):
        self._all()
        return super().dict()

    def copy(self):
        self._all()
        return super().copy()

    def urlencode(self, safe=None):
        self._all()
        return super().urlencode(safe)


def _tracking_get(self):
    from django.core.handlers.wsgi import get_bytes_from_wsgi

    return TrackingQueryDict(get_bytes_from_wsgi(self.environ, "QUERY_STRING", ""), encoding=self._encoding)


@contextlib.contextmanager
def tracking_query_params():
    """Within the block, ``record()`` gives what a request's view reads of its query string."""
    original = WSGIRequest.__dict__["GET"]
    prop = cached_property(_tracking_get)
    prop.__set_name__(WSGIRequest, "GET")
    WSGIRequest.GET = prop
    try:
        yield record
    finally:
        WSGIRequest.GET = original


@contextlib.contextmanager
def record():
    global _recording
    reads = QueryReads()
    _recording = reads
    try:
        yield reads
    finally:
        _recording = None
