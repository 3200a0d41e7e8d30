"""Fixtures for the assessment tests: tenant A's provider linked to a registry service, a 48-criteria
framework, and clients for the roles involved. Uploaded files go to a temporary MEDIA_ROOT."""

from __future__ import annotations

import pytest
from django.test import Client

from qmss.core.roles import OrganisationKind, Role
from tests.conftest import ServiceWorld


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class World(ServiceWorld):
    @property
    def audit_body(self):
        return self.tenant.orgs[OrganisationKind.AUDIT_BODY]

    @property
    def region_org(self):
        return self.tenant.orgs[OrganisationKind.REGION]

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

    def client(self, user) -> Client:
        return self.logged_in(user)


@pytest.fixture
def world(tenant_a, framework) -> World:
    return World.build(tenant_a, framework)


def scope_of(user):
    from qmss.core.scoping import Scope

    return Scope.for_user(user)
