"""Pages of the compensation part: the table (who sees it, sorting, totals, formula, query budget), computing and
approving through the forms, the line explanation (manager side and the line's own provider), the XLSX export."""

from __future__ import annotations

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.financing.models import CompensationLine, CompensationRun, Programme, SubsidyApplication
from qmss.financing.testing_compensation import add_application, closed_programme, make_run
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def manager(tenant):
    return tenant.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)


def provider(tenant):
    return tenant.user(OrganisationKind.PROVIDER, Role.ADMIN)


def table_url(programme, query=""):
    return reverse("financing:compensation", kwargs={"programme_pk": programme.pk}) + query


def test_table_visibility_sorting_and_formula(tenant_a, tenant_b):
    programme = closed_programme(tenant_a, budget=D("2600000"))
    add_application(programme, tenant_a, name="Áčko služba", units=D("10"), costs={"staff": D("2000000")}, revenues={})
    make_run(programme)
    url = table_url(programme)
    for user in (provider(tenant_a), manager(tenant_b), provider(tenant_b)):
        assert client_for(user).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    response = client_for(manager(tenant_a)).get(url + "?razeni=-vyrovnavaci-platba")
    assert response.status_code == 200
    page = response.content.decode()
    lines = list(response.context["page_obj"].object_list)
    assert [line.real for line in lines] == [D("1600000"), D("1000000")]  # highest compensation first
    assert response.context["totals"].real == D("2600000")
    assert "min(1; 2" in page and "0,500000" in page  # the coefficient with its formula
    assert 'aria-sort="descending"' in page
    assert reverse("financing:compensation_compute", kwargs={"programme_pk": programme.pk}) in page
    ascending = client_for(manager(tenant_a)).get(url + "?razeni=vyrovnavaci-platba").context["page_obj"]
    assert [line.real for line in ascending.object_list] == [D("1000000"), D("1600000")]
    by_name = client_for(manager(tenant_a)).get(url + "?razeni=sluzba").context["page_obj"]
    assert by_name.object_list[0].service.name == "Áčko služba"  # Czech order: Á before D
    assert client_for(manager(tenant_a)).get(url + "?vypocet=9").status_code == 404


def test_table_query_budget(tenant_a):
    programme = closed_programme(tenant_a)
    run = make_run(programme)
    template = run.lines.get()
    from qmss.registry.testing import make_service

    def grow(n):
        while run.lines.count() < n:
            service = make_service(template.service.provider, name=f"Služba {run.lines.count()}")
            application = SubsidyApplication.objects.create(
                programme=programme,
                service=service,
                organisation=template.application.organisation,
                state="submitted",
                units=D("5"),
                unit="luzka",
            )
            CompensationLine.objects.create(
                run=run, application=application, service=service, units=D("5"), unit="luzka", inputs=template.inputs
            )

    client = client_for(manager(tenant_a))
    assert_constant_queries(
        lambda: client.get(table_url(programme)), grow, count=run.lines, small=1, large=6, max_queries=30
    )


def test_compute_and_approve_through_the_forms(tenant_a):
    programme = closed_programme(tenant_a)
    client = client_for(manager(tenant_a))
    response = client.post(reverse("financing:compensation_compute", kwargs={"programme_pk": programme.pk}))
    run = CompensationRun.objects.get(programme=programme)
    assert response.status_code == 302 and response["Location"].endswith(f"?vypocet={run.number}")
    page = client.get(table_url(programme)).content.decode()
    assert reverse("financing:compensation_approve", kwargs={"programme_pk": programme.pk}) in page
    # the provider may not approve; the manager approves the run it has seen
    approve_url = reverse("financing:compensation_approve", kwargs={"programme_pk": programme.pk})
    assert client_for(provider(tenant_a)).post(approve_url, {"vypocet": run.number}).status_code == 403
    assert client.post(approve_url, {"vypocet": run.number}).status_code == 302
    run.refresh_from_db()
    programme.refresh_from_db()
    assert run.state == CompensationRun.State.APPROVED and programme.state == Programme.State.DECIDED
    assert client.get(approve_url).status_code == 405


def test_line_explanation(tenant_a, tenant_b):
    programme = closed_programme(tenant_a)
    approved = make_run(programme, approve=True)
    draft = make_run(programme)
    line = approved.lines.get()
    url = reverse("financing:compensation_line", kwargs={"line_pk": line.pk})
    # the line's own provider: its approved line with every input and source, no link to the table
    response = client_for(provider(tenant_a)).get(url)
    assert response.status_code == 200
    page = response.content.decode().replace("\xa0", " ")
    assert programme.reference_set.source in page and "3 200 000" in page  # the reference set and public need
    assert table_url(programme) not in page
    assert response.context["score_url"] == ""  # an entry's score explanation is the network manager's
    # the manager side: the same page with the score explanation linked
    response = client_for(manager(tenant_a)).get(url)
    assert response.status_code == 200 and "/vysvetleni/e" in response.context["score_url"]
    # the provider does not see a draft run's line; tenant B sees nothing
    draft_url = reverse("financing:compensation_line", kwargs={"line_pk": draft.lines.get().pk})
    assert client_for(provider(tenant_a)).get(draft_url).status_code == 404
    for user in (provider(tenant_b), manager(tenant_b)):
        assert client_for(user).get(url).status_code == 404


def test_export_xlsx(tenant_a):
    from openpyxl import load_workbook

    programme = closed_programme(tenant_a)
    add_application(programme, tenant_a, name='=HYPERLINK("http://x")', units=D("10"))
    run = make_run(programme)
    url = reverse("financing:compensation_export", kwargs={"programme_pk": programme.pk})
    assert client_for(provider(tenant_a)).get(url).status_code == 403
    response = client_for(manager(tenant_a)).get(url + f"?vypocet={run.number}")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    names = [row[0] for row in rows[7:-1]]
    assert '=HYPERLINK("http://x")' in names
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"  # text, never a formula
    assert rows[-1][0] == "Total" or rows[-1][0] == "Celkem"
    assert D(str(rows[-1][19])) == run.total_real
