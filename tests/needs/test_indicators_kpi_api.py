"""A process KPI bound to an indicator shows the rounds' values; the API gives the definitions to everybody and a
service's own values only to its provider's members and its region's staff (anybody else: 404)."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.improvement import actions
from qmss.improvement.testing import make_kpi, make_process
from qmss.needs import indicators as engine
from tests.needs.indicators_world import IndicatorWorld, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a, tenant_b):
    return build(tenant_a, tenant_b)


def test_kpi_bound_to_an_indicator_shows_the_rounds_values(world):
    process = make_process(world.provider_org, name="Přijímání zájemců")
    kpi = actions.create_kpi(
        scope=Scope.for_user(world.tenant.user(OrganisationKind.PROVIDER)),
        process=process,
        name="Odmítnutí pro kapacitu",
        indicator_code="refusal_capacity_rate",
    )
    # no services on the process: all the organisation's linked services (S1, S2)
    points = engine.kpi_values(kpi)
    assert [(p.round.name, p.value.quantize(Decimal("0.01"))) for p in points] == [
        ("Sběr 2024", Decimal("50.00")),  # S1: 5 / 10
        ("Sběr 2025", Decimal("28.00")),  # S1 + S2: (3 + 4) / (15 + 10)
    ]
    process.services.add(world.s2)  # the process's services when set
    assert [p.value for p in engine.kpi_values(kpi)] == [Decimal(40)]  # only 2025 has S2: 4 / 10
    response = IndicatorWorld.client(world.provider_user).get(process.get_absolute_url())
    text = unescape(response.content.decode()).replace("\xa0", " ")
    assert response.status_code == 200
    assert gettext("Values from data collection") in text
    assert re.search(r"Sběr 2025.*?40,0 %", text, re.S)


def test_kpi_binding_is_checked_and_offered_in_the_form(world):
    process = make_process(world.provider_org)
    scope = Scope.for_user(world.tenant.user(OrganisationKind.PROVIDER))
    with pytest.raises(ValidationError) as exc:
        actions.create_kpi(scope=scope, process=process, name="X", indicator_code="no_such_indicator")
    assert exc.value.error_list[0].code == "unknown_indicator"
    client = IndicatorWorld.client(world.tenant.user(OrganisationKind.PROVIDER))
    url = reverse("improvement:kpi_create", kwargs={"process_pk": process.pk})
    assert 'value="occupancy"' in client.get(url).content.decode()
    response = client.post(url, {"name": "Obložnost", "direction": "higher", "indicator_code": "occupancy"})
    assert response.status_code == 302
    assert process.kpis.get().indicator_code == "occupancy"


def test_unbound_kpi_has_no_collected_values(world):
    kpi = make_kpi(make_process(world.provider_org))
    assert engine.kpi_values(kpi) == []


def test_api_definitions_are_public(world):
    response = IndicatorWorld.client(None).get("/api/v1/needs/indicators")
    assert response.status_code == 200
    codes = [item["code"] for item in response.json()]
    assert codes[:2] == ["refusal_capacity_rate", "occupancy"] and len(codes) == 6


def values_url(service) -> str:
    return f"/api/v1/needs/services/{service.portal_id}/values"


@pytest.mark.parametrize("who", ["provider_reader", "region_reader"])
def test_api_service_values_for_its_provider_and_region(world, who):
    user = {
        "provider_reader": world.tenant.user(OrganisationKind.PROVIDER, Role.READER),
        "region_reader": world.tenant.user(OrganisationKind.REGION, Role.READER),
    }[who]
    response = IndicatorWorld.client(user).get(values_url(world.s1))
    assert response.status_code == 200
    data = response.json()
    assert [r["round_name"] for r in data["rounds"]] == ["Sběr 2025", "Sběr 2024"]
    latest = data["rounds"][0]
    cells = {(v["element"], v["category"]): v["value"] for v in latest["values"]}
    assert cells[("new_users", "")] == 10 and cells[("refused", "capacity")] == 3
    values = {i["code"]: i["value"] for i in latest["indicators"]}
    assert values["refusal_capacity_rate"] == 20.0 and values["waiting_per_capacity"] == 0.5


def test_api_service_values_zero_denominator_is_null(world):
    client = IndicatorWorld.client(world.tenant.user(OrganisationKind.REGION, Role.READER))
    data = client.get(values_url(world.s3)).json()
    values = {i["code"]: i["value"] for i in data["rounds"][0]["indicators"]}
    assert values["refusal_capacity_rate"] is None


@pytest.mark.parametrize(
    "who",
    ["anonymous", "b_provider", "b_region", "a_municipality", "a_auditor", "a_ministry"],
)
def test_api_service_values_are_404_for_everybody_else(world, who):
    users = {
        "anonymous": None,
        "b_provider": world.tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN),
        "b_region": world.tenant_b.user(OrganisationKind.REGION, Role.ADMIN),
        "a_municipality": world.tenant.user(OrganisationKind.MUNICIPALITY, Role.ADMIN),
        "a_auditor": world.tenant.user(OrganisationKind.AUDIT_BODY, Role.AUDITOR),
        "a_ministry": world.tenant.user(OrganisationKind.MINISTRY, Role.ADMIN),
    }
    response = IndicatorWorld.client(users[who]).get(values_url(world.s1))
    assert response.status_code == 404
    assert "Sběr" not in response.content.decode()


def test_api_a_provider_does_not_see_another_providers_service_in_its_region(world):
    client = IndicatorWorld.client(world.tenant.user(OrganisationKind.PROVIDER, Role.ADMIN))
    assert client.get(values_url(world.s3)).status_code == 404


def test_registry_service_page_shows_indicator_values_to_its_provider_and_region_only(world):
    url = world.s1.get_absolute_url()
    for user in (world.provider_user, world.region_user):
        text = unescape(IndicatorWorld.client(user).get(url).content.decode()).replace("\xa0", " ")
        assert "Sběr 2025" in text and "20,0 %" in text  # the latest approved report: 3 / 15 × 100
    for user in (None, world.tenant_b.user(OrganisationKind.REGION, Role.ADMIN)):
        response = IndicatorWorld.client(user).get(url)
        assert response.status_code in (200, 302) and "Sběr 2025" not in response.content.decode()


def test_region_services_table_is_paginated_but_the_region_value_counts_all(world):
    from qmss.needs.testing_indicators import approve
    from qmss.registry.testing import make_provider, make_service

    here = [{"region": world.tenant.region}]
    for i in range(50):
        service = make_service(make_provider(), name=f"Další {i:02d}", kind="13", facilities=here)
        approve(world.round, service, {"new_users": 9, ("refused", "capacity"): 1})
    refusal = world.indicator("refusal_capacity_rate")
    url = reverse("needs:indicator_detail", kwargs={"indicator_pk": refusal.pk})
    client = IndicatorWorld.client(world.region_user)
    first = unescape(client.get(url, {"round": world.round.pk}).content.decode()).replace("\xa0", " ")
    second = unescape(client.get(url, {"round": world.round.pk, "page": 2}).content.decode()).replace("\xa0", " ")
    # 54 services with a value: (9 + 50) / (35 + 500) × 100 = 11,03 → "11,0 %" on both pages
    assert "11,0 %" in first and "11,0 %" in second
    assert first.count("Další ") + second.count("Další ") == 50 and "Další 49" not in first


def test_process_page_queries_are_constant_in_bound_kpis(world):
    from qmss.improvement.models import Kpi
    from qmss.registry.cache import page_cache
    from qmss.testing.queries import assert_constant_queries

    process = make_process(world.provider_org, name="Přijímání")
    codes = ["refusal_capacity_rate", "occupancy", "waiting_per_capacity", "users_per_direct_fte"]

    def grow(n):
        for i in range(process.kpis.count(), n):
            Kpi.objects.create(process=process, name=f"Vázaný {i}", indicator_code=codes[i % len(codes)])

    client = IndicatorWorld.client(world.provider_user)

    def request():
        page_cache().clear()  # the engine's figures computed each time (the cached page makes fewer queries)
        return client.get(process.get_absolute_url())

    assert_constant_queries(request, grow, count=process.kpis, small=1, large=8, max_queries=25)
