"""Czech order of names kept in the database (``name_sort``): the catalogue sorted by name, the provider order,
the import and the migration's backfill fill the key."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client

from qmss.registry.models import Provider, Service
from qmss.registry.models.registered import NAME_SORT_LENGTH, name_sort_key
from qmss.registry.selectors import ServiceFilters, catalogue_services
from qmss.registry.testing import make_provider, make_service
from qmss.testing.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/registr/"
CZECH_ORDER = ["Cvikov", "Čeladná", "Domácí péče", "Domov pro seniory", "Hodonín", "Charita"]


@pytest.fixture
def czech_services(db):
    # created out of order; byte order would give Charita < Cvikov < Domov < Domácí < Hodonín < Čeladná
    for name in ["Charita", "Domov pro seniory", "Čeladná", "Hodonín", "Domácí péče", "Cvikov"]:
        make_service(name=name, provider=make_provider(f"Poskytovatel {name}"))


def names(response) -> list[str]:
    return [service.name for service in response.context["services"]]


def test_catalogue_sorted_by_name_in_czech_order(czech_services):
    client = Client()
    client.force_login(make_user("ctenar"))
    assert names(client.get(URL, {"sort": "name"})) == CZECH_ORDER
    assert names(client.get(URL)) == CZECH_ORDER  # the default order
    assert names(client.get(URL, {"sort": "-name"})) == CZECH_ORDER[::-1]


def test_catalogue_sorted_by_provider_in_czech_order(czech_services):
    assert [s.name for s in catalogue_services(ServiceFilters(), "provider")] == CZECH_ORDER
    assert [s.name for s in catalogue_services(ServiceFilters(), "-provider")] == CZECH_ORDER[::-1]
    providers = [p.name for p in Provider.objects.filter(name__startswith="Poskytovatel ")]
    assert providers == [f"Poskytovatel {name}" for name in CZECH_ORDER]


def test_key_is_filled_on_save_and_fits_long_names(db):
    service = make_service(name="Čeladná")
    assert service.name_sort == name_sort_key("Čeladná") != ""
    service.name = "Cvikov"
    service.save()
    assert Service.objects.get(pk=service.pk).name_sort == name_sort_key("Cvikov")
    long = "Ťuhýk ÁÉÍÓÚ žluťoučký kůň " * 40
    assert len(name_sort_key(long)) <= NAME_SORT_LENGTH
    make_service(name=long[:500])  # fits the column


def test_backfill_fills_existing_rows(db):
    make_service(name="Čeladná")
    Service.objects.update(name_sort="")
    Provider.objects.update(name_sort="")
    migration = importlib.import_module("qmss.registry.migrations.0008_name_sort")
    migration.fill_name_sort(apps)
    for service in Service.objects.select_related("provider"):
        assert service.name_sort == name_sort_key(service.name)
        assert service.provider.name_sort == name_sort_key(service.provider.name)
    assert migration.name_sort_key("Čeladná Domov") == name_sort_key("Čeladná Domov")


def test_import_writes_the_keys_on_insert_and_on_change(make_record, write_registry, reference):
    from qmss.registry.importer import run_import

    record = make_record(portalId=3)
    run_import(write_registry([record]))
    service = Service.objects.select_related("provider").get(portal_id=3)
    assert service.name_sort == name_sort_key(service.name) != ""
    assert service.provider.name_sort == name_sort_key(service.provider.name) != ""
    record["zarizeni"][0]["nazev"] = "Čeladná"
    record["poskytovatel"]["nazev"] = "Charita Čeladná"
    run_import(write_registry([record], name="changed.json"))
    service = Service.objects.select_related("provider").get(portal_id=3)
    assert service.name_sort == name_sort_key("Čeladná")
    assert service.provider.name_sort == name_sort_key("Charita Čeladná")
