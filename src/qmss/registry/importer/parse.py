"""Stream the records of a registry file (``{"polozky": [...]}``) with ijson, checking the structure on the way.

Memory stays flat: only one record at a time is a Python object. Structural problems (not JSON, truncated,
no ``polozky`` list, a record that is not an object) raise :class:`RegistryImportError` naming the file and,
where known, the record index and byte position. A file that does not even start like a JSON object is
refused after reading its first bytes. Before any of that, :mod:`.prescan` bounds the size, nesting depth and
number of records (ijson's memory grows with the square of the depth). A number yajl cannot hold (beyond a
64-bit integer or a double) is reported as out of range with its record, portal id and field path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import ijson
from django.utils.translation import gettext as _

from qmss.registry.error_codes import RegistryImportErrorCode as Code
from qmss.registry.importer.errors import RegistryImportError
from qmss.registry.importer.prescan import prescan

ROOT_KEY = "polozky"
ITEMS_PREFIX = f"{ROOT_KEY}.item"
PROGRESS_EVERY = 200
BUFFER_BYTES = 16 * 1024  # smaller buffers parse faster (measured: 16 KB 0.42 s, 256 KB 0.51 s)
SNIFF_BYTES = 4096
UTF8_BOM = b"\xef\xbb\xbf"

ProgressCallback = Callable[[int, int, int], None]
#: How yajl words a number it cannot hold (a 64-bit integer or a double); no other error mentions "overflow".
_OVERFLOW = "overflow"


def _first_byte(handle: BinaryIO) -> tuple[int, bytes]:
    """Offset where the JSON starts (after a BOM) and its first non-blank byte (b"" for an empty file)."""
    head = handle.read(SNIFF_BYTES)
    offset = len(UTF8_BOM) if head.startswith(UTF8_BOM) else 0
    stripped = head[offset:].lstrip(b" \t\r\n")
    return offset, stripped[:1]


def _detail(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else ""
    if isinstance(detail, bytes):  # yajl reports some errors as bytes
        detail = detail.decode("utf-8", "replace")
    return str(detail).strip().splitlines()[0] if str(detail).strip() else exc.__class__.__name__


def _json_error(path: Path, exc: Exception, *, record: int | None = None, position: int | None = None, offset=0):
    detail = _detail(exc)
    if _OVERFLOW in detail:
        return _number_error(path, offset)
    if record is None:
        message = _("The file %(file)s is not valid JSON: %(detail)s") % {"file": path.name, "detail": detail}
    else:
        message = _(
            "The file %(file)s is not valid JSON or is truncated (at record %(record)s, about byte %(position)s): "
            "%(detail)s"
        ) % {"file": path.name, "record": record, "position": position, "detail": detail}
    return RegistryImportError(message, file=str(path), row=record, code=Code.NOT_JSON)


def _structure_error(path: Path, message: str, record: int | None = None, *, code: Code) -> RegistryImportError:
    return RegistryImportError(message, file=str(path), row=record, code=code)


def _field_path(frames: list[list[Any]], *, failed_in_array: bool) -> str:
    """``formy[0].kapacity[1].pocet`` from the open containers (the last array's item has not been counted)."""
    text = ""
    for position, (in_array, name) in enumerate(frames):
        if in_array:
            text += f"[{name + 1 if failed_in_array and position == len(frames) - 1 else name}]"
        elif name is not None:
            text += f".{name}" if text else str(name)
    return text


def locate_bad_number(path: Path, offset: int = 0) -> tuple[int | None, Any, str]:
    """``(record index, portal id, field path)`` of the first number yajl cannot hold (called on that error only).

    Paths are built from our own stack of open containers (the depth is bounded by the pre-scan).
    """
    frames: list[list[Any]] = []  # [in an array, its current index or the current key]
    record: int | None = None
    portal_id: Any = None
    with Path(path).open("rb") as handle:
        handle.seek(offset)
        try:
            for event, value in ijson.basic_parse(handle, buf_size=BUFFER_BYTES, use_float=True):
                if event == "map_key":
                    frames[-1][1] = value
                    continue
                if event in ("end_map", "end_array"):
                    frames.pop()
                    continue
                if frames and frames[-1][0]:
                    frames[-1][1] += 1
                on_record_level = len(frames) == 2 and frames[0][1] == ROOT_KEY and frames[1][0]
                if on_record_level:
                    record, portal_id = frames[1][1], None
                elif len(frames) == 3 and record is not None and frames[2][1] == "portalId":
                    portal_id = value
                if event == "start_map":
                    frames.append([False, None])
                elif event == "start_array":
                    frames.append([True, -1])
        except ijson.JSONError:
            pass
    in_record = record is not None and len(frames) >= 3 and frames[0][1] == ROOT_KEY
    failed_in_array = bool(frames) and frames[-1][0]
    if in_record:
        return record, portal_id, _field_path(frames[2:], failed_in_array=failed_in_array)
    return None, None, _field_path(frames, failed_in_array=failed_in_array)


def _number_error(path: Path, offset: int) -> RegistryImportError:
    record, portal_id, field = locate_bad_number(path, offset)
    values = {"file": path.name, "record": record, "portal_id": portal_id, "field": field or "?"}
    if record is None:
        message = _("In the file %(file)s, the number in the field “%(field)s” is out of range: no field can hold it.")
    elif portal_id is None:
        message = _(
            "In the file %(file)s, record %(record)s, the number in the field “%(field)s” is out of range: "
            "no field can hold it."
        )
    else:
        message = _(
            "In the file %(file)s, record %(record)s (portalId %(portal_id)s), the number in the field "
            "“%(field)s” is out of range: no field can hold it."
        )
    return RegistryImportError(message % values, file=str(path), row=record, field=field, code=Code.NUMBER_OUT_OF_RANGE)


def _check_start(path: Path, handle: BinaryIO) -> int:
    """Refuse an empty file and one that does not start like a JSON object; the offset where JSON starts."""
    offset, first = _first_byte(handle)
    if not first:
        raise _structure_error(path, _("The file %(file)s is empty.") % {"file": path.name}, code=Code.EMPTY_FILE)
    if first != b"{":
        raise _structure_error(
            path,
            _("The file %(file)s is not a JSON object: it must start with “{” and hold the list “polozky”.")
            % {"file": path.name},
            code=Code.NOT_AN_OBJECT,
        )
    return offset


def check_structure(path: Path) -> int:
    """Check that the file is a JSON object with a list under ``polozky``; return the offset where JSON starts.

    Reads only the first bytes in the usual case (``polozky`` is the first key).
    """
    with path.open("rb") as handle:
        offset = _check_start(path, handle)
        handle.seek(offset)
        events = ijson.parse(handle, buf_size=SNIFF_BYTES, use_float=True)
        try:
            next(events)  # ("", "start_map", None)
            for prefix, event, value in events:
                if prefix != "":
                    continue
                if event == "map_key":
                    _prefix, value_event, _value = next(events)
                    if value == ROOT_KEY:
                        if value_event != "start_array":
                            raise _structure_error(
                                path,
                                _("In the file %(file)s, “polozky” is not a list.") % {"file": path.name},
                                code=Code.NO_RECORD_LIST,
                            )
                        return offset
                elif event == "end_map":
                    break
        except ijson.JSONError as exc:
            raise _json_error(path, exc, offset=offset) from exc
        except StopIteration:
            pass
    raise _structure_error(
        path,
        _("The file %(file)s has no list “polozky” at its top level.") % {"file": path.name},
        code=Code.NO_RECORD_LIST,
    )


def check_file(path: Path) -> int:
    """The first bytes, the pre-scan (size, depth, record limits), then :func:`check_structure`; the offset where
    JSON starts. (A file that does not start like JSON is refused before the pre-scan reads it all.)"""
    with Path(path).open("rb") as handle:
        _check_start(path, handle)
    prescan(path)
    return check_structure(path)


class RecordStream:
    """Iterate ``(index, record)`` over a checked file; keeps byte and record counts for the progress report.

    The file is pre-scanned first (:func:`check_file`) unless the caller has done so (``prescanned=True``).
    """

    def __init__(self, path: Path, progress: ProgressCallback | None = None, *, prescanned: bool = False) -> None:
        self.path = Path(path)
        self.prescanned = prescanned
        self.total_bytes = self.path.stat().st_size
        self.processed_bytes = 0
        self.records = 0
        self.progress = progress

    def report(self) -> None:
        if self.progress is not None:
            self.progress(self.processed_bytes, self.total_bytes, self.records)

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        offset = check_structure(self.path) if self.prescanned else check_file(self.path)
        with self.path.open("rb") as handle:
            handle.seek(offset)
            items = ijson.items(handle, ITEMS_PREFIX, buf_size=BUFFER_BYTES, use_float=True)
            index = 0
            try:
                for item in items:
                    if not isinstance(item, dict):
                        raise _structure_error(
                            self.path,
                            _("Record %(record)s of the file %(file)s is not a JSON object.")
                            % {"record": index, "file": self.path.name},
                            record=index,
                            code=Code.RECORD_NOT_AN_OBJECT,
                        )
                    yield index, item
                    index += 1
                    self.records = index
                    if index % PROGRESS_EVERY == 0:
                        self.processed_bytes = handle.tell()
                        self.report()
            except ijson.JSONError as exc:
                raise _json_error(self.path, exc, record=index, position=handle.tell(), offset=offset) from exc
            self.processed_bytes = self.total_bytes
            self.report()
