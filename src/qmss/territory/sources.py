"""Read and validate the whole territory data directory into plain Python values (no database access).

The directory has the layout of the shared open-data folder (one subfolder per dataset, see each SOURCE.md).
:func:`read_sources` either returns a complete, cross-checked :class:`TerritorySource` or raises
:class:`~qmss.territory.readers.TerritoryImportError`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qmss.territory.error_codes import TerritoryImportErrorCode
from qmss.territory.models import Municipality, search_key
from qmss.territory.readers import (
    DISTRICT_CODE,
    MUNICIPALITY_CODE,
    POSTAL_CODE,
    REGION_CODE,
    GeoFeature,
    SourceFile,
    TerritoryImportError,
    feature_integer,
    read_csv,
    read_geojson_features,
    read_json,
)

REGION_CODEBOOK = "kraje-okresy-hranice/kraje_kodovnik.json"
REGION_GEOJSON = "kraje-okresy-hranice/kraje.geojson"
DISTRICT_GEOJSON = "kraje-okresy-hranice/okresy.geojson"
INDEX_CSV = "obce-index-socialniho-vylouceni-2023/index_vylouceni_2023.csv"
ORP_CROSSWALK_CSV = "orp-obce-seniori-65plus-2023-odvozeno/orp_kody_prevodnik.csv"
ORP_GEOJSON = "orp-hranice-scitani-2021/orp_sldb2021.geojson"
MUNICIPALITY_CSV = "orp-obce-seniori-65plus-2023-odvozeno/obce_65plus_2023.csv"
COORDINATES_CSV = "obce-souradnice-2018/obce_souradnice.csv"
POPULATION_CSV = "obce-pocet-obyvatel-2020-2024/pocet_obyvatel_obce_2020_2024.csv"

#: Every file the importer reads, relative to the data directory.
SOURCE_FILES = (
    REGION_CODEBOOK,
    REGION_GEOJSON,
    DISTRICT_GEOJSON,
    INDEX_CSV,
    ORP_CROSSWALK_CSV,
    ORP_GEOJSON,
    MUNICIPALITY_CSV,
    COORDINATES_CSV,
    POPULATION_CSV,
)

# Problems with a code, translated only when a message needs them ({value} is the bad value).
NOT_REGION_CODE = gettext_lazy("“{value}” is not a NUTS 3 region code (such as CZ072).")
NOT_DISTRICT_CODE = gettext_lazy("“{value}” is not a LAU 1 district code (such as CZ0724).")
NOT_MUNICIPALITY_CODE = gettext_lazy("“{value}” is not a 6-digit municipality code.")
NOT_POSTAL_CODE = gettext_lazy("“{value}” is not a 5-digit postal code.")
UNKNOWN_REGION = gettext_lazy("unknown region “{value}”.")
UNKNOWN_DISTRICT = gettext_lazy("unknown district “{value}”.")
UNKNOWN_ORP = gettext_lazy("unknown ORP “{value}”.")
UNKNOWN_MUNICIPALITY = gettext_lazy("unknown municipality “{value}”.")
UNKNOWN_STATUS = gettext_lazy("unknown municipality status “{value}” (expected one of O, M, S, T, U, H).")

#: The age bands in MUNICIPALITY_CSV are for 31 Dec 2023, i.e. the population on 1 Jan 2024.
AGE_BANDS_DATE = date(2024, 1, 1)
STATUSES = frozenset(Municipality.Status.values)


@dataclass
class TerritorySource:
    """Field values per model, keyed by code; foreign keys are given as the parent's code."""

    regions: dict[str, dict[str, Any]] = field(default_factory=dict)
    districts: dict[str, dict[str, Any]] = field(default_factory=dict)
    orps: dict[int, dict[str, Any]] = field(default_factory=dict)
    municipalities: dict[str, dict[str, Any]] = field(default_factory=dict)
    population: dict[tuple[str, date], dict[str, Any]] = field(default_factory=dict)
    #: MMR social exclusion index per (municipality code, year)
    exclusion: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)


def _problem(template: str, value: object) -> str:
    return str(template).format(value=value)


def _duplicate(value: object) -> str:
    return _("duplicate code “{value}”.").format(value=value)


def _geometry(features: dict[Any, GeoFeature], key: Any) -> dict | None:
    feature = features.get(key)
    return feature.geometry if feature else None


