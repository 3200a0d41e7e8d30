"""The public check in a real browser: an anonymous visitor finds a home by its facility name with a typo.

The demo data hold no registry, so the home is created on the synthetic territory the browser fixtures load:
a service without a name of its own (as in the registry file), known only by its facility name.
Every state visited must pass axe-core's WCAG 2.0/2.1 A and AA rules with zero violations.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from qmss.testing.browser import assert_no_axe_violations

HOME = "Charitní dům Vlčnov"


@pytest.fixture
def home(demo_data):
    """The home and a few other services (committed: the live server uses transactional_db)."""
    from qmss.registry import cache
    from qmss.registry.models import Service
    from qmss.registry.testing import make_provider, make_service
    from qmss.territory.models import Municipality

    towns = list(Municipality.objects.filter(region__code="CZ991").order_by("code")[:2])
    charity = make_provider("Charita Uherský Brod", ico="48489336")
    service = make_service(charity, kind="13", facilities=[{"municipality": towns[0], "name": HOME}])
    Service.objects.filter(pk=service.pk).update(name="")  # known only by its facility name, as in the registry
    cache.bump_version()
    make_service(charity, name="Pečovatelská služba Charity", kind="4", municipalities=towns)
    for number in range(3):
        make_service(make_provider(f"Domov Lipová {number}"), name=f"Domov pro seniory Lipová {number}", kind="13")
    return {"service": service, "town": towns[0]}


def test_anonymous_visitor_finds_the_home_despite_a_typo(page, server_url, home):
    response = page.goto(f"{server_url}/overeni-registrace/")
    assert response is not None and response.ok
    assert_no_axe_violations(page, context="public check, empty")

    page.locator("form[role=search] button[type=submit]").click()  # nothing typed: a message tied to the field
    expect(page.locator("#check-q-error")).to_be_visible()
    expect(page.locator("#check-q")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page, context="public check, empty input")

    page.fill("#check-q", "Charitni dum Vlcnv")
    page.locator("form[role=search] button[type=submit]").click()
    results = page.locator("#check-results")
    expect(page.locator("#check-status")).to_have_attribute("data-state", "suggested")  # "Did you mean …?"
    card = results.locator("li.check-result").first
    expect(card.locator("h3")).to_have_text(HOME)
    expect(card).to_contain_text("domovy pro seniory")  # kind
    expect(card).to_contain_text(home["town"].name)  # place
    expect(card).to_contain_text("Charita Uherský Brod")  # provider
    expect(page.locator("#check-q-error")).to_have_count(0)
    assert_no_axe_violations(page, context="public check, closest matches for a typo")

    page.fill("#check-q", "charitni dum vlcnov")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("#check-status")).to_have_attribute("data-state", "found")
    expect(results.locator("li.check-result h3")).to_have_text([HOME])
    assert_no_axe_violations(page, context="public check, found")


def test_public_check_works_without_javascript(browser, server_url, home):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{server_url}/overeni-registrace/")
        page.fill("#check-q", "Vlcnov")
        page.locator("form[role=search] button[type=submit]").click()
        expect(page.locator("#check-results li.check-result h3").first).to_have_text(HOME)
    finally:
        context.close()
