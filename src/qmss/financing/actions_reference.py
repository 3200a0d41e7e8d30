"""Writes of reference values: a new version of a manager's set for a year from rows (the YAML demo library or
any caller), from an uploaded XLSX, or from a YAML file. Every path validates its rows by the one schema
(:class:`qmss.financing.reference_schema.ReferenceRowIn`) and :func:`check_rows`; any problem refuses the whole
input with messages naming the file, row and field, and nothing is saved."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError
from qmss.core.models import Organisation
from qmss.core.scoping import Scope
from qmss.financing import permissions
from qmss.financing.error_codes import FinancingErrorCode as Code
from qmss.financing.models import ReferenceValue, ReferenceValueSet
from qmss.financing.reference_schema import Problem, ReferenceLibrary, ReferenceRowIn, check_rows, field_label
from qmss.financing.xlsx_reference import column_letter, read_xlsx

NAME_LENGTH = 300
SOURCE_LENGTH = 500
FILE_NAME_LENGTH = 255
MIN_YEAR, MAX_YEAR = 2000, 2100


def _require_manager(user, organisation: Organisation) -> None:
    """``user`` None is a system call (the demo loader, a command); a user must manage the organisation."""
    if user is not None and not permissions.can_manage_reference_values(Scope.for_user(user), organisation):
        raise PermissionDenied


def _refuse(messages: list[str], code: Code) -> ValidationError:
    return ValidationError([ValidationError(message, code=code.value) for message in messages])


def _check_header(*, year: int, name: str, source: str) -> tuple[str, str]:
    problems = []
    name, source = (name or "").strip(), (source or "").strip()
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        problems.append(_("The year must be between {low} and {high}.").format(low=MIN_YEAR, high=MAX_YEAR))
    if not name or len(name) > NAME_LENGTH:
        problems.append(_("Give the set a name (at most {limit} characters).").format(limit=NAME_LENGTH))
    if not source or len(source) > SOURCE_LENGTH:
        problems.append(_("Say where the values come from (at most {limit} characters).").format(limit=SOURCE_LENGTH))
    if problems:
        raise _refuse(problems, Code.INVALID_VALUE)
    return name, source


def _known_codes() -> dict[str, set[str]]:
    from qmss.network.units import units
    from qmss.registry.models import DeliveryForm, ServiceKind

    return {
        "kinds": set(ServiceKind.objects.values_list("code", flat=True)),
        "forms": set(DeliveryForm.objects.values_list("code", flat=True)),
        "units": set(units()),
    }


def _message(file_name: str, problem: Problem, columns: dict[str, int] | None, sheet: str = "") -> str:
    file_name = file_name or _("the input")
    if problem.row is None:
        return f"{file_name}: {problem.message}"
    if columns is not None and problem.field in columns:
        where = _("%(file)s, sheet “%(sheet)s”, row %(row)s, column %(column)s (%(field)s)") % {
            "file": file_name,
            "sheet": sheet,
            "row": problem.row,
            "column": column_letter(columns[problem.field]),
            "field": field_label(problem.field),
        }
    elif columns is not None:
        where = _("%(file)s, sheet “%(sheet)s”, row %(row)s") % {"file": file_name, "sheet": sheet, "row": problem.row}
    else:
        where = _("%(file)s, row %(row)s, field “%(field)s”") % {
            "file": file_name,
            "row": problem.row,
            "field": problem.field or "–",
        }
    return f"{where}: {problem.message}"


def _lock(organisation: Organisation) -> None:
    """Serialise version numbering of one organisation's sets."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _save(
    *,
    user,
    organisation: Organisation,
    year: int,
    name: str,
    source: str,
    verified: bool,
    rows: list[ReferenceRowIn],
    file_name: str,
    checksum: str,
    is_demo: bool,
    note: str = "",
) -> ReferenceValueSet:
    from qmss.registry.models import DeliveryForm, ServiceKind

    _lock(organisation)
    version = (
        ReferenceValueSet.objects.filter(organisation=organisation, year=year).aggregate(n=Max("version"))["n"] or 0
    ) + 1
    reference_set = ReferenceValueSet.objects.create(
        organisation=organisation,
        year=year,
        version=version,
        name=name,
        source=source,
        verified=bool(verified),
        note=note,
        file_name=(file_name or "")[:FILE_NAME_LENGTH],
        checksum=checksum,
        is_demo=is_demo,
        created_by=user,
    )
    kinds = {kind.code: kind for kind in ServiceKind.objects.filter(code__in={row.kind for row in rows})}
    forms = {form.code: form for form in DeliveryForm.objects.filter(code__in={row.form for row in rows if row.form})}
    ReferenceValue.objects.bulk_create(
        ReferenceValue(
            reference_set=reference_set,
            kind=kinds[row.kind],
            form=forms[row.form] if row.form else None,
            unit=row.unit,
            usual_cost=row.usual_cost,
            usual_revenue=row.usual_revenue,
            max_public_share=row.max_public_share,
            direct_fte_per_unit=row.direct_fte_per_unit,
            direct_share_min=row.direct_share_min,
        )
        for row in rows
    )
    return reference_set


