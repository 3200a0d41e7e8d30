"""Provider and service pages (with the SVG map and the change history), and the link from an organisation."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from qmss.core.roles import OrganisationKind, Role
from qmss.registry import maps
from qmss.registry.models import RegistryChange, Service
from qmss.registry.testing import (
    link_verified,
    make_catalogue_sample,
    make_change,
    make_facility,
    make_import,
    make_service,
)
from qmss.testing.factories import make_municipality, make_org, make_region, make_user
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(db):
    return make_catalogue_sample()


@pytest.fixture
def client_in(db) -> Client:
    client = Client()
    client.force_login(make_user("ctenar"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- provider ---------------------------------------------------------------------------------------------------


def test_provider_page(client_in, sample):
    p2 = sample["p2"]
    make_facility(sample["s3"], sample["m3"], name="Azylový dům", secret_address=True)
    response = client_in.get(f"/registr/poskytovatel/{p2.ico}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Charita Beta</h1>" in body and p2.ico in body
    assert [s.name for s in response.context["services"]] == ["Aktivizace Beta", "Zrušený domov Beta"]  # active first
    assert response.context["active_count"] == 1
    assert 'href="mailto:info' in body and 'href="https://www.poskytovatel' in body and 'href="tel:' in body
    assert "address not published" in body
    assert "Hlavní 1" in body
    assert sample["m3"].get_absolute_url() in body
    assert "This provider also uses QMSS." not in body


def test_provider_page_says_when_the_provider_uses_qmss(client_in, sample):
    org = make_org(OrganisationKind.PROVIDER, "Tajný název v QMSS", ico=sample["p1"].ico, email="tajne@org.test")
    assert "This provider also uses QMSS." not in client_in.get(sample["p1"].get_absolute_url()).content.decode()
    link_verified(org, sample["p1"])  # only a verified link counts, not the typed IČO
    body = client_in.get(sample["p1"].get_absolute_url()).content.decode()
    assert "This provider also uses QMSS." in body
    assert org.name not in body and org.email not in body


def test_unknown_provider_is_404(client_in, db):
    assert client_in.get("/registr/poskytovatel/00000000/").status_code == 404
    assert client_in.get("/registr/poskytovatel/nonsense/").status_code == 404


def test_provider_page_needs_login(client, sample):
    assert client.get(sample["p1"].get_absolute_url()).status_code == 302


def test_provider_page_query_count_is_constant(client_in, sample):
    region = sample["region_a"]
    municipality = make_municipality(region, name="Rostov")
    provider = sample["p1"]

    def grow(n: int) -> None:
        for i in range(Service.objects.filter(provider=provider).count(), n):
            make_service(
                provider, name=f"Další {i}", forms=[("pob", [("luzka", i + 1)])], municipalities=[municipality]
            )

    assert_constant_queries(
        lambda: client_in.get(provider.get_absolute_url()),
        grow,
        count=Service.objects.filter(provider=provider),
        small=3,
        large=30,
    )


# --- service ----------------------------------------------------------------------------------------------------


def test_service_page(client_in, sample):
    s2 = sample["s2"]
    response = client_in.get(f"/registr/sluzba/{s2.portal_id}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Pečovatelská služba Úsměv" in body
    assert "§40 pečovatelská služba" in body
    assert "social care services" in body
    assert "2222222" in body and sample["p1"].get_absolute_url() in body
    assert "terénní: 120 klientů" in body and "not the number of free places" in body
    assert "senioři" in body
    assert sample["m1"].get_absolute_url() in body and sample["m1"].orp.get_absolute_url() in body
    assert sample["region_a"].get_absolute_url() in body
    assert "No changes of this service have been recorded" in body
    assert "Codes not in the reference data" not in body


def test_service_page_map_and_places(client_in, db):
    region = make_region("CZ991", "Kraj Mapa")
    region.boundary = {
        "type": "MultiPolygon",
        "coordinates": [[[[14.0, 50.0], [15.0, 50.0], [15.0, 50.8], [14.0, 50.8], [14.0, 50.0]]]],
    }
    region.save()
    town = make_municipality(region, name="Mapov")
    service = make_service(
        name="Služba s mapou",
        facilities=[
            {
                "municipality": town,
                "name": "Dům A",
                "latitude": 50.4,
                "longitude": 14.5,
                "coordinates_approximate": False,
            },
            {"municipality": town, "name": "Dům B", "latitude": 50.2, "longitude": 14.2},
            {"municipality": town, "name": "Azyl", "latitude": 50.3, "longitude": 14.3, "secret_address": True},
            {"municipality": town, "name": "Bez souřadnic"},
        ],
    )
    body = client_in.get(service.get_absolute_url()).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in body and 'role="img"' in body
    assert 'aria-label="Map of Kraj Mapa with 2 places of the service' in body
    assert body.count("<circle") == 2  # the secret address and the place without coordinates are not drawn
    assert "<title>Dům A, Hlavní 1, Mapov</title>" in body
    assert "Dům B, Hlavní 1, Mapov (approximate location)" in body
    assert '<path d="M' in body
    for name in ("Dům A", "Dům B", "Azyl", "Bez souřadnic"):  # the text list has every place
        assert name in body
    assert "address not published" in body


def test_service_page_without_coordinates_has_no_map(client_in, sample):
    body = client_in.get(sample["s1"].get_absolute_url()).content.decode()
    assert "<svg" not in body


def test_service_page_lists_unmapped_codes(client_in, db):
    service = make_service(unmapped_codes=["CilovaSkupinaOsoby/99"])
    body = client_in.get(service.get_absolute_url()).content.decode()
    assert "Codes not in the reference data" in body and "CilovaSkupinaOsoby/99" in body


def test_service_history_newest_first_without_dry_runs(client_in, sample):
    s1 = sample["s1"]
    old = make_import()
    new = make_import()
    make_change(s1, old, kind=RegistryChange.Kind.NEW, field="")
    make_change(s1, new, field="name", old="Domov Úsměv", new="Domov pro seniory Úsměv")
    make_change(s1, make_import(dry_run=True), field="name", old="X", new="Nezapsáno")
    response = client_in.get(s1.get_absolute_url())
    changes = list(response.context["changes"])
    assert [c.registry_import_id for c in changes] == [new.pk, old.pk]
    body = response.content.decode()
    assert '<span class="diff-old">Domov Úsměv</span>' in body
    assert '<span class="diff-new">Domov pro seniory Úsměv</span>' in body
    assert "Nezapsáno" not in body


def test_unknown_service_is_404(client_in, db):
    assert client_in.get("/registr/sluzba/999999999/").status_code == 404


def test_service_page_query_count_is_constant(client_in, db):
    region = make_region("CZ991", "Kraj")
    towns = [make_municipality(region, name=f"Obec {i}") for i in range(3)]
    service = make_service(name="Rostoucí")

    def grow(n: int) -> None:
        for i in range(service.facilities.count(), n):
            make_facility(service, towns[i % 3], name=f"Místo {i}", latitude=50 + i / 100, longitude=15)
            form = service.forms.first()
            form.capacities.create(type_code=f"TypKapacitySocialniSluzby/x{i}", count=i + 1)
            make_change(service, field=f"pole{i}", old=i, new=i + 1)

    assert_constant_queries(
        lambda: client_in.get(service.get_absolute_url()), grow, count=service.facilities, small=1, large=25
    )


# --- the map itself ---------------------------------------------------------------------------------------------


def test_render_map_projects_and_escapes():
    svg = maps.render_map(
        [{"type": "Polygon", "coordinates": [[[14, 50], [16, 50], [16, 51], [14, 51], [14, 50]]]}],
        [maps.MapPoint(latitude=50.5, longitude=15.0, title="<b>Dům & zahrada</b>")],
        label='Mapa "kraje"',
        width=400,
        height=300,
    )
    # 2° of longitude × cos(50.5°) ≈ 1.27 wide, 1° tall: the height limits, the width follows the shape
    assert svg.startswith("<svg") and 'viewBox="0 0 375 300"' in svg and 'width="375" height="300"' in svg
    assert 'aria-label="Mapa &quot;kraje&quot;"' in svg
    assert "&lt;b&gt;Dům &amp; zahrada&lt;/b&gt;" in svg
    centre = re.search(r'cx="([\d.]+)" cy="([\d.]+)"', svg)
    assert abs(float(centre[1]) - 375 / 2) < 1 and float(centre[2]) == 150  # the outline's centre is the picture's
    assert maps.render_map([None], [], label="x") == ""
    points_only = maps.render_map([], [maps.MapPoint(50.0, 14.0, "A")], label="x")
    assert "<circle" in points_only and "<path" not in points_only


def test_map_rings_of_a_multipolygon_with_a_hole():
    geometry = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 1]]],
            [[[5, 5], [6, 5], [6, 6], [5, 5]]],
        ],
    }
    assert len(maps._rings(geometry)) == 3
    assert maps._rings({"type": "Point", "coordinates": [1, 2]}) == []


# --- organisation page ------------------------------------------------------------------------------------------


def test_organisation_page_links_the_registry_provider(sample):
    org = make_org(OrganisationKind.PROVIDER, "Úsměv v QMSS", ico=sample["p1"].ico)
    link_verified(org, sample["p1"])
    admin = make_user("spravce", org=org, role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(org.get_absolute_url())
    body = response.content.decode()
    assert sample["p1"].get_absolute_url() in body
    assert "2 services, 2 registered now" in body
    provider = response.context["linked"]
    assert provider.services_count == 2 and provider.active_services_count == 2

    other = make_org(OrganisationKind.PROVIDER, "Bez ověření", ico=sample["p2"].ico)  # a typed IČO links nothing
    make_user("druhy", org=other, role=Role.ADMIN)
    client.force_login(other.memberships.first().user)
    body = client.get(other.get_absolute_url()).content.decode()
    assert "Not linked." in body and sample["p2"].get_absolute_url() not in body


def test_organisation_page_query_count_does_not_depend_on_services(sample):
    org = make_org(OrganisationKind.PROVIDER, "Úsměv v QMSS", ico=sample["p1"].ico)
    link_verified(org, sample["p1"])
    client = Client()
    client.force_login(make_user("spravce", org=org, role=Role.ADMIN))

    def grow(n: int) -> None:
        for i in range(Service.objects.filter(provider=sample["p1"]).count(), n):
            make_service(sample["p1"], name=f"S {i}", date_to=date(2020, 1, 1) if i % 2 else None)

    assert_constant_queries(
        lambda: client.get(org.get_absolute_url()),
        grow,
        count=Service.objects.filter(provider=sample["p1"]),
        small=2,
        large=20,
        rows=lambda response: response.context["linked"].services_count,  # the page shows the count
    )


def test_decimal_coordinates_are_accepted():
    point = maps.MapPoint(latitude=Decimal("50.1"), longitude=Decimal("14.2"), title="x")
    assert "<circle" in maps.render_map([], [point], label="x")
