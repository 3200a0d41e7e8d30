"""Financing API: reference values are public (the manager by kind and territory, never by name); programmes,
applications (with the awarded compensation), compensation lines, settlements and a service's standards need a
logged-in user and are scoped as the pages are – another tenant, another provider and anonymous visitors see
nothing of tenant A. Lists are paginated with a constant number of queries."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from qmss.core.roles import OrganisationKind, Role
from qmss.financing.models import SubsidyApplication
from qmss.financing.testing_api_demo import make_line, make_settlement
from qmss.financing.testing_applications import make_application, make_programme, provider_service
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

API = "/api/v1/financing"
PROVIDER = (OrganisationKind.PROVIDER, Role.ADMIN)
MANAGER = (OrganisationKind.REGION, Role.NETWORK_MANAGER)


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _items(response) -> list[dict]:
    assert response.status_code == 200, response.content[:500]
    return response.json()["items"]


@pytest.fixture
def world(tenant_a, tenant_b):
    programme = make_programme(tenant_a, year=2026, state="decided")
    application = programme.applications.get()
    line = make_line(application, real=Decimal("1234567"))
    settlement = make_settlement(application)
    make_programme(tenant_b, year=2026)  # B's own data: B's users see theirs, never A's
    return {"a": tenant_a, "b": tenant_b, "programme": programme, "application": application, "line": line,
            "settlement": settlement}  # fmt: skip


def test_reference_values_are_public_without_the_managers_name(world):
    programme = world["programme"]
    client = _client()
    sets = _items(client.get(f"{API}/reference-sets"))
    mine = next(s for s in sets if s["id"] == programme.reference_set_id)
    assert mine["region_name"] == world["a"].region.name and mine["value_count"] == 1
    assert world["a"].orgs[OrganisationKind.REGION].name not in json.dumps(sets, ensure_ascii=False)
    values = _items(client.get(f"{API}/reference-sets/{programme.reference_set_id}/values"))
    assert Decimal(values[0]["usual_cost"]) == Decimal("500000") and values[0]["form"] is None
    assert client.get(f"{API}/reference-sets/999999/values").status_code == 404
    assert _items(client.get(f"{API}/reference-sets", {"year": 2030})) == []


@pytest.mark.parametrize("path", ["programmes", "applications", "compensation-lines", "settlements"])
def test_anonymous_visitors_get_403(world, path):
    assert _client().get(f"{API}/{path}").status_code == 403


def test_manager_side_sees_its_programme_applications_lines_and_settlements(world):
    a, application = world["a"], world["application"]
    client = _client(a.user(*MANAGER))
    programmes = _items(client.get(f"{API}/programmes"))
    assert [p["id"] for p in programmes] == [world["programme"].pk]
    assert programmes[0]["application_count"] == 1 and programmes[0]["state"] == "decided"
    applications = _items(client.get(f"{API}/applications"))
    assert [(x["id"], Decimal(x["awarded"])) for x in applications] == [(application.pk, Decimal("1234567"))]
    assert [x["id"] for x in _items(client.get(f"{API}/compensation-lines"))] == [world["line"].pk]
    assert [x["id"] for x in _items(client.get(f"{API}/settlements"))] == [world["settlement"].pk]


def test_provider_sees_only_its_own(world):
    a, b, application = world["a"], world["b"], world["application"]
    own = _client(a.user(*PROVIDER))
    assert _items(own.get(f"{API}/programmes")) == []  # the manager's working material
    assert [x["id"] for x in _items(own.get(f"{API}/applications"))] == [application.pk]
    assert [x["provider"] for x in _items(own.get(f"{API}/compensation-lines"))] == [application.organisation.name]
    assert [x["id"] for x in _items(own.get(f"{API}/settlements"))] == [world["settlement"].pk]
    for user in (b.user(*PROVIDER), b.user(*MANAGER), b.user(OrganisationKind.MUNICIPALITY, Role.ADMIN)):
        client = _client(user)
        for path in ("programmes", "applications", "compensation-lines", "settlements"):
            body = json.dumps(client.get(f"{API}/{path}").json(), ensure_ascii=False)
            assert str(a.orgs[OrganisationKind.PROVIDER].name) not in body, (user, path)
            assert a.orgs[OrganisationKind.REGION].name not in body, (user, path)


def test_another_provider_in_the_same_programme_does_not_see_the_first_ones_lines(world, tenant_a):
    """Two providers of one manager: each sees its own application and line only."""
    from qmss.core.models import Organisation
    from qmss.registry.testing import link_verified, make_provider, make_service
    from qmss.testing.factories import make_user

    programme = world["programme"]
    other_org = Organisation.objects.create(kind=OrganisationKind.PROVIDER, name="Druhý poskytovatel", ico="87654321")
    other_user = make_user("druhy-poskytovatel", org=other_org, role=Role.ADMIN)
    registry = make_provider("Druhý poskytovatel, z. ú.", ico="87654321")
    link_verified(other_org, registry)
    service = make_service(registry, name="Druhá služba", kind="13", forms=(("pob", (("luzka", 20),)),))
    make_line(make_application(programme, service, other_org))
    client = _client(other_user)
    assert [x["service"] for x in _items(client.get(f"{API}/applications"))] == ["Druhá služba"]
    assert [x["service"] for x in _items(client.get(f"{API}/compensation-lines"))] == ["Druhá služba"]
    assert _items(client.get(f"{API}/settlements")) == []


def test_filters(world):
    client = _client(world["a"].user(*MANAGER))
    programme = world["programme"]
    assert len(_items(client.get(f"{API}/applications", {"programme": programme.pk, "state": "submitted"}))) == 1
    assert _items(client.get(f"{API}/applications", {"state": "draft"})) == []
    assert len(_items(client.get(f"{API}/compensation-lines", {"programme": programme.pk, "run": 1}))) == 1
    assert _items(client.get(f"{API}/compensation-lines", {"programme": programme.pk, "run": 2})) == []
    assert client.get(f"{API}/applications", {"programme": 0}).status_code == 422


def test_service_standards_for_the_provider_and_the_regions_managers_only(world):
    a, b = world["a"], world["b"]
    service = provider_service(a)
    path = f"{API}/services/{service.portal_id}/standards"
    for user in (a.user(*PROVIDER), a.user(*MANAGER)):
        response = _client(user).get(path)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert body["portal_id"] == service.portal_id and body["provider"] == a.orgs[OrganisationKind.PROVIDER].name
    assert _client(b.user(*PROVIDER)).get(path).status_code == 404
    assert _client(b.user(*MANAGER)).get(path).status_code == 404
    assert _client().get(path).status_code == 403


def test_applications_list_costs_constant_queries(tenant_a):
    from qmss.registry.testing import make_service

    programme = make_programme(tenant_a, year=2026)
    provider = tenant_a.orgs[OrganisationKind.PROVIDER]
    registry_provider = provider_service(tenant_a).provider
    client = _client(tenant_a.user(*MANAGER))

    def grow(n):
        while (count := SubsidyApplication.objects.count()) < n:
            service = make_service(registry_provider, name=f"Služba {count}", kind="13")
            make_line(make_application(programme, service, provider))

    for path in ("applications", "compensation-lines"):
        assert_constant_queries(
            lambda path=path: client.get(f"{API}/{path}"),
            grow,
            count=SubsidyApplication.objects.count,
            small=2 if path == "applications" else 3,
            large=5 if path == "applications" else 6,
            max_queries=6,
        )


def test_stats_json_counts_financing(world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("stats", "--json", stdout=out)
    stats = json.loads(out.getvalue())
    assert stats["financing_programmes"] == 2 and stats["financing_programmes_decided"] == 1
    assert stats["financing_applications_submitted"] == 2 and stats["financing_reference_sets"] == 2
    assert stats["financing_compensation_runs_approved"] == 1 and stats["financing_settlements_submitted"] == 1
    assert stats["financing_staff_positions"] == 0 and stats["financing_entrustments"] == 0


def test_dashboard_has_the_financing_entry_for_providers_and_managers(world):
    a = world["a"]
    for user in (a.user(*PROVIDER), a.user(*MANAGER)):
        body = _client(user).get("/").content.decode()
        assert 'href="/financovani/"' in body and "dash-financing-hub-" in body
    assert (
        "dash-financing-hub-" not in _client(a.user(OrganisationKind.AUDIT_BODY, Role.ADMIN)).get("/").content.decode()
    )
