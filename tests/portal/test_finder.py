"""The public finder: coverage, order, nearby, filters, places, suggestions and the page itself."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from qmss.core.collation import sort_key
from qmss.portal import finder
from qmss.portal.testing_finder import add_network, make_finder_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a):
    finder.reset_index()
    world = make_finder_world()
    add_network(world, tenant_a)
    return world


def _names(hits):
    return [h.name for h in hits]


def _home(world):
    return finder.resolve_place(municipality_code=world.municipalities["home"].code)


def test_haversine_is_kilometres():
    assert finder.haversine_km(50.0, 14.0, 50.0, 14.0) == 0
    assert finder.haversine_km(49.0, 15.0, 50.0, 15.0) == pytest.approx(111.2, abs=0.2)


def test_hits_are_exactly_the_covering_active_services_nearest_first(world):
    s = world.services
    result = finder.find(place=_home(world), kind_codes=None, target_group=None, form=None)
    # Facilities in the municipality (the secret one at the municipality's point), then the network services:
    # the ORP's and the municipality's entries. Not: the facility in the same ORP without a network entry,
    # the ended service, the services elsewhere.
    assert {h.service_id for h in result.hits} == {
        s[k].pk for k in ("home_senior", "home_field", "secret", "network_orp", "network_municipality")
    }
    assert result.total == 5
    distances = [h.distance_km for h in result.hits]
    assert distances == sorted(distances)
    assert result.hits[0].distance_km == 0 and result.hits[-1].name == "Aktivizace Daleká"
    by_name = {h.name: h for h in result.hits}
    assert by_name["Domov Lhota"].covered_by == "facility"
    assert by_name["Poradna Žďár"].covered_by == "network"
    assert any("ORP" in r for r in by_name["Poradna Žďár"].reasons)
    assert any("Lhota" in r for r in by_name["Aktivizace Daleká"].reasons)
    assert by_name["Azylový dům"].distance_km == 0  # never the unpublished address's own position
    assert "Skončená Lhota" not in _names(result.hits + result.nearby)


def test_nearby_are_separate_within_25_km(world):
    result = finder.find(place=_home(world), kind_codes=None, target_group=None, form=None)
    nearby = _names(result.nearby)
    assert "Domov Žďár" in nearby and "Pečovatelská Ždírec" in nearby
    assert "Domov Daleká" not in nearby  # 60 km
    assert not set(nearby) & set(_names(result.hits))
    assert all(h.covered_by == "nearby" and h.distance_km <= finder.NEARBY_KM for h in result.nearby)
    assert all("nepůsobí v obci" in h.reasons[0] or "does not cover" in h.reasons[0] for h in result.nearby)


def test_filters_by_kind_target_group_and_form(world):
    place = _home(world)
    only_homes = finder.find(place=place, kind_codes={"13"}, target_group=None, form=None)
    assert set(_names(only_homes.hits)) == {"Domov Lhota", "Azylový dům"}
    assert _names(only_homes.nearby) == ["Domov Žďár"]
    carers = finder.find(place=place, kind_codes=None, target_group="26", form=None)
    assert _names(carers.hits) == ["Asistence Lhota"]
    field = finder.find(place=place, kind_codes=None, target_group=None, form="ter")
    assert _names(field.hits) == ["Asistence Lhota"]
    assert any("terénní" in r for r in field.hits[0].reasons)
    assert finder.find(place=place, kind_codes=set(), target_group=None, form=None).total == 0


def test_resolve_place_by_code_and_position(world):
    m = world.municipalities
    place = _home(world)
    assert (place.municipality_code, place.label, place.orp_code) == ("981001", "Lhota", str(m["home"].orp.ruian_code))
    assert finder.resolve_place(municipality_code="999999") is None
    near_me = finder.resolve_place(lat=49.90, lon=15.49)
    assert near_me.municipality_code == m["near"].code and near_me.lat == 49.90
    assert finder.resolve_place(lat=None, lon=15.0) is None
    assert finder.resolve_place(lat=float("nan"), lon=15.0) is None


def test_names_resolve_diacritics_and_districts(world):
    assert [m.code for m in finder.municipalities_named("zdirec")] == ["981003"]
    assert len(finder.municipalities_named("LHOTA")) == 2
    twin = world.municipalities["twin"]
    label = finder.municipality(twin.code).label
    assert label.startswith("Lhota (") and twin.district.name in label
    assert [m.code for m in finder.municipalities_named(label)] == [twin.code]
    assert finder.municipalities_named("Atlantida") == []


def test_index_follows_registry_and_network_changes(world, tenant_a):
    from qmss.network.testing_networks import make_network
    from qmss.registry.testing import make_service

    place = _home(world)
    assert finder.find(place=place, kind_codes=None, target_group=None, form=None).total == 5
    make_service(name="Nová služba", kind="13", municipalities=[world.municipalities["home"]])
    assert finder.find(place=place, kind_codes=None, target_group=None, form=None).total == 6
    # A new network (a new version) reaches the index too: its entry serves the ORP of its facility.
    make_network(tenant_a, services=[world.services["orp_facility"]], name="Druhá síť")
    hits = finder.find(place=place, kind_codes=None, target_group=None, form=None).hits
    assert "Pečovatelská Ždírec" in _names(hits)


def test_suggestions_are_diacritics_insensitive_czech_ordered_with_district(client, world):
    response = client.get(reverse("portal:municipality_suggest"), {"q": "zd"})
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("Žďár") < text.index("Ždírec")  # "starts with" and Czech order (ď before í)
    assert "okres" in text
    data = client.get(reverse("portal:municipality_suggest"), {"q": "lhot", "format": "json"}).json()["results"]
    labels = [r["label"] for r in data]  # namesakes told apart by their district, in Czech order
    assert labels == sorted(labels, key=sort_key) and len(data) == 2
    assert client.get(reverse("portal:municipality_suggest"), {"q": "l"}).content.strip() == b""


def test_page_without_javascript_lists_hits_reasons_and_nearby(client, world):
    from qmss.registry.testing import make_provider, make_service

    make_service(make_provider("<i>Poskytovatel</i>"), name="<b>Zlý</b>", municipalities=[world.municipalities["home"]])
    response = client.get(reverse("portal:finder"), {"obec": world.municipalities["home"].code})
    html = response.content.decode()
    assert "&lt;b&gt;Zlý&lt;/b&gt;" in html and "<b>Zlý" not in html
    assert "&lt;i&gt;Poskytovatel&lt;/i&gt;" in html and "<i>Poskytovatel" not in html
    assert response.status_code == 200
    for name in ("Domov Lhota", "Poradna Žďár", "Aktivizace Daleká", "Domov Žďár"):
        assert name in html
    assert "Skončená Lhota" not in html and "Domov Daleká" not in html
    assert gettext("has a facility in %(place)s") % {"place": "Lhota"} in html
    assert "km" in html and "finder-nearby" in html and "<svg" in html
    assert html.index("Aktivizace Daleká") < html.index("finder-nearby")
    assert html.index("finder-nearby") < html.index("Domov Žďár")
    assert "private" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    assert "sessionid" not in response.cookies
    assert tenant_names_absent(html)


def tenant_names_absent(html: str) -> bool:
    from qmss.core.models import Organisation

    return not any(name in html for name in Organisation.objects.values_list("name", flat=True) if name)


def test_page_empty_states_name_choices_and_position(client, world):
    url = reverse("portal:finder")
    assert "Zadejte" in client.get(url).content.decode() or client.get(url).status_code == 200
    ambiguous = client.get(url, {"obec": "Lhota", "forma": "ter"}).content.decode()
    assert "Kterou obec" in ambiguous or "Which municipality" in ambiguous
    assert "obec=981001" in ambiguous and "obec=981002" in ambiguous and "forma=ter" in ambiguous
    unknown = client.get(url, {"obec": "Atlantida"})
    assert unknown.status_code == 200 and 'aria-invalid="true"' in unknown.content.decode()
    by_name = client.get(url, {"obec": "zdirec"}).content.decode()
    assert "Pečovatelská Ždírec" in by_name
    near_me = client.get(url, {"lat": "49,90", "lon": "15.49"}).content.decode()
    assert "Domov Žďár" in near_me and "Žďár" in near_me
    odd = client.get(url, {"lat": "nan", "lon": "x", "skupina": "nope", "potreba": "nope", "strana": "99"})
    assert odd.status_code == 200


def test_page_queries_do_not_grow_with_results(client, world):
    from qmss.registry.models import Service
    from qmss.registry.testing import make_service
    from qmss.testing.queries import assert_constant_queries

    home = world.municipalities["home"]
    url = reverse("portal:finder") + f"?obec={home.code}"

    def grow(n):
        while Service.objects.filter(facilities__municipality=home, name__startswith="Růst").count() < n:
            make_service(name="Růst", kind="13", municipalities=[home])
        finder.get_index()  # the index is rebuilt once per data change, not per request

    assert_constant_queries(
        lambda: client.get(url),
        grow,
        count=lambda: Service.objects.filter(name="Růst").count(),
        small=1,
        large=6,
        max_queries=4,
        rows=lambda response: response.content.decode().count('class="card finder-hit"'),
    )


def test_needs_choose_kinds_and_give_reasons(client, world, monkeypatch):
    from qmss.portal import forms_finder

    monkeypatch.setattr(forms_finder, "need_choices", lambda: [("Péče", [("pece-doma", "péče v domácnosti")])])
    monkeypatch.setattr(forms_finder, "kinds_for_needs", lambda codes: {"3": ["pece-doma"]})
    html = client.get(
        reverse("portal:finder"), {"obec": world.municipalities["home"].code, "potreba": "pece-doma"}
    ).content.decode()
    assert "Asistence Lhota" in html and "Domov Lhota" not in html
    assert "péče v domácnosti" in html
