"""A cheap pre-scan of a registry file before it is parsed: its size, nesting depth and number of records.

A JSON parser that builds paths (ijson's ``items``) needs memory quadratic in the nesting depth: a 200 KB file
nested 100,000 levels deep takes tens of GB. The registry nests 8 levels; this scan refuses a file nested
deeper than ``QMSS_REGISTRY_MAX_DEPTH``, larger than ``QMSS_REGISTRY_UPLOAD_MAX_BYTES`` or holding more than
``QMSS_REGISTRY_MAX_RECORDS`` records, before any parser sees it, in constant memory (1 MB chunks).

It works on bytes with C-speed primitives only: escaped backslashes and quotes are removed, everything but
brackets and quotes is deleted (``bytes.translate``; UTF-8 never encodes other characters with ASCII bytes),
the strings between quotes are dropped, and the depth is a running sum over the remaining brackets. Measured on
the 20.7 MB synthetic national file (6,733 services): this scan 0.3 s, ``ijson.basic_parse`` with a depth
counter 0.7 s, a regular-expression tokenizer 1.25 s (the import itself parses in 0.5 s). The exact byte is
found only when a limit is exceeded, by a byte-by-byte walk over that one chunk.

A file that is not valid JSON is not judged here (the parser reports it precisely): the scan stops quietly
where the brackets stop making sense.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from qmss.registry.error_codes import RegistryImportErrorCode as Code
from qmss.registry.importer.errors import RegistryImportError

CHUNK_BYTES = 1 << 20
RECORD_DEPTH = 3  # {"polozky": [ {record} ]}: a record opens the third level
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPENING, _CLOSING = frozenset(b"[{"), frozenset(b"]}")
_DELETE = bytes(byte for byte in range(256) if byte not in b'[]{}"')
_STEP = [0] * 256
for _byte in b"[{":
    _STEP[_byte] = 1
for _byte in b"]}":
    _STEP[_byte] = -1
_ENTER_RECORD = bytes((RECORD_DEPTH - 1, RECORD_DEPTH))


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_depth: int
    max_records: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.QMSS_REGISTRY_UPLOAD_MAX_BYTES,
            max_depth=min(255, max(RECORD_DEPTH, getattr(settings, "QMSS_REGISTRY_MAX_DEPTH", 64))),
            max_records=getattr(settings, "QMSS_REGISTRY_MAX_RECORDS", 200_000),
        )


@dataclass(frozen=True)
class ScanResult:
    depth: int  # the deepest nesting seen
    records: int  # containers opened on the record level (the records, if the file is well formed)


@dataclass
class _State:
    depth: int = 0
    deepest: int = 0
    records: int = 0
    in_string: bool = False


def _too_large(path: Path, size: int, limit: int) -> RegistryImportError:
    message = _("The file %(file)s is %(size)s, more than the allowed %(limit)s.") % {
        "file": path.name, "size": filesizeformat(size), "limit": filesizeformat(limit),
    }  # fmt: skip
    return RegistryImportError(message, file=str(path), code=Code.FILE_TOO_LARGE)


def _too_deep(path: Path, limit: int, position: int, record: int) -> RegistryImportError:
    message = _(
        "The file %(file)s is nested more than %(limit)s levels deep (at byte %(position)s, record %(record)s); "
        "a registry file nests far less, so it was not read."
    ) % {"file": path.name, "limit": limit, "position": position, "record": record}
    return RegistryImportError(message, file=str(path), row=record, code=Code.NESTED_TOO_DEEP)


def _too_many(path: Path, limit: int, position: int) -> RegistryImportError:
    message = _(
        "The file %(file)s holds more than %(limit)s records (record %(record)s starts at byte %(position)s); "
        "the national registry has far fewer, so it was not read."
    ) % {"file": path.name, "limit": limit, "record": limit, "position": position}
    return RegistryImportError(message, file=str(path), row=limit, code=Code.TOO_MANY_RECORDS)


def _locate(data: bytes, state: _State, limits: Limits, path: Path, start: int) -> RegistryImportError:
    """Walk one chunk byte by byte from ``state`` to the first byte that exceeds a limit (slow; errors only)."""
    depth, records, in_string, escaped = state.depth, state.records, state.in_string, False
    for index, byte in enumerate(data):
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENING:
            depth += 1
            if depth == RECORD_DEPTH:
                records += 1
                if records > limits.max_records:
                    return _too_many(path, limits.max_records, start + index)
            if depth > limits.max_depth:
                return _too_deep(path, limits.max_depth, start + index, max(records - 1, 0))
        elif byte in _CLOSING:
            depth -= 1
    raise AssertionError("the fast scan and the byte walk disagree")  # pragma: no cover


def _outside_strings(marks: bytes, state: _State) -> bytes:
    """The brackets of ``marks`` (brackets and quotes only) that are not inside a string; updates the state."""
    if b'""' in marks:
        marks = marks.replace(b'""', b"")  # an empty pair changes no byte's side of the quotes
    if b'"' not in marks:
        return b"" if state.in_string else marks
    parts = marks.split(b'"')
    outside = b"".join(parts[1::2] if state.in_string else parts[0::2])
    if len(parts) % 2 == 0:
        state.in_string = not state.in_string
    return outside


def prescan(path: Path, limits: Limits | None = None) -> ScanResult:
    """Refuse (RegistryImportError) a file over the size, depth or record limits; else return what was seen."""
    limits = limits or Limits.from_settings()
    path = Path(path)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise _too_large(path, size, limits.max_bytes)
    state = _State()
    carry = b""
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            data = carry + chunk
            start = offset - len(carry)
            offset += len(chunk)
            body = data.rstrip(b"\\")  # a run of backslashes may go on in the next chunk
            run = len(data) - len(body)
            carry = b"\\" if run % 2 else b""  # pairs are escaped backslashes: only the parity matters
            if run % 2 == 0:
                body = data
            before = _State(state.depth, state.deepest, state.records, state.in_string)
            if b"\\" in body:
                body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
            outside = _outside_strings(body.translate(None, _DELETE), state)
            if not outside:
                continue
            levels = list(accumulate(map(_STEP.__getitem__, outside), initial=state.depth))
            deepest, lowest = max(levels), min(levels)
            if lowest < 0:
                break  # more closing than opening brackets: not JSON, left to the parser
            records = state.records + bytes(levels).count(_ENTER_RECORD) if deepest < 256 else 0
            if deepest > limits.max_depth or records > limits.max_records:
                raise _locate(data[: len(data) - len(carry)], before, limits, path, start)
            state.depth, state.records = levels[-1], records
            state.deepest = max(state.deepest, deepest)
    return ScanResult(depth=state.deepest, records=state.records)
