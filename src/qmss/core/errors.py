"""Errors shared by the apps."""


class QmssImportError(Exception):
    """Bad input for an import: says which file, row and field, in Czech; nothing was written. ``code`` is the
    kind of problem from the app's ``error_codes`` (empty when the app sets none)."""

    def __init__(
        self, message: str, *, file: str = "", row: int | None = None, field: str = "", code: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return self.message


def located_error(error_class: type[QmssImportError], file: str, line: int | None, field: str, problem: str):
    """An error for a problem in a data file, worded (in Czech through gettext) with its file, line and field."""
    from django.utils.translation import gettext as _

    if line is None:
        message = _("File {file}: {problem}").format(file=file, problem=problem)
    elif field:
        message = _("File {file}, line {line}, field “{field}”: {problem}").format(
            file=file, line=line, field=field, problem=problem
        )
    else:
        message = _("File {file}, line {line}: {problem}").format(file=file, line=line, problem=problem)
    return error_class(message, file=file, row=line, field=field)
