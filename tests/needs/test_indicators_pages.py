"""Indicator pages: the definitions (public), the region's view of a round (values as computed by hand, "–" for a
zero denominator), a provider's own services with suppression of small peer groups, nothing about services for
anybody else; query budgets constant in the number of services."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from qmss.core.roles import OrganisationKind, Role
from qmss.needs.testing_indicators import approve
from qmss.registry.cache import page_cache
from qmss.registry.testing import link_verified, make_provider, make_service
from qmss.testing.queries import assert_constant_queries
from tests.needs.indicators_world import IndicatorWorld, build, make_peer_group

pytestmark = pytest.mark.django_db


def too_small() -> str:
    return gettext("the group is too small")  # "skupina je příliš malá"


def median() -> str:
    return gettext("median")


@pytest.fixture
def world(tenant_a, tenant_b):
    return build(tenant_a, tenant_b)


def detail_url(indicator, round_=None) -> str:
    url = reverse("needs:indicator_detail", kwargs={"indicator_pk": indicator.pk})
    return f"{url}?round={round_.pk}" if round_ is not None else url


def text_of(response) -> str:
    return unescape(response.content.decode()).replace("\xa0", " ")


def row_of(text: str, name: str) -> str:
    match = re.search(rf"{re.escape(name)}.*?</tr>", text, re.S)
    assert match, f"no row for {name}"
    return match.group(0)


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_list_shows_definitions_to_everybody(world):
    response = IndicatorWorld.client(None).get(reverse("needs:indicator_list"))
    text = text_of(response)
    assert response.status_code == 200
    assert "Odmítnutí pro nedostatek kapacity" in text and "Obložnost" in text
    assert "÷" in text and "neověřeno" in text  # formula in words; the verified label
    assert "101 a více" in text  # the size bands (data)
    assert "Domov Lípa" not in text


def test_region_sees_values_as_computed_by_hand(world):
    refusal = world.indicator("refusal_capacity_rate")
    response = IndicatorWorld.client(world.region_user).get(detail_url(refusal, world.round))
    text = text_of(response)
    assert response.status_code == 200
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text))
    assert f"{gettext('Value of the region:')} 25,7 %" in plain  # 9 / 35 × 100, one decimal place
    assert cells(row_of(text, "Domov Lípa"))[-2] == "20,0 %"  # 3 / 15 × 100
    assert cells(row_of(text, "Domov Javor"))[-2] == "40,0 %"
    assert cells(row_of(text, "Domov Buk"))[-2] == "–"  # 0 / 0: the denominator is zero
    assert cells(row_of(text, "Asistence Dub"))[-2] == "20,0 %"
    assert "Domov Habr" not in text  # submitted, not approved
    occupancy = world.indicator("occupancy")
    text = text_of(IndicatorWorld.client(world.region_user).get(detail_url(occupancy, world.round)))
    assert cells(row_of(text, "Domov Lípa"))[-2] == "82,2 %"  # 12000 / 14600 × 100
    assert cells(row_of(text, "Domov Buk"))[-2] == "95,9 %"  # 10500 / 10950 × 100
    assert "Asistence Dub" not in text  # field service: occupancy is for residential services only
    # the region sees its small groups (fewer than 5 services) with their figures
    assert too_small() not in text and median() in text


def test_provider_sees_own_services_only_and_small_groups_suppressed(world):
    refusal = world.indicator("refusal_capacity_rate")
    response = IndicatorWorld.client(world.provider_user).get(detail_url(refusal, world.round))
    text = text_of(response)
    assert response.status_code == 200
    assert "Domov Lípa" in text and "Domov Javor" in text
    assert "Domov Buk" not in text and "Asistence Dub" not in text  # other providers' services
    assert too_small() in text and median() not in text
    assert gettext("Value of the region:") not in text


def test_provider_sees_its_position_in_a_large_enough_group(tenant_a, tenant_b):
    own = make_provider("Registrovaný poskytovatel Alfa")
    link_verified(tenant_a.orgs[OrganisationKind.PROVIDER], own)
    round_, services = make_peer_group(tenant_a.orgs[OrganisationKind.REGION], tenant_a.region, own_provider=own)
    refusal = round_.template.indicators.get(code="refusal_capacity_rate")
    text = text_of(IndicatorWorld.client(tenant_a.user(OrganisationKind.PROVIDER)).get(detail_url(refusal, round_)))
    row = row_of(text, "Skupina 2")
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row))
    assert gettext("%(rank)s. of %(size)s") % {"rank": 2, "size": 5} in plain
    assert f"{median()} 30,0 %" in plain and "20,0 %" in plain
    assert too_small() not in text and "Skupina 1" not in text


@pytest.mark.parametrize("who", ["anonymous", "b_region", "b_provider", "a_municipality", "a_auditor"])
def test_nobody_else_sees_anything_about_services(world, who):
    users = {
        "anonymous": None,
        "b_region": world.tenant_b.user(OrganisationKind.REGION, Role.ADMIN),
        "b_provider": world.tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN),
        "a_municipality": world.tenant.user(OrganisationKind.MUNICIPALITY, Role.ADMIN),
        "a_auditor": world.tenant.user(OrganisationKind.AUDIT_BODY, Role.AUDITOR),
    }
    refusal = world.indicator("refusal_capacity_rate")
    response = IndicatorWorld.client(users[who]).get(detail_url(refusal, world.round))
    text = text_of(response)
    assert response.status_code == 200 and "Odmítnutí pro nedostatek kapacity" in text
    for secret in ("Domov Lípa", "Domov Buk", "Sběr 2025", "25,7", too_small()):
        assert secret not in text, (who, secret)


def test_region_page_queries_are_constant_in_services(world):
    refusal = world.indicator("refusal_capacity_rate")
    client = IndicatorWorld.client(world.region_user)
    here = [{"region": world.tenant.region}]

    def grow(n):
        for i in range(world.round.submissions.count(), n):
            service = make_service(make_provider(), name=f"Přidaná {i}", kind="13", facilities=here)
            approve(world.round, service, {"capacity": 40, "new_users": 5, ("refused", "capacity"): 1})

    def request():
        page_cache().clear()  # the engine's figures computed each time (the cached page makes fewer queries)
        response = client.get(detail_url(refusal, world.round))
        assert "Přidaná" in response.content.decode() or world.round.submissions.count() <= 5
        return response

    assert_constant_queries(request, grow, count=world.round.submissions, small=6, large=30, max_queries=25)


def test_provider_page_queries_are_constant_in_services(world):
    refusal = world.indicator("refusal_capacity_rate")
    client = IndicatorWorld.client(world.provider_user)
    own = world.s1.provider
    here = [{"region": world.tenant.region}]

    def grow(n):
        for i in range(world.round.submissions.filter(service__provider=own).count(), n):
            service = make_service(own, name=f"Vlastní {i}", kind="13", facilities=here)
            approve(world.round, service, {"capacity": 40, "new_users": 5, ("refused", "capacity"): 1})

    def request():
        page_cache().clear()  # the engine's figures computed each time (the cached page makes fewer queries)
        return client.get(detail_url(refusal, world.round))

    count = world.round.submissions.filter(service__provider=own)
    assert_constant_queries(request, grow, count=count, small=3, large=20, max_queries=25)
