"""The public portal in a real browser: axe on every public portal page (also in high contrast and with the
largest text), and a keyboard-only journey from the home page through the finder to a service, the leaflets
page and a leaflet PDF.

The pages walked are built from the URL resolver: every route the URL-matrix tables of the portal's parts list as
PUBLIC (tests/url_matrix/portal_*.py), plus the home page, the public article page and the finder with results,
filled with a small demo dataset (a service on the synthetic territory, the published starter content). Answers
that are no HTML page (JSON, CSV, XML, text, PDF, fragments) are only checked for 200."""

from __future__ import annotations

import importlib

import pytest
from django.urls import reverse

from qmss.testing.browser import assert_no_axe_violations
from tests.url_matrix.world import PORTAL_PARTS, all_routes, fill

SITUATION = "potřebuji pomoc s péčí o maminku doma"


def _public_portal_routes() -> list[str]:
    public: set[str] = set()
    for part in PORTAL_PARTS:
        try:
            module = importlib.import_module(f"tests.url_matrix.portal_{part}")
        except ModuleNotFoundError:
            continue
        public |= set(getattr(module, "PUBLIC", {}))
    return sorted(public & set(all_routes()))


@pytest.fixture
def portal_data(demo_data):
    """A care service and a home in a municipality with a unique name, the published starter content."""
    from django.db.models import Count

    from qmss.portal import finder
    from qmss.portal.models import Article
    from qmss.portal.starter_content import load_starter_content
    from qmss.registry import cache
    from qmss.registry.testing import make_provider, make_service
    from qmss.territory.models import Municipality

    unique = (
        Municipality.objects.filter(region__code="CZ991")
        .values("name")
        .annotate(n=Count("pk"))
        .filter(n=1)
        .order_by("name")
        .values_list("name", flat=True)
    )
    town = Municipality.objects.get(name=unique[0], region__code="CZ991")
    provider = make_provider("Pečovatelé z Vlčnova", ico="48489337")
    care = make_service(provider, name="Pečovatelská služba Vlčnov", kind="4", municipalities=[town])
    make_service(provider, name="Domov pro seniory Vlčnov", kind="13", municipalities=[town])
    load_starter_content()
    cache.bump_version()
    finder.reset_index()
    article = Article.objects.filter(state="published").order_by("pk").first()
    assert article is not None, "the starter content has no published article"
    return {"town": town, "service": care, "article": article}


def _is_data(path: str) -> bool:
    """Data, PDF or an htmx fragment: checked for 200, not with axe."""
    return path.startswith("/api/") or path.endswith((".json", ".csv", ".xml", ".txt", ".pdf")) or "/obce/" in path


def _pages(data) -> list[str]:
    values = {
        "service_portal_id": data["service"].portal_id,
        "kind_code": data["service"].kind.code,
        "topic": "smlouva",
        "article_slug": data["article"].slug,
    }
    pages = ["/", *(fill(route, values) for route in _public_portal_routes())]
    pages.append(reverse("portal:article", kwargs={"article_slug": data["article"].slug}))
    pages.append(f"{reverse('portal:finder')}?situace={SITUATION}&obec={data['town'].code}")
    return pages


def test_every_public_portal_page_passes_axe(page, server_url, portal_data):
    checked = 0
    for path in _pages(portal_data):
        if _is_data(path):
            response = page.request.get(f"{server_url}{path}")
            assert response.status == 200, f"{path} answered {response.status}"
            continue
        response = page.goto(f"{server_url}{path}")
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
        assert_no_axe_violations(page, context=path)
        checked += 1
    assert checked >= 15, f"only {checked} public HTML pages were walked"

    # The display modes, set through the display form (no JavaScript needed), on the key pages.
    for contrast, size in (("high", "normal"), ("normal", "largest")):
        page.goto(f"{server_url}{reverse('portal:display')}")
        page.check(f"input[name=contrast][value={contrast}]")
        page.check(f"input[name=size][value={size}]")
        page.locator("form.display-form button[type=submit]").click()
        page.wait_for_url("**/zobrazeni/?ulozeno=1")
        for path in (
            "/",
            f"{reverse('portal:finder')}?situace={SITUATION}&obec={portal_data['town'].code}",
            reverse("portal:service", kwargs={"service_portal_id": portal_data["service"].portal_id}),
        ):
            page.goto(f"{server_url}{path}")
            classes = page.evaluate("document.documentElement.className")
            assert f"display-text-{size}" in classes or size == "normal", classes
            assert f"display-contrast-{contrast}" in classes or contrast == "normal", classes
            assert_no_axe_violations(page, context=f"{path} ({contrast} contrast, {size} text)")


def _tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches ``selector`` (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with Tab on {page.url}")


def test_keyboard_only_journey_from_home_to_a_leaflet_pdf(page, server_url, portal_data):
    town, service = portal_data["town"], portal_data["service"]
    page.goto(f"{server_url}/")

    _tab_to(page, "#home-situace")
    page.keyboard.type(SITUATION)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "home-obec"
    page.keyboard.type(town.name)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/najit-sluzbu/" in page.url

    service_url = reverse("portal:service", kwargs={"service_portal_id": service.portal_id})
    _tab_to(page, f'a[href="{service_url}"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(service_url)

    _tab_to(page, f'a[href="{reverse("portal:leaflets")}"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(reverse("portal:leaflets"))

    _tab_to(page, "#id_letak")
    page.keyboard.press("ArrowDown")  # the first leaflet or poster
    _tab_to(page, "#id_obec", limit=3)
    page.keyboard.type(town.name)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    _tab_to(page, 'a[href*="tisk.pdf"]')
    href = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_response(lambda r: "tisk.pdf" in r.url) as answer:
        page.keyboard.press("Enter")  # a PDF may open in the viewer or start a download
    assert answer.value.status == 200
    assert answer.value.headers["content-type"].startswith("application/pdf")
    pdf = page.request.get(f"{server_url}{href}")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
