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

All texts are written through :mod:`qmss.core.cells` (never as formulas). The parser reads with openpyxl in
read-only mode, is bounded (file size, sheets, rows, errors, number range) and collects the errors, each naming
the sheet, row and column; the caller saves nothing unless the list is empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import re
import zipfile
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


# --- parsing -------------------------------------------------------------------------------------------------


def _where(sheet: str, row: int | None = None, column: int | None = None) -> str:
    if row is None:
        return _("Sheet “%(sheet)s”") % {"sheet": sheet}
    if column is None:
        return _("Sheet “%(sheet)s”, row %(row)s") % {"sheet": sheet, "row": row}
    return _("Sheet “%(sheet)s”, row %(row)s, column %(column)s") % {
        "sheet": sheet,
        "row": row,
        "column": _column_letter(column),
    }


def _too_many_rows(title: str, limit: int) -> str:
    return _("%(where)s: too many rows (at most %(limit)s).") % {"where": _where(title), "limit": limit}


def _short(value) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 40 else text[:39] + "…"


def parse_number(value, row: Row) -> tuple[Decimal | None, str | None]:
    """The cell's value as a Decimal of the row's type, or an error text (without the location)."""
    if value is None:
        return None, None
    if (  # the common case, without rounding
        type(value) is int
        and abs(value) <= MAX_ABS_VALUE
        and (row.min_value is None or value >= row.min_value)
        and (row.max_value is None or value <= row.max_value)
    ):
        return Decimal(value), None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None, _("there should be a number, not “%(value)s”.") % {"value": _short(value)}
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not text:
            return None, None
        if len(text) > 30 or not NUMBER_TEXT.match(text):
            return None, _("there should be a number, but the cell holds the text “%(value)s”.") % {
                "value": _short(value)
            }
        number = Decimal(text)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None, _("the number is not valid.")
        number = Decimal(repr(value))
    else:
        number = Decimal(value)
    places = Decimal(1) if row.value_type == "integer" else Decimal("0.01")
    try:
        rounded = number.quantize(places)
    except InvalidOperation:
        return None, _("the number is too large.")
    if abs(number - rounded) > TOLERANCE:
        if row.value_type == "integer":
            return None, _("there should be a whole number, not %(value)s.") % {"value": norm(number)}
        return None, _("at most two decimal places are allowed (%(value)s).") % {"value": norm(number)}
    if abs(rounded) > MAX_ABS_VALUE:
        return None, _("the number is too large.")
    if row.min_value is not None and rounded < row.min_value:
        return None, _("the value %(value)s is less than the minimum %(min)s.") % {
            "value": norm(rounded),
            "min": norm(row.min_value),
        }
    if row.max_value is not None and rounded > row.max_value:
        return None, _("the value %(value)s is more than the maximum %(max)s.") % {
            "value": norm(rounded),
            "max": norm(row.max_value),
        }
    return rounded, None


def _changed_columns(found: Sequence, expected: Sequence | None, first_column: int = 1) -> list[int]:
    """Columns whose content differs from what QMSS would write now (all the locked ones when unknown)."""
    if expected is not None:
        changed = [
            first_column + i for i, (a, b) in enumerate(zip(found, expected, strict=False)) if norm(a) != norm(b)
        ]
        if changed:
            return changed
    return list(range(first_column, first_column + len(found)))


def parse_workbook(
    data: bytes,
    *,
    round_id: int,
    blocks: Sequence[ServiceBlock],
    secret: str,
    all_portal_ids: Iterable[int] = (),
) -> Parsed:
    """Read an uploaded workbook against ``blocks`` (the submissions the uploader may edit now).

    ``all_portal_ids`` are the services of the round the uploader may not edit (named in the message). Values of
    locked rows are not returned; an empty value cell is ``None``."""
    parsed = Parsed()
    with contextlib.suppress(_TooManyErrors):
        _parse(data, parsed, round_id=round_id, blocks=blocks, signer=Signer(secret), others=set(all_portal_ids))
    parsed.index = {}
    if parsed.errors:
        parsed.values = {}
    return parsed