def _read_regions(data_dir: Path) -> dict[str, dict[str, Any]]:
    codebook = SourceFile(data_dir, REGION_CODEBOOK)
    document = read_json(codebook)
    entries = document.get("kraje") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise TerritoryImportError(
            _("File {file}: the list “{field}” is missing.").format(file=codebook.label, field="kraje"),
            file=codebook.label,
            field="kraje",
        )
    geo_file = SourceFile(data_dir, REGION_GEOJSON)
    features = read_geojson_features(geo_file, "nutslau")
    regions: dict[str, dict[str, Any]] = {}
    for number, entry in enumerate(entries, start=1):
        values = {}
        for key in ("kod_nuts", "nazev", "zkratka"):
            value = entry.get(key) if isinstance(entry, dict) else None
            if not isinstance(value, str) or not value.strip():
                raise codebook.error(number, key, _("the value is empty."))
            values[key] = value.strip()
        code = values["kod_nuts"]
        if not REGION_CODE.match(code):
            raise codebook.error(number, "kod_nuts", _problem(NOT_REGION_CODE, code))
        if code in regions:
            raise codebook.error(number, "kod_nuts", _duplicate(code))
        feature = features.get(code)
        regions[code] = {
            "code": code,
            "ruian_code": feature_integer(geo_file, feature, "kod") if feature else None,
            "name": values["nazev"],
            "abbreviation": values["zkratka"][:3],
            "boundary": feature.geometry if feature else None,
        }
    return regions


#: The year of the MMR index file, its columns and categories (points from–to).
INDEX_YEAR = 2023
INDEX_POINTS = "Index soc. vyloučení 2023 (0-30 bodů)"
INDEX_CATEGORY = "Index soc. vyloučení 2023 (4 kategorie bodů)"
INDEX_CATEGORIES = {"0 až 1": (0, 1), "2 až 7": (2, 7), "8 až 11": (8, 11), "12 až 30": (12, 30)}
INDEX_MAX_POINTS = 30


def _read_exclusion(row, source: TerritorySource, pending: dict[str, int]) -> None:
    """The index points and category of one row of the MMR table (municipality checked later)."""
    code = row.code("Kód obce", MUNICIPALITY_CODE, NOT_MUNICIPALITY_CODE)
    if (code, INDEX_YEAR) in source.exclusion:
        raise row.error("Kód obce", _duplicate(code))
    points = row.integer(INDEX_POINTS, minimum=0)
    if points > INDEX_MAX_POINTS:
        raise row.error(INDEX_POINTS, _("“{value}” is out of range.").format(value=points))
    category = row.text(INDEX_CATEGORY)
    bounds = INDEX_CATEGORIES.get(category)
    if bounds is None:
        raise row.error(
            INDEX_CATEGORY,
            _("unknown category “{value}” (expected one of {expected}).").format(
                value=category, expected=", ".join(INDEX_CATEGORIES)
            ),
        )
    if not bounds[0] <= points <= bounds[1]:
        raise row.error(
            INDEX_CATEGORY,
            _("category “{value}” does not match {points} points.").format(value=category, points=points),
        )
    source.exclusion[(code, INDEX_YEAR)] = {
        "municipality": code, "year": INDEX_YEAR, "points": points, "category": category,
    }  # fmt: skip
    pending[code] = row.line


def _check_exclusion(data_dir: Path, source: TerritorySource, pending: dict[str, int]) -> None:
    """Every municipality of the MMR table must be a known municipality."""
    file = SourceFile(data_dir, INDEX_CSV)
    for code, line in pending.items():
        if code not in source.municipalities:
            raise file.error(line, "Kód obce", _problem(UNKNOWN_MUNICIPALITY, code))


