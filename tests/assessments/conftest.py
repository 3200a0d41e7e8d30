"""Fixtures for the assessment tests: tenant A's provider linked to a registry service, a 48-criteria
framework, and clients for the roles involved. Uploaded files go to a temporary MEDIA_ROOT."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from qmss.assessments.testing import link_provider_to_registry, make_framework
from qmss.core.roles import OrganisationKind, Role


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def framework(db):
    return make_framework()


@dataclass
class World:
    tenant: object
    framework: object
    service: object

    @property
    def provider(self):
        return self.tenant.orgs[OrganisationKind.PROVIDER]

    @property
    def audit_body(self):
        return self.tenant.orgs[OrganisationKind.AUDIT_BODY]

    @property
    def region_org(self):
        return self.tenant.orgs[OrganisationKind.REGION]

    def user(self, kind: str, role: str = Role.ADMIN):
        return self.tenant.user(kind, role)

    @property
    def provider_admin(self):
        return self.user(OrganisationKind.PROVIDER, Role.ADMIN)

    @property
    def provider_editor(self):
        return self.user(OrganisationKind.PROVIDER, Role.EDITOR)

    @property
    def provider_reader(self):
        return self.user(OrganisationKind.PROVIDER, Role.READER)

    @property
    def auditor(self):
        return self.user(OrganisationKind.AUDIT_BODY, Role.AUDITOR)

    @property
    def region_manager(self):
        return self.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)

    def client(self, user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def world(tenant_a, framework) -> World:
    service = link_provider_to_registry(
        tenant_a.orgs[OrganisationKind.PROVIDER], service_name="Domov Alfa U Lip", region=tenant_a.region
    )
    return World(tenant=tenant_a, framework=framework, service=service)


def scope_of(user):
    from qmss.core.scoping import Scope

    return Scope.for_user(user)
