"""The URL × role matrix: every URL pattern, every role of every organisation kind (and anonymous),
pointed at another tenant's objects. Nobody may see tenant A's data unless they belong to it.

New URL patterns are picked up automatically; a pattern with a URL parameter this test does not know
fails the test until a value is added to KWARG_VALUES below.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from qmss.assessments.testing import matrix_kwargs as assessment_matrix_kwargs
from qmss.core.models import Invitation, Membership, Organisation
from qmss.core.roles import OrganisationKind, Role
from qmss.improvement.testing import matrix_kwargs as improvement_matrix_kwargs

# URL prefixes outside the matrix, each with the reason.
SKIP_PREFIXES = {
    "admin/": "Django admin: superusers only, covered by test_admin_is_superuser_only",
    "i18n/": "language switch, no data",
    "static/": "static files",
    "media/": "served only in DEBUG",
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def all_routes() -> list[str]:
    routes = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        if any(route.startswith(p) for p in SKIP_PREFIXES):
            continue
        routes.append(route)
    return sorted(set(routes))


def kwarg_values(tenant) -> dict[str, object]:
    """Values for URL parameters: always the *other* tenant's (A's) objects."""
    provider = tenant.orgs[OrganisationKind.PROVIDER]
    membership = Membership.objects.filter(organisation=provider).first()
    invitation = Invitation.objects.filter(organisation=provider).first()
    return {
        "organisation_pk": provider.pk,
        "membership_pk": membership.pk,
        "invitation_pk": invitation.pk,
        # An invitation token is a capability (whoever holds it may join): an unknown token must give 404.
        "token": "neznamy-token",
        "model_label": "core.organisation",
        "object_pk": provider.pk,
        # Territory is public reference data.
        "region_code": tenant.region.code,
        "orp_code": tenant.municipality.orp.ruian_code,
        "municipality_code": tenant.municipality.code,
        # Password reset links: tenant A's user id with a forged token must not open the form.
        "uidb64": urlsafe_base64_encode(force_bytes(membership.user_id)),
        "code": tenant.region.code,
        "ruian_code": tenant.municipality.orp.ruian_code,
        # Quality frameworks are shared reference data (login required); none is loaded here, so 404.
        "framework_pk": 999999,
        # The registry mirror is public data; imports are for superusers only (not among the visitors).
        "provider_ico": provider.ico,
        "service_portal_id": 1,
        # Exports stream (no .content to scan for leaks): an unknown format gives 404; tests/registry cover them.
        "fmt": "neznamy-format",
        "import_pk": 1,
        "ico": provider.ico,
        "portal_id": 1,
        # Assessments: an audit of A's provider with a result, a finding and linked evidence.
        **assessment_matrix_kwargs(tenant),
        # Improvement: a process with a KPI, a development plan and an action of A's provider.
        **improvement_matrix_kwargs(tenant),
    }


def fill(route: str, values: dict[str, object]) -> str:
    import re

    def sub(match):
        name = match.group(2)
        if name not in values:
            raise AssertionError(f"URL {route!r}: add a value for parameter {name!r} to KWARG_VALUES")
        return str(values[name])

    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)
    return "/" + path.lstrip("^").rstrip("$")


def snapshot(tenant) -> tuple:
    orgs = Organisation.objects.filter(pk__in=[o.pk for o in tenant.orgs.values()]).order_by("pk")
    return (
        tuple(orgs.values_list("name", "ico", "email", "phone", "website")),
        tuple(Membership.objects.filter(organisation__in=orgs).order_by("pk").values_list("user_id", "role")),
        tuple(Invitation.objects.filter(organisation__in=orgs).order_by("pk").values_list("email", "revoked_at")),
    )


ALLOWED = {200, 302, 400, 403, 404, 405}


@pytest.mark.django_db
def test_url_role_matrix(tenant_a, tenant_b):
    routes = all_routes()
    assert len(routes) >= 15, routes
    values = kwarg_values(tenant_a)
    paths = [fill(route, values) for route in routes]
    before = snapshot(tenant_a)
    visitors = [("anonymous", None)] + [(f"{kind}/{role}", user) for (kind, role), user in tenant_b.users.items()]
    failures = []
    checked = 0
    for label, user in visitors:
        client = Client()
        if user is not None:
            client.force_login(user)
        for path in paths:
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                checked += 1
                if response.status_code not in ALLOWED:
                    failures.append(f"{label} {method.upper()} {path}: status {response.status_code}")
                    continue
                if response.status_code == 200:
                    body = response.content.decode("utf-8", "replace")
                    leaked = [s for s in tenant_a.secrets if s in body]
                    if leaked:
                        failures.append(f"{label} {method.upper()} {path}: shows tenant A data {leaked[:3]}")
    assert snapshot(tenant_a) == before, "a visitor from another tenant changed tenant A's data"
    assert not failures, f"{len(failures)} of {checked} requests failed:\n" + "\n".join(failures[:60])


@pytest.mark.django_db
def test_matrix_would_catch_a_leak(tenant_a, tenant_b):
    """Positive control: tenant A's own admin does see A's secrets on the same URLs."""
    client = Client()
    client.force_login(tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN))
    provider = tenant_a.orgs[OrganisationKind.PROVIDER]
    body = client.get(f"/organizace/{provider.pk}/").content.decode()
    assert provider.name in body
    assert any(secret in body for secret in tenant_a.secrets if "@" in secret)


@pytest.mark.django_db
def test_every_route_is_walked():
    routes = all_routes()
    assert "organizace/<int:organisation_pk>/" in routes
    assert "healthz" in routes


@pytest.mark.django_db
def test_admin_is_superuser_only(tenant_b, superuser):
    staff = tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN)
    staff.is_staff = True
    staff.save()
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302  # sent to the admin login
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
