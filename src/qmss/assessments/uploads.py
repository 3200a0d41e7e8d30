"""Evidence uploads: checked for size, extension and actual content before anything is written.

A file is accepted only when its extension is allowed AND its first bytes match that extension (a renamed
executable is refused). Each upload becomes a numbered version with its SHA-256.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from qmss.assessments.models import Evidence, EvidenceVersion
from qmss.core.models import Organisation
from qmss.core.roles import Perm
from qmss.core.scoping import Scope

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
            _("The file is larger than the allowed %(limit)s MB.") % {"limit": max_megabytes()}, code="too_big"
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    ext = extension(upload.name)
    file_type = FILE_TYPES.get(ext)
    if file_type is None:
        raise ValidationError(
            _("Files of this type cannot be uploaded. Allowed types: %(types)s.")
            % {"types": ", ".join(sorted(FILE_TYPES))},
            code="type",
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
            _("The content of the file does not match its extension .%(ext)s.") % {"ext": ext}, code="mismatch"
        )
    return file_type


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _safe_name(name: str) -> str:
    base = PurePath(name or "soubor").name
    return base[-200:] or "soubor"


def _acting(user):
    return set_actor(user) if user is not None else contextlib.nullcontext()


@transaction.atomic
def upload_evidence(
    *,
    scope: Scope,
    upload: UploadedFile,
    user,
    organisation: Organisation | None = None,
    evidence: Evidence | None = None,
    title: str = "",
    kind: str = Evidence.Kind.DOCUMENT,
    description: str = "",
    expires_on: date | None = None,
    remind_days_before: int | None = None,
    note: str = "",
    may_upload: bool | None = None,
) -> EvidenceVersion:
    """Store a new evidence item (``organisation`` + ``title``) or a new version of ``evidence``.

    Editors of the owning organisation may upload; ``may_upload=True`` lets a caller that has checked another
    right (an auditor recording results) upload for the audited organisation.
    """
    owner = evidence.organisation if evidence is not None else organisation
    if owner is None:
        raise TypeError("organisation or evidence is required")
    if not (may_upload or scope.has_perm(Perm.EDIT, owner.pk)):
        raise PermissionDenied
    file_type = check_upload(upload)
    digest = sha256_of(upload)
    with _acting(user):
        if evidence is None:
            evidence = Evidence(
                organisation=owner,
                kind=kind,
                title=title.strip() or _safe_name(upload.name),
                description=description,
                expires_on=expires_on,
                remind_days_before=remind_days_before if remind_days_before is not None else 30,
                created_by=user,
            )
            evidence.full_clean(exclude=["created_by"])
            evidence.save()
        else:
            evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
            changed = []
            if expires_on is not None:
                evidence.expires_on = expires_on
                changed.append("expires_on")
            if remind_days_before is not None:
                evidence.remind_days_before = remind_days_before
                changed.append("remind_days_before")
            if changed:
                evidence.save(update_fields=[*changed, "updated_at"])
        number = (evidence.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        name = _safe_name(upload.name)
        version = EvidenceVersion(
            evidence=evidence,
            number=number,
            original_name=name,
            size=upload.size,
            content_type=file_type.content_type,
            sha256=digest,
            note=note,
            uploaded_by=user,
        )
        upload.seek(0)
        version.file.save(name, upload, save=False)
        try:
            version.save()
        except Exception:
            version.file.delete(save=False)
            raise
    return version
