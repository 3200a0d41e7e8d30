"""Reading an uploaded XLSX template of a round (see :mod:`qmss.needs.xlsx` for the format).

The file is read by python-calamine (a Rust reader, several times faster than openpyxl on a large upload) behind
the small openpyxl-like adapter below; bounded (file size, unpacked size, sheets, rows, errors, number range);
every error names its sheet, row and column; the values are returned only when there is no error."""

from __future__ import annotations

import contextlib
import hmac
import io
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from qmss.needs import xlsx
from qmss.needs.xlsx import (
    FIRST_VALUE_ROW,
    HASH_COLUMN,
    HEADER_ROWS,
    LAYOUT_SHEETS,
    LAYOUT_TIDY,
    LAYOUTS,
    MAX_ABS_VALUE,
    MAX_ROWS,
    MAX_SHEETS,
    MAX_TIDY_ROWS,
    META_MARK,
    META_SHEET,
    NUMBER_TEXT,
    TABLE_HEADER_ROW,
    TOLERANCE,
    VALUE_COLUMN,
    Parsed,
    Row,
    ServiceBlock,
    Signer,
    _checksum,
    _column_letter,
    _meta_message,
    _row_index,
    _row_message,
    _sheet_locked,
    _TooManyErrors,
    norm,
    tidy_title,
)


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


def _cell(value):
    """A calamine value as openpyxl (read-only, data only) gives it: "" (an empty cell) → None, a whole float → int."""
    if value == "" and isinstance(value, str):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


class _Sheet:
    """One sheet: ``title`` and ``iter_rows(max_col=…, values_only=True)`` from row 1 and column A, as openpyxl."""

    def __init__(self, workbook, title: str) -> None:
        self.workbook, self.title = workbook, title

    def iter_rows(self, max_col: int | None = None, values_only: bool = True):
        sheet = self.workbook.get_sheet_by_name(self.title)
        first_row, first_col = sheet.start or (0, 0)  # calamine's range starts at the first non-empty cell
        for _row in range(first_row):
            yield ()
        pad = [None] * first_col
        for row in sheet.iter_rows():
            cells = pad + [_cell(value) for value in row]
            yield tuple(cells[:max_col] if max_col else cells)


class _Workbook:
    """The part of openpyxl's read-only workbook the parser uses, over python-calamine."""

    def __init__(self, workbook) -> None:
        self.workbook = workbook
        self.sheetnames = list(workbook.sheet_names)
        self.worksheets = [_Sheet(workbook, title) for title in self.sheetnames]

    def __getitem__(self, title: str) -> _Sheet:
        return _Sheet(self.workbook, title)

    def close(self) -> None:
        self.workbook.close()


def _open(data: bytes, parsed: Parsed):
    from python_calamine import CalamineWorkbook

    if len(data) > xlsx.MAX_BYTES:
        parsed.error(
            _("The file is too large (%(size)s MB; at most %(limit)s MB).")
            % {"size": round(len(data) / 1024 / 1024, 1), "limit": xlsx.MAX_BYTES // 1024 // 1024}
        )
        return None
    not_xlsx = _("The file is not an XLSX workbook. Upload the template downloaded from QMSS.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        parsed.error(not_xlsx)
        return None
    if unpacked > xlsx.MAX_UNZIPPED:
        parsed.error(
            _("The file is too large (%(size)s MB; at most %(limit)s MB).")
            % {"size": round(unpacked / 1024 / 1024, 1), "limit": xlsx.MAX_UNZIPPED // 1024 // 1024}
        )
        return None
    try:
        return _Workbook(CalamineWorkbook.from_filelike(io.BytesIO(data)))
    except Exception:  # the reader raises many kinds on a broken file
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
