"""Shared fixtures: two tenants (A and B) with organisations of every kind and a user for every role."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import pytest
from django.test import Client

from qmss.core.models import Invitation, Membership, Organisation
from qmss.core.roles import ROLES_BY_KIND, OrganisationKind, Role
from qmss.testing.factories import TEST_PASSWORD, make_municipality, make_org, make_region, make_user

# The longest modules (each test tens of seconds) run first: pytest-xdist then fills the other worker with the
# many short tests instead of leaving one worker alone with a long tail at the end of the run.
LONG_MODULES = ("test_url_role_matrix.py", "test_concurrency.py", "test_public_search.py", "test_analysis_real.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        name = item.path.name
        return LONG_MODULES.index(name) if name in LONG_MODULES else len(LONG_MODULES)

    items.sort(key=rank)  # stable: the order inside each group is kept


@dataclass
class Tenant:
    key: str
    region: object
    municipality: object
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[tuple[str, str], object] = field(default_factory=dict)  # (kind, role) -> user
    secrets: list[str] = field(default_factory=list)  # strings only this tenant may see

    def user(self, kind: str, role: str = Role.ADMIN):
        return self.users[(kind, role)]


def build_tenant(key: str, region_code: str) -> Tenant:
    region = make_region(region_code, f"Kraj {key}")
    municipality = make_municipality(region, name=f"Obec {key}")
    tenant = Tenant(key=key, region=region, municipality=municipality)
    for kind in OrganisationKind.values:
        org = make_org(
            kind,
            f"Tajná organizace {key} {kind}",
            region=region,
            ico=f"{zlib.crc32(f'{key}{kind}'.encode()) % 10**8:08d}",
            email=f"kontakt-{key.lower()}-{kind}@tajne.test",
            municipality=municipality if kind == OrganisationKind.MUNICIPALITY else None,
        )
        tenant.orgs[kind] = org
        tenant.secrets += [org.name, org.email]
        for role in ROLES_BY_KIND[kind]:
            user = make_user(
                f"{key.lower()}-{kind}-{role}",
                org=org,
                role=role,
                first_name=f"Jméno{key}",
                last_name=f"Příjmení-{kind}-{role}",
            )
            tenant.users[(kind, role)] = user
            tenant.secrets.append(user.email)
        invitation = Invitation.objects.create(
            organisation=org, email=f"pozvany-{key.lower()}-{kind}@tajne.test", role=Role.READER
        )
        tenant.secrets.append(invitation.email)
    return tenant


@pytest.fixture
def tenant_a(db) -> Tenant:
    return build_tenant("Alfa", "CZ991")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return build_tenant("Beta", "CZ992")


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def provider_admin(tenant_a):
    return tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN)


@pytest.fixture
def provider_org(tenant_a) -> Organisation:
    return tenant_a.orgs[OrganisationKind.PROVIDER]


@pytest.fixture
def superuser(db):
    return make_user("koren", is_superuser=True, is_staff=True)


__all__ = ["Tenant", "build_tenant", "Membership"]


# --- a tenant's provider linked to a registry service, with a framework: the world of the quality apps --------

SERVICE_NAMES = {"Alfa": "Domov Alfa U Lip", "Beta": "Domov Beta Pod Lesem"}


@dataclass
class ServiceWorld:
    """Tenant ``tenant``'s provider organisation with a VERIFIED link to the provider of registry service ``service``
    (see ``link_provider_to_registry``), and ``framework``."""

    tenant: Tenant
    framework: object
    service: object

    @classmethod
    def build(cls, tenant: Tenant, framework):
        from qmss.assessments.testing import link_provider_to_registry

        service = link_provider_to_registry(
            tenant.orgs[OrganisationKind.PROVIDER], service_name=SERVICE_NAMES[tenant.key], region=tenant.region
        )
        return cls(tenant=tenant, framework=framework, service=service)

    @property
    def provider(self) -> Organisation:
        return self.tenant.orgs[OrganisationKind.PROVIDER]

    def user(self, kind: str = OrganisationKind.PROVIDER, role: str = Role.ADMIN):
        return self.tenant.user(kind, role)

    @property
    def region_manager(self):
        return self.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)

    @staticmethod
    def logged_in(user) -> Client:
        """A test client logged in as ``user`` (anonymous for None)."""
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def framework(db):
    """A 48-criterion framework (15 standards) with a 0–3 point scale."""
    from qmss.assessments.testing import make_framework

    return make_framework()


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """No cached page fragment (registry catalogue, synthetic-territory flag) outlives the test that made it."""
    from django.conf import settings
    from django.core.cache import caches

    alias = getattr(settings, "QMSS_PAGE_CACHE", "default")
    if alias != "default":  # never empty a cache shared with anything else
        caches[alias].clear()
    yield


@pytest.fixture(autouse=True)
def _czech_by_default():
    """Every test starts in Czech, whatever language a previous test in the same worker activated."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
