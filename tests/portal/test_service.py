"""The public service pages: a service (full and easy-read), kinds, a kind and the client's rights.

Public data only: registry data, the kind's card, network membership named by its region (never the managing
organisation), the rights linked to their standards; never an address the registry does not publish, never
assessment data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from qmss.assessments.models import Assessment
from qmss.assessments.testing import make_assessment
from qmss.core.roles import OrganisationKind
from qmss.network.testing_networks import make_network
from qmss.portal import rights as rights_lib
from qmss.portal.testing_service import make_public_service
from qmss.registry.models import Facility
from qmss.registry.testing import make_facility, make_kind, make_service
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

SECRET_STREET = "Skrytá ulice"


def _page(client, service, name="portal:service"):
    response = client.get(reverse(name, kwargs={"service_portal_id": service.portal_id}))
    assert response.status_code == 200
    return response.content.decode()


def test_service_page_shows_public_data_only(client, tenant_a):
    service = make_public_service(tenant_a.municipality, secret_street=SECRET_STREET)
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    provider_org = tenant_a.orgs[OrganisationKind.PROVIDER]
    make_network(region_org, services=[service], name="Síť sociálních služeb")
    make_assessment(
        provider_org,
        kind=Assessment.Kind.AUDIT,
        service=service,
        title="Rozpracovaný audit",
        internal_notes="Interní poznámka hodnotitele",
    )
    html = _page(client, service)
    # capacity by form and unit, in Czech plurals; registration data; contacts
    assert "1 lůžko" in html and "3 klienti" in html
    assert service.identifier in html and "1. 1. 2015" in html and "777 123 456" in html
    # the published place with its address; the secret place without it
    assert "Hlavní 1" in html and "Utajené místo" in html
    assert SECRET_STREET not in html
    # the network named by its region, never by the managing organisation
    networks = html[html.index('id="sit"') : html.index('id="prava"')]
    assert tenant_a.region.name in networks and "2026" in networks
    assert region_org.name not in html and provider_org.name not in html
    # no assessment data, no tenant secret
    assert "Rozpracovaný audit" not in html and "Interní poznámka" not in html
    assert not [secret for secret in tenant_a.secrets if secret in html]
    # the rights, each linked to its standard's public page; costs with their verification label
    assert f'href="{reverse("portal:rights")}#standard-7"' in html
    assert "Stěžovat si bez obav" in html and "Po zaplacení pobytu" in html
    assert "Ubytování" in html and ("not verified" in html or "neověřeno" in html)
    # how to complain: the region of the facility is named
    assert f"Služba se poskytuje v kraji: {tenant_a.region.name}." in html
    assert "Veřejného ochránce práv" in html


def test_ended_service_says_so_and_points_to_another(client, tenant_a):
    ended = date.today() - timedelta(days=30)
    service = make_public_service(tenant_a.municipality, date_to=ended)
    day = f"{ended.day}. {ended.month}. {ended.year}"
    for name in ("portal:service", "portal:service_easy"):
        html = _page(client, service, name)
        assert day in html
        assert reverse("portal:kinds") in html or "/najit-sluzbu/" in html


def test_complaint_steps_name_the_region_and_add_inspection_for_residential(tenant_a):
    home = make_public_service(tenant_a.municipality)
    field = make_service(kind="3", forms=(("ter", (("klient", 10),)),), municipalities=[tenant_a.municipality])
    home_steps = rights_lib.complaint_steps(home)
    field_steps = rights_lib.complaint_steps(field)
    assert any(tenant_a.region.name in step for step in home_steps)
    assert any("inspekci" in step for step in home_steps)
    assert not any("inspekci" in step for step in field_steps)
    assert "standard kvality č. 7" in home_steps[1] and "ochránce" in home_steps[-2]


def test_easy_read_page_is_short_and_links_back(client, tenant_a):
    service = make_public_service(tenant_a.municipality, secret_street=SECRET_STREET)
    html = _page(client, service, "portal:service_easy")
    assert reverse("portal:service", kwargs={"service_portal_id": service.portal_id}) in html
    assert 'class="easy-read"' in html and SECRET_STREET not in html
    assert "Stěžovat si bez obav" in html


def test_anonymous_public_page_writes_no_session(client, tenant_a):
    service = make_public_service(tenant_a.municipality)
    response = client.get(reverse("portal:service", kwargs={"service_portal_id": service.portal_id}))
    assert "sessionid" not in response.cookies
    assert "max-age" in response["Cache-Control"]
    assert client.get(reverse("portal:service", kwargs={"service_portal_id": 999999999})).status_code == 404
    assert client.get(reverse("portal:kind", kwargs={"kind_code": "neni"})).status_code == 404


def test_kinds_grouped_in_czech_order_and_kind_page(client, db):
    for code in ("13", "4", "3", "1", "29"):
        make_kind(code)
    html = client.get(reverse("portal:kinds")).content.decode()
    assert html.index("Osobní asistence") < html.index("Pečovatelská služba")  # Czech order within the category
    assert html.index("Odborné sociální poradenství") < html.index("Domovy pro seniory")  # counselling first
    kind_html = client.get(reverse("portal:kind", kwargs={"kind_code": "13"})).content.decode()
    assert "Domovy pro seniory" in kind_html and "Stěžovat si bez obav" in kind_html
    assert "Ubytování" in kind_html and f"{reverse('portal:rights')}#standard-4" in kind_html
    free_html = client.get(reverse("portal:kind", kwargs={"kind_code": "1"})).content.decode()
    assert "Služba je zdarma" in free_html


def test_kind_page_links_to_the_finder_and_service_page_names_the_regions_card(client, tenant_a):
    from qmss.needs.models import KindCard
    from qmss.needs.testing_cards import load_card_libraries, make_card

    load_card_libraries()
    html = client.get(reverse("portal:kind", kwargs={"kind_code": "13"})).content.decode()
    assert "?potreba=" in html
    model_purpose = KindCard.objects.get(region__isnull=True, kind__code="13", state="published").purpose
    assert model_purpose.split(",")[0] in html
    service = make_public_service(tenant_a.municipality)
    make_card(tenant_a.region, "13", state=KindCard.State.DRAFT, purpose="Rozpracovaný krajský popis domova.")
    assert "Rozpracovaný krajský popis" not in _page(client, service)  # a draft never shows
    make_card(tenant_a.region, "13", state=KindCard.State.PUBLISHED, purpose="Krajský popis domova pro seniory.")
    html = _page(client, service)
    assert "Krajský popis domova pro seniory." in html and "Rozpracovaný krajský popis" not in html
    assert tenant_a.orgs[OrganisationKind.REGION].name not in html


def test_rights_page_lists_every_right_with_its_standard(client, db):
    html = client.get(reverse("portal:rights")).content.decode()
    for right in rights_lib.all_rights():
        assert right.title in html
        assert f'id="pravo-{right.code}"' in html
    for number in range(1, 16):
        assert f'id="standard-{number}"' in html


def test_service_page_query_budget_is_constant(client, tenant_a):
    service = make_public_service(tenant_a.municipality)
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    url = reverse("portal:service", kwargs={"service_portal_id": service.portal_id})

    def grow(n):
        while service.facilities.count() < n:
            make_facility(service, tenant_a.municipality, name=f"Místo {service.facilities.count()}")
        while service.network_entries.count() < n:
            make_network(region_org, services=[service])

    assert_constant_queries(
        lambda: client.get(url),
        grow,
        count=lambda: Facility.objects.filter(service=service).count(),
        small=1,
        large=3,
        max_queries=14,
    )


def test_kinds_page_query_budget_is_constant(client, db):
    from qmss.registry.models import ServiceKind

    codes = ["1", "3", "4", "13", "14", "29"]

    def grow(n):
        for code in codes[:n]:
            make_kind(code)

    assert_constant_queries(
        lambda: client.get(reverse("portal:kinds")), grow, count=ServiceKind.objects.all(), small=2, large=6
    )
