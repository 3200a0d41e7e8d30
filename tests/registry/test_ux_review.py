"""UX review of issue #9: the municipality's links to the ORP catalogue also choose the ORP's region, so the ORP
list of the catalogue's filter is narrowed to that region (not all 206 ORPs)."""

from __future__ import annotations

import pytest
from django.test import Client

from qmss.core.roles import OrganisationKind, Role
from qmss.registry.testing import make_service


@pytest.mark.django_db
def test_municipality_dashboard_links_the_orp_catalogue_with_its_region(tenant_a):
    home = tenant_a.municipality
    make_service(name="Domov doma", forms=(("pob", (("luzka", 30),)),), municipalities=[home])
    client = Client()
    client.force_login(tenant_a.user(OrganisationKind.MUNICIPALITY, Role.EDITOR))
    body = client.get("/").content.decode()
    assert f"/registr/?orp={home.orp.ruian_code}&amp;region={home.orp.region.code}" in body
