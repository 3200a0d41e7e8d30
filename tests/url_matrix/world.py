"""The world of the URL × role matrix: tenant A with an object behind every URL parameter (all names carry A's
secrets), tenant B whose every role visits A's URLs, and the values the URL and query parameters take."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from qmss.core.models import Invitation, Membership
from qmss.core.roles import ROLES_BY_KIND, OrganisationKind, Role
from qmss.testing.factories import make_user
from tests.conftest import Tenant, build_tenant

from .scan import SecretScanner

# URL prefixes outside the matrix, each with the reason.
SKIP_PREFIXES = {
    "admin/": "Django admin: superusers only, covered by test_admin_is_superuser_only",
    "i18n/": "language switch, no data",
    "static/": "static files",
    "media/": "served only in DEBUG",
}

# What a visitor searches for in query parameters: part of every name of A's objects, never a whole secret (an
# echo of the search box is no leak; a list of A's objects matching it is).
SEARCH_TEXT = "organizace Alfa"
UNKNOWN_TOKEN = "neznamy-token"

# Visitors: anonymous and every role of every organisation kind of tenant B (labels known at collection time).
VISITORS = ["anonymous"] + [f"{kind}/{role}" for kind in OrganisationKind.values for role in ROLES_BY_KIND[kind]]

# Who of tenant A is tried, in this order, to open a route in the positive control.
OWNER_ORDER = [
    (OrganisationKind.PROVIDER, Role.ADMIN),
    (OrganisationKind.REGION, Role.NETWORK_MANAGER),
    (OrganisationKind.REGION, Role.ADMIN),
    (OrganisationKind.AUDIT_BODY, Role.AUDITOR),
    (OrganisationKind.AUDIT_BODY, Role.ADMIN),
    (OrganisationKind.MUNICIPALITY, Role.ADMIN),
    (OrganisationKind.MINISTRY, Role.ADMIN),
    (OrganisationKind.TRAINING_PROVIDER, Role.ADMIN),
]


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


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def fill(route: str, values: dict[str, object]) -> str:
    def sub(match):
        name = match.group(2)
        if name not in values:
            raise AssertionError(
                f"URL {route!r}: add a value for parameter {name!r} (a real object of tenant A) to "
                "tests/url_matrix/world.py:url_values"
            )
        return str(values[name])

    path = PARAM.sub(sub, route)
    return "/" + path.lstrip("^").rstrip("$")


@dataclass
class MatrixWorld:
    a: Tenant
    b: Tenant
    superuser: object
    objects: dict[str, object]  # A's objects by name (for values and checks)
    url_values: dict[str, object]  # URL parameters as the owner (A) uses them
    visitor_url_values: dict[str, object]  # the same, with capabilities (tokens) the visitor does not hold
    filter_values: dict[str, list[object]]  # query parameters: A's ids per parameter name
    scanner: SecretScanner
    route_values: dict[str, dict[str, object]] = field(default_factory=dict)  # a route's own objects
    discovery: object = None  # filled by the module fixture (see test module)

    def visitor(self, label: str):
        if label == "anonymous":
            return None
        kind, role = label.split("/")
        return self.b.user(kind, role)

    def owners(self):
        for kind, role in OWNER_ORDER:
            yield f"A {kind}/{role}", self.a.user(kind, role)

    def path(self, route: str, *, owner: bool) -> str:
        values = self.url_values if owner else self.visitor_url_values
        return fill(route, {**values, **self.route_values.get(route, {})})

    def values_for(self, name: str, *, named: bool = True) -> list[object]:
        """Values a visitor sends for query parameter ``name``: A's ids for it (none for a parameter that takes no
        id: a kind, a state, a sort order) and A's search text. For a parameter the view did not name (it reads
        the query string wholesale) A's first id only, and the search text only as ``q``."""
        ids = self.filter_values.get(name, [])
        if not named:
            return [*ids[:1]] + ([SEARCH_TEXT] if name == "q" else [])
        return [*ids, SEARCH_TEXT]


def _tenant_objects(tenant: Tenant) -> dict[str, object]:
    from qmss.assessments.testing import matrix_kwargs as assessment_matrix_kwargs
    from qmss.improvement.testing import matrix_kwargs as improvement_matrix_kwargs

    kwargs = {**assessment_matrix_kwargs(tenant), **improvement_matrix_kwargs(tenant)}
    for part in needs_parts():  # the needs app's parts: qmss.needs.testing_<part>.matrix_kwargs
        kwargs.update(part.matrix_kwargs(tenant))
    return kwargs


