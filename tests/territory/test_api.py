"""The territory API and its place in the OpenAPI schema."""

from __future__ import annotations

import pytest

from qmss.territory.models import Municipality
from qmss.territory.synthetic import build_synthetic_territory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/territory"


@pytest.fixture
def synthetic(db):
    return build_synthetic_territory()


def test_regions(client, synthetic):
    response = client.get(f"{BASE}/regions")
    assert response.status_code == 200
    data = response.json()
    assert [r["code"] for r in data] == ["CZ991", "CZ992"]
    first = data[0]
    assert first["name"] == "Ukázkový kraj Sever (syntetická data)"
    assert first["abbreviation"] == "USV"
    assert first["population"] > 0 and first["age_65_plus"] > 0 and 0 < first["share_65_plus"] < 1
    assert first["orp_count"] == 3
    assert "boundary" not in first


def test_region_orps(client, synthetic):
    data = client.get(f"{BASE}/regions/CZ992/orps").json()
    assert [o["name"] for o in data] == ["Podhradí (ukázka)", "Radkov (ukázka)", "Zálesí (ukázka)"]
    assert all(o["region_code"] == "CZ992" and o["population"] > 0 for o in data)
    assert "boundary" not in data[0]
    assert client.get(f"{BASE}/regions/CZ000/orps").status_code == 404


def test_orp_municipalities_paginated(client, synthetic):
    response = client.get(f"{BASE}/orps/9911/municipalities", {"page_size": 2})
    data = response.json()
    assert data["count"] == 4 and len(data["items"]) == 2
    item = data["items"][0]
    assert set(item) >= {
        "code",
        "name",
        "status",
        "orp_ruian_code",
        "district_code",
        "population",
        "age_65_plus",
    }
    assert item["orp_ruian_code"] == 9911
    page_2 = client.get(f"{BASE}/orps/9911/municipalities", {"page_size": 2, "page": 2}).json()
    assert {i["code"] for i in page_2["items"]}.isdisjoint(i["code"] for i in data["items"])
    assert client.get(f"{BASE}/orps/1/municipalities").status_code == 404


def test_municipality_detail(client, synthetic):
    muni = Municipality.objects.get(name="Podhradí")
    data = client.get(f"{BASE}/municipalities/{muni.code}").json()
    assert data["name"] == "Podhradí" and data["status"] == "S"
    assert data["region_name"] == "Ukázkový kraj Jih (syntetická data)"
    series = data["population_series"]
    assert [row["reference_date"] for row in series] == [f"{year}-01-01" for year in range(2020, 2025)]
    assert series[-1]["age_65_plus"] == data["age_65_plus"]
    assert series[-1]["total"] == data["population"]
    assert series[0]["age_65_plus"] is None
    assert isinstance(data["latitude"], float)
    assert client.get(f"{BASE}/municipalities/000000").status_code == 404


def test_openapi_schema_lists_territory_paths(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        f"{BASE}/regions",
        f"{BASE}/regions/{{code}}/orps",
        f"{BASE}/orps/{{ruian_code}}/municipalities",
        f"{BASE}/municipalities/{{code}}",
    } <= paths
