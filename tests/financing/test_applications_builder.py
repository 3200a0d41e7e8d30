"""The shared builder of a programme with a submitted application (other parts build on it)."""

from __future__ import annotations

from decimal import Decimal

from qmss.core.roles import OrganisationKind
from qmss.financing import budget
from qmss.financing.testing_applications import make_programme


def test_make_programme_builds_a_programme_with_a_submitted_application(tenant_a):
    programme = make_programme(tenant_a)
    application = programme.applications.get()
    assert programme.organisation == tenant_a.orgs[OrganisationKind.REGION]
    assert programme.state == "open" and programme.budget == Decimal("10000000")
    assert application.state == "submitted"
    assert application.organisation == tenant_a.orgs[OrganisationKind.PROVIDER]
    value = programme.reference_set.values.get()
    assert value.kind_id == application.service.kind_id and value.unit == application.unit
    assert budget.public_need(application.costs, application.revenues) > 0
    # a second programme reuses the network
    again = make_programme(tenant_a, year=2028)
    assert again.network_id == programme.network_id
