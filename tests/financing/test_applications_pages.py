"""Pages of programmes and subsidy applications: the flow through the forms, who sees what, query budgets and the
dashboard sections."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.financing.library import programme_parameters
from qmss.financing.models import CompensationLine, CompensationRun, Programme, SubsidyApplication
from qmss.financing.testing_applications import make_application, make_programme, provider_service
from qmss.registry.testing import make_provider, make_service
from qmss.testing.factories import make_org
from qmss.testing.queries import assert_constant_queries

REGION, PROVIDER = OrganisationKind.REGION, OrganisationKind.PROVIDER


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def programme(tenant_a):
    return make_programme(tenant_a)


def test_manager_creates_a_programme_and_opens_it(tenant_a, programme):
    client = client_for(tenant_a.user(REGION, Role.NETWORK_MANAGER))
    page = client.get(reverse("financing:programme_new"))
    assert page.status_code == 200
    response = client.post(
        reverse("financing:programme_new"),
        {"network": programme.network_id, "year": "2027", "name": "Program 2", "budget": "1000000", "deadline": ""},
    )
    created = Programme.objects.get(name="Program 2")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    detail = client.get(created.get_absolute_url()).content.decode()
    assert "urn:qmss:financing:rules" in detail  # the parameters' source
    client.post(reverse("financing:programme_state", kwargs={"programme_pk": created.pk}), {"state": "open"})
    created.refresh_from_db()
    assert created.state == Programme.State.OPEN
    # a refused value is shown back, nothing saved
    response = client.post(
        reverse("financing:programme_edit", kwargs={"programme_pk": created.pk}),
        {"name": "Program 2", "budget": "-5", "max_public_share": "2", "quality_threshold": "40",
         "reasonable_profit_rate": "0.02", "carry_over_max_share": "0.1"},
    )  # fmt: skip
    assert response.status_code == 200 and b"field--error" in response.content
    created.refresh_from_db()
    assert created.budget == Decimal("1000000") and created.parameters == programme_parameters()


def test_provider_files_edits_and_submits_through_the_pages(tenant_a, programme):
    client = client_for(tenant_a.user(PROVIDER, Role.EDITOR))
    second = make_programme(tenant_a, year=2028, name="Druhý program")
    second.applications.all().delete()
    service = programme.applications.get().service
    assert (
        service.name
        in client.get(reverse("financing:application_new", kwargs={"programme_pk": second.pk})).content.decode()
    )
    response = client.post(
        reverse("financing:application_new", kwargs={"programme_pk": second.pk}), {"service": service.pk}
    )
    draft = SubsidyApplication.objects.get(programme=second)
    assert response["Location"] == reverse("financing:application_edit", kwargs={"subsidy_pk": draft.pk})
    data = {"units": "40", "requested": "9999999", "note": "Poznámka", "cost_staff": "6000000",
            "cost_operating": "2000000", "revenue_user_payments": "3000000", "revenue_care_allowance": "1000000",
            "revenue_health_insurance": "0", "revenue_other_own": "0", "revenue_other_public": "500000"}  # fmt: skip
    edit = reverse("financing:application_edit", kwargs={"subsidy_pk": draft.pk})
    refused = client.post(edit, data)  # requested above the public need
    assert refused.status_code == 200 and b"field--error" in refused.content
    client.post(edit, {**data, "requested": "3000000"})
    page = client.get(draft.get_absolute_url()).content.decode()
    # net cost = 8 M − 4 M own revenues; public need = 4 M − 0.5 M other public money; both with their inputs
    assert "4\xa0000\xa0000,00" in page and "3\xa0500\xa0000,00" in page and "500\xa0000,00" in page
    assert str(programme) in page  # pre-filled from the 2027 application
    client.post(reverse("financing:application_submit", kwargs={"subsidy_pk": draft.pk}))
    draft.refresh_from_db()
    assert draft.state == SubsidyApplication.State.SUBMITTED and draft.requested == Decimal("3000000")


def test_manager_reviews_and_the_awarded_line_links_its_explanation(tenant_a, programme):
    application = programme.applications.get()
    client = client_for(tenant_a.user(REGION, Role.NETWORK_MANAGER))
    url = reverse("financing:application_review", kwargs={"subsidy_pk": application.pk})
    assert client.post(url, {"decision": "reject", "reason": ""}).status_code == 200  # a reason is required
    client.post(url, {"decision": "accept", "reason": ""})
    application.refresh_from_db()
    assert application.state == SubsidyApplication.State.ACCEPTED
    run = CompensationRun.objects.create(
        programme=programme, number=1, state="approved", budget=programme.budget, coefficient=Decimal(1)
    )
    line = CompensationLine.objects.create(
        run=run, application=application, service=application.service, units=application.units,
        unit=application.unit, real=Decimal("2500000"),
    )  # fmt: skip
    page = client.get(application.get_absolute_url()).content.decode()
    assert reverse("financing:compensation_line", kwargs={"line_pk": line.pk}) in page
    assert "2\xa0500\xa0000" in page


def test_providers_see_only_their_own_applications(tenant_a, tenant_b, programme):
    application = programme.applications.get()
    # another provider of tenant A with its own application in the same programme
    other_org = make_org(PROVIDER, "Jiný poskytovatel Alfa", region=tenant_a.region)
    other_service = make_service(make_provider("Jiný registrovaný"), name="Služba jiného poskytovatele")
    other = make_application(programme, other_service, other_org, note="Tajná poznámka jiného")
    a_provider = client_for(tenant_a.user(PROVIDER, Role.READER))
    listing = a_provider.get(reverse("financing:applications")).content.decode()
    assert application.service.name in listing and other_service.name not in listing
    assert a_provider.get(other.get_absolute_url()).status_code == 404
    assert a_provider.get(programme.get_absolute_url()).status_code == 200  # its service is in the network
    assert other_service.name not in a_provider.get(programme.get_absolute_url()).content.decode()
    provider_service(tenant_b)
    b_provider = client_for(tenant_b.user(PROVIDER, Role.ADMIN))
    for url in (
        application.get_absolute_url(),
        reverse("financing:application_edit", kwargs={"subsidy_pk": application.pk}),
        reverse("financing:application_review", kwargs={"subsidy_pk": application.pk}),
        programme.get_absolute_url(),
        reverse("financing:application_new", kwargs={"programme_pk": programme.pk}),
    ):
        assert b_provider.get(url).status_code == 404, url
    listing = b_provider.get(reverse("financing:applications"), {"program": programme.pk}).content.decode()
    assert application.service.name not in listing and tenant_a.orgs[PROVIDER].name not in listing
    assert programme.name not in b_provider.get(reverse("financing:programmes")).content.decode()
    b_manager = client_for(tenant_b.user(REGION, Role.NETWORK_MANAGER))
    assert b_manager.get(application.get_absolute_url()).status_code == 404
    assert b_manager.post(reverse("financing:programme_state", kwargs={"programme_pk": programme.pk}),
                          {"state": "closed"}).status_code == 404  # fmt: skip
    a_manager = client_for(tenant_a.user(REGION, Role.READER))
    page = a_manager.get(programme.get_absolute_url()).content.decode()
    assert application.service.name in page and other_service.name in page


def test_a_programme_in_preparation_is_hidden_from_providers(tenant_a):
    programme = make_programme(tenant_a, state="prepared")
    assert client_for(tenant_a.user(PROVIDER, Role.ADMIN)).get(programme.get_absolute_url()).status_code == 404
    assert client_for(tenant_a.user(REGION, Role.READER)).get(programme.get_absolute_url()).status_code == 200


def _grow_applications(programme, n):
    provider = programme.applications.first().organisation
    link_provider = programme.applications.first().service.provider
    for i in range(programme.applications.count(), n):
        service = make_service(link_provider, name=f"Služba {i}")
        make_application(programme, service, provider)


@pytest.mark.parametrize(("kind", "role"), [(REGION, Role.NETWORK_MANAGER), (PROVIDER, Role.READER)])
def test_application_list_and_programme_page_are_constant_in_applications(tenant_a, programme, kind, role):
    client = client_for(tenant_a.user(kind, role))
    assert_constant_queries(
        lambda: client.get(reverse("financing:applications")),
        lambda n: _grow_applications(programme, n),
        count=programme.applications.all(),
        small=2,
        large=6,
        max_queries=20,
    )
    if kind == REGION:
        assert_constant_queries(
            lambda: client.get(programme.get_absolute_url()),
            lambda n: _grow_applications(programme, n),
            count=programme.applications.all(),
            small=6,
            large=10,
            max_queries=25,
        )


def test_programme_list_is_constant_in_programmes(tenant_a, programme):
    client = client_for(tenant_a.user(PROVIDER, Role.READER))

    def grow(n):
        for i in range(Programme.objects.count(), n):
            Programme.objects.create(
                organisation=programme.organisation, network=programme.network, year=2027, name=f"Program {i}",
                budget=Decimal(1000), state="open",
            )  # fmt: skip

    assert_constant_queries(
        lambda: client.get(reverse("financing:programmes")),
        grow,
        count=Programme.objects.all(),
        small=2,
        large=6,
        max_queries=20,
    )


def test_dashboard_counts_drafts_and_applications_waiting(tenant_a, programme):
    make_application(
        programme,
        make_service(programme.applications.get().service.provider, name="Koncept"),
        programme.applications.get().organisation,
        state="draft",
    )
    provider_page = client_for(tenant_a.user(PROVIDER, Role.EDITOR)).get("/").content.decode()
    assert reverse("financing:applications") in provider_page and "financing-applications" in provider_page
    manager_page = client_for(tenant_a.user(REGION, Role.NETWORK_MANAGER)).get("/").content.decode()
    assert reverse("financing:applications") + "?stav=submitted" in manager_page