NEEDS_PARTS = ("taxonomy", "cards", "service_cards", "rounds", "xlsx", "indicators", "dashboard")
NETWORK_PARTS = ("networks", "rules", "applications", "scoring", "whatif", "analysis", "learning", "api_demo")
# (app, part) of every part-built app: builders ``qmss.<app>.testing_<part>``, tables ``tests.url_matrix.<app>_<part>``
FINANCING_PARTS = (
    "reference",
    "entrustments",
    "applications",
    "compensation",
    "allocation",
    "settlement",
    "standards",
    "api_demo",
)
PORTAL_PARTS = ("shell", "finder", "situations", "service", "reports", "content", "leaflets", "open_data")
APP_PARTS = (
    tuple(("needs", part) for part in NEEDS_PARTS)
    + tuple(("network", part) for part in NETWORK_PARTS)
    + tuple(("financing", part) for part in FINANCING_PARTS)
    + tuple(("portal", part) for part in PORTAL_PARTS)
)


def needs_parts() -> list:
    """The matrix builders of the apps built in parts (needs, network), one module per part
    (``qmss.<app>.testing_<part>``) when it exists;
    each has ``matrix_kwargs(tenant) -> dict`` (URL values of tenant A's objects, names carrying A's secrets) and
    optionally ``FILTER_VALUES: dict[str, str]`` (query parameter -> key of matrix_kwargs whose id it takes)."""
    import importlib

    modules = []
    for app, part in APP_PARTS:
        try:
            modules.append(importlib.import_module(f"qmss.{app}.testing_{part}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"qmss.{app}.testing_{part}":
                raise
    return modules


def build_world() -> MatrixWorld:
    from qmss.assessments.models import Assessment
    from qmss.assessments.testing import make_assessment, make_framework
    from qmss.registry.models import Service
    from qmss.registry.testing import make_import

    a = build_tenant("Alfa", "CZ991")
    b = build_tenant("Beta", "CZ992")
    superuser = make_user("koren", is_superuser=True, is_staff=True)
    framework = make_framework()
    a_kwargs = _tenant_objects(a)
    _tenant_objects(b)  # B has the same kinds of objects: its visitors' own pages are not empty
    provider_org = a.orgs[OrganisationKind.PROVIDER]
    # the first service of A's provider (the assessments' one); the needs parts may add more services to it
    service = Service.objects.select_related("provider").filter(provider__ico=provider_org.ico).order_by("pk").first()
    membership = Membership.objects.get(organisation=provider_org, user=a.user(OrganisationKind.PROVIDER, Role.EDITOR))
    invitation = Invitation.objects.filter(organisation=provider_org).first()
    registry_import = make_import()
    municipality = a.municipality
    # A second version of the framework (an assessment may move to it), a draft audit (an auditor may be invited)
    # and a published audit (the API shows published assessments only), all of A's provider.
    new_version = make_framework(version=2, adopt_rules=False)
    draft_audit = make_assessment(
        provider_org,
        kind=Assessment.Kind.AUDIT,
        service=service,
        framework=framework,
        title=f"Návrh auditu {provider_org.name}",
    )
    published_audit = make_assessment(
        provider_org,
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.PUBLISHED,
        service=service,
        framework=framework,
        auditing_organisation=a.orgs[OrganisationKind.AUDIT_BODY],
        fill="2",
        title=f"Zveřejněný audit {provider_org.name}",
    )
    # An audit in review (its auditor may publish it or send it back: the confirmation pages of issue #9).
    review_audit = make_assessment(
        provider_org,
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.IN_REVIEW,
        service=service,
        framework=framework,
        auditing_organisation=a.orgs[OrganisationKind.AUDIT_BODY],
        fill={"1a": "2"},
        title=f"Audit k posouzení {provider_org.name}",
    )
    objects = {
        "provider_org": provider_org,
        "service": service,
        "registry_provider": service.provider,
        "framework": framework,
        "membership": membership,
        "invitation": invitation,
        "import": registry_import,
    }
    url_values = {
        "organisation_pk": provider_org.pk,
        "membership_pk": membership.pk,
        "invitation_pk": invitation.pk,
        "token": invitation.token,
        "model_label": "core.organisation",
        "object_pk": provider_org.pk,
        "region_code": a.region.code,
        "code": a.region.code,
        "orp_code": municipality.orp.ruian_code,
        "ruian_code": municipality.orp.ruian_code,
        "municipality_code": municipality.code,
        "uidb64": urlsafe_base64_encode(force_bytes(a.user(OrganisationKind.PROVIDER, Role.ADMIN).pk)),
        "framework_pk": framework.pk,
        "provider_ico": provider_org.ico,
        "ico": provider_org.ico,
        "service_portal_id": service.portal_id,
        "portal_id": service.portal_id,
        "fmt": "csv",
        "role_slug": "poskytovatel-spravce",  # help for A's provider admin names A's organisation
        "import_pk": registry_import.pk,
        **a_kwargs,
    }
    url_values.update(_extra_url_values(a, objects))
    # Capabilities: whoever holds an invitation token may open it; a visitor holds none (an unknown token).
    visitor_url_values = {**url_values, "token": UNKNOWN_TOKEN}
    filter_values = {
        "organisation": [provider_org.pk],
        "service": [service.portal_id, service.pk],
        "provider": [provider_org.ico, service.provider.pk],
        "ico": [provider_org.ico],
        "region": [a.region.code, a.region.pk],
        "orp": [municipality.orp.ruian_code, municipality.orp.pk],
        "municipality": [municipality.code],
        "framework": [framework.pk],
        "assessment": [a_kwargs["assessment_pk"]],
        "evidence": [a_kwargs["evidence_pk"]],
        "finding": [a_kwargs["finding_pk"]],
        "process": [a_kwargs["process_pk"]],
        "parent": [a_kwargs["process_pk"]],
        "plan": [a_kwargs["plan_pk"]],
        "action": [a_kwargs["action_pk"]],
        "kpi": [a_kwargs["kpi_pk"]],
        "q": [provider_org.ico],
    }
    for part in needs_parts():
        for parameter, key in getattr(part, "FILTER_VALUES", {}).items():
            filter_values.setdefault(parameter, []).append(a_kwargs[key])
    route_values = {
        "hodnoceni/<int:assessment_pk>/auditor/": {"assessment_pk": draft_audit.pk},
        "hodnoceni/<int:assessment_pk>/zverejnit/": {"assessment_pk": review_audit.pk},
        "hodnoceni/<int:assessment_pk>/vratit/": {"assessment_pk": review_audit.pk},
        "api/v1/assessments/<assessment_pk>": {"assessment_pk": published_audit.pk},
        "api/v1/territory/municipalities/<code>": {"code": municipality.code},
        "ramce/<int:framework_pk>/prijeti-pravidel/": {"framework_pk": new_version.pk},  # not adopted yet
    }
    scanner = SecretScanner(secrets=list(dict.fromkeys(a.secrets)), marker=a.key)
    return MatrixWorld(
        route_values=route_values,
        a=a,
        b=b,
        superuser=superuser,
        objects=objects,
        url_values=url_values,
        visitor_url_values=visitor_url_values,
        filter_values=filter_values,
        scanner=scanner,
    )


# Query parameters sent to every route that reads its query string wholesale (iterates it): A's ids by name.
ID_PARAMETERS = (
    "organisation",
    "service",
    "provider",
    "region",
    "orp",
    "municipality",
    "framework",
    "assessment",
    "plan",
    "process",
    "q",
)
IGNORED_PARAMETERS = {"page", "_matrix"}  # the page number, and the marker the discovery sends


def _extra_url_values(a: Tenant, objects: dict) -> dict[str, object]:
    """URL parameters of routes added by later work (provider links, second factor …), when their models exist."""
    values: dict[str, object] = {}
    try:
        from qmss.registry.models import ProviderClaim
    except ImportError:
        ProviderClaim = None  # noqa: N806
    if ProviderClaim is not None:
        claim = ProviderClaim.objects.filter(organisation=objects["provider_org"]).order_by("pk").first()
        assert claim is not None, "tenant A's provider has no claim: link_provider_to_registry should verify one"
        values["claim_pk"] = claim.pk
        objects["claim"] = claim
    return values
