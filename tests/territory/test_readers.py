"""The validating file readers, on tiny files (no database)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from qmss.territory.readers import (
    MUNICIPALITY_CODE,
    SourceFile,
    TerritoryImportError,
    read_csv,
    read_geojson_features,
)


def _file(tmp_path, name: str, content: str | bytes) -> SourceFile:
    path = tmp_path / "sada" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return SourceFile(tmp_path, f"sada/{name}")


def test_csv_with_bom_and_blank_lines(tmp_path):
    file = _file(tmp_path, "a.csv", "\ufeffkod,počet,věk\n500011,12,41.5\n\n500020,7,\n")
    rows = list(read_csv(file, ["kod", "počet"]))
    assert [row.code("kod", MUNICIPALITY_CODE, "{value}") for row in rows] == ["500011", "500020"]
    assert [row.line for row in rows] == [2, 4]
    assert rows[0].decimal("věk", places=4) == Decimal("41.5000")
    assert rows[1].decimal("věk", places=4) is None


def test_csv_row_with_wrong_number_of_columns(tmp_path):
    file = _file(tmp_path, "a.csv", "kod,pocet\n500011,12\n500020\n")
    with pytest.raises(TerritoryImportError) as caught:
        list(read_csv(file, ["kod"]))
    assert (caught.value.file, caught.value.row) == ("sada/a.csv", 3)


def test_csv_cell_errors_name_file_row_and_column(tmp_path):
    file = _file(tmp_path, "a.csv", "kod,pocet\n5000x1,-3\n")
    row = next(read_csv(file, ["kod", "pocet"]))
    for call, field in (
        (lambda: row.integer("pocet"), "pocet"),
        (lambda: row.code("kod", MUNICIPALITY_CODE, "bad {value}"), "kod"),
    ):
        with pytest.raises(TerritoryImportError) as caught:
            call()
        error = caught.value
        assert (error.file, error.row, error.field) == ("sada/a.csv", 2, field)
        assert "sada/a.csv" in str(error) and "2" in str(error) and field in str(error)


def test_empty_csv(tmp_path):
    with pytest.raises(TerritoryImportError) as caught:
        list(read_csv(_file(tmp_path, "a.csv", ""), ["kod"]))
    assert "sada/a.csv" in str(caught.value)


def test_encoding_error_gives_the_line(tmp_path):
    file = _file(tmp_path, "a.csv", "kod,nazev\n500011,Zlin\n500020,Plzeň\n".encode("cp1250"))
    with pytest.raises(TerritoryImportError) as caught:
        list(read_csv(file, ["kod"]))
    assert caught.value.row == 3 and "UTF-8" in str(caught.value)


def test_geojson_checks(tmp_path):
    polygon = {"type": "Polygon", "coordinates": [[[14, 50], [15, 50], [15, 51], [14, 50]]]}
    good = {"type": "FeatureCollection", "features": [{"properties": {"kod": "7"}, "geometry": polygon}]}
    features = read_geojson_features(_file(tmp_path, "a.geojson", json.dumps(good)), "kod", as_int=True)
    assert features[7].geometry == polygon and features[7].number == 1
    not_a_collection = _file(tmp_path, "b.geojson", json.dumps({"type": "Feature"}))
    with pytest.raises(TerritoryImportError, match="b.geojson"):
        read_geojson_features(not_a_collection, "kod")
    bad_key = dict(good, features=[{"properties": {"kod": "sedm"}, "geometry": polygon}])
    with pytest.raises(TerritoryImportError) as caught:
        read_geojson_features(_file(tmp_path, "c.geojson", json.dumps(bad_key)), "kod", as_int=True)
    assert (caught.value.row, caught.value.field) == (1, "kod")
    with pytest.raises(TerritoryImportError) as caught:
        read_geojson_features(_file(tmp_path, "d.geojson", '{"type": "FeatureCollection",\n "features": [}'), "kod")
    assert caught.value.row == 2 and "JSON" in str(caught.value)