def _read_index(data_dir: Path, source: TerritorySource, pending: dict[str, int]) -> None:
    """Full region names, the districts (okresy) and the social exclusion index from the MMR municipality
    table (``pending``: municipality code → row, checked once the municipalities are read)."""
    file = SourceFile(data_dir, INDEX_CSV)
    columns = ["Kód obce", "Kód okres", "Název okres", "Kód kraj", "Název kraj", INDEX_POINTS, INDEX_CATEGORY]
    features = read_geojson_features(SourceFile(data_dir, DISTRICT_GEOJSON), "nutslau")
    region_names: dict[str, str] = {}
    for row in read_csv(file, columns):
        _read_exclusion(row, source, pending)
        region_code = row.code("Kód kraj", REGION_CODE, NOT_REGION_CODE)
        if region_code not in source.regions:
            raise row.error("Kód kraj", _problem(UNKNOWN_REGION, region_code))
        region_names.setdefault(region_code, row.text("Název kraj"))
        district_code = row.code("Kód okres", DISTRICT_CODE, NOT_DISTRICT_CODE)
        district = source.districts.get(district_code)
        if district is None:
            source.districts[district_code] = {
                "code": district_code,
                "name": row.text("Název okres"),
                "region": region_code,
                "boundary": _geometry(features, district_code),
            }
        elif district["region"] != region_code:
            raise row.error(
                "Kód kraj",
                _("district “{district}” already belongs to region “{region}”.").format(
                    district=district_code, region=district["region"]
                ),
            )
    for code, name in region_names.items():
        source.regions[code]["name"] = name


def _read_orps(data_dir: Path, source: TerritorySource) -> None:
    file = SourceFile(data_dir, ORP_CROSSWALK_CSV)
    columns = ["orp_kod_ruian", "orp_kod_csu", "orp_nazev", "sidlo_obec_kod", "kraj_kod_nuts"]
    features = read_geojson_features(SourceFile(data_dir, ORP_GEOJSON), "kod", as_int=True)
    csu_codes: set[int] = set()
    for row in read_csv(file, columns):
        ruian_code = row.integer("orp_kod_ruian", minimum=1)
        csu_code = row.integer("orp_kod_csu")
        if ruian_code in source.orps:
            raise row.error("orp_kod_ruian", _duplicate(ruian_code))
        if csu_code in csu_codes:
            raise row.error("orp_kod_csu", _duplicate(csu_code))
        csu_codes.add(csu_code)
        region_code = row.code("kraj_kod_nuts", REGION_CODE, NOT_REGION_CODE)
        if region_code not in source.regions:
            raise row.error("kraj_kod_nuts", _problem(UNKNOWN_REGION, region_code))
        source.orps[ruian_code] = {
            "ruian_code": ruian_code,
            "csu_code": csu_code,
            "name": row.text("orp_nazev"),
            "region": region_code,
            "seat_code": row.code("sidlo_obec_kod", MUNICIPALITY_CODE, NOT_MUNICIPALITY_CODE),
            "boundary": _geometry(features, ruian_code),
        }


def _read_postal_codes(data_dir: Path) -> dict[str, str]:
    file = SourceFile(data_dir, COORDINATES_CSV)
    postal_codes: dict[str, str] = {}
    for row in read_csv(file, ["Kód obce", "PSČ"]):
        code = row.code("Kód obce", MUNICIPALITY_CODE, NOT_MUNICIPALITY_CODE)
        postal_code = row.text("PSČ", required=False).replace(" ", "")
        if postal_code and not POSTAL_CODE.match(postal_code):
            raise row.error("PSČ", _problem(NOT_POSTAL_CODE, postal_code))
        postal_codes[code] = postal_code
    return postal_codes


def _read_municipalities(data_dir: Path, source: TerritorySource) -> dict[str, dict[str, int | None]]:
    """Municipalities; returns the age bands (for :data:`AGE_BANDS_DATE`) per municipality code."""
    file = SourceFile(data_dir, MUNICIPALITY_CSV)
    columns = [
        "kod_obce", "nazev_obce", "status_obce", "orp_kod_ruian", "okres_kod_lau", "kraj_kod_nuts",
        "obyv_celkem_2024_01_01", "obyv_15plus_2023_12_31", "obyv_15_64_2023_12_31", "obyv_65plus_odvozeno",
        "lat", "lon",
    ]  # fmt: skip
    postal_codes = _read_postal_codes(data_dir)
    age_bands: dict[str, dict[str, int | None]] = {}
    for row in read_csv(file, columns):
        code = row.code("kod_obce", MUNICIPALITY_CODE, NOT_MUNICIPALITY_CODE)
        if code in source.municipalities:
            raise row.error("kod_obce", _duplicate(code))
        name = row.text("nazev_obce")
        status = row.text("status_obce")
        if status not in STATUSES:
            raise row.error("status_obce", _problem(UNKNOWN_STATUS, status))
        orp_code = row.integer("orp_kod_ruian", minimum=1)
        if orp_code not in source.orps:
            raise row.error("orp_kod_ruian", _problem(UNKNOWN_ORP, orp_code))
        district_code = row.code("okres_kod_lau", DISTRICT_CODE, NOT_DISTRICT_CODE)
        if district_code not in source.districts:
            raise row.error("okres_kod_lau", _problem(UNKNOWN_DISTRICT, district_code))
        region_code = row.code("kraj_kod_nuts", REGION_CODE, NOT_REGION_CODE)
        if region_code not in source.regions:
            raise row.error("kraj_kod_nuts", _problem(UNKNOWN_REGION, region_code))
        source.municipalities[code] = {
            "code": code,
            "name": name,
            "search_name": search_key(name),
            "status": status,
            "district": district_code,
            "orp": orp_code,
            "region": region_code,
            "postal_code": postal_codes.get(code, ""),
            "latitude": row.decimal("lat", places=6, limit=Decimal(90)),
            "longitude": row.decimal("lon", places=6, limit=Decimal(180)),
        }
        age_bands[code] = {
            "total": row.integer("obyv_celkem_2024_01_01"),
            "age_15_plus": row.integer("obyv_15plus_2023_12_31", required=False),
            "age_15_64": row.integer("obyv_15_64_2023_12_31", required=False),
            "age_65_plus": row.integer("obyv_65plus_odvozeno", required=False),
        }
    return age_bands


