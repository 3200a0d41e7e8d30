"""Provider XLSX templates of a data-collection round: the builder and the parser (pure functions over plain data).

A provider downloads one workbook with all the submissions of a round it may edit, in one of two layouts:

- ``sheets``: one sheet per service – a header block with the registry facts (service id = the registry portal
  id, name, kind, forms, registered capacity), then one row per element × category with the columns code
  (``element/category``), element, category, unit and value;
- ``tidy``: one sheet, one row per cell – service id, service name, element code, category code, value.

Everything but the values providers enter is locked: grey, protected by sheet protection, and signed. Every row
carries in its hidden last column an HMAC (keyed by the site's secret) of the row's locked cells, the round, the
layout and the row number; the hidden ``_qmss`` sheet carries the round id, the layout and a signed checksum of
all the locked content. An edited locked cell, a file of another round or a forged control sheet is therefore
found on upload, with its sheet, row and column.

All texts are written through :mod:`qmss.core.cells` (never as formulas). The parser (:mod:`qmss.needs.xlsx_parse`)
reads with openpyxl in read-only mode, is bounded (file size, sheets, rows, errors, number range) and collects the
errors, each naming the sheet, row and column; the caller saves nothing unless the list is empty.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from qmss.core import cells

LAYOUT_SHEETS = "sheets"
LAYOUT_TIDY = "tidy"
LAYOUTS = (LAYOUT_SHEETS, LAYOUT_TIDY)
META_SHEET = "_qmss"
META_MARK = "qmss-needs-collection-xlsx"
FORMAT_VERSION = 1

MAX_BYTES = 25 * 1024 * 1024
MAX_SHEETS = 2000
MAX_ROWS = 5000  # per service sheet
MAX_TIDY_ROWS = 300_000
MAX_COLUMNS = 30
MAX_ERRORS = 50
MAX_ABS_VALUE = Decimal("999999999999.99")  # the value field: 14 digits, 2 decimal places
TOLERANCE = Decimal("0.000000001")  # float noise of a spreadsheet's arithmetic
MAX_UNZIPPED = 400 * 1024 * 1024  # all the parts of the workbook unpacked (a zip bomb stops here)
NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")  # a number typed as text: "20", "12,5", "1 234"

HEADER_ROWS = 6  # per-service sheet: id, name, kind, forms, capacity, blank
TABLE_HEADER_ROW = HEADER_ROWS + 1
FIRST_VALUE_ROW = TABLE_HEADER_ROW + 1
VALUE_COLUMN = 5  # E in both layouts
HASH_COLUMN = 6  # F, hidden
LOCKED_FILL = "D9D9D9"


# --- plain data ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One value row of a service: an element × category."""

    code: str
    category: str
    element_name: str
    category_name: str
    unit: str
    value_type: str  # integer / decimal / money
    locked: bool
    min_value: Decimal | None = None
    max_value: Decimal | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.category)

    @property
    def full_code(self) -> str:
        return f"{self.code}/{self.category}" if self.category else self.code


@dataclass
class ServiceBlock:
    """A submission as the workbook shows it: registry facts, its rows and current values (pre-filled ones too)."""

    submission_pk: int
    portal_id: int
    name: str
    kind: str
    forms: str
    capacity: str
    rows: list[Row]
    values: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    def header(self) -> list[tuple[str, object]]:
        return [
            (_("Service ID"), self.portal_id),
            (_("Service name"), self.name),
            (_("Kind"), self.kind),
            (_("Delivery form"), self.forms),
            (_("Registered capacity"), self.capacity),
        ]


@dataclass
class Parsed:
    """What an upload says: values per submission (``None`` = an empty cell) and the errors found."""

    values: dict[int, dict[tuple[str, str], Decimal | None]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    truncated: bool = False
    index: dict = field(default_factory=dict, repr=False)  # row indexes of the blocks' row lists, during a parse

    def error(self, message: str) -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.truncated = True
            raise _TooManyErrors
        self.errors.append(message)


class _TooManyErrors(Exception):
    pass


# --- signing -------------------------------------------------------------------------------------------------


class Signer:
    """Short HMACs of locked content, keyed by the site's secret (a user cannot forge them)."""

    def __init__(self, secret: str):
        self._key = hashlib.sha256(("qmss.needs.xlsx|" + secret).encode()).digest()

    def sign(self, text: str, length: int = 16) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:length]

    def row(self, text: str) -> int:
        """A row's signature as a whole number of 48 bits (15 digits: kept exactly by every spreadsheet, and a
        number cell is read much faster than a text): keyed BLAKE2b, one C call per row."""
        return int.from_bytes(hashlib.blake2b(text.encode(), key=self._key, digest_size=6).digest(), "big")


