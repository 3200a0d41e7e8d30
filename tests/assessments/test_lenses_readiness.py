"""Three lenses on a service (disagreements marked, history chart) and the inspection readiness page."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from qmss.assessments import charts, lenses, readiness
from qmss.assessments.models import Assessment, Finding
from qmss.assessments.testing import criteria, make_assessment, make_evidence, make_finding
from qmss.core.roles import OrganisationKind, Role
from tests.assessments.conftest import scope_of

Kind, State = Assessment.Kind, Assessment.State


def lenses_url(world) -> str:
    return reverse("assessments:lenses", kwargs={"service_portal_id": world.service.portal_id})


def three(world):
    self_a = make_assessment(
        world.provider,
        service=world.service,
        framework=world.framework,
        state=State.PUBLISHED,
        fill={"1a": "3", "1b": "2", "1c": "2"},
        title="Sebehodnocení 2026",
    )
    audit = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.PUBLISHED,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        fill={"1a": "1", "1b": "2", "1c": "1"},
        title="Audit 2026",
    )
    inspection = make_assessment(
        world.provider,
        kind=Kind.INSPECTION,
        state=State.PUBLISHED,
        service=world.service,
        framework=world.framework,
        fill={"1a": "2", "1b": "2"},
        title="Inspekce 2026",
    )
    return self_a, audit, inspection


def test_disagreement_rule():
    assert lenses.disagree([3, 1, None], None)
    assert not lenses.disagree([2, 2, None], 2)
    assert lenses.disagree([2, 1.5], 2)  # fulfilled vs not fulfilled, though less than a point apart
    assert not lenses.disagree([3, None, None], 2)


def test_three_lenses_table_marks_disagreements(world):
    self_a, audit, inspection = three(world)
    response = world.client(world.provider_reader).get(lenses_url(world))
    assert response.status_code == 200
    data = response.context["lenses"]
    assert [c.assessment for c in data.columns] == [self_a, audit, inspection]
    rows = {row.requirement.ref_id: row for _standard, rows in data.standards for row in rows}
    assert len(rows) == 48
    assert rows["1a"].disagreement and rows["1c"].disagreement and not rows["1b"].disagreement
    assert data.disagreements == 2
    body = response.content.decode()
    assert body.count('class="disagreement"') == 2
    assert "disagreement-marker" in body
    assert "<svg" in body and 'role="img"' in body and "<title" in body
    assert "Sebehodnocení 2026" in body and "Audit 2026" in body and "Inspekce 2026" in body


def test_lenses_hide_unpublished_audits_from_the_provider(world):
    make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.IN_REVIEW,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        fill="1",
        title="Neveřejný audit",
    )
    body = world.client(world.provider_reader).get(lenses_url(world)).content.decode()
    assert "Neveřejný audit" not in body
    assert "Neveřejný audit" in world.client(world.auditor).get(lenses_url(world)).content.decode()


def test_lenses_visibility(world, tenant_b):
    three(world)
    assert world.client(world.region_manager).get(lenses_url(world)).status_code == 200
    assert world.client(world.auditor).get(lenses_url(world)).status_code == 200
    assert world.client(tenant_b.user(OrganisationKind.REGION, Role.ADMIN)).get(lenses_url(world)).status_code == 404
    assert world.client(world.user(OrganisationKind.MINISTRY, Role.ADMIN)).get(lenses_url(world)).status_code == 404
    missing = reverse("assessments:lenses", kwargs={"service_portal_id": 1})
    assert world.client(world.provider_admin).get(missing).status_code == 404


def test_history_series_per_kind(world):
    older = make_assessment(
        world.provider, service=world.service, framework=world.framework, state=State.PUBLISHED, fill="1"
    )
    older.visit_date = timezone.localdate() - timedelta(days=400)
    older.save()
    three(world)
    data = lenses.three_lenses(scope_of(world.provider_admin), world.service)
    labels = [s.label for s in data.history]
    assert len(labels) == 3
    self_series = data.history[0]
    assert [round(share, 2) for _day, share in self_series.points] == [0.33, 0.78]
    svg = charts.line_chart(data.history, title="Vývoj <skóre>", description="popis")
    assert "Vývoj &lt;skóre&gt;" in svg and svg.count("<polyline") == 1  # only the self-assessment has two points


def test_readiness(world):
    today = timezone.localdate()
    self_a = make_assessment(
        world.provider,
        service=world.service,
        framework=world.framework,
        fill={c.ref_id: "3" for c in criteria(world.framework)},
    )
    results = {r.requirement.ref_id: r for r in self_a.results.select_related("requirement")}
    results["3a"].value = world.framework.default_scale.values.get(key="1")
    results["3a"].score = 1
    results["3a"].save()
    results["1a"].delete()
    documented = make_evidence(world.provider, title="Platný doklad", store=False)
    for ref, result in results.items():
        if ref not in ("5a", "1a"):
            result.evidence.add(documented)
    expired = make_evidence(world.provider, title="Prošlé školení", store=False, expires_on=today - timedelta(days=1))
    soon = make_evidence(
        world.provider, title="Brzy končí", store=False, expires_on=today + timedelta(days=10), remind_days_before=30
    )
    make_evidence(world.provider, title="Dlouho platné", store=False, expires_on=today + timedelta(days=300))
    audit = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.PUBLISHED,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        fill={"2a": "1"},
    )
    make_finding(
        audit.results.get(),
        kind=Finding.Kind.MAJOR,
        text="Závažná neshoda",
        measure="Opravit",
        deadline=today + timedelta(days=30),
    )
    make_finding(audit.results.get(), kind=Finding.Kind.STRENGTH, text="Silná stránka")

    data = readiness.inspection_readiness(scope_of(world.provider_reader), world.provider)
    assert [r.ref_id for r in data.without_evidence] == ["1a", "5a"]
    assert data.expired == [expired] and data.expiring == [soon]
    assert [f.text for f in data.nonconformities] == ["Závažná neshoda"]
    at_risk = {row.requirement.ref_id: row.reasons for row in data.essential_at_risk}
    assert set(at_risk) == {"1a", "3a", "5a"}
    assert len(at_risk["1a"]) == 2  # no result, no evidence

    response = world.client(world.provider_reader).get(
        reverse("assessments:readiness", kwargs={"organisation_pk": world.provider.pk})
    )
    body = response.content.decode()
    for text in ("Prošlé školení", "Brzy končí", "Závažná neshoda"):
        assert text in body
    assert "Dlouho platné" not in body and "Silná stránka" not in body


def test_readiness_is_for_provider_members_only(world, tenant_b):
    url = reverse("assessments:readiness", kwargs={"organisation_pk": world.provider.pk})
    assert world.client(world.region_manager).get(url).status_code == 404
    assert world.client(world.auditor).get(url).status_code == 404
    assert world.client(tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN)).get(url).status_code == 404
    region_url = reverse("assessments:readiness", kwargs={"organisation_pk": world.region_org.pk})
    assert world.client(world.region_manager).get(region_url).status_code == 404
