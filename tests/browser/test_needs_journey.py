"""The needs journey in a real browser: a provider fills the service card of its service and the report of an open
data-collection round (htmx autosave, Czech number input) and submits it; the region approves it; the region's
evaluation dashboard shows the indicator computed from it (occupancy), next to last year's synthetic round.

Every page visited must pass axe-core's WCAG 2.0/2.1 A and AA rules with zero violations.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from qmss.setup.demo import DEMO_ORGS, DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login

SERVICE_NAME = "Domov pro seniory Slunečnice"
CAPACITY = 40
# The report of a 40-bed home for seniors over a whole year, as typed (Czech decimal commas where decimal).
REPORT = {
    ("users", "u18"): "0",
    ("users", "18_64"): "2",
    ("users", "65_79"): "14",
    ("users", "80p"): "32",
    ("new_users", ""): "12",
    ("refused", "not_provided"): "3",
    ("refused", "capacity"): "25",
    ("refused", "health"): "2",
    ("refused", "terminated"): "0",
    ("waiting_list", ""): "60",
    ("bed_days", ""): "13500",
    ("direct_hours", ""): "30000",
    ("fte", "social_worker"): "1,5",
    ("fte", "care_worker"): "17",
    ("fte", "health_staff"): "5",
    ("fte", "other_direct"): "1",
    ("fte", "management"): "2",
    ("fte", "operations"): "8",
    ("costs", "personnel"): "20000000",
    ("costs", "operating"): "7000000",
    ("costs", "services"): "2000000",
    ("costs", "other"): "500000",
    ("revenues", "users"): "13000000",
    ("revenues", "health_insurance"): "1500000",
    ("revenues", "public_subsidy"): "11000000",
    ("revenues", "municipality"): "2000000",
    ("revenues", "eu_projects"): "0",
    ("revenues", "other"): "500000",
}


def _open(page, url: str):
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response.status if response else 'nothing'}"
    return response


def _click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def _year_days(year: int) -> int:
    return (date(year, 12, 31) - date(year, 1, 1)).days + 1


@pytest.fixture
def needs_data(demo_data):
    """Reference data and the needs libraries, the demo provider verified as the provider of a 40-bed home for
    seniors in the demo region, last year's synthetic closed round and this year's open round (opened by the
    region through its action), all committed for the live server."""
    from qmss.assessments.testing import link_provider_to_registry
    from qmss.core.models import Organisation
    from qmss.needs import actions_rounds
    from qmss.needs.demo import generate_round
    from qmss.needs.library import load_all
    from qmss.registry.reference import load_reference

    load_reference()
    load_all()
    kind, name = DEMO_ORGS["provider"]
    provider = Organisation.objects.get(kind=kind, name=name)
    provider.ico = "27182818"
    provider.save(update_fields=["ico"])
    service = link_provider_to_registry(
        provider, service_name=SERVICE_NAME, kind="13", forms=(("pob", (("luzka", CAPACITY),)),)
    )
    kind, name = DEMO_ORGS["region"]
    region_org = Organisation.objects.get(kind=kind, name=name)
    manager = region_org.memberships.get(user__username="kraj").user
    year = date.today().year
    previous = generate_round(
        organisation=region_org,
        region=region_org.region,
        services=[service],
        period_start=date(year - 1, 1, 1),
        period_end=date(year - 1, 12, 31),
        state="closed",
        seed="journey",
    )
    collection_round = actions_rounds.create_round(
        user=manager,
        organisation=region_org,
        name=f"Sběr dat o službách {year}",
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        deadline=date(year + 1, 1, 31),
    )
    actions_rounds.open_round(user=manager, round=collection_round)
    return {
        "provider": provider,
        "service": service,
        "region_org": region_org,
        "round": collection_round,
        "previous": previous,
        "year": year,
    }


def test_provider_reports_region_approves_dashboard_shows_the_indicator(page, browser, server_url, needs_data):
    from qmss.needs.models import ServiceCard, Submission

    provider, service, collection_round = needs_data["provider"], needs_data["service"], needs_data["round"]
    year = needs_data["year"]

    # --- the provider's service card, reached from its dashboard -----------------------------------------------
    login(page, server_url, "poskytovatel", DEMO_PASSWORD)
    _open(page, f"{server_url}/")
    cards_link = page.locator(f"main a[href='/potreby/karty-sluzeb/organizace/{provider.pk}/']").first
    expect(cards_link).to_be_visible()
    _click_and_wait(page, cards_link)
    expect(page.locator("main table")).to_contain_text(SERVICE_NAME)
    assert_no_axe_violations(page, context="service cards of the provider")
    _click_and_wait(page, page.locator("main table form button[type=submit]").first)
    card = ServiceCard.objects.get(service=service, year=year)
    expect(page).to_have_url(re.compile(rf"/potreby/karty-sluzeb/karta/{card.pk}/$"))
    assert_no_axe_violations(page, context="service card form")

    responses = page.locator("main select[name^='response_']")
    count = responses.count()
    assert count >= 3
    basic = 0
    for i in range(count):
        select = responses.nth(i)
        need_pk = select.get_attribute("name").removeprefix("response_")
        activity = page.locator(f"select[name='activity_{need_pk}']")
        options = [v for v in activity.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
        if i % 3 != 2 and options:
            select.select_option("basic_activity")
            activity.select_option(options[0])
            basic += 1
        else:
            select.select_option("brokering" if i % 2 else "referral")
    assert basic > 0
    _click_and_wait(page, page.locator("main form button[name=confirm]"))
    card.refresh_from_db()
    assert card.state == ServiceCard.State.CONFIRMED, page.locator("main").inner_text()[:2000]
    assert_no_axe_violations(page, context="confirmed service card")

    # --- the report of the open round, reached from "My reports" ----------------------------------------------
    submission = Submission.objects.get(round=collection_round, service=service)
    _open(page, f"{server_url}/potreby/sber/moje-vykazy/")
    assert_no_axe_violations(page, context="my reports")
    _click_and_wait(page, page.locator(f"main a[href='/potreby/sber/vykaz/{submission.pk}/']").first)
    expect(page.locator("h1")).to_contain_text(SERVICE_NAME)
    assert_no_axe_violations(page, context="report form")

    # one value through the htmx autosave (typing and leaving the field) ...
    first = page.locator("input[name='v__new_users__']")
    first.fill(REPORT[("new_users", "")])
    first.blur()
    section = page.locator("form.rounds-section:has(input[name='v__new_users__'])")
    expect(section.locator("[role=status]")).to_contain_text("Uloženo")
    # ... the rest section by section: values set, then one change event per section (one autosave each)
    forms = page.locator("form.rounds-section:has(input[name^='v__'])")
    for index in range(forms.count()):
        form = forms.nth(index)
        anchor = form.get_attribute("id")
        names = form.locator("input[name^='v__']").evaluate_all("els => els.map(e => e.name)")
        typed = False
        for field_name in names:
            code, category = field_name.removeprefix("v__").split("__", 1)
            value = REPORT.get((code, category))
            if value is not None:
                form.locator(f"input[name='{field_name}']").evaluate("(el, v) => { el.value = v; }", value)
                typed = True
        if typed:
            form.evaluate("f => f.dispatchEvent(new Event('change', {bubbles: true}))")
            expect(page.locator(f"form#{anchor} [role=status]")).to_contain_text("Uloženo")
    assert_no_axe_violations(page, context="report form filled in")

    _click_and_wait(page, page.locator("form:has(#submit-title) button[type=submit]"))
    submission.refresh_from_db()
    errors = page.locator(".error-summary").all_inner_texts()
    assert submission.state == Submission.State.SUBMITTED, errors
    assert_no_axe_violations(page, context="submitted report")

    # --- the region approves, from its round page -------------------------------------------------------------
    region_context = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900})
    region_page = region_context.new_page()
    try:
        login(region_page, server_url, "kraj", DEMO_PASSWORD)
        _open(region_page, f"{server_url}/potreby/sber/{collection_round.pk}/")
        assert_no_axe_violations(region_page, context="round page of the region")
        _click_and_wait(region_page, region_page.locator(f"main a[href='/potreby/sber/vykaz/{submission.pk}/']").first)
        assert_no_axe_violations(region_page, context="submitted report seen by the region")
        _click_and_wait(
            region_page, region_page.locator(f"main a[href='/potreby/sber/vykaz/{submission.pk}/schvalit/']")
        )
        assert_no_axe_violations(region_page, context="approval confirmation")
        _click_and_wait(region_page, region_page.locator("main form[method=post] button[type=submit]").first)
        submission.refresh_from_db()
        assert submission.state == Submission.State.APPROVED

        # --- the evaluation dashboard shows the indicator of the approved report ------------------------------
        _open(region_page, f"{server_url}/")
        dashboard_link = region_page.locator("main a[href^='/potreby/vyhodnoceni/']").first
        expect(dashboard_link).to_be_visible()
        _click_and_wait(region_page, dashboard_link)
        occupancy = region_page.locator("section.needs-indicator[aria-labelledby='h-ind-occupancy']")
        expect(occupancy).to_contain_text("Obložnost")
        row = occupancy.locator("tbody tr", has=region_page.locator("th", has_text=str(year)))
        expected = Decimal(13500) / (CAPACITY * _year_days(year)) * 100
        shown = f"{expected.quantize(Decimal('0.1'))}".replace(".", ",")
        expect(row).to_contain_text(shown)
        expect(occupancy.locator("tbody tr", has=region_page.locator("th", has_text=str(year - 1)))).to_have_count(1)
        expect(occupancy.locator("svg")).to_have_count(1)
        assert_no_axe_violations(region_page, context="evaluation dashboard")
    finally:
        region_context.close()
