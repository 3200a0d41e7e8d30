"""Public territory pages: content, 404s, accessibility basics and constant query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from qmss.territory.models import Municipality, Orp, Population
from qmss.territory.synthetic import build_synthetic_territory
from qmss.testing.factories import make_municipality, make_region
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def synthetic(db):
    return build_synthetic_territory()


def test_index_lists_regions_with_figures(client, synthetic):
    response = client.get(reverse("territory:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1>") == 1
    assert "Ukázkový kraj Sever (syntetická data)" in body
    assert reverse("territory:region", kwargs={"region_code": "CZ991"}) in body
    assert '<th scope="col" class="num">' in body and "<caption>" in body
    assert 'action="/uzemi/hledat/"' in body
    total = sum(r.residents for r in response.context["regions"])
    assert response.context["totals"]["residents"] == total > 0
    assert response.context["latest_import"] == synthetic


def test_index_without_territory_shows_empty_state(client, db):
    response = client.get(reverse("territory:index"), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.context["regions"] == []
    assert "qmss import_territory" in response.content.decode()


def test_region_page(client, synthetic):
    response = client.get(reverse("territory:region", kwargs={"region_code": "CZ991"}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ukázkový kraj Sever (syntetická data)" in body
    orps = response.context["orps"]
    assert [o.name for o in orps] == ["Borovany (ukázka)", "Lipnice (ukázka)", "Mlýnec (ukázka)"]
    assert all(o.residents and o.age_65_plus and 0 < o.share_65_plus < 1 for o in orps)
    assert sum(o.municipality_count for o in orps) == response.context["region"].municipality_count
    assert "Okres Borovany (ukázka)" in body and "CZ9911" in body


def test_orp_page_lists_municipalities(client, synthetic):
    orp = Orp.objects.get(ruian_code=9911)
    response = client.get(reverse("territory:orp", kwargs={"orp_code": 9911}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Borovany (ukázka)" in body
    names = [m.name for m in response.context["page_obj"]]
    assert sorted(names) == sorted(orp.municipalities.values_list("name", flat=True))
    assert response.context["seat"].name == "Borovany"
    assert all(m.residents for m in response.context["page_obj"])


def test_orp_page_is_paginated(client, db):
    region = make_region()
    first = make_municipality(region, name="Aaa")
    for i in range(55):
        make_municipality(region, name=f"Obec {i:02d}")
    Municipality.objects.update(orp=first.orp)
    url = reverse("territory:orp", kwargs={"orp_code": first.orp.ruian_code})
    page_1 = client.get(url)
    assert len(page_1.context["page_obj"].object_list) == 50
    assert 'rel="next"' in page_1.content.decode()
    page_2 = client.get(url, {"page": 2})
    assert len(page_2.context["page_obj"].object_list) == 6
    assert client.get(url, {"page": "nonsense"}).status_code == 200


def test_municipality_page(client, synthetic):
    muni = Municipality.objects.get(name="Lipnice")
    response = client.get(reverse("territory:municipality", kwargs={"municipality_code": muni.code}))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1>") == 1 and "Lipnice" in body
    assert muni.postal_code in body
    assert len(response.context["series"]) == 5
    assert response.context["has_age_bands"]
    crumbs = [label for label, _url in response.context["crumbs"]]
    assert crumbs[-3:] == ["Ukázkový kraj Sever (syntetická data)", "Lipnice (ukázka)", "Lipnice"]


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("territory:region", {"region_code": "CZ000"}),
        ("territory:orp", {"orp_code": 123456}),
        ("territory:municipality", {"municipality_code": "000000"}),
        ("territory:municipality", {"municipality_code": "nonsense"}),
    ],
)
def test_unknown_codes_give_404(client, synthetic, name, kwargs):
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404


def test_search_ignores_case_and_diacritics(client, synthetic):
    url = reverse("territory:search")
    response = client.get(url, {"q": "BREZI"})
    assert response.status_code == 200
    assert [m.name for m in response.context["page_obj"]] == ["Březí"]
    response = client.get(url, {"q": "lip"})
    names = [m.name for m in response.context["page_obj"]]
    assert names[0] == "Lipnice"  # prefix matches first
    assert "Vranov nad Lipnicí" in names


def test_search_empty_states(client, synthetic):
    url = reverse("territory:search")
    too_short = client.get(url, {"q": "a"})
    assert too_short.context["too_short"] and too_short.context["page_obj"] is None
    nothing = client.get(url, {"q": "Atlantida"})
    assert "Hledání neodpovídá žádná obec." in nothing.content.decode()
    blank = client.get(url)
    assert blank.status_code == 200 and blank.context["page_obj"] is None


def test_search_htmx_returns_only_the_results(client, synthetic):
    response = client.get(reverse("territory:search"), {"q": "lhota"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "Dolní Lhota" in body
    assert "HX-Request" in response["Vary"]


# --- query budgets ------------------------------------------------------------------------------------


def _grow_in(region, prefix="Lhota"):
    def grow(n: int) -> None:
        while Municipality.objects.filter(region=region).count() < n:
            make_municipality(region, name=f"{prefix} {Municipality.objects.count()}")

    return grow


def test_index_query_count_is_constant(client, db):
    """The index lists the regions: grow regions, each with a municipality."""
    from qmss.territory.models import Region

    def grow(n: int) -> None:
        for i in range(Region.objects.count(), n):
            make_municipality(make_region(f"CZ9{i:02d}", f"Kraj {i}"), name=f"Lhota {i}")

    assert_constant_queries(
        lambda: client.get(reverse("territory:index")), grow, count=Region.objects, small=1, large=14, max_queries=8
    )


def test_region_query_count_is_constant(client, db):
    region = make_region()
    url = reverse("territory:region", kwargs={"region_code": region.code})
    assert_constant_queries(lambda: client.get(url), _grow_in(region), count=region.municipalities, max_queries=8)


def test_orp_query_count_is_constant(client, db):
    region = make_region()
    orp = make_municipality(region, name="Sídlo").orp

    def grow(n: int) -> None:
        _grow_in(region)(n)
        Municipality.objects.update(orp=orp)

    url = reverse("territory:orp", kwargs={"orp_code": orp.ruian_code})
    assert_constant_queries(lambda: client.get(url), grow, count=orp.municipalities, max_queries=8)


def test_search_query_count_is_constant(client, db):
    region = make_region()
    url = reverse("territory:search")
    assert_constant_queries(
        lambda: client.get(url, {"q": "lhota"}),
        _grow_in(region),
        count=Municipality.objects.filter(name__icontains="lhota"),
        max_queries=8,
    )


def test_municipality_query_count(client, db):
    muni = make_municipality(make_region())
    url = reverse("territory:municipality", kwargs={"municipality_code": muni.code})

    def grow(n: int) -> None:
        """Population figures of more reference dates: the page shows one row per date."""
        for year in range(2024 - muni.population.count(), 2024 - n, -1):
            Population.objects.create(municipality=muni, reference_date=date(year, 1, 1), total=1000 + year)

    assert_constant_queries(lambda: client.get(url), grow, count=muni.population, small=1, large=5, max_queries=6)
