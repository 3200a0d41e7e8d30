"""The default rules library: loaded through the core loader, every problem named with file, line and field (in
Czech), nothing stored from a broken file; units of capacity."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from qmss.network import library as library_module
from qmss.network import units
from qmss.network.library import RulesLibraryError, default_rules, read_rules, rules_path

SOURCE = rules_path().read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _broken(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    assert SOURCE.count(old) == 1, old
    text = SOURCE.replace(old, new)
    path = tmp_path / "network-rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path, _line_of(text, new)


def test_default_library_is_valid_and_cached():
    rules = default_rules()
    assert rules is default_rules()
    assert rules.urn == "urn:qmss:network:rules" and rules.verified is False
    assert [t.code for t in rules.tiers][:2] == ["zakladni", "rozvojova"]
    assert rules.tiers[0]["name"] == "Základní síť"
    assert rules.criteria["availability"].parts["distance"].weight == Decimal(60)
    assert rules.thresholds == {"min_quality": Decimal(40), "min_total": Decimal(50)}
    assert rules.parameters["cost_ratio_zero"] == Decimal("1.5")
    assert rules.reference_costs["13"].unit == "luzka" and rules.reference_costs["13"]["value"] == Decimal(620000)
    assert rules.demand["20"].exclusion_weight == Decimal(1) and rules.demand["20"].target == "all"
    assert rules.demand["8"].prevalence == Decimal("0.002")
    assert rules.benchmarks[0].per_1000 == Decimal(46) and rules.benchmarks[0].kinds == ("13", "14")
    assert rules.rule_values().total_weight() == Decimal(100)


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        (
            "    weight: 30\n    parts:\n      audit",
            "    weight: -30\n    parts:\n      audit",
            "criteria.quality.weight",
            "0",
        ),
        ("    weight: 25\n", "    weight: hodně\n", "criteria.availability.weight", "číslo"),
        ("  distance_full_km: 5 ", "  bonus_km: 3\n  distance_full_km: 5 ", "parameters.bonus_km", "neznámý klíč"),
        ("  min_total: 50 ", "  min_total: 500 ", "thresholds.min_total", "100"),
        ('"13": {unit: luzka, value: 620000}', '"13": {unit: luzka, value: -1}', "reference_costs.13.value", "0"),
        ("prevalence: 0.017,", "prevalence: 1.7,", "demand.13.prevalence", "1"),
        ("target: 65+, prevalence: 0.009", "target: 60+, prevalence: 0.009", "demand.14.target", "65+"),
        ('"4": {unit: klienti, value: 38000}', '"4": {unit: kusy, value: 38000}', "reference_costs.4.unit", "kusy"),
        ("\nthresholds:\n", "\nbarva: modrá\nthresholds:\n", "barva", "neznámý klíč"),
        ("    weight: 15\n", "    weight: 15\n    weight: 20\n", "weight", "opak"),
    ],
)
def test_bad_library_is_refused_with_file_line_and_field(tmp_path, old, new, field, problem):
    path, line = _broken(tmp_path, old, new)
    line += new.startswith("\n") + (field == "weight")  # the key's own line; the repeated key is the second
    with translation.override("cs"), pytest.raises(RulesLibraryError) as caught:
        read_rules(path)
    message = str(caught.value)
    assert message.startswith(f"Soubor network-rules.yaml, řádek {line}, pole „{field}“: "), message
    assert problem in message


def test_all_weights_zero_refused(tmp_path):
    text = SOURCE
    for weight in (
        "weight: 30\n    parts:\n      audit",
        "weight: 25\n",
        "weight: 30\n    parts:\n      gap",
        "weight: 15\n",
    ):
        assert text.count(weight) == 1, weight
        text = text.replace(
            weight, "weight: 0" + weight[weight.index("\n") :] if "\n" in weight[:-1] else "weight: 0\n"
        )
    path = tmp_path / "network-rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesLibraryError) as caught:
        read_rules(path)
    assert "criteria" in str(caught.value)


@pytest.mark.django_db
def test_nothing_stored_from_a_broken_library(tmp_path, tenant_a, monkeypatch):
    from qmss.network.actions_rules import create_initial_rules
    from qmss.network.models import Network, ParameterSet, RuleSet
    from qmss.network.testing_networks import make_network, manager_of

    network = make_network(tenant_a)
    RuleSet.objects.filter(network=network).delete()
    ParameterSet.objects.filter(network=network).delete()
    path, _line = _broken(tmp_path, "  min_total: 50 ", "  min_total: -5 ")
    monkeypatch.setattr(library_module, "rules_path", lambda: path)
    with pytest.raises(RulesLibraryError):
        create_initial_rules(user=manager_of(network.organisation), network=network)
    assert not RuleSet.objects.filter(network=network).exists()
    assert not ParameterSet.objects.filter(network=network).exists()
    assert Network.objects.filter(pk=network.pk).exists()


def test_cache_follows_the_file(tmp_path):
    path = tmp_path / "network-rules.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    first = default_rules(path)
    assert default_rules(path) is first
    import os

    path.write_text(SOURCE.replace("  min_total: 50 ", "  min_total: 60 "), encoding="utf-8")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 5))
    assert default_rules(path).thresholds["min_total"] == Decimal(60)


def test_units():
    found = units.units()
    assert found["luzka"].capacity_type == "luzka" and found["uvazky"].capacity_type is None
    assert units.unit_for_kind("13") == "luzka"
    assert units.unit_for_kind("999") == "klienti"


@pytest.mark.django_db
def test_registry_capacity():
    from qmss.registry.testing import make_service

    service = make_service(forms=(("pob", (("luzka", 40), ("klient", 5))), ("amb", (("luzka", 2),))))
    assert units.registry_capacity(service, "luzka") == Decimal(42)
    assert units.registry_capacity(service, "klienti") == Decimal(5)
    assert units.registry_capacity(service, "uvazky") is None
    assert units.registry_capacity(service, "neznama") is None
    other = make_service(forms=(("ter", (("interv", 10),)),))
    assert units.registry_capacity(other, "luzka") == Decimal(0)
