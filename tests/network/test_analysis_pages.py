"""The public analysis pages: the region table, the choropleth, the XLSX export, a network as the capacity source,
escaping, and a query budget that does not grow with ORPs and services."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse

from qmss.registry.testing import make_service
from qmss.testing.factories import make_municipality, make_region
from qmss.testing.queries import count_queries

pytestmark = pytest.mark.django_db

BEDS = (("pob", (("luzka", 40),)),)
SQUARE = {"type": "Polygon", "coordinates": [[[17.0, 49.0], [17.1, 49.0], [17.1, 49.1], [17.0, 49.1], [17.0, 49.0]]]}


def _shift(geometry, dx):
    ring = [[x + dx, y] for x, y in geometry["coordinates"][0]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def region_data():
    region = make_region("CZ983", "Analytický kraj")
    a = make_municipality(region, name="Alfa <b>", population=10000)  # 2100 aged 65+
    b = make_municipality(region, name="Beta", population=5000)  # 1050
    for index, municipality in enumerate((a, b)):
        municipality.orp.boundary = _shift(SQUARE, index * 0.1)
        municipality.orp.save()
    make_service(kind="13", forms=BEDS, municipalities=[a])
    make_service(kind="14", forms=(("pob", (("luzka", 21),)),), municipalities=[a, b])
    make_service(kind="13", forms=(("ter", (("klient", 500),)),), municipalities=[b])  # clients: never added
    return region, a, b


def _url(region, name="network:analysis_region"):
    return reverse(name, kwargs={"region_code": region.code})


def test_the_region_page_shows_every_orp_with_beds_per_1000(region_data):
    region, a, b = region_data
    response = Client().get(_url(region))
    assert response.status_code == 200
    html = response.content.decode()
    # Alfa: 40 + 10.5 beds / 2100 → 24.05; Beta: 10.5 / 1050 → 10.00
    assert f'<tr data-orp="{a.orp.ruian_code}">' in html
    assert 'data-per-1000="24.05"' in html and "24,05" in html
    assert 'data-per-1000="10.00"' in html and "10,00" in html
    assert "ORP Alfa &lt;b&gt;" in html and "ORP Alfa <b>" not in html  # escaped in the table and in the map
    assert "OECD 2021" in html and ("neověřeno" in html or "not verified" in html)
    assert html.count('class="analysis-orp"') == 2
    drawing = re.search(r"<svg[^>]*class=\"analysis-map\".*?</svg>", html, flags=re.S).group(0)
    ElementTree.fromstring(drawing)  # well-formed XML
    assert 'patternUnits="userSpaceOnUse"' in drawing  # classes are patterns, not colour alone
    assert re.search(r"<title>ORP Alfa &lt;b&gt;: 24,05", html)


def test_the_index_redirects_to_the_region_and_links_every_region(region_data):
    region, *_rest = region_data
    client = Client()
    page = client.get(reverse("network:analysis"))
    assert page.status_code == 200 and _url(region) in page.content.decode()
    response = client.get(reverse("network:analysis"), {"kraj": region.code, "skupina": "residential_seniors"})
    assert response.status_code == 302 and response["Location"].startswith(_url(region))
    assert client.get(reverse("network:analysis"), {"kraj": "XX999"}).status_code == 404
    assert client.get(_url(region), {"skupina": "nic"}).status_code == 404
    assert client.get(_url(region), {"sit": "abc"}).status_code == 404
    single = client.get(_url(region), {"druh": "14"}).content.decode()
    assert 'data-per-1000="5.00"' in single  # 10.5 beds of kind 14 / 2100 in Alfa


def test_the_export_holds_numbers(region_data):
    from openpyxl import load_workbook

    region, a, _b = region_data
    response = Client().get(_url(region, "network:analysis_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code[a.orp.ruian_code][0] == "ORP Alfa <b>"
    assert by_code[a.orp.ruian_code][2] == pytest.approx(50.5)
    assert by_code[a.orp.ruian_code][4] == pytest.approx(24.05)
    assert isinstance(by_code[a.orp.ruian_code][3], int)


def test_a_network_can_be_the_capacity_source(region_data):
    from qmss.network.models import NetworkEntry, NetworkVersion, Tier
    from qmss.testing.factories import make_org

    region, a, b = region_data
    org = make_org("region", region=region)
    from qmss.network.models import Network

    network = Network.objects.create(
        organisation=org, region=region, name="Síť", period_start="2026-01-01", period_end="2028-12-31"
    )
    tier = Tier.objects.create(network=network, code="zakladni", name="Základní", order=1)
    version = NetworkVersion.objects.create(network=network, number=1)
    service = make_service(kind="13", forms=BEDS, municipalities=[a])
    NetworkEntry.objects.create(
        version=version, service=service, capacity=Decimal(7), unit="luzka", orp_codes=[b.orp.ruian_code], tier=tier
    )
    html = Client().get(_url(region), {"sit": network.pk}).content.decode()
    assert 'data-per-1000="6.67"' in html  # 7 beds / 1050 in Beta; nothing in Alfa
    assert 'data-per-1000="0.00"' in html
    other = make_region("CZ984", "Jiný kraj")
    assert Client().get(_url(other), {"sit": network.pk}).status_code == 404


def test_queries_do_not_grow_with_orps_and_services(region_data):
    region, a, b = region_data
    client = Client()
    client.get(_url(region))  # warm the rules library cache
    small, _sql = count_queries(lambda: client.get(_url(region)))
    for _ in range(4):
        municipality = make_municipality(region)
        make_service(kind="13", forms=BEDS, municipalities=[municipality, a])
    large, _sql = count_queries(lambda: client.get(_url(region)))
    assert small == large
    assert large <= 30


def test_the_region_dashboard_links_the_analysis(tenant_a):
    from qmss.core.roles import OrganisationKind, Role

    client = Client()
    client.force_login(tenant_a.user(OrganisationKind.REGION, Role.ADMIN))
    page = client.get("/").content.decode()
    assert _url(tenant_a.region) in page
    provider = Client()
    provider.force_login(tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN))
    assert _url(tenant_a.region) not in provider.get("/").content.decode()
    assert Client().get(_url(tenant_a.region)).status_code == 200  # public, no login
