"""XLSX of reference values: the empty template, the export of a set (the same layout, so an export imports back
unchanged) and the bounded reading of an upload.

Layout: the first sheet holds the values – row 1 the column keys of :mod:`qmss.financing.reference_schema`, one row
per kind × form below; a second sheet explains the columns and lists the codes. Written only through
:mod:`qmss.core.cells`; read with python-calamine, bounded (file size, unpacked size, sheets, rows, columns)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from qmss.core import cells
from qmss.financing.reference_schema import COLUMNS, MAX_ROWS, REQUIRED_COLUMNS, field_label

MAX_BYTES = 2 * 1024 * 1024
MAX_UNZIPPED = 40 * 1024 * 1024
MAX_SHEETS = 10
MAX_COLUMNS = 20
NUMBER_COLUMNS = {4, 5}  # usual cost and revenue (1-based)
SHARE_COLUMNS = {6, 7, 8}


def sheet_title() -> str:
    return _("Reference values")[:31]


def help_title() -> str:
    return _("Explanation")[:31]


def column_help() -> list[tuple[str, str]]:
    return [
        ("kind", _("Kind of service: the code of the registry (e.g. 13 for homes for the elderly).")),
        ("form", _("Form of delivery: pob, amb or ter; empty = every form of the kind.")),
        ("unit", _("Unit of capacity: a unit code of the network rules (luzka, klienti, uvazky, hodiny, mista).")),
        ("usual_cost", _("Usual cost per unit and year in CZK (0 to 100,000,000).")),
        ("usual_revenue", _("Usual own revenue per unit and year in CZK (not higher than the usual cost).")),
        ("max_public_share", _("Maximum public share of the usual cost, 0 to 1 (0.8 = 80 %).")),
        ("direct_fte_per_unit", _("Optional: minimum direct-care FTE per unit.")),
        ("direct_share_min", _("Optional: minimum direct-care share of all FTE, 0 to 1.")),
    ]


def _workbook(rows: list[list[Any]], about: list[tuple[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from qmss.network.units import units
    from qmss.registry.models import DeliveryForm, ServiceKind

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title())
    bold = Font(bold=True)
    header = [cells.cell(sheet, key) for key in COLUMNS]
    for item in header:
        item.font = bold
    cells.append(sheet, header)
    formats = dict.fromkeys(NUMBER_COLUMNS, cells.DECIMAL_FORMAT)
    for row in rows:
        cells.append(sheet, row, formats=formats)
    notes = workbook.create_sheet(help_title())
    for label, value in about:
        cells.append(notes, [label, value])
    if about:
        cells.append(notes, [])
    cells.append(notes, [cells.cell(notes, _("Column")), cells.cell(notes, _("Meaning"))])
    for key, text in column_help():
        cells.append(notes, [key, text])
    cells.append(notes, [])
    cells.append(notes, [_("Kind code"), _("Kind of service")])
    for kind in ServiceKind.objects.order_by("order", "code"):
        cells.append(notes, [kind.code, kind.name])
    cells.append(notes, [])
    cells.append(notes, [_("Form code"), _("Form of delivery")])
    for form in DeliveryForm.objects.order_by("order", "code"):
        cells.append(notes, [form.code, form.name])
    cells.append(notes, [])
    cells.append(notes, [_("Unit code"), _("Unit")])
    for code, unit in units().items():
        cells.append(notes, [code, unit.name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx() -> bytes:
    """The empty template: the header row and the explanation sheet."""
    return _workbook([], [])


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def export_xlsx(reference_set, values, territory: str) -> bytes:
    """The values of ``reference_set`` in the template's layout (imports back unchanged)."""
    rows = [
        [
            value.kind.code,
            value.form.code if value.form_id else None,
            value.unit,
            _number(value.usual_cost),
            _number(value.usual_revenue),
            value.max_public_share,
            value.direct_fte_per_unit,
            value.direct_share_min,
        ]
        for value in values
    ]
    about = [
        (_("Name"), reference_set.name),
        (_("Territory"), territory),
        (_("Year"), reference_set.year),
        (_("Version"), reference_set.version),
        (_("Source"), reference_set.source),
        (_("Verified against the source"), _("yes") if reference_set.verified else _("no")),
    ]
    if reference_set.is_demo:
        about.append((_("Synthetic demo data"), _("yes")))
    return _workbook(rows, about)


