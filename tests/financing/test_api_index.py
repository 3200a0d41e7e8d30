"""The financing hub (``/financovani/``): anonymous visitors see the published reference values only; a provider
its own applications, the open programmes of its networks (with the way to file), its settlements and the
standards of its services; the manager side its programmes with the links to every part's page and the
entrustments per network. Another tenant sees none of it; the page costs a constant number of queries."""

from __future__ import annotations

import pytest
from django.test import Client

from qmss.core.roles import OrganisationKind, Role
from qmss.financing.models import Programme
from qmss.financing.testing_api_demo import make_settlement
from qmss.financing.testing_applications import make_programme
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

PROVIDER = (OrganisationKind.PROVIDER, Role.ADMIN)
MANAGER = (OrganisationKind.REGION, Role.NETWORK_MANAGER)


def _page(user=None) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get("/financovani/")
    assert response.status_code == 200
    return response.content.decode()


def test_hub_by_role(tenant_a, tenant_b):
    programme = make_programme(tenant_a, year=2027, state="open", name="Program Alfa")
    application = programme.applications.get()
    settlement = make_settlement(application)
    provider_name = tenant_a.orgs[OrganisationKind.PROVIDER].name

    anonymous = _page()
    assert "Program Alfa" not in anonymous and "fin-provider" not in anonymous and "fin-programmes" not in anonymous
    assert f"/financovani/referencni-hodnoty/{programme.reference_set_id}/" in anonymous

    provider = _page(tenant_a.user(*PROVIDER))
    assert provider_name in provider and application.service.name in provider
    assert f'href="/financovani/programy/zadosti/{application.pk}/"' in provider
    assert f'href="/financovani/programy/{programme.pk}/nova-zadost/"' in provider  # open programme of its network
    assert f'href="/financovani/vyuctovani/{settlement.pk}/vyuctovani.pdf"' in provider
    assert f'href="/financovani/standardy/sluzba/{application.service.portal_id}/"' in provider
    assert "fin-programmes" not in provider  # the manager's working material

    manager = _page(tenant_a.user(*MANAGER))
    for url in (
        f"/financovani/programy/{programme.pk}/",
        f"/financovani/vyrovnavaci-platby/{programme.pk}/",
        f"/financovani/rozdeleni/{programme.pk}/",
        f"/financovani/vyuctovani/?program={programme.pk}",
        f"/financovani/povereni/{programme.network_id}/",
        "/financovani/referencni-hodnoty/import/",
    ):
        assert f'href="{url}"' in manager, url
    assert "Program Alfa" in manager

    for user in (tenant_b.user(*PROVIDER), tenant_b.user(*MANAGER)):
        other = _page(user)
        assert "Program Alfa" not in other and provider_name not in other and application.service.name not in other


def test_hub_costs_constant_queries(tenant_a):
    first = make_programme(tenant_a, year=2027, name="Program 0")
    client = Client()
    client.force_login(tenant_a.user(*MANAGER))

    def grow(n):
        while (count := Programme.objects.count()) < n:
            Programme.objects.create(
                organisation=first.organisation, network=first.network, year=2027, name=f"Program {count}",
                budget=first.budget, reference_set=first.reference_set,
            )  # fmt: skip

    assert_constant_queries(
        lambda: client.get("/financovani/"), grow, count=Programme.objects.count, small=1, large=4, max_queries=16
    )
