from __future__ import annotations

import json
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.utils import OperationalError
from django.test import Client, override_settings

from qmss.core.models import Membership
from qmss.core.roles import OrganisationKind, Role
from qmss.setup.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from qmss.testing.factories import make_org
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_healthz_ok():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_503_when_database_unreachable():
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_home_anonymous_is_czech_by_default():
    body = Client().get("/").content.decode()
    assert '<html lang="cs">' in body
    assert "Přihlásit" in body
    assert 'href="#main"' in body  # skip link


def test_english_switch():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Log in" in body


def test_czech_404_page():
    response = Client().get("/neexistuje/")
    assert response.status_code == 404
    assert "Stránka nenalezena" in response.content.decode()


@override_settings(DEBUG=False)
def test_czech_500_page():
    from qmss.core.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Chyba serveru" in response.content.decode()


def test_dashboard_differs_by_role(tenant_a):
    client = Client()
    client.force_login(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    region_body = client.get("/").content.decode()
    client.force_login(tenant_a.user(OrganisationKind.AUDIT_BODY, Role.AUDITOR))
    auditor_body = client.get("/").content.decode()
    assert tenant_a.orgs[OrganisationKind.REGION].name in region_body
    assert "správce sítě" in region_body.lower()
    assert tenant_a.orgs[OrganisationKind.AUDIT_BODY].name in auditor_body
    assert "auditujete" in auditor_body.lower()


def test_dashboard_query_budget_constant_in_memberships(tenant_a):
    """One panel per membership: a user with six memberships (regions of their own, providers, audit bodies)
    costs the same number of queries as a user with two (a region and a provider: the provider's development-plan
    figures are one query that a user without a provider membership does not need)."""
    from qmss.testing.factories import make_region

    user = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    client = Client()
    client.force_login(user)
    kinds = [
        (OrganisationKind.REGION, Role.NETWORK_MANAGER),
        (OrganisationKind.PROVIDER, Role.ADMIN),
        (OrganisationKind.AUDIT_BODY, Role.AUDITOR),
    ]

    def grow(n):
        while (count := Membership.objects.filter(user=user).count()) < n:
            kind, role = kinds[count % len(kinds)]
            region = make_region(f"CZ9{50 + count}", f"Kraj {count}")
            org = make_org(kind, f"Organizace {count}", region=region)
            make_org(OrganisationKind.PROVIDER, f"Poskytovatel {count}", region=region)
            Membership.objects.create(user=user, organisation=org, role=role)

    assert_constant_queries(
        # small=3: a region, a provider and an audit body from the start, so that both sizes ask every app's
        # sections (each kind's sections are a constant number of queries, asked once that kind has a panel)
        lambda: client.get("/"),
        grow,
        count=Membership.objects.filter(user=user),
        small=3,
        large=6,
        max_queries=39,  # + the network, financing and portal apps' sections of each organisation kind
    )


def test_stats_json(tenant_a):
    out = StringIO()
    call_command("stats", "--json", stdout=out)
    stats = json.loads(out.getvalue())
    assert stats["regions"] == 1
    assert stats["municipalities"] == 1
    assert stats["organisations"] == len(OrganisationKind.values)
    assert stats["users"] == Membership.objects.values("user").distinct().count()
    assert stats["population_total"] == 1000


def test_demo_is_idempotent_and_has_every_role():
    from qmss.testing.factories import make_municipality, make_region

    make_municipality(make_region())
    first = load_demo()
    second = load_demo()
    assert first["users"] == len(DEMO_USERS)
    assert second == {"organisations": 0, "users": 0}
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert Client().login(username="kraj", password=DEMO_PASSWORD)


def test_admin_pages_are_superuser_only(tenant_a, superuser):
    client = Client()
    client.force_login(superuser)
    assert client.get("/admin/core/organisation/").status_code == 200
