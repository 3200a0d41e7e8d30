"""Errors shared by the apps."""


class QmssImportError(Exception):
    """Bad input for an import: says which file, row and field, in Czech; nothing was written."""

    def __init__(self, message: str, *, file: str = "", row: int | None = None, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.field = field

    def __str__(self) -> str:
        return self.message