def _read_population(data_dir: Path, source: TerritorySource, age_bands: dict[str, dict]) -> None:
    file = SourceFile(data_dir, POPULATION_CSV)
    columns = ["rok_k_1_1", "kod_obce", "obyvatel_celkem", "muzi", "zeny", "prumerny_vek_celkem"]
    for row in read_csv(file, columns):
        year = row.integer("rok_k_1_1", minimum=1900)
        if year > 2100:
            raise row.error("rok_k_1_1", _("“{value}” is out of range.").format(value=year))
        code = row.code("kod_obce", MUNICIPALITY_CODE, NOT_MUNICIPALITY_CODE)
        if code not in source.municipalities:
            raise row.error("kod_obce", _problem(UNKNOWN_MUNICIPALITY, code))
        key = (code, date(year, 1, 1))
        if key in source.population:
            raise row.error("kod_obce", _("duplicate row for {code} in {year}.").format(code=code, year=year))
        source.population[key] = {
            "municipality": code,
            "reference_date": key[1],
            "total": row.integer("obyvatel_celkem"),
            "men": row.integer("muzi", required=False),
            "women": row.integer("zeny", required=False),
            "average_age": row.decimal("prumerny_vek_celkem", places=4, limit=Decimal(150)),
            "age_15_plus": None,
            "age_15_64": None,
            "age_65_plus": None,
        }
    for code, bands in age_bands.items():
        key = (code, AGE_BANDS_DATE)
        figure = source.population.get(key)
        if figure is None:
            figure = source.population[key] = {
                "municipality": code, "reference_date": AGE_BANDS_DATE, "total": bands["total"],
                "men": None, "women": None, "average_age": None,
            }  # fmt: skip
        figure["age_15_plus"] = bands["age_15_plus"]
        figure["age_15_64"] = bands["age_15_64"]
        figure["age_65_plus"] = bands["age_65_plus"]


#: Raise when the importer reads or checks the sources differently, so that a re-import of unchanged files
#: is not skipped after such a change.
READER_VERSION = "2"


def source_fingerprint(data_dir: Path) -> str | None:
    """SHA-256 over the reader version and every source file (path and bytes); None when a file is missing
    (the full import then names it)."""
    digest = hashlib.sha256(f"territory-reader-{READER_VERSION}".encode())
    for name in SOURCE_FILES:
        path = Path(data_dir) / name
        if not path.is_file():
            return None
        digest.update(name.encode() + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def read_sources(data_dir: Path) -> TerritorySource:
    """Parse and cross-check every source file; raises TerritoryImportError on the first problem."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        message = _("Data directory {file} does not exist.").format(file=data_dir)
        raise TerritoryImportError(message, file=str(data_dir), code=TerritoryImportErrorCode.FILE_MISSING)
    source = TerritorySource(regions=_read_regions(data_dir))
    pending_exclusion: dict[str, int] = {}
    _read_index(data_dir, source, pending_exclusion)
    _read_orps(data_dir, source)
    age_bands = _read_municipalities(data_dir, source)
    _check_exclusion(data_dir, source, pending_exclusion)
    _read_population(data_dir, source, age_bands)
    return source
