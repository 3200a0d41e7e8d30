"""Capacity the region can use, in a real browser: the region's network manager filters the catalogue by region and
ORP (the ORP list narrowed by htmx), reads the totals, downloads the XLSX with numeric capacity; the ORP and
municipality pages list the services there. axe finds no WCAG 2.0/2.1 A/AA violation on any of these pages."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from qmss.setup.demo import DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login


@pytest.fixture
def capacity_data(demo_data):
    from qmss.registry.testing import make_provider, make_service
    from qmss.territory.models import Municipality

    towns = list(Municipality.objects.filter(region__code="CZ991").select_related("orp", "region").order_by("code"))
    other_orp = next(t for t in towns if t.orp_id != towns[0].orp_id)
    south = Municipality.objects.filter(region__code="CZ992").select_related("orp").order_by("code").first()
    provider = make_provider("Domov Slunečnice, z. ú.", ico="12345678")
    home = make_service(
        provider, name="Domov pro seniory Slunečnice", kind="13", forms=[("pob", [("luzka", 41)])],
        municipalities=[towns[0]],
    )  # fmt: skip
    care = make_service(
        provider, name="Pečovatelská služba Slunečnice", kind="4", forms=[("ter", [("klient", 1)])],
        municipalities=[towns[0], south],
    )  # fmt: skip
    elsewhere = make_service(
        provider, name="Domov jinde", kind="13", forms=[("pob", [("luzka", 3)])], municipalities=[other_orp]
    )
    return {
        "town": towns[0],
        "other_orp": other_orp,
        "south": south,
        "home": home,
        "care": care,
        "elsewhere": elsewhere,
    }


def test_region_manager_filters_by_region_and_orp_sees_totals_and_exports(page, server_url, capacity_data):
    town = capacity_data["town"]
    login(page, server_url, "kraj", DEMO_PASSWORD)
    page.goto(f"{server_url}/registr/")
    expect(page.locator(".capacity-totals")).to_be_visible()
    assert_no_axe_violations(page, context="catalogue with capacity totals")

    orp_options = page.locator("#id_orp option")
    all_orps = orp_options.count()
    page.select_option("#id_region", "CZ991")
    expect(orp_options).not_to_have_count(all_orps)  # htmx replaced the ORP list by the region's ORPs
    assert capacity_data["south"].orp.name not in orp_options.all_text_contents()
    page.select_option("#id_orp", str(town.orp.ruian_code))
    page.locator("form.filters button[type=submit]").click()
    totals = page.locator(".capacity-totals")
    expect(totals).to_contain_text("41 lůžek")
    expect(totals).to_contain_text("1 klient")
    expect(totals).not_to_contain_text("44 lůžek")  # the other ORP's home is not in this ORP
    assert_no_axe_violations(page, context="catalogue filtered by region and ORP, with totals")

    with page.expect_download() as info:
        page.locator("a[href*='/registr/export/xlsx/']").first.click()
    assert info.value.suggested_filename.endswith(".xlsx")
    with open(info.value.path(), "rb") as handle:
        sheet = load_workbook(handle).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    value = (
        header.index("Registrovaná kapacita")
        if "Registrovaná kapacita" in header
        else header.index("Registered capacity")
    )
    assert sorted(row[value] for row in rows) == [1, 41]  # numbers, not "pobytová: 41 lůžek"


def test_without_js_the_orp_list_narrows_after_sending_the_region(browser, server_url, capacity_data):
    context = browser.new_context(java_script_enabled=False, locale="cs-CZ")
    try:
        page = context.new_page()
        login(page, server_url, "ctenar", DEMO_PASSWORD)
        page.goto(f"{server_url}/registr/?region=CZ991")
        names = page.locator("#id_orp option").all_text_contents()
        assert capacity_data["town"].orp.name in names and capacity_data["south"].orp.name not in names
    finally:
        context.close()


def test_municipality_autocomplete_offers_names(page, server_url, capacity_data):
    town = capacity_data["town"]
    login(page, server_url, "ctenar", DEMO_PASSWORD)
    page.goto(f"{server_url}/registr/")
    page.locator("#id_municipality").press_sequentially(town.name[:4].lower(), delay=50)
    option = page.locator("#municipality-suggestions option").first
    expect(option).to_have_attribute(
        "value", re.compile(rf"^{re.escape(town.name)} \(.*{re.escape(town.district.name)}\)$")
    )
    page.fill("#id_municipality", option.get_attribute("value"))  # what choosing the suggestion puts in the box
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("#catalogue-results")).to_contain_text("Domov pro seniory Slunečnice")
    expect(page.locator("#catalogue-results")).not_to_contain_text("Domov jinde")


def test_orp_and_municipality_pages_list_services_accessibly(page, server_url, capacity_data):
    town = capacity_data["town"]
    page.goto(f"{server_url}{town.orp.get_absolute_url()}")
    section = page.locator(".place-services")
    expect(section).to_contain_text("Domov pro seniory Slunečnice")
    expect(section).to_contain_text("41 lůžek")
    expect(section).not_to_contain_text("Domov jinde")
    assert_no_axe_violations(page, context="ORP page with its services")

    page.goto(f"{server_url}{town.get_absolute_url()}")
    expect(page.locator(".place-services")).to_contain_text("Pečovatelská služba Slunečnice")
    assert_no_axe_violations(page, context="municipality page with its services")
