"""Evidence uploads: the checks for size, extension and actual content, made before anything is written.

A file is accepted only when its extension is allowed AND its first bytes match that extension (a renamed
executable is refused). The write itself – a numbered version with its SHA-256 – is
:func:`qmss.assessments.actions.upload_evidence`.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from qmss.assessments.error_codes import AssessmentErrorCode as Code

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)


@dataclass(frozen=True)
class FileType:
    content_type: str
    signatures: tuple[bytes, ...] = ()  # accepted first bytes; empty = UTF-8 text
    text: bool = False


FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (b"%PDF",)),
    "docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "odt": FileType("application/vnd.oasis.opendocument.text", ZIP),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    "doc": FileType("application/msword", OLE),
    "xls": FileType("application/vnd.ms-excel", OLE),
    "png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": FileType("text/plain; charset=utf-8", text=True),
    "csv": FileType("text/csv; charset=utf-8", text=True),
}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in FILE_TYPES)


def max_bytes() -> int:
    return int(getattr(settings, "QMSS_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_megabytes() -> str:
    value = max_bytes() / (1024 * 1024)
    return f"{value:g}"


def extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def _is_utf8_text(upload: UploadedFile) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks(CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def check_upload(upload: UploadedFile) -> FileType:
    """Validate an uploaded file; returns its type or raises ValidationError (nothing is written)."""
    if upload.size is not None and upload.size > max_bytes():
        raise ValidationError(
            _("The file is larger than the allowed %(limit)s MB.") % {"limit": max_megabytes()},
            code=Code.FILE_TOO_BIG.value,
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."), code=Code.FILE_EMPTY.value)
    ext = extension(upload.name)
    file_type = FILE_TYPES.get(ext)
    if file_type is None:
        raise ValidationError(
            _("Files of this type cannot be uploaded. Allowed types: %(types)s.")
            % {"types": ", ".join(sorted(FILE_TYPES))},
            code=Code.FILE_TYPE_NOT_ALLOWED.value,
        )
    if file_type.text:
        ok = _is_utf8_text(upload)
    else:
        upload.seek(0)
        head = upload.read(16)
        ok = any(head.startswith(signature) for signature in file_type.signatures)
    upload.seek(0)
    if not ok:
        raise ValidationError(
            _("The content of the file does not match its extension .%(ext)s.") % {"ext": ext},
            code=Code.FILE_CONTENT_MISMATCH.value,
        )
    return file_type


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def safe_name(name: str) -> str:
    """The file's own name without any directory part, at most 200 characters."""
    base = PurePath(name or "soubor").name
    return base[-200:] or "soubor"