def norm(value) -> str:
    """A locked cell's content as both the builder and the parser see it (whitespace collapsed, numbers plain)."""
    kind = type(value)
    if kind is str:  # the common cases first: a few microseconds per row count on 30 000 rows
        return " ".join(value.split())
    if kind is int:
        return str(value)
    if kind is float and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return str(value)
        text = format(number.normalize(), "f")
        return "0" if text in ("-0", "") else text
    return " ".join(str(value).split())


def _row_message(round_id: int, layout: str, scope: str, row: int, values: Iterable) -> str:
    return "|".join([str(round_id), layout, scope, str(row), *[norm(v) for v in values]])


def _meta_message(round_id: int, layout: str, organisation_id: int | None, services: str, checksum: str) -> str:
    return f"{META_MARK}|{FORMAT_VERSION}|{round_id}|{layout}|{organisation_id or ''}|{services}|{checksum}"


# --- building ------------------------------------------------------------------------------------------------


def sheet_title(block: ServiceBlock) -> str:
    return _("Service %(id)s") % {"id": block.portal_id}


def tidy_title() -> str:
    return _("Data of the services")


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


class _Styles:
    def __init__(self):
        from openpyxl.styles import Font, PatternFill, Protection

        self.fill = PatternFill("solid", fgColor=LOCKED_FILL)
        self.bold = Font(bold=True)
        self.unlocked = Protection(locked=False)


def _locked(sheet, value, styles: _Styles, *, bold: bool = False, number_format: str | None = None):
    cell = cells.cell(sheet, value, number_format=number_format)
    cell.fill = styles.fill
    if bold:
        cell.font = styles.bold
    return cell


def _value_cell(sheet, value, row: Row, styles: _Styles):
    number_format = cells.INTEGER_FORMAT if row.value_type == "integer" else cells.DECIMAL_FORMAT
    cell = cells.cell(sheet, value, number_format=number_format)
    if row.locked:
        cell.fill = styles.fill
    else:
        cell.protection = styles.unlocked
    return cell


def _protect(sheet) -> None:
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widths may be changed
    sheet.protection.autoFilter = False
    sheet.protection.sort = True  # sorting would move rows away from their signatures


def _column_widths(sheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[_column_letter(index)].width = width
    sheet.column_dimensions[_column_letter(HASH_COLUMN)].hidden = True


def build_workbook(
    *,
    round_id: int,
    round_name: str,
    blocks: Sequence[ServiceBlock],
    layout: str,
    secret: str,
    organisation_id: int | None = None,
) -> bytes:
    """The workbook (XLSX bytes) of ``blocks`` in ``layout``, pre-filled with their current values."""
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    if layout not in LAYOUTS:
        raise ValueError(layout)
    signer = Signer(secret)
    styles = _Styles()
    workbook = Workbook()  # not write-only: its sheets get a <dimension>, which a read-only reader needs
    workbook.remove(workbook.active)
    hashes: list[int] = []
    if layout == LAYOUT_SHEETS:
        for block in blocks:
            _service_sheet(workbook, block, round_id=round_id, signer=signer, styles=styles, hashes=hashes)
    else:
        _tidy_sheet(workbook, blocks, round_id=round_id, signer=signer, styles=styles, hashes=hashes)
    checksum = _checksum(hashes)
    services = ",".join(str(block.portal_id) for block in blocks)
    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    _protect(meta)
    for label, value in (
        ("format", META_MARK),
        ("version", FORMAT_VERSION),
        ("round", round_id),
        ("round_name", round_name),
        ("layout", layout),
        ("organisation", organisation_id or ""),
        ("services", services),
        ("checksum", checksum),
        ("signature", signer.sign(_meta_message(round_id, layout, organisation_id, services, checksum), 64)),
    ):
        cells.append(meta, [label, value])
    workbook.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _checksum(hashes: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, hashes)).encode()).hexdigest()