def _open(data: bytes, parsed: Parsed):
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        parsed.error(
            _("The file is too large (%(size)s MB; at most %(limit)s MB).")
            % {"size": round(len(data) / 1024 / 1024, 1), "limit": MAX_BYTES // 1024 // 1024}
        )
        return None
    not_xlsx = _("The file is not an XLSX workbook. Upload the template downloaded from QMSS.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        parsed.error(not_xlsx)
        return None
    if unpacked > MAX_UNZIPPED:
        parsed.error(
            _("The file is too large (%(size)s MB; at most %(limit)s MB).")
            % {"size": round(unpacked / 1024 / 1024, 1), "limit": MAX_UNZIPPED // 1024 // 1024}
        )
        return None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken file
        parsed.error(not_xlsx)
        return None


def _read_meta(workbook, parsed: Parsed, signer: Signer, round_id: int) -> tuple[str, str, list[str]] | None:
    """(layout, checksum, services) of a valid control sheet of this round, else None with the error recorded."""
    if META_SHEET not in workbook.sheetnames:
        parsed.error(
            _("The file is not a QMSS template of a data-collection round (its control sheet “%(sheet)s” is missing).")
            % {"sheet": META_SHEET}
        )
        return None
    meta = {}
    for index, row in enumerate(workbook[META_SHEET].iter_rows(max_col=2, values_only=True)):
        if index >= 20:
            break
        if row and row[0] is not None:
            meta[str(row[0])] = row[1] if len(row) > 1 else None
    layout = str(meta.get("layout") or "")
    checksum = str(meta.get("checksum") or "")
    services = str(meta.get("services") or "")
    try:
        file_round = int(meta.get("round"))
        organisation_id = int(meta["organisation"]) if meta.get("organisation") not in (None, "") else None
    except (TypeError, ValueError):
        file_round, organisation_id = None, None
    signature = signer.sign(_meta_message(file_round or 0, layout, organisation_id, services, checksum), 64)
    if (
        meta.get("format") != META_MARK
        or file_round is None
        or layout not in LAYOUTS
        or not hmac.compare_digest(signature, str(meta.get("signature") or ""))
    ):
        parsed.error(
            _("%(where)s: the control sheet was changed; download a new template.") % {"where": _where(META_SHEET)}
        )
        return None
    if file_round != round_id:
        parsed.error(
            _("The file belongs to another data-collection round (“%(name)s”); download the template of this round.")
            % {"name": _short(meta.get("round_name") or file_round)}
        )
        return None
    return layout, checksum, [item for item in services.split(",") if item]


def _parse(data: bytes, parsed: Parsed, *, round_id: int, blocks, signer: Signer, others: set[int]) -> None:
    workbook = _open(data, parsed)
    if workbook is None:
        return
    try:
        if len(workbook.sheetnames) > MAX_SHEETS:
            parsed.error(_("The file has too many sheets (at most %(limit)s).") % {"limit": MAX_SHEETS})
            return
        meta = _read_meta(workbook, parsed, signer, round_id)
        if meta is None:
            return
        layout, checksum, services = meta
        by_portal = {block.portal_id: block for block in blocks}
        hashes: list[int] = []
        if layout == LAYOUT_SHEETS:
            seen: set[int] = set()
            for sheet in workbook.worksheets:  # not workbook[title]: a lookup by title lists every sheet's name
                title = sheet.title
                if title == META_SHEET:
                    continue
                portal_id = _parse_service_sheet(
                    sheet, title, parsed, round_id=round_id, by_portal=by_portal, signer=signer,
                    others=others, hashes=hashes, seen=seen,
                )  # fmt: skip
                if portal_id is not None:
                    seen.add(portal_id)
            for item in services:
                if item.isdigit() and int(item) not in seen and not parsed.errors:
                    parsed.error(_("The sheet “%(sheet)s” is missing.") % {"sheet": _("Service %(id)s") % {"id": item}})
        else:
            # the data sheet is the first one (its title is in the language of the download)
            sheets = [sheet for sheet in workbook.worksheets if sheet.title != META_SHEET]
            if not sheets:
                parsed.error(_("The sheet “%(sheet)s” is missing.") % {"sheet": tidy_title()})
                return
            for extra in sheets[1:]:
                parsed.error(
                    _("%(where)s: the template has no such sheet; its data are on the sheet “%(sheet)s”.")
                    % {"where": _where(extra.title), "sheet": sheets[0].title}
                )
            title = sheets[0].title
            _parse_tidy_sheet(
                sheets[0], title, parsed, round_id=round_id, by_portal=by_portal, signer=signer,
                others=others, hashes=hashes,
            )  # fmt: skip
        if not parsed.errors and _checksum(hashes) != checksum:
            parsed.error(_("Rows or sheets of the template were added, removed or moved; download a new template."))
    finally:
        workbook.close()


def _cells(row: tuple, count: int) -> list:
    values = list(row[:count])
    return values + [None] * (count - len(values))


def _parse_service_sheet(sheet, title, parsed: Parsed, *, round_id, by_portal, signer, others, hashes, seen):
    rows = sheet.iter_rows(max_col=HASH_COLUMN, values_only=True)
    header: list[tuple] = []
    for row in rows:
        header.append(_cells(row, HASH_COLUMN))
        if len(header) == TABLE_HEADER_ROW:
            break
    portal_cell = header[0][1] if header else None
    try:
        portal_id = int(portal_cell) if not isinstance(portal_cell, bool) else None
    except (TypeError, ValueError):
        portal_id = None
    if len(header) < TABLE_HEADER_ROW or portal_id is None:
        parsed.error(
            _("%(where)s: this is not a sheet of the template (the service ID should be in cell B1).")
            % {"where": _where(title)}
        )
        return None
    block = by_portal.get(portal_id)
    if block is None:
        if portal_id in others:
            message = _("%(where)s: the service %(id)s is not yours to edit now in this round.")
        else:
            message = _("%(where)s: unknown service ID %(id)s – not in this round or not your service.")
        parsed.error(message % {"where": _where(title, 1, 2), "id": portal_id})
        return None
    if portal_id in seen:
        parsed.error(_("%(where)s: the service %(id)s has a second sheet.") % {"where": _where(title), "id": portal_id})
        return None
    scope = str(portal_id)
    titles = [_("Code"), _("Element"), _("Category"), _("Unit"), _("Value")]
    for index, row in enumerate(header, start=1):
        if index < HEADER_ROWS:
            label, value = block.header()[index - 1]
            locked, expected = row[:2], [label, value]
        elif index == HEADER_ROWS:
            locked, expected = [], []
        else:
            locked, expected = row[:5], titles
        _check_row(row, locked, index, title, parsed, round_id, LAYOUT_SHEETS, scope, signer, hashes, expected)
    rows_by_full_code, firsts, locked_keys, _by_key = _row_index(block.rows, parsed.index)
    values: dict[tuple[str, str], Decimal | None] = {}
    for index, raw in enumerate(rows, start=FIRST_VALUE_ROW):
        if index > MAX_ROWS:
            parsed.error(
                _("%(where)s: too many rows (at most %(limit)s).") % {"where": _where(title), "limit": MAX_ROWS}
            )
            break
        row = _cells(raw, HASH_COLUMN)
        if all(v is None for v in row):
            continue
        spec = rows_by_full_code.get(norm(row[0]))
        if spec is None:
            parsed.error(
                _("%(where)s: unknown element code “%(code)s”.")
                % {"where": _where(title, index, 1), "code": _short(row[0] or "")}
            )
            continue
        if spec.key in values:
            parsed.error(
                _("%(where)s: the element “%(code)s” is there twice.")
                % {"where": _where(title, index, 1), "code": spec.full_code}
            )
            continue
        locked = row[:4] + ([row[4]] if spec.locked else [])
        expected = _sheet_locked(spec, spec.key in firsts)
        if spec.locked:
            expected.append(block.values.get(spec.key))
        if not _check_row(row, locked, index, title, parsed, round_id, LAYOUT_SHEETS, scope, signer, hashes, expected):
            values[spec.key] = None  # mark as seen
            continue
        _take_value(row[VALUE_COLUMN - 1], spec, values, parsed, title, index)
    missing = [row.full_code for row in block.rows if row.key not in values]
    if missing and not parsed.errors:
        parsed.error(
            _("%(where)s: rows of the template are missing (%(codes)s).")
            % {"where": _where(title), "codes": ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")}
        )
    parsed.values[block.submission_pk] = {k: v for k, v in values.items() if k not in locked_keys}
    return portal_id


def _check_row(row, locked, index, title, parsed, round_id, layout, scope, signer, hashes, expected) -> bool:
    """Whether the row's locked cells are as QMSS wrote them (its signature in the hidden column matches)."""
    digest = signer.row(_row_message(round_id, layout, scope, index, locked))
    hashes.append(digest)
    found = row[HASH_COLUMN - 1]
    if isinstance(found, int | float) and not isinstance(found, bool) and found == digest:
        return True
    for column in _changed_columns(locked, expected):
        was = norm(expected[column - 1]) if column <= len(expected) else ""
        parsed.error(
            _("%(where)s: this cell is locked and must not be changed (QMSS wrote “%(value)s”).")
            % {"where": _where(title, index, column), "value": _short(was)}
        )
    return False


def _take_value(cell_value, spec: Row, values: dict, parsed: Parsed, title: str, index: int) -> None:
    number, message = parse_number(cell_value, spec)
    if message:
        parsed.error(f"{_where(title, index, VALUE_COLUMN)}: {message}")
    values[spec.key] = number


def _parse_tidy_sheet(sheet, title, parsed: Parsed, *, round_id, by_portal, signer, others, hashes) -> None:
    titles = [_("Service ID"), _("Service name"), _("Element code"), _("Category code"), _("Value")]
    rows = sheet.iter_rows(max_col=HASH_COLUMN, values_only=True)
    first = next(rows, None)
    if first is None:
        parsed.error(_("%(where)s: the sheet is empty.") % {"where": _where(title)})
        return
    _check_row(_cells(first, HASH_COLUMN), titles, 1, title, parsed, round_id, LAYOUT_TIDY, "", signer, hashes, titles)
    specs = {block.portal_id: _row_index(block.rows, parsed.index)[3] for block in by_portal.values()}
    collected: dict[int, dict[tuple[str, str], Decimal | None]] = {pid: {} for pid in by_portal}
    for index, raw in enumerate(rows, start=2):
        if index > MAX_TIDY_ROWS:
            parsed.error(
                _("%(where)s: too many rows (at most %(limit)s).") % {"where": _where(title), "limit": MAX_TIDY_ROWS}
            )
            break
        row = _cells(raw, HASH_COLUMN)
        if all(v is None for v in row):
            continue
        portal_id = row[0]
        if type(portal_id) is not int:
            try:
                portal_id = int(row[0]) if not isinstance(row[0], bool | str) or str(row[0]).strip().isdigit() else None
            except (TypeError, ValueError):
                portal_id = None
        block = by_portal.get(portal_id)
        if block is None:
            if portal_id in others:
                message = _("%(where)s: the service %(id)s is not yours to edit now in this round.")
            else:
                message = _("%(where)s: unknown service ID %(id)s – not in this round or not your service.")
            parsed.error(
                message % {"where": _where(title, index, 1), "id": _short(row[0] if row[0] is not None else "")}
            )
            continue
        key = (norm(row[2]), norm(row[3]))
        spec = specs[portal_id].get(key)
        if spec is None:
            column = 3 if not any(k[0] == key[0] for k in specs[portal_id]) else 4
            parsed.error(
                _("%(where)s: unknown element or category code “%(code)s”.")
                % {"where": _where(title, index, column), "code": _short("/".join(k for k in key if k))}
            )
            continue
        if key in collected[portal_id]:
            parsed.error(
                _("%(where)s: the element “%(code)s” of the service %(id)s is there twice.")
                % {"where": _where(title, index, 3), "code": spec.full_code, "id": portal_id}
            )
            continue
        locked = row[:4] + ([row[4]] if spec.locked else [])
        expected = [block.portal_id, block.name, spec.code, spec.category or None]
        if spec.locked:
            expected.append(block.values.get(key))
        if not _check_row(row, locked, index, title, parsed, round_id, LAYOUT_TIDY, "", signer, hashes, expected):
            collected[portal_id][key] = None
            continue
        _take_value(row[VALUE_COLUMN - 1], spec, collected[portal_id], parsed, title, index)
    for portal_id, block in by_portal.items():
        got = collected[portal_id]
        if not got:
            continue  # a service left out of the tidy sheet keeps its values
        parsed.values[block.submission_pk] = {k: v for k, v in got.items() if not specs[portal_id][k].locked}
