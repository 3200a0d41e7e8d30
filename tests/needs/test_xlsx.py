"""XLSX templates of a round: download in both layouts, upload back exactly, every bad file refused with its
place and nothing saved, safe cells, permissions and the download's query budget."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from qmss.core.roles import OrganisationKind, Role
from qmss.needs.models import SubmissionValue
from qmss.needs.testing_rounds import fill, make_round, open_with
from qmss.registry.testing import make_service

pytestmark = pytest.mark.django_db

PROVIDER = OrganisationKind.PROVIDER
REGION = OrganisationKind.REGION


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(tenant_a, tenant_b):
    """Tenant A's open round with three services of A's provider (residential, outpatient with a formula-like
    name, residential) and one of tenant B's provider in the same region (not A's)."""
    from qmss.assessments.testing import link_provider_to_registry

    provider_org = tenant_a.orgs[PROVIDER]
    first = link_provider_to_registry(provider_org, service_name="Domov Lípa", region=tenant_a.region)
    provider = first.provider
    second = make_service(
        provider,
        name='=HYPERLINK("http://zle.test","klik")',
        kind="4",
        forms=(("amb", (("klient", 12),)),),
        facilities=[{"region": tenant_a.region}],
    )
    third = make_service(provider, name="Domov Javor", facilities=[{"region": tenant_a.region}])
    foreign = link_provider_to_registry(tenant_b.orgs[PROVIDER], service_name="Cizí domov", region=tenant_a.region)
    round = make_round(tenant_a.orgs[REGION], name="Sběr 2025")
    submissions = {s.service_id: s for s in open_with(round, tenant_a.user(REGION, Role.ADMIN))}
    fill(submissions[first.pk])
    fill(submissions[third.pk], {("users", "65_79"): Decimal(7), ("direct_hours", ""): Decimal("1234.56")})
    return {
        "round": round,
        "submissions": submissions,
        "services": [first, second, third],
        "foreign": foreign,
        "editor": tenant_a.user(PROVIDER, Role.EDITOR),
        "tenant_a": tenant_a,
        "tenant_b": tenant_b,
    }


def _download(client, round, layout="sheets") -> bytes:
    response = client.get(reverse("needs:xlsx_download", kwargs={"round_pk": round.pk}), {"layout": layout})
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def _upload(client, round, content: bytes, name="sber.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("needs:xlsx_round", kwargs={"round_pk": round.pk}), {"file": upload})


def _state(round) -> list[tuple]:
    return sorted(
        SubmissionValue.objects.filter(submission__round=round).values_list(
            "submission_id", "element__code", "category", "value"
        )
    )


def _edit(content: bytes, changes: dict[str, dict[str, object]]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    for sheet, cells in changes.items():
        for ref, value in cells.items():
            workbook[sheet][ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(content: bytes, portal_id: int) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return next(title for title in workbook.sheetnames if title.endswith(f" {portal_id}"))


def _row_of(content: bytes, sheet: str, code: str) -> int:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    for index, row in enumerate(workbook[sheet].iter_rows(values_only=True), start=1):
        if row and row[0] == code:
            return index
    raise AssertionError(code)


@pytest.mark.parametrize("layout", ["sheets", "tidy"])
def test_round_trip_is_exact(world, layout):
    client = _client(world["editor"])
    before = _state(world["round"])
    content = _download(client, world["round"], layout)
    response = _upload(client, world["round"], content)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _state(world["round"]) == before
    assert Decimal("1234.56") in [row[3] for row in before]


def test_upload_changes_values(world):
    client = _client(world["editor"])
    content = _download(client, world["round"])
    third = world["services"][2]
    sheet = _sheet(content, third.portal_id)
    row = _row_of(content, sheet, "users/80p")
    hours = _row_of(content, sheet, "direct_hours")
    edited = _edit(content, {sheet: {f"E{row}": 12, f"E{hours}": 99.25}})
    response = _upload(client, world["round"], edited)
    assert response.status_code == 302, response.content.decode()[:3000]
    submission = world["submissions"][third.pk]
    values = {
        (code, cat): value
        for code, cat, value in SubmissionValue.objects.filter(submission=submission).values_list(
            "element__code", "category", "value"
        )
    }
    assert values[("users", "80p")] == Decimal(12)
    assert values[("direct_hours", "")] == Decimal("99.25")
    assert values[("users", "65_79")] == Decimal(7)
