"""Assessment reports: the data read, the PDF (WeasyPrint), the XLSX workbook and who may download them."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from qmss.assessments.models import Assessment, Evidence, Finding
from qmss.assessments.reports.data import report_data
from qmss.assessments.reports.pdf import render_pdf
from qmss.assessments.reports.testing import (
    INTERNAL_MARK,
    add_evidence,
    add_findings,
    make_report_assessment,
    sqss_framework,
)
from qmss.assessments.reports.xlsx import render_xlsx, sheet_titles
from qmss.core.formatting import format_number, format_percent
from qmss.core.roles import OrganisationKind, Role
from qmss.registry.testing import make_provider, make_service
from qmss.testing.queries import assert_constant_queries


def _text(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return _text(" ".join(page.extract_text() or "" for page in reader.pages))


def report_url(name: str, pk: int) -> str:
    return reverse(f"assessments:{name}", kwargs={"assessment_pk": pk})


def _audit(tenant, **kwargs) -> Assessment:
    provider_org = tenant.orgs[OrganisationKind.PROVIDER]
    provider = make_provider(provider_org.name, ico=provider_org.ico)
    service = make_service(provider, name=f"Domov pro seniory Šťastné stáří {tenant.key}")
    return make_report_assessment(
        organisation=provider_org,
        service=service,
        auditing_organisation=tenant.orgs[OrganisationKind.AUDIT_BODY],
        user=tenant.user(OrganisationKind.AUDIT_BODY, Role.AUDITOR),
        **kwargs,
    )


@pytest.fixture
def audit(tenant_a) -> Assessment:
    return _audit(tenant_a)


# --- data ---------------------------------------------------------------------------------------------------


def test_framework_has_15_standards_and_48_criteria(db):
    framework = sqss_framework()
    assert framework.requirements.filter(assessable=True).count() == 48
    assert framework.requirements.filter(kind="standard").count() == 15


def test_report_data_collects_everything_but_working_notes(audit):
    data = report_data(audit)
    assert len(data.standards) == 15
    assert len(data.criteria) == 48
    assert len(data.findings) == 40
    assert len(data.evidence) == 30
    assert data.service_name == audit.service.name
    assert data.provider_ico == audit.service.provider.ico
    assert data.max_total > 0 and 0 < data.total <= data.max_total
    assert data.share == pytest.approx(float(data.total / data.max_total))
    assert all(c.comment for c in data.criteria)
    assert [g.kind for g in data.finding_groups][:2] == [Finding.Kind.MAJOR, Finding.Kind.MINOR]
    assert all(f.measure and f.deadline for f in data.finding_groups[0].findings)
    # Current versions only, and the criteria the evidence proves.
    assert {e.version for e in data.evidence} == {2}
    assert all(e.criteria for e in data.evidence)
    assert any(e.expired for e in data.evidence)
    assert INTERNAL_MARK not in repr(data)


def test_report_data_query_count_is_constant(tenant_a):
    assessment = _audit(tenant_a, findings=0, evidence=0)

    def grow(n: int) -> None:
        add_findings(assessment, n - Finding.objects.filter(result__assessment=assessment).count())
        add_evidence(assessment, n - Evidence.objects.filter(organisation=assessment.organisation).count())

    queries = assert_constant_queries(
        lambda: report_data(assessment),
        grow,
        count=Finding.objects.filter(result__assessment=assessment),
        small=1,
        large=40,
        max_queries=15,
        rows=lambda data: sum(len(group.findings) for group in data.finding_groups) + len(data.evidence),
    )
    assert queries <= 15


def test_self_assessment_of_the_organisation_with_missing_results(tenant_a):
    assessment = make_report_assessment(
        organisation=tenant_a.orgs[OrganisationKind.PROVIDER], kind=Assessment.Kind.SELF,
        state=Assessment.State.IN_PROGRESS, findings=3, evidence=2,
    )  # fmt: skip
    Assessment.objects.filter(pk=assessment.pk).update(service=None)
    assessment.results.filter(requirement__ref_id__in=["1a", "2b", "15c"]).delete()
    data = report_data(assessment)
    assert data.service_name == "" and data.subject_name == tenant_a.orgs[OrganisationKind.PROVIDER].name
    assert [c.ref_id for c in data.missing] == ["1a", "2b", "15c"]
    assert data.passed is None
    assert len(data.criteria) == 48  # a criterion without a result is still listed
    text = pdf_text(render_pdf(data))
    # pypdf may split kerned pairs ("T ajná"): compare without spaces
    assert data.subject_name.replace(" ", "") in text.replace(" ", "") and "1a" in text
    workbook = load_workbook(io.BytesIO(render_xlsx(data)))
    assert workbook[sheet_titles()[1]].max_row == 1 + 48


# --- PDF ----------------------------------------------------------------------------------------------------


def test_pdf_holds_service_standards_and_scores(audit):
    data = report_data(audit)
    content = render_pdf(data)
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 4
    text = pdf_text(content)
    assert _text(data.service_name) in text
    assert audit.service.provider.ico in text
    assert "Šťastné stáří" in text  # Czech diacritics survive as text
    for standard in data.standards:
        # The row of the score table: "1 Cíle a způsoby … 11 / 12 91,7 %".
        score, maximum = format_number(standard.score), format_number(standard.max_score)
        row = _text(f"{standard.ref_id} {standard.title} {score} / {maximum} {format_percent(ratio=standard.share)}")
        assert row in text, row
    for group in data.finding_groups:
        assert group.findings[0].text[:30] in text
    assert data.evidence[0].title in text
    assert INTERNAL_MARK not in text


def test_pdf_has_page_numbers_and_embeds_dejavu(audit):
    content = render_pdf(report_data(audit))
    reader = PdfReader(io.BytesIO(content))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    assert fonts and all("DejaVu-Sans" in name for name in fonts), fonts  # subsets of the system face
    pages = len(reader.pages)
    last = _text(reader.pages[-1].extract_text())
    assert re.search(rf"\b{pages} \S+ {pages}\b", last), last[-200:]


# --- XLSX ---------------------------------------------------------------------------------------------------


def test_xlsx_has_four_sheets_and_a_row_per_criterion(audit):
    Finding.objects.filter(result__assessment=audit).update(text='=HYPERLINK("http://example.test")')
    data = report_data(audit)
    workbook = load_workbook(io.BytesIO(render_xlsx(data)))
    assert workbook.sheetnames == list(sheet_titles())
    summary, criteria, findings, evidence = (workbook[name] for name in sheet_titles())

    rows = list(criteria.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 48
    assert [row[0] for row in rows] == [c.ref_id for c in data.criteria]
    assert criteria["A1"].font.bold and criteria.freeze_panes == "A2" and criteria.auto_filter.ref
    assert criteria.column_dimensions["C"].width >= 40
    assert findings.max_row == 1 + 40
    assert evidence.max_row == 1 + 30
    # Text typed by users never becomes a formula.
    assert all(cell.data_type == "s" for cell in findings["D"][1:])
    assert summary.freeze_panes and summary.auto_filter.ref
    standard_refs = {row[0] for row in summary.iter_rows(values_only=True)}
    assert {s.ref_id for s in data.standards} <= standard_refs
    every_cell = " ".join(
        str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row if value
    )
    assert INTERNAL_MARK not in every_cell


# --- views --------------------------------------------------------------------------------------------------


def test_provider_downloads_published_audit(client: Client, audit, tenant_a):
    client.force_login(tenant_a.user(OrganisationKind.PROVIDER, Role.READER))
    response = client.get(report_url("report_pdf", audit.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="hodnoceni-{audit.pk}.pdf"'
    assert response.content.startswith(b"%PDF-")

    response = client.get(report_url("report_xlsx", audit.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="hodnoceni-{audit.pk}.xlsx"'
    load_workbook(io.BytesIO(response.content))


def test_unpublished_audit_only_for_the_auditors(client: Client, tenant_a):
    assessment = _audit(tenant_a, state=Assessment.State.IN_REVIEW, findings=2, evidence=1)
    client.force_login(tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN))
    assert client.get(report_url("report_xlsx", assessment.pk)).status_code == 404
    client.force_login(tenant_a.user(OrganisationKind.AUDIT_BODY, Role.AUDITOR))
    assert client.get(report_url("report_xlsx", assessment.pk)).status_code == 200


def test_other_provider_gets_404(client: Client, audit, tenant_b):
    client.force_login(tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN))
    assert client.get(report_url("report_pdf", audit.pk)).status_code == 404
    assert client.get(report_url("report_xlsx", audit.pk)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, audit):
    for name in ("report_pdf", "report_xlsx"):
        url = report_url(name, audit.pk)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login")) and "next=" in response["Location"]


def test_unknown_assessment_is_404(client: Client, superuser):
    client.force_login(superuser)
    assert client.get(report_url("report_pdf", 999999)).status_code == 404
