"""Import of the real open-data directory: counts, totals, idempotence, and all-or-nothing on bad input."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from qmss.territory.importer import TerritoryImportError, import_territory
from qmss.territory.models import District, Municipality, Orp, Population, Region, TerritoryImport
from qmss.territory.sources import (
    COORDINATES_CSV,
    MUNICIPALITY_CSV,
    ORP_GEOJSON,
    POPULATION_CSV,
    REGION_CODEBOOK,
)

pytestmark = pytest.mark.django_db

MODELS = (Region, District, Orp, Municipality, Population, TerritoryImport)


def population_total_from_csv(data_dir: Path, year: int) -> int:
    with open(data_dir / POPULATION_CSV, encoding="utf-8", newline="") as handle:
        return sum(int(row["obyvatel_celkem"]) for row in csv.DictReader(handle) if row["rok_k_1_1"] == str(year))


def snapshot() -> dict:
    """Row counts plus a few imported values that a failed import must leave untouched."""
    zelechovice = Municipality.objects.select_related("orp").get(code="500011")
    return {
        "counts": {model.__name__: model.objects.count() for model in MODELS},
        "zelechovice": (zelechovice.name, zelechovice.postal_code, zelechovice.orp.ruian_code),
        "zelechovice_2024": Population.objects.filter(
            municipality=zelechovice, reference_date=date(2024, 1, 1)
        ).values_list("total", "age_65_plus")[0],
    }


# --- the real data --------------------------------------------------------------------------------------


def test_real_import_counts(real_territory, data_dir):
    assert Region.objects.count() == 14
    assert District.objects.count() == 77
    assert Orp.objects.count() == 206
    assert Municipality.objects.count() == 6258
    assert Population.objects.count() == 31290
    counts = real_territory.counts
    expected = {"regions": 14, "districts": 77, "orps": 206, "municipalities": 6258, "population_rows": 31290}
    assert {key: counts[key] for key in expected} == expected
    assert real_territory.source == str(data_dir)
    assert real_territory.is_synthetic is False


def test_real_import_population_total(real_territory, data_dir):
    expected = population_total_from_csv(data_dir, 2024)
    assert expected == 10_900_555  # the ČSÚ national total on 1 Jan 2024
    total = Population.objects.filter(reference_date=date(2024, 1, 1)).aggregate(s=Sum("total"))["s"]
    assert total == expected
    assert Population.objects.filter(reference_date=date(2020, 1, 1)).aggregate(s=Sum("total"))["s"] == 10_693_939
    seniors = Population.objects.filter(reference_date=date(2024, 1, 1)).aggregate(s=Sum("age_65_plus"))["s"]
    assert seniors == 2_237_322
    assert not Population.objects.filter(reference_date__lt=date(2024, 1, 1), age_65_plus__isnull=False).exists()


def test_real_import_values(real_territory):
    zlin = Region.objects.get(code="CZ072")
    assert (zlin.name, zlin.abbreviation, zlin.ruian_code) == ("Zlínský kraj", "ZLK", 141)
    assert zlin.boundary["type"] in {"Polygon", "MultiPolygon"}
    assert Region.objects.get(code="CZ010").name == "Hlavní město Praha"
    assert Region.objects.exclude(boundary=None).count() == 14
    assert District.objects.exclude(boundary=None).count() == 77
    assert Orp.objects.exclude(boundary=None).count() == 206
    praha_orp = Orp.objects.get(ruian_code=19)
    assert (praha_orp.csu_code, praha_orp.seat_code, praha_orp.region.code) == (0, "554782", "CZ010")
    muni = Municipality.objects.select_related("district", "orp", "region").get(code="500011")
    assert muni.name == "Želechovice nad Dřevnicí"
    assert muni.search_name == "zelechovice nad drevnici"
    assert (muni.status, muni.district.code, muni.orp.ruian_code, muni.region.code) == (
        "O",
        "CZ0724",
        1465,
        "CZ072",
    )
    assert muni.postal_code == "76311"
    assert (muni.latitude, muni.longitude) == (Decimal("49.218113"), Decimal("17.747486"))
    figure = muni.population.get(reference_date=date(2024, 1, 1))
    assert (figure.total, figure.age_15_plus, figure.age_15_64, figure.age_65_plus) == (1873, 1627, 1190, 437)
    assert figure.men + figure.women == figure.total
    assert not Municipality.objects.filter(code="539996").exists()  # the abolished military district
    assert Municipality.objects.filter(postal_code="").count() == 0


def test_reimport_changes_nothing(real_territory, data_dir):
    before = snapshot()
    run = import_territory(data_dir)
    assert (run.counts["created"], run.counts["updated"], run.counts["stale"]) == (0, 0, 0)
    after = snapshot()
    assert after["counts"]["TerritoryImport"] == before["counts"]["TerritoryImport"] + 1
    before["counts"].pop("TerritoryImport"), after["counts"].pop("TerritoryImport")
    assert after == before


def test_reimport_updates_only_changed_rows(real_territory, copy_sources):
    directory = copy_sources()
    path = directory / POPULATION_CSV
    text = path.read_text(encoding="utf-8")
    old_line = next(line for line in text.splitlines() if line.startswith("2024,CZ0724,500011,"))
    fields = old_line.split(",")
    fields[4] = "1900"  # obyvatel_celkem
    path.write_text(text.replace(old_line, ",".join(fields)), encoding="utf-8")
    run = import_territory(directory)
    assert run.counts["changes"]["population_rows"] == {"created": 0, "updated": 1, "stale": 0}
    assert (run.counts["created"], run.counts["updated"]) == (0, 1)
    assert Population.objects.get(municipality__code="500011", reference_date=date(2024, 1, 1)).total == 1900


def test_rows_missing_from_the_source_are_kept_as_stale(real_territory, copy_sources):
    directory = copy_sources()
    path = directory / POPULATION_CSV
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if ",500011," not in line), encoding="utf-8")
    run = import_territory(directory)
    assert run.counts["changes"]["population_rows"]["stale"] == 4  # 2020–2023; 2024 comes with the age bands
    assert Population.objects.filter(municipality__code="500011").count() == 5


# --- bad input: a clear message and nothing written -------------------------------------------------------


def _import_fails(directory: Path) -> TerritoryImportError:
    with pytest.raises(TerritoryImportError) as caught:
        import_territory(directory)
    return caught.value


def test_bad_number_names_file_row_and_column(real_territory, copy_sources):
    directory = copy_sources()
    path = directory / POPULATION_CSV
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[9].split(",")  # row 10 of the file (header = row 1)
    fields[4] = "mnoho"
    lines[9] = ",".join(fields)
    path.write_text("".join(lines), encoding="utf-8")
    before = snapshot()
    error = _import_fails(directory)
    message = str(error)
    assert "pocet_obyvatel_obce_2020_2024.csv" in message
    assert "10" in message and "obyvatel_celkem" in message and "mnoho" in message
    assert (error.file, error.row, error.field) == (POPULATION_CSV, 10, "obyvatel_celkem")
    assert snapshot() == before


def test_missing_column_is_named(real_territory, copy_sources):
    directory = copy_sources()
    path = directory / MUNICIPALITY_CSV
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("kod_obce,nazev_obce", "kod,nazev_obce", 1), encoding="utf-8")
    before = snapshot()
    error = _import_fails(directory)
    assert "obce_65plus_2023.csv" in str(error) and "„kod_obce“" in str(error) and "chybí sloupec" in str(error)
    assert (error.file, error.row, error.field) == (MUNICIPALITY_CSV, 1, "kod_obce")
    assert snapshot() == before


def test_wrong_encoding_is_reported(real_territory, copy_sources):
    directory = copy_sources()
    path = directory / COORDINATES_CSV
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1250"))
    before = snapshot()
    error = _import_fails(directory)
    assert "obce_souradnice.csv" in str(error) and "UTF-8" in str(error)
    assert error.file == COORDINATES_CSV
    assert error.row == 1  # "Kód obce" in the header is the first non-ASCII text
    assert snapshot() == before


def test_broken_geojson_is_reported(real_territory, copy_sources):
    directory = copy_sources()
    path = directory / ORP_GEOJSON
    path.write_text(path.read_text(encoding="utf-8")[:5000], encoding="utf-8")  # cut off mid-file
    before = snapshot()
    error = _import_fails(directory)
    assert "orp_sldb2021.geojson" in str(error) and "JSON" in str(error)
    assert error.row is not None
    assert snapshot() == before


def test_geojson_without_geometry_is_reported(real_territory, copy_sources):
    directory = copy_sources()
    path = directory / ORP_GEOJSON
    document = json.loads(path.read_text(encoding="utf-8"))
    document["features"][2]["geometry"] = None
    path.write_text(json.dumps(document), encoding="utf-8")
    before = snapshot()
    error = _import_fails(directory)
    assert (error.file, error.row, error.field) == (ORP_GEOJSON, 3, "geometry")
    assert "orp_sldb2021.geojson" in str(error) and "3" in str(error)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("kod_obce", "50001", "50001"),  # not 6 digits
        ("orp_kod_ruian", "99999", "99999"),  # unknown ORP
        ("okres_kod_lau", "CZ0999", "CZ0999"),  # unknown district
        ("kraj_kod_nuts", "CZ099", "CZ099"),  # unknown region
        ("nazev_obce", "", "nazev_obce"),  # empty name
        ("status_obce", "X", "X"),  # unknown status
    ],
)
def test_bad_municipality_row(real_territory, copy_sources, column, value, expected):
    directory = copy_sources()
    path = directory / MUNICIPALITY_CSV
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    position = rows[0].index(column)
    rows[5][position] = value  # row 6 of the file
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    before = snapshot()
    error = _import_fails(directory)
    assert (error.file, error.row, error.field) == (MUNICIPALITY_CSV, 6, column)
    assert "obce_65plus_2023.csv" in str(error) and expected in str(error) and column in str(error)
    assert snapshot() == before


def test_missing_file_is_named(real_territory, copy_sources):
    directory = copy_sources()
    (directory / REGION_CODEBOOK).unlink()
    before = snapshot()
    error = _import_fails(directory)
    assert "kraje_kodovnik.json" in str(error)
    assert snapshot() == before


# --- an unchanged re-import is not parsed again --------------------------------------------------------------


def test_unchanged_files_are_not_parsed_again(real_territory, data_dir, monkeypatch):
    import qmss.territory.importer as importer

    assert real_territory.fingerprint
    monkeypatch.setattr(importer, "read_sources", lambda *_: pytest.fail("unchanged files were parsed again"))
    run = import_territory(data_dir)
    assert run.counts["unchanged_files"] is True
    assert (run.counts["created"], run.counts["updated"]) == (0, 0)
    assert run.counts["municipalities"] == real_territory.counts["municipalities"]
    assert run.fingerprint == real_territory.fingerprint


def test_force_and_changed_files_import_for_real(real_territory, data_dir, copy_sources):
    forced = import_territory(data_dir, force=True)
    assert "unchanged_files" not in forced.counts and forced.counts["updated"] == 0
    directory = copy_sources()
    path = directory / POPULATION_CSV
    text = path.read_text(encoding="utf-8")
    old_line = next(line for line in text.splitlines() if line.startswith("2024,CZ0724,500011,"))
    fields = old_line.split(",")
    fields[4] = "1901"
    path.write_text(text.replace(old_line, ",".join(fields)), encoding="utf-8")
    changed = import_territory(directory)
    assert "unchanged_files" not in changed.counts and changed.counts["updated"] == 1
    assert changed.fingerprint != forced.fingerprint


def test_a_database_that_lost_rows_is_imported_for_real(real_territory, data_dir):
    Municipality.objects.filter(code="500011").delete()
    run = import_territory(data_dir)
    assert "unchanged_files" not in run.counts and run.counts["created"] >= 1
    assert Municipality.objects.filter(code="500011").exists()
