"""The synthetic demo territory: clearly labelled, inside Czechia, deterministic and idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qmss.territory import importer
from qmss.territory.models import District, Municipality, Orp, Population, Region, TerritoryImport
from qmss.territory.selectors import territory_is_synthetic
from qmss.territory.synthetic import build_synthetic_territory, synthetic_source

pytestmark = pytest.mark.django_db


def test_synthetic_territory_is_labelled_and_complete():
    run = build_synthetic_territory()
    assert (run.is_synthetic, run.source) == (True, "synthetic")
    assert territory_is_synthetic()
    names = dict(Region.objects.values_list("code", "name"))
    assert names == {
        "CZ991": "Ukázkový kraj Sever (syntetická data)",
        "CZ992": "Ukázkový kraj Jih (syntetická data)",
    }
    assert District.objects.count() == 4
    for region in Region.objects.all():
        assert 2 <= region.orps.count() <= 3
        assert region.districts.count() == 2
    assert 18 <= Municipality.objects.count() <= 22
    assert set(Municipality.objects.values_list("status", flat=True)) >= {"O", "M", "S", "T"}
    for muni in Municipality.objects.all():
        assert muni.code.startswith("99") and len(muni.code) == 6
        assert Decimal("48.6") < muni.latitude < Decimal("51.0")
        assert Decimal("12.1") < muni.longitude < Decimal("18.9")
        assert muni.search_name
    assert all(9900 <= code <= 9999 for code in Orp.objects.values_list("ruian_code", flat=True))
    years = sorted(set(Population.objects.values_list("reference_date", flat=True)))
    assert years == [date(year, 1, 1) for year in range(2020, 2025)]
    assert not Population.objects.filter(reference_date=date(2024, 1, 1), age_65_plus=None).exists()
    assert not Population.objects.filter(reference_date__lt=date(2024, 1, 1)).exclude(age_65_plus=None).exists()
    for figure in Population.objects.filter(reference_date=date(2024, 1, 1)):
        assert figure.age_15_64 + figure.age_65_plus == figure.age_15_plus <= figure.total


def test_synthetic_territory_is_idempotent():
    first = build_synthetic_territory()
    counts = {model: model.objects.count() for model in (Region, District, Orp, Municipality, Population)}
    second = build_synthetic_territory()
    assert first.counts["created"] == sum(counts.values())
    assert (second.counts["created"], second.counts["updated"]) == (0, 0)
    assert {model: model.objects.count() for model in counts} == counts
    assert TerritoryImport.objects.count() == 2


def test_synthetic_source_is_deterministic():
    assert synthetic_source() == synthetic_source()


def test_a_failing_write_leaves_nothing_behind(monkeypatch):
    real_sync = importer._sync

    def failing_sync(model, *args, **kwargs):
        if model is Population:
            raise RuntimeError("disk full")
        return real_sync(model, *args, **kwargs)

    monkeypatch.setattr(importer, "_sync", failing_sync)
    with pytest.raises(RuntimeError):
        build_synthetic_territory()
    assert not Region.objects.exists() and not Municipality.objects.exists()
    assert not TerritoryImport.objects.exists()
