"""Fixtures for the improvement tests: tenant A's provider linked to a registry service in its region, a
48-criteria framework, and clients for the roles involved."""

from __future__ import annotations

import pytest
from django.test import Client

from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from tests.conftest import ServiceWorld


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class World(ServiceWorld):
    @property
    def admin(self):
        return self.user(OrganisationKind.PROVIDER, Role.ADMIN)

    @property
    def editor(self):
        return self.user(OrganisationKind.PROVIDER, Role.EDITOR)

    @property
    def reader(self):
        return self.user(OrganisationKind.PROVIDER, Role.READER)

    def scope(self, user=None) -> Scope:
        return Scope.for_user(user or self.admin)

    def client(self, user=None) -> Client:
        return self.logged_in(user or self.admin)


@pytest.fixture
def world(tenant_a, framework) -> World:
    return World.build(tenant_a, framework)


@pytest.fixture
def world_b(tenant_b, framework) -> World:
    return World.build(tenant_b, framework)
