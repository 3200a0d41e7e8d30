"""The catalogue of registered services: login, filters, sorting, the user's region first, pages, query budget."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.registry.cache import page_cache
from qmss.registry.testing import make_catalogue_sample, make_provider, make_service
from qmss.testing.factories import make_municipality, make_org, make_user
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

URL = "/registr/"


@pytest.fixture
def sample(db):
    return make_catalogue_sample()


@pytest.fixture
def reader(db):
    return make_user("ctenar")


@pytest.fixture
def client_in(reader) -> Client:
    client = Client()
    client.force_login(reader)
    return client


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def names(response) -> list[str]:
    return [s.name for s in response.context["services"]]


def test_url_name():
    assert reverse("registry:catalogue") == URL


def test_anonymous_is_sent_to_login(client, sample):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/ucet/prihlaseni/" in response["Location"]


def test_default_lists_active_services_with_details(client_in, sample):
    response = client_in.get(URL)
    assert response.status_code == 200
    assert sorted(names(response)) == ["Aktivizace Beta", "Domov pro seniory Úsměv", "Pečovatelská služba Úsměv"]
    body = response.content.decode()
    assert "pobytová: 40 lůžek" in body
    assert "terénní: 120 klientů" in body and "ambulantní: 15 klientů" in body
    assert sample["s1"].get_absolute_url() in body
    assert sample["p1"].get_absolute_url() in body
    assert "Úvaly, Bystřice" in body or "Bystřice, Úvaly" in body
    assert "Zrušený domov Beta" not in body
    assert 'class="badge"' in body


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("ended", ["Zrušený domov Beta"]),
        ("all", ["Aktivizace Beta", "Domov pro seniory Úsměv", "Pečovatelská služba Úsměv", "Zrušený domov Beta"]),
        ("active", ["Aktivizace Beta", "Domov pro seniory Úsměv", "Pečovatelská služba Úsměv"]),
    ],
)
def test_status_filter(client_in, sample, status, expected):
    assert names(client_in.get(URL, {"status": status})) == expected


def test_territory_filters_have_no_duplicates(client_in, sample):
    response = client_in.get(URL, {"region": "CZ991"})
    assert names(response) == ["Domov pro seniory Úsměv", "Pečovatelská služba Úsměv"]
    # a second facility in the same region does not list the service twice
    assert response.context["page_obj"].paginator.count == 2
    assert names(client_in.get(URL, {"region": "CZ992", "status": "all"})) == ["Aktivizace Beta", "Zrušený domov Beta"]
    assert names(client_in.get(URL, {"orp": sample["m2"].orp.ruian_code})) == ["Pečovatelská služba Úsměv"]
    assert names(client_in.get(URL, {"municipality": sample["m1"].code})) == [
        "Domov pro seniory Úsměv",
        "Pečovatelská služba Úsměv",
    ]


def test_kind_form_target_group_filters(client_in, sample):
    assert names(client_in.get(URL, {"kind": "13", "status": "all"})) == [
        "Domov pro seniory Úsměv",
        "Zrušený domov Beta",
    ]
    assert names(client_in.get(URL, {"form": "amb"})) == ["Aktivizace Beta", "Pečovatelská služba Úsměv"]
    assert names(client_in.get(URL, {"target_group": "26"})) == ["Aktivizace Beta"]


def test_provider_filter_by_ico_or_name(client_in, sample):
    assert names(client_in.get(URL, {"provider": "123 45 678"})) == [
        "Domov pro seniory Úsměv",
        "Pečovatelská služba Úsměv",
    ]
    assert names(client_in.get(URL, {"provider": "USMEV"})) == ["Domov pro seniory Úsměv", "Pečovatelská služba Úsměv"]
    assert names(client_in.get(URL, {"provider": "charita", "status": "all"})) == [
        "Aktivizace Beta",
        "Zrušený domov Beta",
    ]


def test_free_text_search(client_in, sample):
    assert names(client_in.get(URL, {"q": "pečovatelská"})) == ["Pečovatelská služba Úsměv"]
    assert names(client_in.get(URL, {"q": "3333333"})) == ["Aktivizace Beta"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Aktivizace Beta", "Domov pro seniory Úsměv", "Pečovatelská služba Úsměv"]),
        ("-name", ["Pečovatelská služba Úsměv", "Domov pro seniory Úsměv", "Aktivizace Beta"]),
        # Czech order of providers: "Domov Úsměv z. ú." before "Charita Beta" (CH follows H)
        ("provider", ["Domov pro seniory Úsměv", "Pečovatelská služba Úsměv", "Aktivizace Beta"]),
        ("-date_from", ["Aktivizace Beta", "Pečovatelská služba Úsměv", "Domov pro seniory Úsměv"]),
        ("date_from", ["Domov pro seniory Úsměv", "Pečovatelská služba Úsměv", "Aktivizace Beta"]),
        ("-capacity", ["Pečovatelská služba Úsměv", "Domov pro seniory Úsměv", "Aktivizace Beta"]),
        ("capacity", ["Aktivizace Beta", "Domov pro seniory Úsměv", "Pečovatelská služba Úsměv"]),
        ("kind", ["Pečovatelská služba Úsměv", "Domov pro seniory Úsměv", "Aktivizace Beta"]),
    ],
)
def test_sorting(client_in, sample, sort, expected):
    assert names(client_in.get(URL, {"sort": sort})) == expected


def test_region_staff_see_their_region_first(sample):
    region_org = make_org(OrganisationKind.REGION, "Krajský úřad Beta", region=sample["region_b"])
    staff = make_user("krajska", org=region_org, role=Role.NETWORK_MANAGER)
    client = Client()
    client.force_login(staff)
    response = english(client).get(URL, {"sort": "-name"})
    assert names(response) == ["Aktivizace Beta", "Pečovatelská služba Úsměv", "Domov pro seniory Úsměv"]
    assert "Kraj Beta" in response.content.decode()
    # a provider's staff have no region: plain order
    provider_user = make_user("poskytovatel", org=make_org(OrganisationKind.PROVIDER, region=sample["region_b"]))
    client.force_login(provider_user)
    assert names(client.get(URL, {"sort": "-name"}))[0] == "Pečovatelská služba Úsměv"


def test_pagination_keeps_the_filters(client_in, db):
    provider = make_provider("Velký poskytovatel")
    for i in range(55):
        make_service(provider, name=f"Služba {i:02d}")
    page_1 = client_in.get(URL, {"provider": "velky"})
    assert len(page_1.context["services"]) == 50
    body = page_1.content.decode()
    assert 'rel="next"' in body and "provider=velky&amp;page=2" in body
    page_2 = client_in.get(URL, {"provider": "velky", "page": 2})
    assert len(page_2.context["services"]) == 5
    assert client_in.get(URL, {"page": "nonsense"}).status_code == 200


def test_empty_states(client_in, db):
    body = english(client_in).get(URL).content.decode()
    assert "There are no services to show." in body
    assert "The registry has not been imported yet." in body
    make_service(name="Jediná")
    body = client_in.get(URL, {"kind": "13", "q": "nic takového"}).content.decode()
    assert "No service matches the filters." in body


def test_invalid_filter_values_are_reported_and_ignored(client_in, sample):
    response = client_in.get(URL, {"region": "XX", "municipality": "abc", "sort": "evil"})
    assert response.status_code == 200
    assert len(names(response)) == 3
    form = response.context["form"]
    assert "region" in form.errors and "municipality" in form.errors


def test_htmx_request_gets_the_results_only(client_in, sample):
    response = client_in.get(URL, {"region": "CZ991"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and "Domov pro seniory Úsměv" in body
    assert "HX-Request" in response["Vary"]
    full = client_in.get(URL).content.decode()
    assert 'hx-get="/registr/"' in full and 'hx-target="#catalogue-results"' in full
    assert 'method="get"' in full


def test_export_links_carry_the_filters(client_in, sample):
    body = client_in.get(URL, {"region": "CZ991", "sort": "-name"}).content.decode()
    assert "/registr/export/xlsx/?region=CZ991&amp;sort=-name" in body
    assert "/registr/export/csv/?region=CZ991&amp;sort=-name" in body


def test_catalogue_query_count_is_constant(client_in, db):
    from qmss.testing.factories import make_region

    region = make_region("CZ991", "Kraj Alfa")
    municipalities = [make_municipality(region, name=f"Obec {i}") for i in range(3)]
    provider = make_provider("Rostoucí poskytovatel")

    def grow(n: int) -> None:
        from qmss.registry.models import Service

        for i in range(Service.objects.count(), n):
            make_service(
                provider,
                name=f"Služba {i:03d}",
                forms=[("pob", [("luzka", 10 + i)]), ("amb", [("klient", 5)])],
                municipalities=municipalities[: 1 + i % 3],
                target_groups=["24", "26"],
                date_from=date(2015, 1, 1),
            )

    from qmss.registry.models import Service

    def uncached_page():  # the budget is that of rendering the page, not of a cache hit
        page_cache().clear()
        return client_in.get(URL, {"region": "CZ991"})

    assert_constant_queries(uncached_page, grow, count=Service.objects, small=2, large=40, max_queries=20)
