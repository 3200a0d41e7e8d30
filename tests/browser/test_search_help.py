"""Global search and help in a real browser: the demo provider searches from the header and opens a result, and
opens the help for its role from the dashboard. Every page visited passes axe (WCAG 2.1 A/AA)."""

from __future__ import annotations

from playwright.sync_api import expect

from qmss.setup.demo import DEMO_ORGS, DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login


def _provider_with_assessment():
    """The demo provider organisation with a self-assessment and a development plan named after it."""
    from qmss.assessments.testing import make_assessment, make_framework
    from qmss.core.models import Organisation
    from qmss.improvement.testing import make_plan

    kind, name = DEMO_ORGS["provider"]
    org = Organisation.objects.get(kind=kind, name=name)
    assessment = make_assessment(org, framework=make_framework(), title="Sebehodnocení Slunečnice 2026")
    make_plan(org, title="Plán rozvoje Slunečnice 2026")
    return org, assessment


def test_provider_searches_from_the_header_and_opens_a_result(page, server_url, demo_data):
    org, assessment = _provider_with_assessment()
    login(page, server_url, "poskytovatel", DEMO_PASSWORD)
    page.goto(f"{server_url}/")
    search_box = page.locator("header #site-search-q")
    expect(search_box).to_be_visible()
    search_box.fill("slunecnice")  # typed without diacritics
    search_box.press("Enter")
    page.wait_for_url("**/hledat/?q=slunecnice")
    expect(page.locator("#group-organisations")).to_be_visible()
    expect(page.locator("#group-assessments")).to_be_visible()
    expect(page.locator("#group-plans")).to_be_visible()
    assert_no_axe_violations(page, context="search results (poskytovatel)")

    page.locator(f"a[href='/hodnoceni/{assessment.pk}/']").click()
    page.wait_for_url(f"**/hodnoceni/{assessment.pk}/")
    expect(page.locator("h1")).to_contain_text("Sebehodnocení Slunečnice 2026")

    # nothing found, and an empty query: each says so
    page.goto(f"{server_url}/hledat/?q=zadnytakovynazev")
    expect(page.locator("[role=status]").first).to_be_visible()
    expect(page.locator(".search-group")).to_have_count(0)
    assert_no_axe_violations(page, context="search: nothing found")
    page.goto(f"{server_url}/hledat/?q=")
    expect(page.locator("#search-page-problem")).to_be_visible()
    assert_no_axe_violations(page, context="search: empty query")


def test_provider_opens_help_from_the_dashboard(page, server_url, demo_data):
    login(page, server_url, "poskytovatel", DEMO_PASSWORD)
    page.goto(f"{server_url}/")
    section = page.locator(".help-dashboard")
    expect(section).to_be_visible()
    section.locator("a[href='/napoveda/poskytovatel-spravce/']").click()
    page.wait_for_url("**/napoveda/poskytovatel-spravce/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".help-steps li")).to_have_count(6)
    assert_no_axe_violations(page, context="help: provider administrator")

    page.locator("main a[href='/napoveda/']").last.click()
    page.wait_for_url("**/napoveda/")
    expect(page.locator(".help-role--mine a[href='/napoveda/poskytovatel-spravce/']")).to_be_visible()
    assert_no_axe_violations(page, context="help index (poskytovatel)")

    # the journey's first link leads to the dashboard
    page.goto(f"{server_url}/napoveda/poskytovatel-spravce/")
    page.locator(".help-steps a[href='/']").first.click()
    page.wait_for_url(f"{server_url}/")


def test_public_help_and_search_without_login(page, server_url, demo_data):
    page.goto(f"{server_url}/napoveda/verejnost/")
    expect(page.locator("main a[href='/overeni-registrace/']")).to_be_visible()
    assert_no_axe_violations(page, context="help: public (anonymous)")
    page.goto(f"{server_url}/hledat/?q=slunecnice")
    expect(page.locator("#group-organisations")).to_have_count(0)  # only public registry data
    assert_no_axe_violations(page, context="search (anonymous)")


def test_every_help_page_is_accessible(page, server_url, demo_data):
    from qmss.core.views_help import HELP_ROLES

    login(page, server_url, "kraj", DEMO_PASSWORD)
    for role in HELP_ROLES:
        response = page.goto(f"{server_url}{role.url}")
        assert response is not None and response.ok, role.slug
        assert_no_axe_violations(page, context=f"help: {role.slug} (kraj)")
