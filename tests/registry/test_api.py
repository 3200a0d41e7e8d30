"""The registry API: providers and services with the catalogue's filters, details, 404s and the OpenAPI schema."""

from __future__ import annotations

import pytest

from qmss.core.stats import collect_stats
from qmss.registry.stats import registry_stats
from qmss.registry.testing import make_catalogue_sample, make_facility, make_service

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


@pytest.fixture
def sample(db):
    return make_catalogue_sample()


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_services_list_is_paginated_and_lists_all_by_default(client, sample):
    data = client.get(f"{BASE}/services").json()
    assert data["count"] == 4
    first = data["items"][0]
    assert first["name"] == "Aktivizace Beta"
    assert first["kind"] == {"code": "29", "name": first["kind"]["name"], "section": "66", "category": "prevention"}
    assert first["provider_ico"] == "87654321" and first["provider_name"] == "Charita Beta"
    assert first["active"] is True and first["identifier"] == "3333333"
    page = client.get(f"{BASE}/services", {"page_size": 1, "page": 2}).json()
    assert page["count"] == 4 and [i["name"] for i in page["items"]] == ["Domov pro seniory Úsměv"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"active": "true"}, ["Aktivizace Beta", "Domov pro seniory Úsměv", "Pečovatelská služba Úsměv"]),
        ({"active": "false"}, ["Zrušený domov Beta"]),
        ({"region": "CZ992"}, ["Aktivizace Beta", "Zrušený domov Beta"]),
        ({"kind": "13"}, ["Domov pro seniory Úsměv", "Zrušený domov Beta"]),
        ({"form": "ter"}, ["Pečovatelská služba Úsměv"]),
        ({"target_group": "26"}, ["Aktivizace Beta"]),
        ({"provider": "12345678"}, ["Domov pro seniory Úsměv", "Pečovatelská služba Úsměv"]),
        ({"q": "zrušený"}, ["Zrušený domov Beta"]),
    ],
)
def test_service_filters(client, sample, params, expected):
    assert names(client.get(f"{BASE}/services", params)) == expected


def test_territory_filters(client, sample):
    assert names(client.get(f"{BASE}/services", {"orp": sample["m2"].orp.ruian_code})) == ["Pečovatelská služba Úsměv"]
    assert names(client.get(f"{BASE}/services", {"municipality": sample["m3"].code, "active": "true"})) == [
        "Aktivizace Beta"
    ]


def test_service_detail(client, sample):
    s2 = sample["s2"]
    make_facility(s2, sample["m1"], name="Utajené místo", secret_address=True, latitude=50.1, longitude=14.1)
    response = client.get(f"{BASE}/services/{s2.portal_id}")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "Pečovatelská služba Úsměv" and data["kind_code"] == "DruhSocialniSluzby/4"
    forms = {f["form_code"]: f for f in data["forms"]}
    assert forms["FormaSocialniSluzby/ter"]["name"] == "terénní"
    assert forms["FormaSocialniSluzby/ter"]["capacities"] == [
        {"type_code": "TypKapacitySocialniSluzby/klient", "unit": "klientů", "count": 120}
    ]
    assert data["target_groups"] == [{"code": "24", "name": "senioři"}]
    facilities = {f["name"]: f for f in data["facilities"]}
    open_place = data["facilities"][0]
    assert open_place["address"] == "Hlavní 1, Úvaly" and open_place["region_code"] == "CZ991"
    assert open_place["orp_ruian_code"] == sample["m1"].orp.ruian_code
    secret = facilities["Utajené místo"]
    assert secret["secret_address"] is True
    assert secret["address"] is None and secret["latitude"] is None and secret["longitude"] is None
    assert data["emails"] and "@" in data["emails"][0]


def test_unknown_service_and_provider_are_404(client, db):
    assert client.get(f"{BASE}/services/123456789").status_code == 404
    assert client.get(f"{BASE}/providers/00000000").status_code == 404


def test_providers(client, sample):
    data = client.get(f"{BASE}/providers").json()
    assert data["count"] == 2
    beta = data["items"][0]
    assert beta == {
        "ico": "87654321",
        "name": "Charita Beta",
        "legal_form": "zapsaný ústav",
        "services_count": 2,
        "active_services_count": 1,
    }
    assert names(client.get(f"{BASE}/providers", {"region": "CZ991"})) == ["Domov Úsměv z. ú."]
    assert names(client.get(f"{BASE}/providers", {"kind": "13", "active": "false"})) == ["Charita Beta"]
    assert names(client.get(f"{BASE}/providers", {"q": "usmev"})) == ["Domov Úsměv z. ú."]


def test_provider_detail(client, sample):
    data = client.get(f"{BASE}/providers/87654321").json()
    assert data["name"] == "Charita Beta" and data["services_count"] == 2
    assert [s["name"] for s in data["services"]] == ["Aktivizace Beta", "Zrušený domov Beta"]  # active first
    assert data["websites"][0].startswith("www.")


def test_openapi_lists_the_registry_paths(client, db):
    schema = client.get(f"{BASE}/openapi.json").json()
    for path in ("/api/v1/providers", "/api/v1/providers/{ico}", "/api/v1/services", "/api/v1/services/{portal_id}"):
        assert path in schema["paths"], sorted(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/services"]["get"]["parameters"]}
    assert {"region", "orp", "municipality", "kind", "form", "target_group", "provider", "active", "q"} <= parameters


def test_list_query_count_is_constant(client, sample):
    from qmss.registry.models import Service
    from qmss.testing.queries import assert_constant_queries

    def grow(n: int) -> None:
        for i in range(Service.objects.count(), n):
            make_service(sample["p1"], name=f"API {i}", municipalities=[sample["m1"]])

    assert_constant_queries(lambda: client.get(f"{BASE}/services"), grow, count=Service.objects, small=4, large=30)
    assert_constant_queries(
        lambda: client.get(f"{BASE}/providers/12345678"),
        grow,
        count=Service.objects.filter(provider__ico="12345678"),
        small=30,
        large=45,
    )


def test_stats(sample):
    assert registry_stats() == {"providers": 2, "services": 4, "active_services": 3, "facilities": 5}
    stats = collect_stats()
    assert stats["active_services"] == 3 and "regions" in stats
