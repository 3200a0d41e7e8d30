"""Help (Nápověda): a page per role that renders in both languages, whose every link leads to a page the role's
user can open; the index and the dashboard point each user to the help of their own roles."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from qmss.core.models import Membership
from qmss.core.roles import OrganisationKind, Role
from qmss.core.views_help import HELP_ROLES
from qmss.testing.queries import assert_constant_queries
from tests.conftest import ServiceWorld

MAIN = re.compile(r'<main id="main".*?</main>', re.S)
HREF = re.compile(r'href="([^"]+)"')

# The user of tenant A each role's page is written for (None: anonymous).
PAGE_USERS = {
    "poskytovatel-spravce": [(OrganisationKind.PROVIDER, Role.ADMIN)],
    "poskytovatel-editor": [(OrganisationKind.PROVIDER, Role.EDITOR)],
    "poskytovatel-ctenar": [(OrganisationKind.PROVIDER, Role.READER)],
    "auditor": [(OrganisationKind.AUDIT_BODY, Role.AUDITOR), (OrganisationKind.AUDIT_BODY, Role.ADMIN)],
    "kraj": [
        (OrganisationKind.REGION, Role.NETWORK_MANAGER),
        (OrganisationKind.REGION, Role.ADMIN),
        (OrganisationKind.REGION, Role.READER),
    ],
    "obec": [(OrganisationKind.MUNICIPALITY, Role.ADMIN)],
    "ministerstvo": [(OrganisationKind.MINISTRY, Role.ADMIN)],
    "vzdelavatel": [(OrganisationKind.TRAINING_PROVIDER, Role.ADMIN)],
    "verejnost": [None],
}


def client_for(user, language: str = "cs") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def main_links(response) -> list[str]:
    """Internal links of the page's main content (the header and footer are the same on every page)."""
    html = MAIN.search(response.content.decode()).group(0)
    links = []
    for href in HREF.findall(html):
        href = href.replace("&amp;", "&")
        if href.startswith("/"):
            links.append(href)
        else:
            assert href.startswith("#"), f"external or relative link in help: {href}"
    return links


@pytest.fixture
def world(tenant_a, framework):
    return ServiceWorld.build(tenant_a, framework)


def test_every_role_has_a_page_in_both_languages():
    from django.template.loader import get_template

    assert set(PAGE_USERS) == {role.slug for role in HELP_ROLES}
    for role in HELP_ROLES:
        for language in ("cs", "en"):
            get_template(f"core/help/{language}/{role.slug}.html")


@pytest.mark.django_db
@pytest.mark.parametrize("slug", list(PAGE_USERS))
def test_role_page_renders_and_every_link_opens_for_its_user(world, slug):
    for spec in PAGE_USERS[slug]:
        user = world.tenant.user(*spec) if spec else None
        for language in ("cs", "en"):
            client = client_for(user, language)
            response = client.get(reverse("help_role", kwargs={"role_slug": slug}))
            assert response.status_code == 200, (slug, spec, language)
            links = main_links(response)
            assert len(links) >= 3, (slug, links)
            for link in links:
                path = urlsplit(link).path
                try:
                    resolve(path)
                except Resolver404:
                    pytest.fail(f"{slug} ({spec}, {language}): {link} is no page")
                status = client.get(link).status_code
                assert status == 200, f"{slug} ({spec}, {language}): {link} answers {status}"


@pytest.mark.django_db
@pytest.mark.parametrize("slug", list(PAGE_USERS))
def test_role_page_links_resolve_for_anybody(world, slug):
    """Read by somebody else (anonymous, or a user without that role) the page still renders and every link is a
    real page (one that may ask for a login or be refused – never a broken address)."""
    for user in (None, world.tenant.user(OrganisationKind.TRAINING_PROVIDER, Role.READER)):
        response = client_for(user).get(reverse("help_role", kwargs={"role_slug": slug}))
        assert response.status_code == 200
        for link in main_links(response):
            resolve(urlsplit(link).path)
            assert client_for(user).get(link).status_code in (200, 302, 403), link


@pytest.mark.django_db
def test_unknown_role_is_not_found(client):
    assert client.get("/napoveda/neznama-role/").status_code == 404


@pytest.mark.django_db
def test_english_page_is_english_and_czech_page_czech(world):
    user = world.user()
    url = reverse("help_role", kwargs={"role_slug": "poskytovatel-spravce"})
    assert "Od služby k plánu rozvoje" in client_for(user, "cs").get(url).content.decode()
    assert "From a service to the development plan" in client_for(user, "en").get(url).content.decode()


@pytest.mark.django_db
def test_index_highlights_the_roles_of_the_users_memberships(world):
    user = world.user(OrganisationKind.PROVIDER, Role.EDITOR)
    page = client_for(user).get(reverse("help")).content.decode()
    mine = re.findall(r'help-role--mine"><h3><a href="([^"]+)"', page)
    assert mine == ["/napoveda/poskytovatel-editor/"]
    # a second membership adds its role
    Membership.objects.create(user=user, organisation=world.tenant.orgs[OrganisationKind.REGION], role=Role.READER)
    page = client_for(user).get(reverse("help")).content.decode()
    mine = re.findall(r'help-role--mine"><h3><a href="([^"]+)"', page)
    assert mine == ["/napoveda/poskytovatel-editor/", "/napoveda/kraj/"]
    # every role page is listed once
    for role in HELP_ROLES:
        assert page.count(f'href="{role.url}"') == 1, role.slug
    # anonymous visitors see all roles, none highlighted
    page = client_for(None).get(reverse("help")).content.decode()
    assert "help-role--mine" not in page


@pytest.mark.django_db
def test_dashboard_links_help_for_the_users_roles(world):
    user = world.user(OrganisationKind.PROVIDER, Role.ADMIN)
    page = client_for(user).get("/").content.decode()
    assert 'id="help-dashboard-title"' in page
    assert 'href="/napoveda/poskytovatel-spravce/"' in page
    assert 'href="/napoveda/"' in page
    assert 'href="/napoveda/kraj/"' not in page


@pytest.mark.django_db
def test_header_has_search_and_help(world):
    page = client_for(world.user()).get(reverse("help")).content.decode()
    header = page.split("</header>")[0]
    assert 'action="/hledat/"' in header and 'href="/napoveda/"' in header
    anonymous = client_for(None).get(reverse("help")).content.decode().split("</header>")[0]
    assert 'action="/hledat/"' not in anonymous and 'href="/napoveda/"' in anonymous


@pytest.mark.django_db
def test_help_index_query_budget(world):
    """The index's highlighted roles come from the scope's grants: memberships do not add queries."""
    user = world.user()
    client = client_for(user)

    def grow(n: int) -> None:
        from qmss.testing.factories import make_org

        while Membership.objects.filter(user=user).count() < n:
            kind = list(OrganisationKind.values)[Membership.objects.filter(user=user).count() % 6]
            org = make_org(kind, f"Další {Membership.objects.count()}", region=world.tenant.region)
            Membership.objects.create(user=user, organisation=org, role=Role.ADMIN)

    assert_constant_queries(
        lambda: client.get(reverse("help")),
        grow,
        count=lambda: len({m.organisation.kind for m in Membership.objects.filter(user=user)}),
        small=1,
        large=6,
        max_queries=12,
        rows=lambda response: response.content.count(b"help-role--mine"),
    )
