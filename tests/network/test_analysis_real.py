"""Acceptance test with real data: residential senior beds (kinds 13 + 14, capacity type ``luzka``) per 1,000
people aged 65+ for every ORP of a region, on the page, in the map and in the export – equal to an independent
recomputation straight from the source files.

The real territory and the real senior registry sample (``rpss-katalog-seniori/rpss_odvozeno.json``) of
QMSS_DATA_DIR are imported once for the module; the tests skip when the data directory is absent.

The recomputation reads only the files (stdlib ``json`` / ``csv``, exact fractions) and applies the stated split
rule on its own: a service registered today counts with the sum of its ``luzka`` capacities; each of its
facilities provided today with a municipality code known to the territory carries an equal share; a share lands
in the ORP of the facility's municipality (``orp_kod_ruian`` of the 65+ table); shares outside the region are left
out. The 65+ population of an ORP is the sum of ``obyv_65plus_odvozeno`` of its municipalities.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import json
import re
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

REGISTRY_FILE = "rpss-katalog-seniori/rpss_odvozeno.json"
MUNICIPALITY_FILE = "orp-obce-seniori-65plus-2023-odvozeno/obce_65plus_2023.csv"
ORP_FILE = "orp-obce-seniori-65plus-2023-odvozeno/orp_65plus_2023.csv"
REGIONS = ("CZ072", "CZ080")
KINDS = {"DruhSocialniSluzby/13", "DruhSocialniSluzby/14"}
BEDS = "TypKapacitySocialniSluzby/luzka"
TWO_PLACES = Decimal("0.01")


def _data_dir() -> Path:
    from qmss.territory.sources import SOURCE_FILES

    directory = settings.QMSS_DATA_DIR
    if directory is None or not Path(directory).is_dir():
        pytest.skip("QMSS_DATA_DIR is not set and no shared data directory exists: real-data test skipped")
    needed = [*SOURCE_FILES, REGISTRY_FILE, MUNICIPALITY_FILE, ORP_FILE]
    missing = [name for name in needed if not (Path(directory) / name).is_file()]
    if missing:
        pytest.skip(f"the data directory {directory} lacks {', '.join(missing)}: real-data test skipped")
    return Path(directory)


@pytest.fixture(scope="module")
def data_dir() -> Path:
    return _data_dir()


@pytest.fixture(scope="module")
def real_data(django_db_setup, django_db_blocker, data_dir):
    """The real territory and registry imported once for the module (committed), removed again after it."""
    from qmss.registry import models as m
    from qmss.registry.importer import run_import
    from qmss.registry.reference import load_reference
    from qmss.territory.importer import import_territory
    from qmss.territory.models import District, Municipality, Orp, Population, Region, TerritoryImport

    order = (
        m.RegistryChange, m.Service, m.Provider, m.RegistryImport, m.ServiceKind, m.BasicActivity,
        m.DeliveryForm, m.CapacityType, m.TargetGroup, m.AgeGroup, m.ReferenceLibrary,
        TerritoryImport, Population, Municipality, Orp, District, Region,
    )  # fmt: skip
    with django_db_blocker.unblock():
        marks = {model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in order}
        import_territory(data_dir)
        load_reference()
        run = run_import(data_dir / REGISTRY_FILE)
        assert run.status == m.RegistryImport.Status.DONE, run.error
    yield data_dir
    with django_db_blocker.unblock():
        for model in order:
            model.objects.filter(pk__gt=marks[model]).delete()


# --- the independent recomputation (files only) ---------------------------------------------------------------


def _active(start: str | None, end: str | None, day: date) -> bool:
    return (not start or date.fromisoformat(start[:10]) <= day) and (not end or date.fromisoformat(end[:10]) >= day)


def expected_beds_per_1000(data_dir: Path, region_code: str) -> dict[int, tuple[Fraction, int, Decimal | None]]:
    """RÚIAN code of each ORP of the region → (beds, people aged 65+, beds per 1,000 rounded half up to 0.01)."""
    day = timezone.localdate()
    municipality_orp: dict[str, int] = {}
    orp_region: dict[int, str] = {}
    seniors: dict[int, int] = defaultdict(int)
    with (data_dir / MUNICIPALITY_FILE).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            orp = int(row["orp_kod_ruian"])
            municipality_orp[row["kod_obce"]] = orp
            orp_region[orp] = row["kraj_kod_nuts"]
            if row["obyv_65plus_odvozeno"]:
                seniors[orp] += int(row["obyv_65plus_odvozeno"])
    with (data_dir / ORP_FILE).open(encoding="utf-8-sig", newline="") as handle:  # the published ORP sums agree
        for row in csv.DictReader(handle):
            assert seniors[int(row["orp_kod_ruian"])] == int(row["obyv_65plus_odvozeno"])
    beds: dict[int, Fraction] = defaultdict(Fraction)
    records = json.loads((data_dir / REGISTRY_FILE).read_text(encoding="utf-8"))["polozky"]
    for record in records:
        if record["druhSocialniSluzby"]["id"] not in KINDS:
            continue
        if not _active(record.get("datumPoskytovaniOd"), record.get("datumPoskytovaniDo"), day):
            continue
        capacity = sum(
            capacity["pocet"]
            for form in record.get("formy") or []
            for capacity in form.get("kapacity") or []
            if (capacity.get("typ") or {}).get("id") == BEDS
        )
        if not capacity:
            continue
        places = []
        for facility in record.get("zarizeni") or []:
            municipality = ((facility.get("adresa") or {}).get("obec") or {}).get("id", "")
            code = municipality.rsplit("/", 1)[-1]
            if code in municipality_orp and _active(facility.get("poskytujeOd"), facility.get("poskytujeDo"), day):
                places.append(municipality_orp[code])
        for orp in places:
            beds[orp] += Fraction(capacity, len(places))
    result = {}
    for orp, region in orp_region.items():
        if region != region_code:
            continue
        people = seniors[orp]
        per_1000 = None
        if people:
            exact = beds[orp] * 1000 / people
            per_1000 = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(TWO_PLACES, ROUND_HALF_UP)
        result[orp] = (beds[orp], people, per_1000)
    return result


# --- what QMSS shows ----------------------------------------------------------------------------------------------


def _page(region_code: str) -> str:
    url = reverse("network:analysis_region", kwargs={"region_code": region_code})
    response = Client().get(url, {"skupina": "residential_seniors"})
    assert response.status_code == 200
    return response.content.decode()


def _table(page: str) -> dict[int, Decimal | None]:
    rows = re.findall(r'<tr data-orp="(\d+)">(.*?)</tr>', page, flags=re.S)
    result = {}
    for code, cells in rows:
        found = re.search(r'data-per-1000="([0-9.]+)"', cells)
        result[int(code)] = Decimal(found.group(1)) if found else None
    return result


def _map(page: str) -> dict[int, str]:
    """RÚIAN code → the text of the ORP's ``<title>`` in the SVG."""
    svg = re.search(r"<svg[^>]*class=\"analysis-map\".*?</svg>", page, flags=re.S).group(0)
    paths = re.findall(r"<path([^>]*)><title>(.*?)</title></path>", svg, flags=re.S)
    result = {}
    for attributes, title in paths:
        code = re.search(r'data-orp="(\d+)"', attributes).group(1)
        result[int(code)] = html_lib.unescape(title)
    return result


