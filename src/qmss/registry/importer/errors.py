"""Errors of the registry import."""

from __future__ import annotations

from qmss.core.errors import QmssImportError


class RegistryImportError(QmssImportError):
    """The registry file (or its download) is unusable as a whole; nothing was written."""


class RecordError(Exception):
    """One record of the file is bad: it is skipped and reported with the path of the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