def _row_index(rows: list[Row], cache: dict) -> tuple[dict, set, set, dict]:
    """Rows by full code, the keys of each element's first row and of the locked rows, rows by key; blocks share
    their row lists (services of the same forms), so this is computed once per list within a parse."""
    cached = cache.get(id(rows))
    if cached is None or cached[0] is not rows:
        by_code = {row.full_code: row for row in rows}
        by_key = {row.key: row for row in rows}
        cached = (rows, by_code, _firsts(rows), {row.key for row in rows if row.locked}, by_key)
        cache[id(rows)] = cached
    return cached[1], cached[2], cached[3], cached[4]


def _firsts(rows: Sequence[Row]) -> set[tuple[str, str]]:
    """Keys of the first row of each element (the element's name and unit are written there only)."""
    return {row.key for i, row in enumerate(rows) if i == 0 or rows[i - 1].code != row.code}


def _service_sheet(workbook, block: ServiceBlock, *, round_id, signer: Signer, styles: _Styles, hashes: list[int]):
    sheet = workbook.create_sheet(sheet_title(block))
    _protect(sheet)
    _column_widths(sheet, (22, 48, 30, 14, 16))
    scope = str(block.portal_id)
    row_number = 0

    def add(values: list, trailing: list) -> None:
        nonlocal row_number
        row_number += 1
        digest = signer.row(_row_message(round_id, LAYOUT_SHEETS, scope, row_number, values))
        hashes.append(digest)
        sheet.append([*(_locked(sheet, v, styles, bold=i == 0) for i, v in enumerate(values)), *trailing, digest])

    for label, value in block.header():
        add([label, value], [None, None, None])
    add([], [None, None, None, None, None])  # the blank row between the header block and the table
    row_number += 1
    titles = [_("Code"), _("Element"), _("Category"), _("Unit"), _("Value")]
    digest = signer.row(_row_message(round_id, LAYOUT_SHEETS, scope, row_number, titles))
    hashes.append(digest)
    sheet.append([*(_locked(sheet, title, styles, bold=True) for title in titles), digest])
    firsts = _firsts(block.rows)
    for row in block.rows:
        row_number += 1
        value = block.values.get(row.key)
        locked = _sheet_locked(row, row.key in firsts)
        signed = [*locked, value] if row.locked else locked
        digest = signer.row(_row_message(round_id, LAYOUT_SHEETS, scope, row_number, signed))
        hashes.append(digest)
        sheet.append([*(_locked(sheet, v, styles) for v in locked), _value_cell(sheet, value, row, styles), digest])


def _sheet_locked(row: Row, first: bool) -> list:
    """The locked cells of a value row: code, element and unit (on the element's first row), category."""
    if first:
        return [row.full_code, row.element_name, row.category_name or None, row.unit or None]
    return [row.full_code, None, row.category_name or None, None]


def _tidy_sheet(workbook, blocks, *, round_id, signer: Signer, styles: _Styles, hashes: list[int]):
    sheet = workbook.create_sheet(tidy_title())
    _protect(sheet)
    _column_widths(sheet, (14, 48, 18, 18, 16))
    titles = [_("Service ID"), _("Service name"), _("Element code"), _("Category code"), _("Value")]
    digest = signer.row(_row_message(round_id, LAYOUT_TIDY, "", 1, titles))
    hashes.append(digest)
    sheet.append([*(_locked(sheet, title, styles, bold=True) for title in titles), digest])
    row_number = 1
    for block in blocks:
        for row in block.rows:
            row_number += 1
            value = block.values.get(row.key)
            locked = [block.portal_id, block.name, row.code, row.category or None]
            signed = [*locked, value] if row.locked else locked
            digest = signer.row(_row_message(round_id, LAYOUT_TIDY, "", row_number, signed))
            hashes.append(digest)
            sheet.append([*(_locked(sheet, v, styles) for v in locked), _value_cell(sheet, value, row, styles), digest])
