"""The allocation problem read from the database, the page (manager side only, budget validated) and the export."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.financing.allocation_problem import (
    REASON_BELOW_THRESHOLD,
    REASON_CAP_REACHED,
    build_problem,
    parse_budget,
)
from qmss.financing.models import CompensationLine, CompensationRun
from qmss.financing.testing_applications import make_programme


@pytest.fixture
def programme(tenant_a):
    """Tenant A's programme; the network entry of the application's service serves the tenant's ORP."""
    programme = make_programme(tenant_a, budget=Decimal("1000000"))
    application = programme.applications.get()
    entry = application.service.network_entries.filter(version__network=programme.network).order_by("-pk").first()
    entry.orp_codes = [tenant_a.municipality.orp.ruian_code]
    entry.save(update_fields=["orp_codes"])
    return programme


def _manager(tenant):
    return tenant.users[(OrganisationKind.REGION, Role.NETWORK_MANAGER)]


def test_parse_budget_bounds():
    assert parse_budget("1 500 000,50") == Decimal("1500000.50")
    assert parse_budget("0") == Decimal("0")
    for bad in ("", "-1", "abc", "1e400", "NaN", "Infinity", "1" * 30, "1000000000000"):
        assert parse_budget(bad) is None


def test_build_problem_caps_eligibility_need_and_coverage(programme, tenant_a):
    from qmss.network.demand import demand_by_orp
    from qmss.network.selectors_rules import current_parameters, demand_values

    problem, labels = build_problem(programme)
    application = programme.applications.get()
    kind = application.service.kind.code
    orp = tenant_a.municipality.orp
    assert problem.keys == [str(application.pk)]
    assert problem.caps[0] > 0 and labels.run is None  # no run yet: caps computed by the compensation engine
    assert labels.services[0]["orps"] == [orp.name]
    demand = demand_values(current_parameters(programme.network))[kind]
    expected = demand_by_orp(region_ids=[programme.network.region_id], kind_code=kind, demand=demand)[orp.pk]
    assert problem.need.tolist() == [pytest.approx(float(expected.total))]
    assert problem.coverage.toarray().tolist() == [[pytest.approx(float(application.units))]]
    assert problem.eligible[0] == (Decimal(str(labels.services[0]["quality"])) >= labels.threshold)

    # the newest run's capped amount is the cap; a threshold above every score makes the service ineligible
    run = CompensationRun.objects.create(programme=programme, number=1, budget=programme.budget, coefficient=1)
    CompensationLine.objects.create(
        run=run, application=application, service=application.service, units=application.units,
        unit=application.unit, capped=Decimal("123456.00"),
    )  # fmt: skip
    programme.parameters = {**programme.parameters, "quality_threshold": "100.5"}
    programme.save(update_fields=["parameters"])
    problem, labels = build_problem(programme)
    assert problem.caps.tolist() == [123456.0] and labels.run == run
    assert not problem.eligible[0]


def test_page_for_the_manager_with_both_methods_and_the_shadow_price(client, programme, tenant_a):
    client.force_login(_manager(tenant_a))
    url = reverse("financing:allocation", kwargs={"programme_pk": programme.pk})
    response = client.get(url, {"rozpocet": "100 000"})
    assert response.status_code == 200
    comparison = response.context["comparison"]
    row = comparison.rows[0]
    assert comparison.budget == Decimal("100000")
    assert row["proportional"] == Decimal("100000")  # the cap is above the budget: proportional spends it all
    if row["eligible"]:
        assert row["optimised"] == Decimal("100000") and comparison.shadow_price > 0
        assert row["reason"] != REASON_CAP_REACHED
    else:
        assert row["optimised"] == 0 and row["reason"] == REASON_BELOW_THRESHOLD
    content = response.content.decode()
    assert "shadow" in content.lower() or "stínov" in content.lower()
    assert reverse("financing:allocation_export", kwargs={"programme_pk": programme.pk}) in content

    ineligible = programme.parameters | {"quality_threshold": "100.5"}
    programme.parameters = ineligible
    programme.save(update_fields=["parameters"])
    row = client.get(url).context["comparison"].rows[0]
    assert row["optimised"] == 0 and row["reason"] == REASON_BELOW_THRESHOLD and row["change"] == "loss"

    response = client.get(url, {"rozpocet": "-5"})  # refused with a message, the programme's budget used
    assert response.status_code == 400
    assert response.context["budget_error"]
    assert response.context["comparison"].budget == programme.budget
    assert 'aria-invalid="true"' in response.content.decode()


def test_only_the_manager_side_sees_the_page_and_the_export(client, programme, tenant_a, tenant_b):
    urls = [
        reverse("financing:allocation", kwargs={"programme_pk": programme.pk}),
        reverse("financing:allocation_export", kwargs={"programme_pk": programme.pk}),
    ]
    for user in (tenant_a.users[(OrganisationKind.PROVIDER, Role.ADMIN)], _manager(tenant_b)):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404
    client.logout()
    assert client.get(urls[0]).status_code == 302


def test_export_is_a_workbook_with_both_methods(client, programme, tenant_a):
    from openpyxl import load_workbook

    application = programme.applications.get()
    application.service.name = '=HYPERLINK("http://zlo.test")'
    application.service.save(update_fields=["name"])
    client.force_login(_manager(tenant_a))
    response = client.get(reverse("financing:allocation_export", kwargs={"programme_pk": programme.pk}))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    found = [cell for row in sheet.iter_rows() for cell in row if cell.value == application.service.name]
    assert found and all(cell.data_type == "s" and cell.quotePrefix for cell in found)  # a text, never a formula
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any("HiGHS" in text for text in texts)  # the formulation travels with the numbers


def test_page_queries_do_not_grow_with_the_applications(client, programme, tenant_a):
    from qmss.financing.testing_applications import make_application
    from qmss.registry.testing import make_service
    from qmss.testing.queries import assert_constant_queries

    provider = tenant_a.orgs[OrganisationKind.PROVIDER]
    kind = programme.applications.get().service.kind.code
    client.force_login(_manager(tenant_a))
    url = reverse("financing:allocation", kwargs={"programme_pk": programme.pk})

    def grow(n):
        while programme.applications.count() < n:
            make_application(programme, make_service(kind=kind), provider)
        client.get(url)  # the network's scoring inputs are cached per change stamp: measure the warm page

    assert_constant_queries(lambda: client.get(url), grow, count=programme.applications, small=2, large=6)
