"""The synthetic national registry file: shape, distributions, determinism, no personal data, importable."""

from __future__ import annotations

import io
import json
import types

import pytest
from django.core.management import call_command

from qmss.registry.importer import normalise, run_import
from qmss.registry.synthetic import (
    FACILITIES_PER_SERVICE,
    iter_records,
    load_distributions,
    write_synthetic_registry,
)

pytestmark = pytest.mark.django_db


def _valid_ico(ico: str) -> bool:
    digits = [int(ch) for ch in ico]
    remainder = sum(d * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True)) % 11
    return len(ico) == 8 and digits[7] == (11 - remainder) % 10


def test_file_shape_and_averages(tmp_path):
    path = tmp_path / "synthetic.json"
    stats = write_synthetic_registry(path, services=400, seed=3)
    document = json.loads(path.read_text(encoding="utf-8"))
    items = document["polozky"]
    assert stats["services"] == len(items) == 400
    assert stats["facilities"] == sum(len(item["zarizeni"]) for item in items)
    assert stats["facilities"] / 400 >= FACILITIES_PER_SERVICE
    assert len({item["portalId"] for item in items}) == 400
    first = items[0]
    for key in ("portalId", "id", "identifikator", "datumPoskytovaniOd", "datumPoskytovaniDo", "kontaktniAdresy",
                "druhSocialniSluzby", "zarizeni", "poskytovatel", "emaily", "telefony", "faxy", "weby",
                "ciloveSkupiny", "vekoveSkupiny", "formy", "rozsirenePusobnostiVKraji", "doplnkoveUdaje"):  # fmt: skip
        assert key in first
    for item in items:
        normalise(item)  # every record is valid for the importer
        assert item["poskytovatel"]["statutarniOrgany"] == []
        assert _valid_ico(item["poskytovatel"]["ico"])
        assert item["druhSocialniSluzby"]["id"].startswith("DruhSocialniSluzby/")
        for facility in item["zarizeni"]:
            assert set(facility) == {"nazev", "adresa", "poskytujeOd", "poskytujeDo"}
    assert any(facility["adresa"] is None for item in items for facility in item["zarizeni"])


def test_same_seed_same_file(tmp_path):
    first = write_synthetic_registry(tmp_path / "a.json", services=50, seed=7)
    second = write_synthetic_registry(tmp_path / "b.json", services=50, seed=7)
    write_synthetic_registry(tmp_path / "c.json", services=50, seed=8)
    assert first["bytes"] == second["bytes"]
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert (tmp_path / "a.json").read_bytes() != (tmp_path / "c.json").read_bytes()


def test_records_are_generated_lazily():
    records = iter_records(10, seed=1)
    assert isinstance(records, types.GeneratorType)
    assert next(records)["portalId"] >= 1


def test_places_come_from_the_territory_weighted_by_population(small_territory):
    from qmss.testing.factories import make_municipality

    tiny = make_municipality(small_territory.region, code="557900", name="Malá Ves", population=1)
    distributions = load_distributions()
    assert {place[0] for place in distributions.places} == {"557897", "557900"}
    codes = [
        facility["adresa"]["obec"]["id"]
        for item in iter_records(200, seed=2, distributions=distributions)
        for facility in item["zarizeni"]
        if facility["adresa"]
    ]
    assert set(codes) <= {"Obec/557897", "Obec/557900"}
    assert codes.count("Obec/557897") > codes.count(f"Obec/{tiny.code}")
    item = next(iter_records(1, seed=2, distributions=distributions))
    address = next(f["adresa"] for f in item["zarizeni"] if f["adresa"])
    assert address["kraj"] == {"id": "Kraj/43"}


def test_without_the_territory_places_come_from_the_sample_or_the_builtin_table():
    distributions = load_distributions()
    assert distributions.places and len(distributions.places) == len(distributions.place_weights)
    assert all(len(place[0]) == 6 for place in distributions.places)


def test_a_synthetic_file_imports(tmp_path, reference):
    path = tmp_path / "synthetic.json"
    stats = write_synthetic_registry(path, services=120, seed=5)
    run = run_import(path)
    assert run.counts["services"] == 120 and run.counts["facilities"] == stats["facilities"]
    assert run.counts["skipped"] == 0
    assert run_import(path).counts["unchanged"] == 120


def test_command_writes_the_file(tmp_path):
    out = io.StringIO()
    target = tmp_path / "out.json"
    call_command("make_synthetic_registry", "--services", "30", "--out", str(target), "--seed", "4", stdout=out)
    assert len(json.loads(target.read_text(encoding="utf-8"))["polozky"]) == 30
    assert str(target) in out.getvalue()