def _czech(value: Decimal) -> str:
    """12.30 → "12,3" as the map's title writes it (no trailing zeros; thousands grouped by a no-break space)."""
    from qmss.core.formatting import format_number

    return format_number(value)


def _export(region_code: str) -> dict[int, tuple]:
    from openpyxl import load_workbook

    url = reverse("network:analysis_export", kwargs={"region_code": region_code})
    response = Client().get(url, {"skupina": "residential_seniors"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    return {row[1]: row for row in list(sheet.iter_rows(values_only=True))[1:]}


@pytest.mark.parametrize("region_code", REGIONS)
def test_beds_per_1000_seniors_of_every_orp_match_the_source_files(real_data, db, region_code):
    expected = expected_beds_per_1000(real_data, region_code)
    assert len(expected) >= 10  # every ORP of the region
    assert any(beds for beds, _people, _value in expected.values())
    page = _page(region_code)

    table = _table(page)
    assert set(table) == set(expected)
    assert table == {code: value for code, (_beds, _people, value) in expected.items()}

    titles = _map(page)
    assert set(titles) == set(expected)
    for code, (_beds, _people, value) in expected.items():
        assert f": {_czech(value)} (" in titles[code], (code, titles[code], value)

    rows = _export(region_code)
    assert set(rows) == set(expected)
    for code, (beds, people, value) in expected.items():
        _name, _code, capacity, population, per_1000, *_rest = rows[code]
        assert population == people
        assert capacity == pytest.approx(float(beds), abs=1e-9)
        assert isinstance(per_1000, float) and Decimal(str(per_1000)) == value


def test_the_split_rule_is_exercised_by_the_real_data(real_data, db):
    """At least one home of the region set has facilities in two ORPs (so the split rule matters here)."""
    from qmss.network.capacity import capacity_by_orp
    from qmss.territory.models import Region

    region_ids = list(Region.objects.filter(code__in=REGIONS).values_list("pk", flat=True))
    table = capacity_by_orp(kind_codes=["13", "14"], unit="luzka")
    assert table.split_services
    assert capacity_by_orp(region_ids=region_ids, kind_codes=["13", "14"], unit="luzka").values


def test_the_oecd_benchmark_is_shown_as_not_verified(real_data, db):
    page = _page(REGIONS[0])
    assert "OECD 2021" in page
    assert re.search(r"OECD, Health at a Glance 2021.*?\((neověřeno|not verified)\)", page, flags=re.S)