# --- reading ---------------------------------------------------------------------------------------------------


@dataclass
class Read:
    """What an upload says: (row number, mapping of column key → cell value) pairs, or the errors found."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # key → 1-based column number


def column_letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _open(data: bytes, file_name: str, read: Read):
    from python_calamine import CalamineWorkbook

    if len(data) > MAX_BYTES:
        read.errors.append(
            _("%(file)s: the file is too large (at most %(limit)s MB).")
            % {"file": file_name, "limit": MAX_BYTES // 1024 // 1024}
        )
        return None
    not_xlsx = _("%(file)s: the file is not an XLSX workbook; use the template downloaded from QMSS.") % {
        "file": file_name
    }
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        read.errors.append(not_xlsx)
        return None
    if unpacked > MAX_UNZIPPED:
        read.errors.append(
            _("%(file)s: the file is too large (at most %(limit)s MB).")
            % {"file": file_name, "limit": MAX_BYTES // 1024 // 1024}
        )
        return None
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # the reader raises many kinds on a broken file
        read.errors.append(not_xlsx)
        return None


def read_xlsx(data: bytes, file_name: str) -> Read:
    """The rows of the first sheet of an upload, as raw mappings (validated later by the row schema)."""
    read = Read()
    workbook = _open(data, file_name, read)
    if workbook is None:
        return read
    try:
        names = list(workbook.sheet_names)
        if not names or len(names) > MAX_SHEETS:
            read.errors.append(
                _("%(file)s: the workbook has no sheet or too many sheets (at most %(limit)s).")
                % {"file": file_name, "limit": MAX_SHEETS}
            )
            return read
        sheet = workbook.get_sheet_by_name(names[0])
        first_row, first_col = sheet.start or (0, 0)
        pad = [None] * first_col
        iterator = sheet.iter_rows()
        number = first_row
        header: list | None = None
        for raw in iterator:
            number += 1
            values = [_cell(value) for value in (pad + list(raw))[:MAX_COLUMNS]]
            if header is None:
                header = values
                if not _read_header(header, file_name, names[0], number, read):
                    return read
                continue
            if all(value is None for value in values):
                continue
            if len(read.rows) >= MAX_ROWS:
                read.errors.append(
                    _("%(file)s, sheet “%(sheet)s”: too many rows (at most %(limit)s).")
                    % {"file": file_name, "sheet": names[0], "limit": MAX_ROWS}
                )
                read.rows = []
                return read
            values += [None] * (MAX_COLUMNS - len(values))
            read.rows.append((number, {key: values[column - 1] for key, column in read.columns.items()}))
        if header is None:
            read.errors.append(
                _("%(file)s, sheet “%(sheet)s”: the sheet is empty.") % {"file": file_name, "sheet": names[0]}
            )
    finally:
        workbook.close()
    return read


def _read_header(header: list, file_name: str, sheet: str, number: int, read: Read) -> bool:
    for column, value in enumerate(header, start=1):
        if value is None:
            continue
        key = str(value).strip().lower()
        if key not in COLUMNS:
            read.errors.append(
                _("%(file)s, sheet “%(sheet)s”, row %(row)s, column %(column)s: unknown column “%(name)s”.")
                % {"file": file_name, "sheet": sheet, "row": number, "column": column_letter(column), "name": key[:40]}
            )
        elif key in read.columns:
            read.errors.append(
                _("%(file)s, sheet “%(sheet)s”, row %(row)s, column %(column)s: the column “%(name)s” is there twice.")
                % {"file": file_name, "sheet": sheet, "row": number, "column": column_letter(column), "name": key}
            )
        else:
            read.columns[key] = column
    for key in REQUIRED_COLUMNS:
        if key not in read.columns:
            read.errors.append(
                _("%(file)s, sheet “%(sheet)s”, row %(row)s: the column “%(name)s” (%(label)s) is missing.")
                % {"file": file_name, "sheet": sheet, "row": number, "name": key, "label": field_label(key)}
            )
    return not read.errors
