"""The application shell in a real browser: login per demo role, dashboard, organisations, territory.

Every page visited must pass axe-core's WCAG 2.0/2.1 A and AA rules with zero violations.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import expect

from qmss.core.roles import Role
from qmss.setup.demo import DEMO_ORGS, DEMO_PASSWORD, DEMO_USERS, DemoUser
from qmss.testing.browser import assert_no_axe_violations, login

SYNTHETIC_REGIONS = ("CZ991", "CZ992")


def _full_name(demo: DemoUser) -> str:
    return f"{demo.first_name} {demo.last_name}"


def _role_label(demo: DemoUser) -> str:
    """The role as the Czech pages name it (the browser context asks for cs-CZ)."""
    with translation.override("cs"):
        return str(Role(demo.role).label)


def _open(page, url: str):
    response = page.goto(url)
    assert response is not None, f"no response for {url}"
    assert response.ok, f"{url} answered HTTP {response.status}"
    return response


def _demo_org(demo: DemoUser):
    from qmss.core.models import Organisation

    kind, name = DEMO_ORGS[demo.org_key]
    return Organisation.objects.get(kind=kind, name=name)


def test_login_page_is_accessible(page, server_url, demo_data):
    _open(page, f"{server_url}/ucet/prihlaseni/")
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("#id_password")).to_be_visible()
    assert_no_axe_violations(page, context="login page (anonymous)")


@pytest.mark.parametrize("demo", DEMO_USERS, ids=[d.username for d in DEMO_USERS])
def test_dashboard_per_role(page, server_url, demo_data, demo: DemoUser):
    login(page, server_url, demo.username, DEMO_PASSWORD)
    _open(page, f"{server_url}/")

    expect(page.locator("h1").first).to_be_visible()
    body = page.locator("body")
    expect(body).to_contain_text(_full_name(demo))
    if demo.superuser:
        expect(page.locator("a[href='/admin/']").first).to_be_visible()
    else:
        expect(body).to_contain_text(DEMO_ORGS[demo.org_key][1])
        expect(body).to_contain_text(_role_label(demo))
        expect(page.locator("a[href='/admin/']")).to_have_count(0)
    assert_no_axe_violations(page, context=f"dashboard of {demo.username}")


@pytest.mark.parametrize("demo", DEMO_USERS, ids=[d.username for d in DEMO_USERS])
def test_organisation_pages_per_role(page, server_url, demo_data, demo: DemoUser):
    login(page, server_url, demo.username, DEMO_PASSWORD)
    _open(page, f"{server_url}/organizace/")
    expect(page.locator("h1").first).to_be_visible()
    assert_no_axe_violations(page, context=f"organisation list as {demo.username}")

    # The superuser has no organisation of their own: they may open any, e.g. the demo provider.
    org = _demo_org(demo if not demo.superuser else next(d for d in DEMO_USERS if d.org_key == "provider"))
    _open(page, f"{server_url}/organizace/{org.pk}/")
    expect(page.locator("h1").first).to_contain_text(org.name)
    assert_no_axe_violations(page, context=f"organisation detail {org.name!r} as {demo.username}")


@pytest.mark.parametrize(
    "path", ["/uzemi/", *(f"/uzemi/kraj/{code}/" for code in SYNTHETIC_REGIONS)], ids=lambda p: p.strip("/")
)
def test_territory_pages_are_accessible(page, server_url, demo_data, path: str):
    _open(page, f"{server_url}{path}")
    expect(page.locator("h1").first).to_be_visible()
    assert_no_axe_violations(page, context=f"territory page {path} (anonymous)")


def test_territory_orp_and_municipality_pages_are_accessible(page, server_url, demo_data):
    from qmss.territory.models import Municipality

    municipality = (
        Municipality.objects.select_related("orp").filter(region__code=SYNTHETIC_REGIONS[0]).order_by("code").first()
    )
    assert municipality is not None, f"the synthetic territory has no municipality in {SYNTHETIC_REGIONS[0]}"
    for url, what in (
        (municipality.orp.get_absolute_url(), f"ORP {municipality.orp.name}"),
        (municipality.get_absolute_url(), f"municipality {municipality.name}"),
    ):
        _open(page, f"{server_url}{url}")
        expect(page.locator("h1").first).to_be_visible()
        assert_no_axe_violations(page, context=what)
