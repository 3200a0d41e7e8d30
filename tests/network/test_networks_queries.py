"""Query budgets of the networks part: the network page, the versions, the diff, the brief and the annex make the
same number of queries however many rows they show."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.network import selectors_networks as selectors
from qmss.network.models import BriefItem, NetworkEntry, NetworkVersion
from qmss.network.testing_networks import make_network
from qmss.registry.testing import make_kind, make_service
from qmss.testing.factories import make_municipality
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(tenant_a):
    network = make_network(tenant_a)
    second = make_municipality(tenant_a.region, name="Druhá obec")
    return network, [tenant_a.municipality, second]


def _grow_entries(network, municipalities, version=None):
    version = version or selectors.current_version(network)
    tiers = selectors.tiers(network)

    def grow(n):
        for i in range(NetworkEntry.objects.filter(version=version).count(), n):
            municipality = municipalities[i % 2]
            service = make_service(name=f"Služba {i:03d}", kind=("13", "4")[i % 2], municipalities=[municipality])
            NetworkEntry.objects.create(
                version=version,
                service=service,
                capacity=Decimal(10 + i),
                unit=("luzka", "klienti")[i % 2],
                tier=tiers[i % 2],
                orp_codes=[municipality.orp.ruian_code],
                financing_category="kraj",
            )

    return grow


def test_network_page_is_constant(setting):
    network, municipalities = setting
    client = Client()
    assert_constant_queries(
        lambda: client.get(network.get_absolute_url()),
        _grow_entries(network, municipalities),
        count=NetworkEntry.objects.filter(version__network=network),
        small=2,
        large=12,
        max_queries=16,
    )


def test_network_page_for_its_manager_is_constant(setting, tenant_a):
    network, municipalities = setting
    client = Client()
    client.force_login(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    url = network.get_absolute_url()
    assert_constant_queries(
        lambda: client.get(url, {"orp": municipalities[0].orp.ruian_code}),
        _grow_entries(network, municipalities),
        count=NetworkEntry.objects.filter(version__network=network),
        small=2,
        large=12,
        max_queries=25,
    )


def test_annex_is_constant(setting):
    network, municipalities = setting
    client = Client()
    url = reverse("network:annex", kwargs={"network_pk": network.pk, "fmt": "csv"})
    assert_constant_queries(
        lambda: client.get(url),
        _grow_entries(network, municipalities),
        count=NetworkEntry.objects.filter(version__network=network),
        small=2,
        large=12,
        max_queries=10,
        rows=lambda response: response.content.decode("utf-8-sig").count("\r\n"),
    )


def test_versions_page_is_constant(setting, tenant_a):
    network, _municipalities = setting
    user = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)

    def grow(n):
        for number in range(NetworkVersion.objects.filter(network=network).count() + 1, n + 1):
            NetworkVersion.objects.create(network=network, number=number, created_by=user, note=f"Změna {number}")

    client = Client()
    url = reverse("network:versions", kwargs={"network_pk": network.pk})
    assert_constant_queries(
        lambda: client.get(url),
        grow,
        count=NetworkVersion.objects.filter(network=network),
        small=2,
        large=20,
        max_queries=10,
    )


def test_diff_is_constant(setting, tenant_a):
    network, municipalities = setting
    old = selectors.current_version(network)
    new = NetworkVersion.objects.create(network=network, number=2, note="Změny")
    tiers = selectors.tiers(network)
    grow_old = _grow_entries(network, municipalities, version=old)

    def grow(n):
        grow_old(n)
        have = set(NetworkEntry.objects.filter(version=new).values_list("service_id", flat=True))
        for i, entry in enumerate(NetworkEntry.objects.filter(version=old).order_by("pk")):
            if entry.service_id in have:
                continue
            if i % 3 == 0:
                continue  # removed in the new version
            entry.pk, entry.version = None, new
            if i % 3 == 1:
                entry.capacity += 5
                entry.tier = tiers[(i + 1) % 2]
            entry.save()

    client = Client()
    url = reverse("network:diff", kwargs={"network_pk": network.pk})
    assert_constant_queries(
        lambda: client.get(url, {"od": 1, "do": 2}),
        grow,
        count=NetworkEntry.objects.filter(version__network=network),
        small=3,
        large=15,
        max_queries=12,
    )


def test_brief_page_is_constant(setting, tenant_a):
    network, municipalities = setting
    make_service(name="Domov", municipalities=[municipalities[0]])

    def grow(n):
        for i in range(BriefItem.objects.filter(network=network).count(), n):
            BriefItem.objects.create(
                network=network,
                kind=make_kind(str(100 + i)),
                orp=municipalities[i % 2].orp if i % 3 else None,
                unit="luzka",
                target_capacity=Decimal(20 + i),
                justification=f"Zdůvodnění {i}",
            )

    client = Client()
    client.force_login(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    url = reverse("network:brief", kwargs={"network_pk": network.pk})
    assert_constant_queries(
        lambda: client.get(url),
        grow,
        count=BriefItem.objects.filter(network=network),
        small=2,
        large=15,
        max_queries=20,
    )
