"""Attachments of network applications: the checks made before anything is written.

The same approach as the evidence uploads (:mod:`qmss.assessments.uploads`): an allowed extension whose first
bytes match it (a renamed executable is refused), a bounded size, a bounded number per application, and the
SHA-256 of the content. Files are stored under a name made of their digest (never the user's name) and served
only by the permission-checked download view, never from MEDIA_URL.
"""

from __future__ import annotations

import codecs

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from qmss.assessments.uploads import CHUNK, FILE_TYPES, FileType, extension, safe_name, sha256_of
from qmss.network.error_codes import NetworkErrorCode as Code

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FILES = 10
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in FILE_TYPES)

__all__ = ["ACCEPT_ATTRIBUTE", "check_attachment", "max_bytes", "max_files", "safe_name", "sha256_of", "stored_name"]


def max_bytes() -> int:
    return int(getattr(settings, "QMSS_NETWORK_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_files() -> int:
    return int(getattr(settings, "QMSS_NETWORK_ATTACHMENT_MAX_FILES", DEFAULT_MAX_FILES))


def max_megabytes() -> str:
    return f"{max_bytes() / (1024 * 1024):g}"


def is_utf8_text(upload: UploadedFile) -> bool:
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


def _bad(message: str) -> ValidationError:
    return ValidationError(message, code=Code.BAD_FILE.value)


def check_attachment(upload: UploadedFile) -> FileType:
    """Validate one uploaded file; returns its type or raises ``ValidationError`` naming the file."""
    name = safe_name(upload.name)
    if upload.size is not None and upload.size > max_bytes():
        raise _bad(
            _("The file %(name)s is larger than the allowed %(limit)s MB.") % {"name": name, "limit": max_megabytes()}
        )
    if not upload.size:
        raise _bad(_("The file %(name)s is empty.") % {"name": name})
    ext = extension(upload.name)
    file_type = FILE_TYPES.get(ext)
    if file_type is None:
        raise _bad(
            _("The file %(name)s cannot be attached: allowed types are %(types)s.")
            % {"name": name, "types": ", ".join(sorted(FILE_TYPES))}
        )
    if file_type.text:
        ok = is_utf8_text(upload)
    else:
        upload.seek(0)
        head = upload.read(16)
        ok = any(head.startswith(signature) for signature in file_type.signatures)
    upload.seek(0)
    if not ok:
        raise _bad(
            _("The content of the file %(name)s does not match its extension .%(ext)s.") % {"name": name, "ext": ext}
        )
    return file_type


def stored_name(digest: str, upload: UploadedFile) -> str:
    """The name the file is stored under: its digest and extension (the user's name stays in the database)."""
    return f"{digest[:32]}.{extension(upload.name)}"
