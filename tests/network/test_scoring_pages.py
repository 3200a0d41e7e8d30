"""The scoring pages: who sees them, what they show (thresholds and missing data in words), the comparison of
competing applications and the ranking page's query budget."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.network.models import Application
from qmss.network.testing_applications import make_application, provider_service
from qmss.network.testing_networks import make_network
from qmss.registry.cache import page_cache
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _located_service(tenant, **extra):
    service = provider_service(tenant, **extra)
    service.facilities.update(latitude=Decimal("50.05"), longitude=Decimal("15.0"))
    return service


@pytest.fixture
def world(tenant_a, tenant_b):
    municipality = tenant_a.municipality
    municipality.latitude, municipality.longitude = Decimal("50.0"), Decimal("15.0")
    municipality.save(update_fields=["latitude", "longitude"])
    network = make_network(tenant_a, services=[_located_service(tenant_a, name="Domov Lípa")])
    first = make_application(network, _located_service(tenant_a, name="Domov Buk"), capacity=20)
    second = make_application(network, _located_service(tenant_a, name="Domov Dub"), capacity=30)
    return {"a": tenant_a, "b": tenant_b, "network": network, "first": first, "second": second}


def ranking_url(network, kind="13"):
    return reverse("network:ranking", kwargs={"network_pk": network.pk}) + f"?druh={kind}"


def explain_url(network, key):
    return reverse("network:explain", kwargs={"network_pk": network.pk, "candidate_key": key})


def test_ranking_for_the_managers_members(world):
    manager = client_for(world["a"].user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    response = manager.get(ranking_url(world["network"]))
    assert response.status_code == 200
    text = response.content.decode()
    for name in ("Domov Lípa", "Domov Buk", "Domov Dub"):
        assert name in text
    # thresholds and missing data in words, not only colour
    assert "no data" in text or "bez údajů" in text
    assert explain_url(world["network"], f"a{world['first'].pk}") in text
    # the two applications compete for the same ORP
    assert reverse("network:compare", kwargs={"network_pk": world["network"].pk}) in text
    reader = client_for(world["a"].user(OrganisationKind.REGION, Role.READER))
    assert reader.get(ranking_url(world["network"])).status_code == 200


@pytest.mark.parametrize(
    ("tenant", "kind", "role"),
    [
        ("a", OrganisationKind.PROVIDER, Role.ADMIN),
        ("a", OrganisationKind.MUNICIPALITY, Role.EDITOR),
        ("b", OrganisationKind.REGION, Role.NETWORK_MANAGER),
    ],
)
def test_ranking_and_compare_refused_to_others(world, tenant, kind, role):
    client = client_for(world[tenant].user(kind, role))
    assert client.get(ranking_url(world["network"])).status_code == 403
    compare = reverse("network:compare", kwargs={"network_pk": world["network"].pk})
    assert client.get(f"{compare}?klic=a{world['first'].pk}").status_code == 403


def test_anonymous_is_sent_to_login(world):
    response = Client().get(ranking_url(world["network"]))
    assert response.status_code == 302


def test_the_provider_sees_the_explanation_of_its_own_application_only(world):
    network = world["network"]
    provider = client_for(world["a"].user(OrganisationKind.PROVIDER, Role.READER))
    response = provider.get(explain_url(network, f"a{world['first'].pk}"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Domov Buk" in text
    assert "Domov Dub" not in text  # no competitor, no ranking link for the provider
    entry_key = next(k for k in _keys(network) if k.startswith("e"))
    assert provider.get(explain_url(network, entry_key)).status_code == 403
    # another tenant's provider: not its application
    other = client_for(world["b"].user(OrganisationKind.PROVIDER, Role.ADMIN))
    assert other.get(explain_url(network, f"a{world['first'].pk}")).status_code == 403
    # an application of another network under this network's URL
    assert provider.get(explain_url(network, "a999999")).status_code == 403


def _keys(network):
    from qmss.network.scoring_inputs import cached_inputs

    return cached_inputs(network).keys


def test_explanation_lists_inputs_formula_and_versions(world):
    manager = client_for(world["a"].user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    response = manager.get(explain_url(world["network"], f"a{world['first'].pk}"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Domov Buk" in text
    for word in ("km", "100", "1"):
        assert word in text
    assert response.context["explanation"].rule_set_version == 1
    assert response.context["compare_url"]
    assert manager.get(explain_url(world["network"], "x1")).status_code == 404


def test_compare_side_by_side(world):
    manager = client_for(world["a"].user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    compare = reverse("network:compare", kwargs={"network_pk": world["network"].pk})
    response = manager.get(f"{compare}?klic=a{world['first'].pk}")
    assert response.status_code == 200
    keys = [row.key for row in response.context["rows"]]
    assert sorted(keys) == sorted([f"a{world['first'].pk}", f"a{world['second'].pk}"])
    assert manager.get(f"{compare}?klic=bogus").status_code == 200


def test_user_text_is_escaped(world):
    service = _located_service(world["a"], name="<script>alert(1)</script>")
    make_application(world["network"], service)
    manager = client_for(world["a"].user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    text = manager.get(ranking_url(world["network"])).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;" in text


def test_ranking_is_constant_in_candidates(world):
    network = world["network"]
    manager = client_for(world["a"].user(OrganisationKind.REGION, Role.NETWORK_MANAGER))

    def grow(n):
        for i in range(Application.objects.filter(network=network).count(), n):
            make_application(network, _located_service(world["a"], name=f"Domov {i}"), capacity=5 + i)

    def cold():  # nothing cached: the inputs are built within the request
        page_cache().clear()
        return manager.get(ranking_url(network))

    assert_constant_queries(
        cold,
        grow,
        count=Application.objects.filter(network=network),
        small=2,
        large=6,
        max_queries=80,
    )
