"""Acceptance of the registry import on the real 37-service sample with the real territory loaded."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qmss.registry.importer import COUNT_KEYS, run_import
from qmss.registry.models import Facility, RegistryChange, RegistryImport, Service

pytestmark = pytest.mark.django_db

# From SOURCE.md of rpss-katalog-seniori-ukazka: services per region (RÚIAN code), a service in two regions in both.
SERVICES_PER_REGION = {19: 4, 27: 4, 43: 8, 51: 8, 60: 1, 86: 1, 124: 1, 132: 2, 141: 5}
SERVICES_WITHOUT_ADDRESS = 3
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
REGISTRY_TABLE = re.compile(r'"?(registry_\w+)"?')


def _services_per_region() -> tuple[dict[int, int], int]:
    per_region: dict[int, set[int]] = {}
    without = set()
    for service_id, ruian, _secret in Facility.objects.values_list(
        "service_id", "region__ruian_code", "secret_address"
    ):
        if ruian is None:
            without.add(service_id)
        else:
            per_region.setdefault(ruian, set()).add(service_id)
    return {ruian: len(ids) for ruian, ids in per_region.items()}, len(without)


def _written_tables(queries) -> Counter:
    tables: Counter = Counter()
    for query in queries:
        sql = query["sql"]
        if WRITE.match(sql):
            match = REGISTRY_TABLE.search(sql)
            tables[match.group(1) if match else sql[:40]] += 1
    return tables


def test_sample_import_gives_the_documented_counts(real_territory, reference, sample_path):
    run = run_import(sample_path)

    assert run.pk is not None and run.status == RegistryImport.Status.DONE
    assert Service.objects.count() == 37 and Facility.objects.count() == 40
    assert set(COUNT_KEYS) <= set(run.counts)
    assert run.counts["services"] == 37 and run.counts["facilities"] == 40 and run.counts["new"] == 37
    assert run.counts["skipped"] == 0 and run.skipped == [] and run.unmapped == {}
    per_region, without = _services_per_region()
    assert per_region == SERVICES_PER_REGION
    assert without == SERVICES_WITHOUT_ADDRESS
    assert Facility.objects.filter(secret_address=True).count() == 3
    assert RegistryChange.objects.filter(registry_import=run, kind=RegistryChange.Kind.NEW).count() == 37
    assert run.started_at and run.finished_at and run.processed_records == 37


def test_sample_facilities_get_municipality_region_and_approximate_coordinates(real_territory, reference, sample_path):
    run_import(sample_path)
    facility = Facility.objects.select_related("municipality", "region").get(name="Senevida Nepomuk")
    assert facility.municipality_code == "557897" and facility.municipality.code == "557897"
    assert facility.region.ruian_code == 43
    assert facility.latitude == facility.municipality.latitude and facility.coordinates_approximate
    assert facility.address_point_code == 79121519 and facility.postal_code == "33501"
    service = facility.service
    assert service.name == "Senevida Nepomuk" and service.kind.code == "13"
    assert service.provider.ico == "03593207" and service.websites == ["www.senevida.cz"]
    assert list(service.target_groups.values_list("code", flat=True)) == ["24"]
    form = service.forms.get()
    assert form.form.code == "pob" and form.capacities.get().count == 20
    secret = Facility.objects.filter(secret_address=True).first()
    assert secret.municipality is None and secret.region is None and secret.latitude is None


def test_reimport_of_the_same_file_writes_nothing(real_territory, reference, sample_path):
    run_import(sample_path)
    changes_before = RegistryChange.objects.count()
    with CaptureQueriesContext(connection) as queries:
        second = run_import(sample_path)

    assert second.counts["new"] == 0 and second.counts["changed"] == 0 and second.counts["ended"] == 0
    assert second.counts["unchanged"] == 37 and second.counts["missing"] == 0
    assert RegistryChange.objects.count() == changes_before
    written = _written_tables(queries.captured_queries)
    assert set(written) == {"registry_registryimport"}, written


def test_a_changed_capacity_and_an_ended_service_give_exactly_two_changes(
    real_territory, reference, sample_path, sample_document, write_registry
):
    run_import(sample_path)
    items = sample_document["polozky"]
    capacity_service = next(item for item in items if item["portalId"] == 7583)
    capacity_service["formy"][0]["kapacity"][0]["pocet"] = 25
    ended_service = items[5]
    past = (date.today() - timedelta(days=3)).isoformat()
    ended_service["datumPoskytovaniDo"] = past
    changed_file = write_registry(sample_document, name="rpss-changed.json")

    run = run_import(changed_file)

    changes = list(RegistryChange.objects.filter(registry_import=run).order_by("kind"))
    assert [(c.kind, c.portal_id, c.field, c.old_value, c.new_value) for c in changes] == [
        (RegistryChange.Kind.CHANGED, 7583, "formy[pob].kapacity[luzka].pocet", 20, 25),
        (RegistryChange.Kind.ENDED, ended_service["portalId"], "datumPoskytovaniDo", None, past),
    ]
    assert run.counts["changed"] == 1 and run.counts["ended"] == 1 and run.counts["field_changes"] == 1
    assert run.counts["unchanged"] == 35 and run.counts["new"] == 0
    service = Service.objects.get(portal_id=7583)
    assert service.forms.get().capacities.get().count == 25
    assert service.snapshot["formy"][0]["kapacity"][0]["pocet"] == 25
    assert Service.objects.get(portal_id=ended_service["portalId"]).date_to == date.fromisoformat(past)
    assert Service.objects.count() == 37 and Facility.objects.count() == 40


def test_dry_run_reports_and_writes_nothing(real_territory, reference, sample_path, registry_counts):
    before = registry_counts()
    with CaptureQueriesContext(connection) as queries:
        run = run_import(sample_path, dry_run=True)
    assert registry_counts() == before
    assert not _written_tables(queries.captured_queries)
    assert run.pk is None and run.dry_run and run.status == RegistryImport.Status.DONE
    assert run.counts["new"] == 37 and len(run.pending_changes) == 37
    assert {change.kind for change in run.pending_changes} == {RegistryChange.Kind.NEW}
    assert all(change.pk is None for change in run.pending_changes)


def test_canonical_snapshot_and_fingerprint_are_stored(real_territory, reference, sample_path):
    from qmss.registry.importer import fingerprint

    run_import(sample_path)
    service = Service.objects.get(portal_id=7583)
    assert service.fingerprint == fingerprint(service.snapshot)
    assert service.snapshot["zarizeni"][0]["adresa"]["obec"] == "557897"
    assert json.dumps(service.snapshot, sort_keys=True)  # plain JSON
