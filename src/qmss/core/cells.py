"""Spreadsheet cells that never run: the one writer of every XLSX (openpyxl) and CSV export of QMSS.

Texts come from users and from the registry file, so any of them may start like a formula (``=HYPERLINK(…)``,
``+cmd|…``, ``-1+1``, ``@SUM(…)``, a tab or CR before one; the full-width ``＝ ＋ － ＠`` too, which some
spreadsheets take for the ASCII ones). The choice, per format:

- **XLSX**: every text is a string cell (``data_type = "s"``: openpyxl never writes it as a formula, whatever it
  starts with), and a text that looks like a formula also gets Excel's *quote prefix* style, so that it stays
  text when someone edits the cell. The value itself is unchanged (no visible apostrophe). Characters XML 1.0
  forbids (control characters other than tab, LF, CR) are dropped: openpyxl refuses them.
- **CSV**: a file has no types, so a text that looks like a formula is prefixed with an apostrophe ``'`` (the
  OWASP advice; Excel and LibreOffice then show it as text, with the apostrophe).
- Real numbers (int, float, Decimal), booleans, dates and datetimes keep their types in both (an aware datetime
  becomes local time; in CSV dates are ISO 8601); ``None`` is an empty cell.

Number formats (the spreadsheet shows them in its own locale: ``12 345``, ``66,7 %``, ``7. 12. 2026`` in Czech
Excel/LibreOffice), matching :mod:`qmss.core.formatting` on pages and in PDFs: :data:`INTEGER_FORMAT`,
:data:`DECIMAL_FORMAT` (up to two places), :data:`PERCENT_FORMAT` (a ratio 0–1 shown with one decimal place and a
non-breaking space before %), :data:`DATE_FORMAT`, :data:`DATETIME_FORMAT`. Use :func:`number_cell`,
:func:`percent_cell`, :func:`date_cell` for a cell of a write-only sheet, or ``formats=`` in :func:`append`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

DATE_FORMAT = "d. m. yyyy"
DATETIME_FORMAT = "d. m. yyyy h:mm"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0#"
PERCENT_FORMAT = '0.0"\u00a0"%'
FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
LEADING_BLANKS = " \u00a0\u3000"
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (also after leading spaces)."""
    if not text:
        return False
    return text[0] in FORMULA_STARTS or text.lstrip(LEADING_BLANKS)[:1] in FORMULA_STARTS


def xlsx_value(value):
    """``value`` as openpyxl should store it: texts without illegal characters, Decimals as floats, aware
    datetimes in local time without a zone."""
    if isinstance(value, str):
        return ILLEGAL_XML.sub("", value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def put(cell, value, *, number_format: str | None = None):
    """Write ``value`` into the openpyxl ``cell`` (of a normal or a write-only sheet) safely; returns the cell.

    ``number_format`` applies to numbers, dates and datetimes (dates default to ``d. m. yyyy``)."""
    from openpyxl.cell.cell import TYPE_STRING

    value = xlsx_value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = TYPE_STRING  # never a formula, whatever the text starts with
        if looks_like_formula(value):
            cell.quotePrefix = True
    elif isinstance(value, datetime):
        cell.number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = number_format or DATE_FORMAT
    elif number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def cell(sheet, value, *, number_format: str | None = None):
    """A new detached cell of ``sheet`` holding ``value`` (for ``sheet.append``; styles may be added to it)."""
    from openpyxl.cell import WriteOnlyCell

    return put(WriteOnlyCell(sheet), value, number_format=number_format)


def number_cell(sheet, value, *, places: int | None = None):
    """A number cell: whole numbers grouped by thousands, decimals with ``places`` places (default up to two)."""
    if places is None:
        number_format = INTEGER_FORMAT if isinstance(value, int) else DECIMAL_FORMAT
    else:
        number_format = "#,##0" + ("." + "0" * places if places else "")
    return cell(sheet, value, number_format=number_format)


def percent_cell(sheet, ratio):
    """A percentage cell holding the ratio (0.667) and showing ``66,7 %``."""
    return cell(sheet, ratio, number_format=PERCENT_FORMAT)


def date_cell(sheet, value):
    """A real date (or date and time) cell shown as ``7. 12. 2026``."""
    return cell(sheet, value)


def append(sheet, values: Iterable, *, formats: dict[int, str] | None = None) -> None:
    """Append a row of ``values`` to ``sheet`` (normal or write-only) as :func:`put` writes them.

    ``formats`` maps 1-based column numbers to number formats. A value that is already an openpyxl cell (made
    by :func:`cell`, e.g. with a font) is appended as it is."""
    from openpyxl.cell.cell import Cell

    formats = formats or {}
    row = []
    for column, value in enumerate(values, start=1):
        if not isinstance(value, Cell):
            value = xlsx_value(value)
            # A plain text, number or nothing needs no cell of its own: openpyxl stores it with the right type
            # (cheaper on a national registry export). Anything else goes through put().
            plain = value is None or (isinstance(value, str) and not looks_like_formula(value))
            plain = plain or (isinstance(value, int | float) and column not in formats)
            if not plain:
                value = cell(sheet, value, number_format=formats.get(column))
        row.append(value)
    sheet.append(row)


# --- CSV --------------------------------------------------------------------------------------------------


def csv_value(value) -> str | int | float:
    """``value`` for a CSV field: a text that looks like a formula gets an apostrophe in front."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if looks_like_formula(value) else value
    if isinstance(value, datetime):
        return xlsx_value(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | float | Decimal):
        return value
    return csv_value(str(value))


class _Echo:
    """A file-like object whose write() returns the text (for csv.writer in a streaming response)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence, rows: Iterable[Sequence], *, delimiter: str = ";", bom: bool = True) -> Iterator[str]:
    """The lines of a CSV file (CRLF line ends, quoted where needed), one at a time, every field through
    :func:`csv_value`. ``bom`` starts the file with a UTF-8 byte order mark (for Czech Excel)."""
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\r\n")
    yield ("\ufeff" if bom else "") + writer.writerow([csv_value(v) for v in header])
    for row in rows:
        yield writer.writerow([csv_value(v) for v in row])
