"""Assessment pages: list with filters, creation, the detail page's scores and verdict, result recording."""

from __future__ import annotations

from django.urls import reverse

from qmss.assessments.models import Assessment, Result
from qmss.assessments.testing import criteria, make_assessment, make_evidence, make_finding
from qmss.frameworks.models import ScaleValue

Kind, State = Assessment.Kind, Assessment.State


def detail(world, assessment, user=None):
    client = world.client(user or world.provider_editor)
    response = client.get(reverse("assessments:detail", kwargs={"assessment_pk": assessment.pk}))
    assert response.status_code == 200
    return response


def test_detail_shows_scores_verdict_and_failed_essential_criteria(world):
    plan = {c.ref_id: "3" for c in criteria(world.framework)}
    plan["1a"] = "1"  # essential, below the minimum of 2
    assessment = make_assessment(world.provider, service=world.service, framework=world.framework, fill=plan)
    response = detail(world, assessment)
    report = response.context["report"]
    assert report.total == 3 * 47 + 1 and report.max_total == 144
    assert report.passed is False
    assert [row.requirement.ref_id for row in report.failed_essential] == ["1a"]
    first = report.standards[0]
    assert (first.score, first.max_score, first.failed_essential) == (10, 12, True)
    body = response.content.decode()
    assert "142" in body and "144" in body and "failed-essential" in body
    assert f'href="#criterion-{first.rows[0].requirement.pk}"' in body
    # all criteria at 3 points: passes
    Result.objects.filter(assessment=assessment).update(
        value=ScaleValue.objects.get(scale=world.framework.default_scale, key="3"), score=3
    )
    report = detail(world, assessment).context["report"]
    assert report.passed is True and report.failed_essential == []


def test_rows_show_results_findings_and_evidence(world):
    assessment = make_assessment(world.provider, service=world.service, framework=world.framework, fill={"2b": "2"})
    result = assessment.results.get()
    result.comment = "Komentář ke 2b"
    result.save()
    make_finding(result, text="Silná stránka služby", kind="strength")
    result.evidence.add(make_evidence(world.provider, title="Etický kodex"))
    body = detail(world, assessment).content.decode()
    for text in ("Komentář ke 2b", "Silná stránka služby", "Etický kodex", "badge--strength"):
        assert text in body
    reader_body = detail(world, assessment, world.provider_reader).content.decode()
    assert "Etický kodex" in reader_body
    assert (
        reverse(
            "assessments:result_edit", kwargs={"assessment_pk": assessment.pk, "requirement_pk": result.requirement_id}
        )
        not in reader_body
    )


def test_result_edit_form_records_value_comment_note_and_evidence(world):
    assessment = make_assessment(world.provider, service=world.service, framework=world.framework)
    requirement = world.framework.requirements.get(ref_id="3a")
    evidence = make_evidence(world.provider, title="Postup jednání se zájemcem")
    url = reverse("assessments:result_edit", kwargs={"assessment_pk": assessment.pk, "requirement_pk": requirement.pk})
    client = world.client(world.provider_editor)
    page = client.get(url).content.decode()
    assert "Postup jednání se zájemcem" in page and "<fieldset" in page and "<legend>" in page
    value = ScaleValue.objects.get(scale=world.framework.default_scale, key="2")
    response = client.post(
        url, {"value": value.pk, "comment": "Splněno převážně", "internal_note": "Ověřit", "evidence": [evidence.pk]}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#criterion-{requirement.pk}")
    result = assessment.results.get()
    assert (result.value, result.score, result.comment, result.internal_note) == (
        value,
        2,
        "Splněno převážně",
        "Ověřit",
    )
    assert list(result.evidence.all()) == [evidence]
    # an unknown criterion or one of another framework version is not found
    bad = reverse("assessments:result_edit", kwargs={"assessment_pk": assessment.pk, "requirement_pk": 999999})
    assert client.get(bad).status_code == 404


def test_list_filters_and_pagination(world):
    make_assessment(world.provider, service=world.service, framework=world.framework, title="Sebehodnocení jaro")
    make_assessment(
        world.provider, kind=Kind.INSPECTION, state=State.PUBLISHED, framework=world.framework, title="Inspekce podzim"
    )
    client = world.client(world.provider_reader)
    url = reverse("assessments:list")
    body = client.get(url).content.decode()
    assert "Sebehodnocení jaro" in body and "Inspekce podzim" in body
    body = client.get(url, {"kind": Kind.INSPECTION}).content.decode()
    assert "Sebehodnocení jaro" not in body and "Inspekce podzim" in body
    body = client.get(url, {"state": State.DRAFT, "service": world.service.portal_id}).content.decode()
    assert "Sebehodnocení jaro" in body and "Inspekce podzim" not in body
    assert client.get(url, {"kind": "nonsense", "page": "x"}).status_code == 200


def test_create_page_offers_the_providers_services(world):
    client = world.client(world.provider_editor)
    url = reverse("assessments:create")
    page = client.get(url).content.decode()
    assert world.service.name in page
    response = client.post(
        url,
        {
            "organisation": world.provider.pk,
            "kind": Kind.INSPECTION,
            "service": world.service.pk,
            "inspection_type": "basic",
            "inspection_authority": "Krajská pobočka ÚP",
            "visit_date": "2026-03-02",
            "inspection_team": "Inspektor A",
        },
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert (assessment.kind, assessment.inspection_type, str(assessment.visit_date)) == (
        Kind.INSPECTION,
        "basic",
        "2026-03-02",
    )
    body = detail(world, assessment).content.decode()
    assert "Krajská pobočka ÚP" in body and "Inspektor A" in body
    assert world.client(world.auditor).get(url).status_code == 403


def test_edit_page_hides_working_notes_from_non_assessors(world):
    audit = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.IN_PROGRESS,
        framework=world.framework,
        auditing_organisation=world.audit_body,
    )
    url = reverse("assessments:edit", kwargs={"assessment_pk": audit.pk})
    assert world.client(world.provider_editor).get(url).status_code == 403
    auditor = world.client(world.auditor)
    assert "id_internal_notes" in auditor.get(url).content.decode()
    auditor.post(url, {"title": "Audit 2026", "summary": "Shrnutí", "internal_notes": "Jen pro auditory"})
    audit.refresh_from_db()
    assert (audit.title, audit.internal_notes) == ("Audit 2026", "Jen pro auditory")


def test_history_page_of_an_assessment(world, tenant_b):
    assessment = make_assessment(world.provider, framework=world.framework)
    url = reverse("object_history", kwargs={"model_label": "assessments.assessment", "object_pk": assessment.pk})
    assert world.client(world.provider_reader).get(url).status_code == 200
    from qmss.core.roles import OrganisationKind, Role

    assert world.client(tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN)).get(url).status_code == 404


def test_report_links_resolve(world):
    assessment = make_assessment(world.provider, framework=world.framework)
    assert reverse("assessments:report_pdf", kwargs={"assessment_pk": assessment.pk}).endswith("/zprava.pdf")
    assert reverse("assessments:report_xlsx", kwargs={"assessment_pk": assessment.pk}).endswith("/zprava.xlsx")
