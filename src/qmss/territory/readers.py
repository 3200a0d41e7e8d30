"""Low-level, validating readers for the territory source files (CSV, JSON, GeoJSON).

Every problem becomes a :class:`TerritoryImportError` naming the file, the row (the line number in the file as
a spreadsheet shows it: the header is row 1, the first data row is row 2; for GeoJSON the 1-based feature
number) and the column. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from qmss.core.errors import QmssImportError
from qmss.territory.error_codes import TerritoryImportErrorCode as Code

MUNICIPALITY_CODE = re.compile(r"^\d{6}$")
DISTRICT_CODE = re.compile(r"^CZ\d{3}[0-9A-Z]$")
REGION_CODE = re.compile(r"^CZ\d{3}$")
POSTAL_CODE = re.compile(r"^\d{5}$")


class TerritoryImportError(QmssImportError):
    """A territory source file is missing or wrong; the message (gettext) names file, row and column, ``code`` the
    kind of problem (:class:`~qmss.territory.error_codes.TerritoryImportErrorCode`, a bad value unless told)."""

    def __init__(self, message: str, *, code: Code = Code.INVALID_VALUE, **where) -> None:
        super().__init__(message, code=code.value, **where)


def _cell_error(file: str, row: int | None, field: str, problem: str) -> TerritoryImportError:
    message = _("File {file}, row {row}, column “{field}”: {problem}").format(
        file=file, row=row, field=field, problem=problem
    )
    return TerritoryImportError(message, file=file, row=row, field=field)


class SourceFile:
    """One file of the data directory, named in messages by its path relative to that directory."""

    def __init__(self, data_dir: Path, relative: str) -> None:
        self.path = Path(data_dir) / relative
        self.label = relative

    def read_text(self) -> str:
        if not self.path.is_file():
            raise TerritoryImportError(
                _("File {file} is missing.").format(file=self.label), file=self.label, code=Code.FILE_MISSING
            )
        data = self.path.read_bytes()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise TerritoryImportError(
                _("File {file}, row {row}: the file is not UTF-8 encoded (byte {byte}); save it as UTF-8.").format(
                    file=self.label, row=line, byte=f"0x{data[exc.start]:02x}"
                ),
                file=self.label,
                row=line,
                code=Code.NOT_UTF8,
            ) from exc

    def error(self, row: int | None, field: str, problem: str) -> TerritoryImportError:
        return _cell_error(self.label, row, field, problem)


# --- CSV ------------------------------------------------------------------------------------------


class CsvRow:
    """One data row of a CSV file with typed, validating accessors."""

    __slots__ = ("file", "line", "values", "index")

    def __init__(self, file: SourceFile, line: int, values: list[str], index: dict[str, int]) -> None:
        self.file = file
        self.line = line
        self.values = values
        self.index = index

    def error(self, column: str, problem: str) -> TerritoryImportError:
        return self.file.error(self.line, column, problem)

    def text(self, column: str, *, required: bool = True) -> str:
        value = self.values[self.index[column]].strip()
        if required and not value:
            raise self.error(column, _("the value is empty."))
        return value

    def integer(self, column: str, *, required: bool = True, minimum: int | None = 0) -> int | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            raise self.error(column, _("“{value}” is not a whole number.").format(value=value)) from None
        if minimum is not None and number < minimum:
            raise self.error(
                column,
                _("{value} is less than the allowed minimum {minimum}.").format(value=number, minimum=minimum),
            )
        return number

    def decimal(
        self, column: str, *, places: int, required: bool = False, limit: Decimal | None = None
    ) -> Decimal | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            raise self.error(column, _("“{value}” is not a number.").format(value=value)) from None
        if not number.is_finite() or (limit is not None and abs(number) > limit):
            raise self.error(column, _("“{value}” is out of range.").format(value=value))
        return number.quantize(Decimal(1).scaleb(-places))

    def code(self, column: str, pattern: re.Pattern[str], problem: str) -> str:
        """A non-empty value matching ``pattern``; else ``problem`` (with a ``{value}`` placeholder)."""
        value = self.text(column)
        if not pattern.match(value):
            raise self.error(column, str(problem).format(value=value))
        return value


def read_csv(file: SourceFile, columns: list[str]) -> Iterator[CsvRow]:
    """Rows of a comma-separated UTF-8 file whose header holds (at least) ``columns``."""
    reader = csv.reader(io.StringIO(file.read_text(), newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        message = _("File {file} is empty.").format(file=file.label)
        raise TerritoryImportError(message, file=file.label, code=Code.EMPTY_FILE) from None
    except csv.Error as exc:
        raise file.error(1, "", str(exc)) from exc
    index = {name: position for position, name in enumerate(header)}
    for column in columns:
        if column not in index:
            raise TerritoryImportError(
                _("File {file}: column “{field}” is missing in the header (row 1).").format(
                    file=file.label, field=column
                ),
                file=file.label,
                row=1,
                field=column,
                code=Code.COLUMN_MISSING,
            )
    width = len(header)
    try:
        for values in reader:
            if not values or (len(values) == 1 and not values[0].strip()):
                continue  # blank line
            if len(values) != width:
                raise TerritoryImportError(
                    _("File {file}, row {row}: expected {expected} columns, found {found}.").format(
                        file=file.label, row=reader.line_num, expected=width, found=len(values)
                    ),
                    file=file.label,
                    row=reader.line_num,
                    code=Code.WRONG_COLUMN_COUNT,
                )
            yield CsvRow(file, reader.line_num, values, index)
    except csv.Error as exc:
        raise file.error(reader.line_num, "", str(exc)) from exc


# --- JSON and GeoJSON -----------------------------------------------------------------------------


def read_json(file: SourceFile) -> Any:
    text = file.read_text()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TerritoryImportError(
            _("File {file}, row {row}: not valid JSON ({problem}).").format(
                file=file.label, row=exc.lineno, problem=exc.msg
            ),
            file=file.label,
            row=exc.lineno,
            code=Code.NOT_JSON,
        ) from exc


def _feature_error(file: SourceFile, number: int, field: str, problem: str) -> TerritoryImportError:
    message = _("File {file}, feature {row}, property “{field}”: {problem}").format(
        file=file.label, row=number, field=field, problem=problem
    )
    return TerritoryImportError(message, file=file.label, row=number, field=field)


def _valid_geometry(geometry: Any) -> bool:
    return (
        isinstance(geometry, dict)
        and geometry.get("type") in {"Polygon", "MultiPolygon"}
        and isinstance(geometry.get("coordinates"), list)
        and len(geometry["coordinates"]) > 0
    )


class GeoFeature(NamedTuple):
    number: int  # 1-based position in the "features" list
    properties: dict[str, Any]
    geometry: dict[str, Any]


def feature_integer(file: SourceFile, feature: GeoFeature, key: str) -> int:
    """A whole-number property of a feature, or a TerritoryImportError naming file, feature and property."""
    value = feature.properties.get(key)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _feature_error(
            file, feature.number, key, _("“{value}” is not a whole number.").format(value=value)
        ) from None


def read_geojson_features(file: SourceFile, key: str, *, as_int: bool = False) -> dict[Any, GeoFeature]:
    """Map of ``properties[key]`` → feature for a FeatureCollection of (Multi)Polygons."""
    document = read_json(file)
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise TerritoryImportError(
            _("File {file}: not a GeoJSON FeatureCollection (the “features” list is missing).").format(file=file.label),
            file=file.label,
            field="features",
            code=Code.NOT_GEOJSON,
        )
    result: dict[Any, GeoFeature] = {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            raise _feature_error(file, number, "properties", _("the feature has no properties."))
        value = properties.get(key)
        if value is None or str(value).strip() == "":
            raise _feature_error(file, number, key, _("the value is empty."))
        value = feature_integer(file, GeoFeature(number, properties, {}), key) if as_int else str(value).strip()
        if value in result:
            raise _feature_error(file, number, key, _("duplicate code “{value}”.").format(value=value))
        geometry = feature.get("geometry")
        if not _valid_geometry(geometry):
            raise _feature_error(file, number, "geometry", _("missing or invalid polygon geometry."))
        result[value] = GeoFeature(number, properties, geometry)
    return result
