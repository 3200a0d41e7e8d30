"""Pages of the reference values: the public list and set (in force / older versions, source and verification,
no manager organisation's name to outsiders), the XLSX template and export, the managers' import page."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.financing.models import ReferenceValue, ReferenceValueSet
from qmss.financing.selectors_reference import set_values
from qmss.financing.testing_reference import make_reference_set
from qmss.financing.xlsx_reference import export_xlsx
from qmss.registry.testing import make_kind
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = reverse("financing:reference_sets")
IMPORT = reverse("financing:reference_import")


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def region(tenant_a):
    return tenant_a.orgs[OrganisationKind.REGION]


def test_public_list_and_set_mark_the_version_in_force(tenant_a, region):
    old = make_reference_set(region, name="Hodnoty první", verified=False)
    new = make_reference_set(region, name="Hodnoty opravené", source="Usnesení RK 12/2026")
    page = _client().get(LIST).content.decode()
    assert "Hodnoty první" in page and "Hodnoty opravené" in page
    assert region.name not in page and tenant_a.region.name in page  # outsiders see the territory
    detail = _client().get(new.get_absolute_url()).content.decode()
    assert "Usnesení RK 12/2026" in detail and old.get_absolute_url() in detail and "38" in detail
    older = _client().get(old.get_absolute_url()).content.decode()
    assert new.get_absolute_url() in older
    member = _client(tenant_a.user(OrganisationKind.REGION, Role.READER)).get(new.get_absolute_url())
    assert region.name in member.content.decode()  # members see their organisation's name
    filtered = _client().get(LIST, {"spravce": region.pk, "rok": 2026}).content.decode()
    assert "Hodnoty první" not in filtered


def test_export_and_template_are_xlsx(region):
    from python_calamine import CalamineWorkbook

    reference_set = make_reference_set(region)
    response = _client().get(reverse("financing:reference_export", kwargs={"reference_set_pk": reference_set.pk}))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["kind", "form", "unit"] and len(rows) == 4
    template = _client().get(reverse("financing:reference_template"))
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_import_page_is_for_managers_only(tenant_a, tenant_b, region):
    assert _client().get(IMPORT).status_code == 302
    assert _client(tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN)).get(IMPORT).status_code == 403
    page = _client(tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)).get(IMPORT).content.decode()
    assert tenant_b.orgs[OrganisationKind.REGION].name in page and region.name not in page


def _post(client, organisation, data, **extra):
    upload = io.BytesIO(data)
    upload.name = "hodnoty.xlsx"
    fields = {"organisation": organisation.pk, "year": 2027, "name": "Hodnoty", "source": "Analýza", "file": upload}
    return client.post(IMPORT, {**fields, **extra})


def test_import_page_creates_a_version_or_lists_the_problems(tenant_a, tenant_b, region):
    source_set = make_reference_set(region)
    data = export_xlsx(source_set, set_values(source_set), "Kraj")
    manager = _client(tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    response = manager.post(IMPORT, {})
    assert response.status_code == 400
    response = _post(manager, region, data, verified="on")
    created = ReferenceValueSet.objects.get(version=2)
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.verified and created.values.count() == 3
    bad = _post(manager, region, b"not a workbook")
    assert bad.status_code == 400 and "hodnoty.xlsx" in bad.content.decode()
    other = _post(_client(tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)), region, data)
    assert other.status_code == 400  # A's region is no choice of B's manager
    assert ReferenceValueSet.objects.count() == 2


def test_list_and_set_read_a_constant_number_of_queries(region):
    client = _client()

    def grow_sets(n):
        while ReferenceValueSet.objects.count() < n:
            make_reference_set(region, year=2000 + ReferenceValueSet.objects.count())

    assert_constant_queries(lambda: client.get(LIST), grow_sets, count=ReferenceValueSet.objects.count, large=8)
    reference_set = ReferenceValueSet.objects.first()

    def grow_values(n):
        code = 40
        while reference_set.values.count() < n:
            code += 1
            ReferenceValue.objects.create(
                reference_set=reference_set, kind=make_kind(str(code)), unit="klienti", usual_cost=Decimal(100),
                usual_revenue=Decimal(10), max_public_share=Decimal("0.5"),
            )  # fmt: skip

    assert_constant_queries(
        lambda: client.get(reference_set.get_absolute_url()), grow_values, count=reference_set.values.count, large=12
    )
