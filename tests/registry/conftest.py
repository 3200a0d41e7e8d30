"""Registry import fixtures: the real sample files, the real territory (once per module), reference rows,
and builders of small raw registry files."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db.models import Max

SAMPLE_RELATIVE = "rpss-katalog-seniori-ukazka/rpss_odvozeno.json"
FULL_SAMPLE_RELATIVE = "rpss-katalog-seniori/rpss_odvozeno.json"

KINDS = {"1": "odborné sociální poradenství", "3": "osobní asistence", "4": "pečovatelská služba",
         "5": "tísňová péče", "8": "odlehčovací služby", "10": "denní stacionáře", "13": "domovy pro seniory",
         "14": "domovy se zvláštním režimem", "29": "sociálně aktivizační služby pro seniory"}  # fmt: skip
FORMS = {"pob": ("pobytová", "residential"), "amb": ("ambulantní", "outpatient"), "ter": ("terénní", "field")}
CAPACITY_TYPES = {"luzka": "lůžka", "klient": "klienti", "interv": "intervence", "kontakt": "kontakty",
                  "hovor": "hovory"}  # fmt: skip
TARGET_GROUPS = {"24": "senioři", "26": "pečující osoby", "27": "osoby v paliativní péči", "30": "osoby s demencí"}


def shared_file(relative: str) -> Path:
    directory = settings.QMSS_DATA_DIR
    path = Path(directory) / relative if directory else None
    if path is None or not path.is_file():
        pytest.skip(f"{relative} is not in the data directory (QMSS_DATA_DIR): real-data test skipped")
    return path


@pytest.fixture
def sample_path() -> Path:
    """The 37-service sample in the raw rpss.json shape."""
    return shared_file(SAMPLE_RELATIVE)


@pytest.fixture
def sample_document(sample_path) -> dict[str, Any]:
    return json.loads(sample_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def real_territory(django_db_setup, django_db_blocker):
    """The real territory imported once per test module (committed), removed again after the module."""
    from qmss.territory.importer import import_territory
    from qmss.territory.models import District, Municipality, Orp, Population, Region, TerritoryImport
    from qmss.territory.sources import SOURCE_FILES

    directory = settings.QMSS_DATA_DIR
    if directory is None or any(not (Path(directory) / name).is_file() for name in SOURCE_FILES):
        pytest.skip("no complete territory data in QMSS_DATA_DIR: real-territory tests skipped")
    models = (TerritoryImport, Population, Municipality, Orp, District, Region)
    with django_db_blocker.unblock():
        marks = {model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in models}
        run = import_territory(Path(directory))
    yield run
    with django_db_blocker.unblock():
        for model in models:
            model.objects.filter(pk__gt=marks[model]).delete()


@pytest.fixture
def reference(db):
    """The reference rows the sample needs (a small, fixed set – independent of the YAML libraries)."""
    from qmss.registry.models import CapacityType, DeliveryForm, ReferenceLibrary, ServiceKind, TargetGroup

    library = ReferenceLibrary.objects.create(
        urn="urn:qmss:test:registry", version=1, title="Test", source="tests", checksum="x"
    )
    for code, name in KINDS.items():
        ServiceKind.objects.create(code=code, name=name, library=library, category=ServiceKind.Category.CARE)
    for code, (name, key) in FORMS.items():
        DeliveryForm.objects.create(code=code, name=name, key=key, library=library)
    for code, name in CAPACITY_TYPES.items():
        CapacityType.objects.create(code=code, name=name, unit=name, library=library)
    for code, name in TARGET_GROUPS.items():
        TargetGroup.objects.create(code=code, name=name, library=library)
    return library


@pytest.fixture
def small_territory(db):
    """One region (RÚIAN 43) with one municipality (557897) that has coordinates."""
    from qmss.testing.factories import make_municipality, make_region

    region = make_region("CZ032", "Plzeňský kraj")
    region.ruian_code = 43
    region.save()
    municipality = make_municipality(region, code="557897", name="Nepomuk")
    municipality.latitude, municipality.longitude = Decimal("49.486000"), Decimal("13.582000")
    municipality.save()
    return municipality


BASE_RECORD: dict[str, Any] = {
    "portalId": 1001,
    "id": "abc-1001",
    "identifikator": "1234567",
    "datumPoskytovaniOd": "2020-01-01",
    "datumPoskytovaniDo": None,
    "druhSocialniSluzby": {"id": "DruhSocialniSluzby/13"},
    "poskytovatel": {
        "ico": "12345678",
        "nazev": "Domov Lipová, p. o.",
        "weby": [{"web": "www.lipova.test", "poznamka": None}],
        "emaily": [{"email": "info@lipova.test", "poznamka": None}],
        "telefony": [{"telefon": "+420 111 222 333", "poznamka": None}],
    },
    "weby": [{"web": "www.lipova.test/domov", "poznamka": None}],
    "emaily": [{"email": "domov@lipova.test", "poznamka": None}],
    "telefony": [{"telefon": "+420 111 222 444", "poznamka": None}],
    "ciloveSkupiny": [{"cilovaSkupina": {"id": "CilovaSkupinaOsoby/24"}}],
    "formy": [
        {
            "forma": {"id": "FormaSocialniSluzby/pob"},
            "nepretrzitePoskytovani": True,
            "casoveRozsahy": [],
            "kapacity": [{"pocet": 40, "popis": None, "typ": {"id": "TypKapacitySocialniSluzby/luzka"}}],
        }
    ],
    "zarizeni": [
        {
            "nazev": "Domov Lipová",
            "adresa": {
                "cisloDomovni": 125,
                "cisloOrientacni": "3",
                "dodatekAdresy": None,
                "kodAdresnihoMista": 79121519,
                "psc": "335 01",
                "kraj": {"id": "Kraj/43"},
                "okres": None,
                "obec": {"id": "Obec/557897"},
                "castObce": None,
                "mestskyObvodMestskaCast": None,
                "mestskyObvodVPraze": None,
                "ulice": {"nazev": "Lipová"},
            },
            "poskytujeOd": "2020-01-01",
            "poskytujeDo": None,
        }
    ],
}


@pytest.fixture
def make_record() -> Callable[..., dict[str, Any]]:
    """``make_record(portalId=5, **overrides)``: a valid raw record (deep copy) with top-level overrides."""

    def make(**overrides: Any) -> dict[str, Any]:
        record = copy.deepcopy(BASE_RECORD)
        record.update(copy.deepcopy(overrides))
        return record

    return make


@pytest.fixture
def write_registry(tmp_path) -> Callable[..., Path]:
    """``write_registry(records, name=...)`` writes ``{"polozky": records}``; a str/bytes is written as is."""

    def write(content: Any, name: str = "rpss.json") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            document = content if isinstance(content, dict) else {"polozky": content}
            path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def registry_counts() -> Callable[[], dict[str, int]]:
    """Row counts of every table the import writes."""
    from qmss.registry.models import (
        Capacity,
        Facility,
        Provider,
        RegistryChange,
        RegistryImport,
        Service,
        ServiceForm,
    )

    def counts() -> dict[str, int]:
        models = (Provider, Service, ServiceForm, Capacity, Facility, RegistryChange, RegistryImport)
        result = {model.__name__: model.objects.count() for model in models}
        from qmss.registry.models import Service as ServiceModel

        result["ServiceTargetGroups"] = ServiceModel.target_groups.through.objects.count()
        return result

    return counts
