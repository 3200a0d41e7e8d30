"""Fixtures for the improvement tests: tenant A's provider linked to a registry service in its region, a
48-criteria framework, and clients for the roles involved."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from qmss.assessments.testing import link_provider_to_registry, make_framework
from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class World:
    tenant: object
    framework: object
    service: object

    @property
    def provider(self):
        return self.tenant.orgs[OrganisationKind.PROVIDER]

    def user(self, kind: str = OrganisationKind.PROVIDER, role: str = Role.ADMIN):
        return self.tenant.user(kind, role)

    @property
    def admin(self):
        return self.user(OrganisationKind.PROVIDER, Role.ADMIN)

    @property
    def editor(self):
        return self.user(OrganisationKind.PROVIDER, Role.EDITOR)

    @property
    def reader(self):
        return self.user(OrganisationKind.PROVIDER, Role.READER)

    @property
    def region_manager(self):
        return self.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)

    def scope(self, user=None) -> Scope:
        return Scope.for_user(user or self.admin)

    def client(self, user=None) -> Client:
        client = Client()
        client.force_login(user or self.admin)
        return client


@pytest.fixture
def framework(db):
    return make_framework()


@pytest.fixture
def world(tenant_a, framework) -> World:
    service = link_provider_to_registry(
        tenant_a.orgs[OrganisationKind.PROVIDER], service_name="Domov Alfa U Lip", region=tenant_a.region
    )
    return World(tenant=tenant_a, framework=framework, service=service)


@pytest.fixture
def world_b(tenant_b, framework) -> World:
    service = link_provider_to_registry(
        tenant_b.orgs[OrganisationKind.PROVIDER], service_name="Domov Beta Pod Lesem", region=tenant_b.region
    )
    return World(tenant=tenant_b, framework=framework, service=service)
