"""Error codes of the territory app (in the style of Saleor's ``error_codes.py``).

Every :class:`~qmss.territory.readers.TerritoryImportError` carries one of these codes (``exc.code``), so the
command and tests tell the kinds of bad input apart without reading the translated message.
"""

from __future__ import annotations

from enum import Enum


class TerritoryImportErrorCode(Enum):
    FILE_MISSING = "file_missing"
    NOT_UTF8 = "not_utf8"
    EMPTY_FILE = "empty_file"
    COLUMN_MISSING = "column_missing"
    WRONG_COLUMN_COUNT = "wrong_column_count"
    NOT_JSON = "not_json"
    NOT_GEOJSON = "not_geojson"
    INVALID_VALUE = "invalid_value"
