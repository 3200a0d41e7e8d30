"""Registry pages in a real browser: catalogue, provider, service (with its SVG map), public check.

Every page visited must pass axe-core's WCAG 2.0/2.1 A and AA rules with zero violations.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from qmss.setup.demo import DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login


@pytest.fixture
def registry_data(demo_data):
    """A few services on the synthetic territory (committed: the live server uses transactional_db)."""
    from qmss.registry.testing import make_facility, make_provider, make_service
    from qmss.territory.models import Municipality

    towns = list(Municipality.objects.filter(region__code="CZ991").order_by("code")[:3])
    south = Municipality.objects.filter(region__code="CZ992").order_by("code").first()
    provider = make_provider("Domov Slunečnice, z. ú.", ico="12345678")
    home = make_service(
        provider,
        name="Domov pro seniory Slunečnice",
        kind="13",
        forms=[("pob", [("luzka", 40)])],
        municipalities=towns[:1],
        identifier="1234567",
        unmapped_codes=["CilovaSkupinaOsoby/99"],
    )
    make_facility(home, towns[1], name="Chráněné bydlení", secret_address=True)
    care = make_service(
        provider,
        name="Pečovatelská služba Slunečnice",
        kind="4",
        forms=[("ter", [("klient", 120)]), ("amb", [("klient", 15)])],
        municipalities=[*towns, south],
    )
    make_service(
        provider, name="Zrušené odlehčovací služby", kind="13", date_to=date(2020, 12, 31), municipalities=[south]
    )
    return {"provider": provider, "home": home, "care": care}


def _open(page, url: str):
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response.status if response else 'nothing'}"
    return response


def test_catalogue_is_accessible(page, server_url, registry_data):
    login(page, server_url, "kraj", DEMO_PASSWORD)
    _open(page, f"{server_url}/registr/")
    expect(page.locator("h1").first).to_be_visible()
    expect(page.locator("table.catalogue-table")).to_contain_text("Domov pro seniory Slunečnice")
    assert_no_axe_violations(page, context="registry catalogue as the region's network manager")

    page.select_option("#id_kind", "4")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("#catalogue-results table.catalogue-table tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/registr/\?.*kind=4"))  # htmx pushed the filtered URL
    assert_no_axe_violations(page, context="registry catalogue filtered with htmx")


def test_provider_and_service_pages_are_accessible(page, server_url, registry_data):
    login(page, server_url, "ctenar", DEMO_PASSWORD)
    _open(page, f"{server_url}{registry_data['provider'].get_absolute_url()}")
    expect(page.locator("h1")).to_contain_text("Domov Slunečnice")
    assert_no_axe_violations(page, context="registry provider page")

    _open(page, f"{server_url}{registry_data['care'].get_absolute_url()}")
    expect(page.locator("h1")).to_contain_text("Pečovatelská služba Slunečnice")
    svg = page.locator("svg[role=img]")
    expect(svg).to_have_count(1)
    expect(svg.locator("circle")).to_have_count(4)
    assert_no_axe_violations(page, context="registry service page with a map")

    _open(page, f"{server_url}{registry_data['home'].get_absolute_url()}")
    expect(page.locator("body")).to_contain_text("CilovaSkupinaOsoby/99")
    assert_no_axe_violations(page, context="registry service page with unmapped codes and a secret address")


def test_public_check_is_accessible(page, server_url, registry_data):
    _open(page, f"{server_url}/overeni-registrace/")
    expect(page.locator("h1")).to_be_visible()
    assert_no_axe_violations(page, context="registration check (anonymous)")

    page.fill("#check-q", "slunecnice")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("#check-results")).to_contain_text("Domov pro seniory Slunečnice")
    assert_no_axe_violations(page, context="registration check with results")

    _open(page, f"{server_url}/overeni-registrace/?q=neexistujici+poskytovatel")
    expect(page.locator("#unregistered-title")).to_be_visible()
    assert_no_axe_violations(page, context="registration check, nothing found")
