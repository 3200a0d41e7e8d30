"""Errors of the registry import (each with a :class:`RegistryImportErrorCode`)."""

from __future__ import annotations

from qmss.core.errors import QmssImportError
from qmss.registry.error_codes import RegistryImportErrorCode


class RegistryImportError(QmssImportError):
    """The registry file (or its download) is unusable as a whole; nothing was written."""

    def __init__(
        self,
        message: str,
        *,
        file: str = "",
        row: int | None = None,
        field: str = "",
        code: RegistryImportErrorCode = RegistryImportErrorCode.NOT_JSON,
    ) -> None:
        super().__init__(message, file=file, row=row, field=field)
        self.code = code


class RecordError(Exception):
    """One record of the file is bad: it is skipped and reported with the path of the field at fault."""

    def __init__(
        self, field: str, message: str, code: RegistryImportErrorCode = RegistryImportErrorCode.INVALID
    ) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code


def describe_record(index: int | None, portal_id=None) -> str:
    """“record 3 (portalId 1001)”, or “record 3” when the portal id is unknown (in the active language)."""
    from django.utils.translation import gettext as _

    if index is None:
        return ""
    if portal_id is None or (isinstance(portal_id, str) and portal_id.startswith("#")):
        return _("record %(index)s") % {"index": index}
    return _("record %(index)s (portalId %(portal_id)s)") % {"index": index, "portal_id": portal_id}
