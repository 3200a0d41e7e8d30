"""Global search (core/search.py, the apps' global_search.py, /hledat/): only what the user may see, diacritics
ignored, bounded queries, relevance then Czech order, constant queries."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from qmss.assessments.models import Assessment
from qmss.assessments.testing import make_assessment
from qmss.core.models import Membership, Organisation
from qmss.core.roles import ROLES_BY_KIND, OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.core.search import (
    GROUP_LIMIT,
    MAX_LENGTH,
    PREFIX,
    WORD_PREFIX,
    SearchQuery,
    rank,
    score,
    search,
)
from qmss.improvement.models import DevelopmentPlan
from qmss.improvement.testing import make_plan
from qmss.registry.models import Service
from qmss.registry.search import get_index
from qmss.registry.testing import make_service
from qmss.testing.factories import make_org
from qmss.testing.queries import assert_constant_queries
from tests.conftest import ServiceWorld, build_tenant

URL = "/hledat/"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def groups_for(user, text: str, limit: int = GROUP_LIMIT) -> dict[str, list[str]]:
    """Group key -> item titles, as ``user`` (None: anonymous) finds them for ``text``."""
    request = RequestFactory().get(URL, {"q": text})
    scope = Scope.for_user(user)
    return {
        g.key: [item.title for item in g.items] for g in search(request, scope, SearchQuery.parse(text), limit=limit)
    }


@pytest.fixture
def worlds(db, framework):
    """Tenants A and B, each with a linked service, an audit, a self-assessment and a plan – every title carries
    the tenant's name and the shared word "Žlutý"."""
    a = ServiceWorld.build(build_tenant("Alfa", "CZ991"), framework)
    b = ServiceWorld.build(build_tenant("Beta", "CZ992"), framework)
    for world in (a, b):
        key = world.tenant.key
        make_assessment(
            world.provider,
            kind=Assessment.Kind.AUDIT,
            state=Assessment.State.PUBLISHED,
            service=world.service,
            framework=framework,
            auditing_organisation=world.tenant.orgs[OrganisationKind.AUDIT_BODY],
            title=f"Audit Žlutý {key}",
        )
        make_assessment(world.provider, service=world.service, framework=framework, title=f"Sebehodnocení Žlutý {key}")
        make_plan(world.provider, service=world.service, title=f"Plán Žlutý {key}")
    return a, b


# --- visibility -----------------------------------------------------------------------------------------------


def _every_user(tenant):
    for kind in OrganisationKind.values:
        for role in ROLES_BY_KIND[kind]:
            yield f"{kind}/{role}", tenant.user(kind, role)


@pytest.mark.django_db
def test_no_role_of_tenant_b_finds_anything_of_tenant_a(worlds):
    """Every role of B searches for A's names: A's organisations, assessments and plans never appear – neither in
    the groups nor on the page."""
    a, b = worlds
    secrets = [
        *(org.name for org in a.tenant.orgs.values()),
        "Audit Žlutý Alfa",
        "Sebehodnocení Žlutý Alfa",
        "Plán Žlutý Alfa",
    ]
    for label, user in [*_every_user(b.tenant), ("anonymous", None)]:
        client = client_for(user)
        for text in ("organizace Alfa", "zluty alfa", "Žlutý", a.provider.ico):
            found = groups_for(user, text)
            titles = [title for items in found.values() for title in items]
            assert not [s for s in secrets if s in titles], (label, text, found)
            page = client.get(URL, {"q": text}).content.decode()
            assert not [s for s in secrets if s in page], (label, text)


@pytest.mark.django_db
def test_each_group_lists_what_its_user_may_see(worlds):
    a, b = worlds
    provider_admin = b.user()
    found = groups_for(provider_admin, "žlutý")
    assert found["assessments"] == ["Audit Žlutý Beta", "Sebehodnocení Žlutý Beta"]
    assert found["plans"] == ["Plán Žlutý Beta"]
    assert groups_for(provider_admin, "organizace")["organisations"] == ["Tajná organizace Beta provider"]
    # B's auditor sees B's published audit of the provider it audits, not the provider's own self-assessment draft
    auditor = b.user(OrganisationKind.AUDIT_BODY, Role.AUDITOR)
    assert groups_for(auditor, "žlutý").get("assessments") == ["Audit Žlutý Beta"]
    assert "plans" not in groups_for(auditor, "žlutý")
    # the region sees the published audit of a service in its region, no plan
    region = b.region_manager
    assert groups_for(region, "žlutý").get("assessments") == ["Audit Žlutý Beta"]
    assert "plans" not in groups_for(region, "žlutý")
    # registry data is public: both tenants' services, also for anonymous visitors
    assert sorted(groups_for(None, "domov")["services"]) == ["Domov Alfa U Lip", "Domov Beta Pod Lesem"]
    assert set(groups_for(None, "domov")) == {"services"}


