"""Territory import errors carry a code telling the kind of bad input apart (no database)."""

from __future__ import annotations

import pytest

from qmss.territory.error_codes import TerritoryImportErrorCode as Code
from qmss.territory.readers import SourceFile, TerritoryImportError, read_csv, read_geojson_features


def _file(tmp_path, name: str, content: bytes) -> SourceFile:
    path = tmp_path / "sada" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return SourceFile(tmp_path, f"sada/{name}")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.csv", None, Code.FILE_MISSING),
        ("a.csv", b"", Code.EMPTY_FILE),
        ("a.csv", "kód\n".encode("cp1250"), Code.NOT_UTF8),
        ("a.csv", b"jiny\n1\n", Code.COLUMN_MISSING),
        ("a.csv", b"kod,pocet\n500011,12\n500020\n", Code.WRONG_COLUMN_COUNT),
        ("a.csv", b"kod,pocet\n500011,mnoho\n", Code.INVALID_VALUE),
    ],
)
def test_csv_errors_carry_their_code(tmp_path, name, content, code):
    file = _file(tmp_path, name, content) if content is not None else SourceFile(tmp_path, f"sada/{name}")
    with pytest.raises(TerritoryImportError) as caught:
        for row in read_csv(file, ["kod", "pocet"]):
            row.integer("pocet")
    assert caught.value.code == code.value


def test_json_errors_carry_their_code(tmp_path):
    with pytest.raises(TerritoryImportError) as caught:
        read_geojson_features(_file(tmp_path, "a.geojson", b"{nope"), "kod")
    assert caught.value.code == Code.NOT_JSON.value == "not_json"
    with pytest.raises(TerritoryImportError) as caught:
        read_geojson_features(_file(tmp_path, "b.geojson", b'{"type": "Feature"}'), "kod")
    assert caught.value.code == Code.NOT_GEOJSON.value
