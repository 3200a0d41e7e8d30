"""Query budgets: pages make the same number of queries however many rows they show."""

from __future__ import annotations

from django.urls import reverse

from qmss.assessments.models import Assessment, Evidence, Finding
from qmss.assessments.testing import make_assessment, make_evidence, make_finding
from qmss.testing.queries import assert_constant_queries

Kind, State = Assessment.Kind, Assessment.State


def test_detail_with_48_criteria_is_constant_in_findings_and_evidence(world):
    assessment = make_assessment(world.provider, service=world.service, framework=world.framework, fill="2")
    results = list(assessment.results.order_by("requirement__order"))
    assert len(results) == 48
    url = reverse("assessments:detail", kwargs={"assessment_pk": assessment.pk})
    client = world.client(world.provider_editor)

    def grow(n):
        for i in range(Finding.objects.count(), n):
            result = results[i % len(results)]
            make_finding(result, text=f"Zjištění {i}")
            result.evidence.add(make_evidence(world.provider, title=f"Doklad {i}", store=False))

    def request():
        response = client.get(url)
        assert response.status_code == 200
        assert "Zjištění 0" in response.content.decode()
        return response

    assert_constant_queries(request, grow, count=Finding.objects, small=1, large=50, max_queries=25)


def test_audit_detail_for_the_auditor_is_constant(world):
    audit = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.IN_REVIEW,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        fill="1",
    )
    results = list(audit.results.all())
    url = reverse("assessments:detail", kwargs={"assessment_pk": audit.pk})
    client = world.client(world.auditor)

    def grow(n):
        for i in range(Finding.objects.count(), n):
            make_finding(results[i % len(results)], kind=Finding.Kind.MAJOR, text=f"Neshoda {i}")

    assert_constant_queries(lambda: client.get(url), grow, count=Finding.objects, max_queries=25)


def test_list_is_constant(world):
    client = world.client(world.provider_reader)
    url = reverse("assessments:list")

    def grow(n):
        for _i in range(Assessment.objects.count(), n):
            make_assessment(world.provider, service=world.service, framework=world.framework)

    assert_constant_queries(lambda: client.get(url), grow, count=Assessment.objects, small=1, large=40, max_queries=15)


def test_evidence_library_is_constant(world):
    client = world.client(world.provider_editor)
    url = reverse("assessments:evidence_library", kwargs={"organisation_pk": world.provider.pk})

    def grow(n):
        for i in range(Evidence.objects.count(), n):
            make_evidence(world.provider, title=f"Doklad {i}", store=False, versions=2, expires_on="2030-01-01")

    assert_constant_queries(lambda: client.get(url), grow, count=Evidence.objects, max_queries=15)


def test_lenses_and_readiness_are_constant(world):
    self_assessment = make_assessment(world.provider, service=world.service, framework=world.framework, fill="2")
    audit = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.PUBLISHED,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        fill="1",
    )
    results = list(self_assessment.results.all())
    audit_results = list(audit.results.all())
    client = world.client(world.provider_admin)
    lenses_url = reverse("assessments:lenses", kwargs={"service_portal_id": world.service.portal_id})
    readiness_url = reverse("assessments:readiness", kwargs={"organisation_pk": world.provider.pk})

    def grow(n):
        for i in range(Evidence.objects.count(), n):
            results[i % len(results)].evidence.add(make_evidence(world.provider, store=False, expires_on="2000-01-01"))
            make_finding(audit_results[i % len(audit_results)], text=f"Neshoda {i}")

    def grow_assessments(n):
        """The lenses list every assessment of the service in their history table."""
        for i in range(Assessment.objects.filter(service=world.service).count(), n):
            make_assessment(
                world.provider, service=world.service, framework=world.framework, fill="2", title=f"Hodnocení {i}"
            )
            grow(i + 1)

    assert_constant_queries(
        lambda: client.get(lenses_url),
        grow_assessments,
        count=Assessment.objects.filter(service=world.service),
        small=3,
        large=20,
        max_queries=25,
    )
    assert_constant_queries(
        lambda: client.get(readiness_url), grow, count=Evidence.objects, small=51, large=90, max_queries=25
    )
