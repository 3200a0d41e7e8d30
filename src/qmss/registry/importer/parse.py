"""Stream the records of a registry file (``{"polozky": [...]}``) with ijson, checking the structure on the way.

Memory stays flat: only one record at a time is a Python object. Structural problems (not JSON, truncated,
no ``polozky`` list, a record that is not an object) raise :class:`RegistryImportError` naming the file and,
where known, the record index and byte position. A file that does not even start like a JSON object is
refused after reading its first bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import ijson
from django.utils.translation import gettext as _

from qmss.registry.importer.errors import RegistryImportError

ROOT_KEY = "polozky"
ITEMS_PREFIX = f"{ROOT_KEY}.item"
PROGRESS_EVERY = 200
BUFFER_BYTES = 16 * 1024  # smaller buffers parse faster (measured: 16 KB 0.42 s, 256 KB 0.51 s)
SNIFF_BYTES = 4096
UTF8_BOM = b"\xef\xbb\xbf"

ProgressCallback = Callable[[int, int, int], None]


def _first_byte(handle: BinaryIO) -> tuple[int, bytes]:
    """Offset where the JSON starts (after a BOM) and its first non-blank byte (b"" for an empty file)."""
    head = handle.read(SNIFF_BYTES)
    offset = len(UTF8_BOM) if head.startswith(UTF8_BOM) else 0
    stripped = head[offset:].lstrip(b" \t\r\n")
    return offset, stripped[:1]


def _json_error(path: Path, exc: Exception, *, record: int | None = None, position: int | None = None):
    detail = exc.args[0] if exc.args else ""
    if isinstance(detail, bytes):  # yajl reports some errors as bytes
        detail = detail.decode("utf-8", "replace")
    detail = str(detail).strip().splitlines()[0] if str(detail).strip() else exc.__class__.__name__
    if record is None:
        message = _("The file %(file)s is not valid JSON: %(detail)s") % {"file": path.name, "detail": detail}
    else:
        message = _(
            "The file %(file)s is not valid JSON or is truncated (at record %(record)s, about byte %(position)s): "
            "%(detail)s"
        ) % {"file": path.name, "record": record, "position": position, "detail": detail}
    return RegistryImportError(message, file=str(path), row=record)


def _structure_error(path: Path, message: str, record: int | None = None) -> RegistryImportError:
    return RegistryImportError(message, file=str(path), row=record)


def check_structure(path: Path) -> int:
    """Check that the file is a JSON object with a list under ``polozky``; return the offset where JSON starts.

    Reads only the first bytes in the usual case (``polozky`` is the first key).
    """
    with path.open("rb") as handle:
        offset, first = _first_byte(handle)
        if not first:
            raise _structure_error(path, _("The file %(file)s is empty.") % {"file": path.name})
        if first != b"{":
            raise _structure_error(
                path,
                _("The file %(file)s is not a JSON object: it must start with “{” and hold the list “polozky”.")
                % {"file": path.name},
            )
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
                                path, _("In the file %(file)s, “polozky” is not a list.") % {"file": path.name}
                            )
                        return offset
                elif event == "end_map":
                    break
        except ijson.JSONError as exc:
            raise _json_error(path, exc) from exc
        except StopIteration:
            pass
    raise _structure_error(path, _("The file %(file)s has no list “polozky” at its top level.") % {"file": path.name})


class RecordStream:
    """Iterate ``(index, record)`` over a checked file; keeps byte and record counts for the progress report."""

    def __init__(self, path: Path, progress: ProgressCallback | None = None) -> None:
        self.path = Path(path)
        self.total_bytes = self.path.stat().st_size
        self.processed_bytes = 0
        self.records = 0
        self.progress = progress

    def report(self) -> None:
        if self.progress is not None:
            self.progress(self.processed_bytes, self.total_bytes, self.records)

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        offset = check_structure(self.path)
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
                        )
                    yield index, item
                    index += 1
                    self.records = index
                    if index % PROGRESS_EVERY == 0:
                        self.processed_bytes = handle.tell()
                        self.report()
            except ijson.JSONError as exc:
                raise _json_error(self.path, exc, record=index, position=handle.tell()) from exc
            self.processed_bytes = self.total_bytes
            self.report()