@pytest.mark.django_db
def test_anonymous_results_lead_to_the_public_check(worlds):
    response = client_for(None).get(URL, {"q": "Domov Alfa"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "/overeni-registrace/?q=" in page
    assert "/registr/sluzba/" not in page  # the registry's pages need a login


@pytest.mark.django_db
def test_working_notes_are_never_searched(worlds, framework):
    """An assessment's working notes are confidential to its assessors: the provider, who sees the audit, must not
    find it by a word of the notes."""
    a, _b = worlds
    make_assessment(
        a.provider,
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.PUBLISHED,
        service=a.service,
        framework=framework,
        auditing_organisation=a.tenant.orgs[OrganisationKind.AUDIT_BODY],
        title="Audit bez poznámky v názvu",
        internal_notes="Důvěrnápoznámka auditora",
    )
    assert groups_for(a.user(), "duvernapoznamka") == {}


# --- matching and order ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_diacritics_and_case_do_not_matter(worlds):
    a, _b = worlds
    make_service(name="Charitní dům Vlčnov", facilities=[{"name": "Domov pokojného stáří Vlčnov"}])
    for text in ("vlcnov", "VLČNOV", "charitni DUM", "pokojneho stari"):
        assert groups_for(None, text).get("services") == ["Charitní dům Vlčnov"], text
    for text in ("ZLUTY alfa", "žlutý ALFA", "zlutý"):
        assert "Sebehodnocení Žlutý Alfa" in groups_for(a.user(), text)["assessments"], text


def test_relevance_first_then_czech_order():
    query = SearchQuery.parse("domov")
    names = ["Chrudimský domov", "Cihelna domov", "Domov Alfa", "Čáslavský domov", "Hradní domov", "Zámek"]
    assert rank(query, names, name=lambda n: n) == [
        "Domov Alfa",  # the name starts with the query
        "Cihelna domov",  # then every word found at a word's start, in Czech order: C, Č, H, Ch
        "Čáslavský domov",
        "Hradní domov",
        "Chrudimský domov",
    ]
    assert score(query, "Domov Alfa") == PREFIX
    assert score(SearchQuery.parse("alfa dom"), "Domov Alfa") == WORD_PREFIX
    assert score(query, "Zámek", "provozuje Domovinka") is not None  # found in the other texts only
    assert score(query, "Zámek") is None


# --- query bounds and messages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_empty_short_and_overlong_queries_get_a_message_and_no_search(worlds):
    a, _b = worlds
    client = client_for(a.user())
    for text in ("", "   "):
        page = client.get(URL, {"q": text}).content.decode()
        assert 'id="search-page-problem"' in page and "search-group" not in page
    page = client.get(URL).content.decode()
    assert 'id="search-page-problem"' in page
    page = client.get(URL, {"q": "ž"}).content.decode()
    assert 'id="search-page-problem"' in page and "search-group" not in page
    overlong = "Žlutý " + "x" * MAX_LENGTH
    response = client.get(URL, {"q": overlong})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="search-page-problem"' in page and "Sebehodnocení Žlutý Alfa" not in page
    assert groups_for(a.user(), overlong) == {}
    # a query of exactly MAX_LENGTH characters is searched; one more is refused
    at_limit = ("žlutý " * 20)[:MAX_LENGTH]
    assert len(SearchQuery.parse(at_limit).text) == MAX_LENGTH
    assert "Sebehodnocení Žlutý Alfa" in groups_for(a.user(), at_limit)["assessments"]
    assert groups_for(a.user(), ("žlutý " * 20)[: MAX_LENGTH + 1]) == {}
    # surrounding and repeated spaces do not count
    assert groups_for(a.user(), "  Žlutý   Alfa  " + " " * MAX_LENGTH) != {}


@pytest.mark.django_db
def test_nothing_found_is_said(worlds):
    a, _b = worlds
    page = client_for(a.user()).get(URL, {"q": "neexistujícínázev"}).content.decode()
    assert 'role="status"' in page and "search-group" not in page


@pytest.mark.django_db
def test_counts_and_show_all(worlds, framework):
    a, _b = worlds
    for n in range(GROUP_LIMIT + 2):
        make_assessment(a.provider, service=a.service, framework=framework, title=f"Žlutý doplněk {n}")
    client = client_for(a.user())
    with_english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    client.cookies["django_language"] = "en"
    page = client.get(URL, {"q": "žlutý"}, **with_english).content.decode()
    total = GROUP_LIMIT + 2 + 2  # the extra ones, the audit and the self-assessment
    assert f"Show all {total} matches in" in page
    assert "skupina=assessments" in page
    page = client.get(URL, {"q": "žlutý", "skupina": "assessments"}).content.decode()
    assert page.count("/hodnoceni/") >= total
    assert 'id="group-plans"' not in page
    one = client.get(URL, {"q": "Plán Žlutý Alfa"}).content.decode()
    assert "1 result for" in one


# --- query budget ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("group", ["", "assessments"])
def test_query_budget_does_not_grow_with_matches(worlds, framework, group):
    a, _b = worlds
    user = a.user()

    def grow(n: int) -> None:
        while Assessment.objects.filter(organisation=a.provider, title__startswith="Rozpočet").count() < n:
            i = Assessment.objects.count()
            make_assessment(a.provider, service=a.service, framework=framework, title=f"Rozpočet {i}")
            make_plan(a.provider, service=a.service, title=f"Rozpočet plán {i}")
            make_service(name=f"Rozpočet služba {i}", facilities=[{"name": f"Rozpočet místo {i}"}])
            org = make_org(OrganisationKind.PROVIDER, f"Rozpočet organizace {i}", region=a.tenant.region)
            Membership.objects.create(user=user, organisation=org, role=Role.READER)
        # The registry's search index is built once per registry data version (two queries, see
        # registry/search.py): build it now, as the first search after a registry import would.
        get_index()

    def count() -> int:
        return min(
            Assessment.objects.filter(title__startswith="Rozpočet").count(),
            DevelopmentPlan.objects.filter(title__startswith="Rozpočet").count(),
            Service.objects.filter(name__startswith="Rozpočet").count(),
            Organisation.objects.filter(name__startswith="Rozpočet").count(),
        )

    params = {"q": "rozpocet", **({"skupina": group} if group else {})}

    client = client_for(user)
    assert_constant_queries(lambda: client.get(URL, params), grow, count=count, small=1, large=12, max_queries=20)