def _rows_checksum(rows: list[ReferenceRowIn]) -> str:
    canonical = json.dumps([row.model_dump(mode="json") for row in rows], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@audit.action
def import_reference_values(
    *,
    user,
    organisation: Organisation,
    year: int,
    name: str,
    source: str,
    verified: bool,
    rows: list[dict[str, Any]],
    file_name: str = "",
    is_demo: bool = False,
) -> ReferenceValueSet:
    """A new version of ``organisation``'s reference values for ``year`` from ``rows`` (mappings with the
    schema's keys; row N in messages is the N-th mapping)."""
    _require_manager(user, organisation)
    name, source = _check_header(year=year, name=name, source=source)
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise _refuse(
            [_("%(file)s: the rows must be mappings.") % {"file": file_name or _("the input")}], Code.BAD_FILE
        )
    checked, problems = check_rows(list(enumerate(rows, start=1)), **_known_codes())
    if problems:
        raise _refuse([_message(file_name, problem, None) for problem in problems], Code.INVALID_VALUE)
    return _save(
        user=user,
        organisation=organisation,
        year=year,
        name=name,
        source=source,
        verified=verified,
        rows=checked,
        file_name=file_name,
        checksum=_rows_checksum(checked),
        is_demo=is_demo,
    )


@audit.action
def import_reference_xlsx(
    *,
    user,
    organisation: Organisation,
    year: int,
    name: str,
    source: str,
    verified: bool,
    data: bytes,
    file_name: str,
) -> ReferenceValueSet:
    """A new version from an uploaded workbook (the template's layout); the whole file is checked first."""
    from qmss.financing.xlsx_reference import sheet_title

    _require_manager(user, organisation)
    name, source = _check_header(year=year, name=name, source=source)
    file_name = (file_name or "").strip()[:FILE_NAME_LENGTH] or _("the file")
    read = read_xlsx(data, file_name)
    if read.errors:
        raise _refuse(read.errors, Code.BAD_FILE)
    checked, problems = check_rows(read.rows, **_known_codes())
    if problems:
        sheet = _sheet_name(data) or sheet_title()
        raise _refuse([_message(file_name, problem, read.columns, sheet) for problem in problems], Code.INVALID_VALUE)
    return _save(
        user=user,
        organisation=organisation,
        year=year,
        name=name,
        source=source,
        verified=verified,
        rows=checked,
        file_name=file_name,
        checksum=hashlib.sha256(data).hexdigest(),
        is_demo=False,
    )


def _sheet_name(data: bytes) -> str:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # pragma: no cover - read_xlsx opened it already
        return ""
    try:
        return workbook.sheet_names[0] if workbook.sheet_names else ""
    finally:
        workbook.close()


class ReferenceLibraryError(QmssImportError):
    """A YAML file of reference values is malformed; the message names the file, line and field."""


def read_yaml_reference_values(path: Path) -> lib.Library[ReferenceLibrary]:
    """Read and validate a YAML file of reference values (rows through ``ReferenceRowIn``)."""
    return lib.read_library(Path(path), ReferenceLibrary, label=Path(path).name, error=ReferenceLibraryError)


def load_yaml_reference_values(
    *, user, organisation: Organisation, year: int, path: Path | str, is_demo: bool = True
) -> ReferenceValueSet:
    """A new version of ``organisation``'s reference values for ``year`` from a YAML library (the demo file):
    its title is the set's name, its ``source`` and ``verified`` flag are the set's; rows through the same
    schema and checks as an XLSX import. A malformed file raises ``ValidationError`` naming file, line, field."""
    try:
        library = read_yaml_reference_values(Path(path))
    except QmssImportError as exc:
        raise _refuse([str(exc)], Code.BAD_FILE) from None
    data = library.data
    rows = [row.model_dump(mode="python") for row in data.values]
    return import_reference_values(
        user=user,
        organisation=organisation,
        year=year,
        name=data.title,
        source=data.source,
        verified=data.verified,
        rows=rows,
        file_name=library.file,
        is_demo=is_demo,
    )
