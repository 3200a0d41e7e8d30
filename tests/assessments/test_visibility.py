"""Who sees which assessment, result, working note and evidence file."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qmss.assessments.models import Assessment
from qmss.assessments.selectors import visible_assessments, visible_evidence
from qmss.assessments.testing import make_assessment, make_evidence, make_finding, make_result
from qmss.core.roles import OrganisationKind, Role
from tests.assessments.conftest import scope_of

Kind, State = Assessment.Kind, Assessment.State
AUDIT_NOTE = "POZNÁMKA-AUDITORA-123"
RESULT_NOTE = "PRACOVNÍ-POZNÁMKA-456"
FINDING_TEXT = "Chybí metodika přijímání stížností"


def detail_url(assessment) -> str:
    return reverse("assessments:detail", kwargs={"assessment_pk": assessment.pk})


def file_url(evidence) -> str:
    version = evidence.versions.get()
    return reverse("assessments:evidence_file", kwargs={"evidence_pk": evidence.pk, "version_pk": version.pk})


@pytest.fixture
def audit(world):
    audit = make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.IN_PROGRESS,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
        internal_notes=AUDIT_NOTE,
    )
    result = make_result(audit, "1a", "1", internal_note=RESULT_NOTE, comment="Komentář auditora")
    make_finding(result, text=FINDING_TEXT)
    return audit


def test_other_provider_gets_404_for_draft_evidence_and_file(world, tenant_b):
    draft = make_assessment(world.provider, service=world.service, framework=world.framework, fill="2")
    evidence = make_evidence(world.provider, title="Tajný doklad Alfa")
    make_result(draft, "1a", "2").evidence.add(evidence)
    outsider = world.client(tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN))
    urls = [
        detail_url(draft),
        reverse(
            "assessments:result_edit",
            kwargs={"assessment_pk": draft.pk, "requirement_pk": draft.results.first().requirement_id},
        ),
        reverse("assessments:evidence_library", kwargs={"organisation_pk": world.provider.pk}),
        reverse("assessments:evidence_detail", kwargs={"evidence_pk": evidence.pk}),
        file_url(evidence),
        reverse("assessments:readiness", kwargs={"organisation_pk": world.provider.pk}),
        reverse("assessments:lenses", kwargs={"service_portal_id": world.service.portal_id}),
    ]
    for url in urls:
        assert outsider.get(url).status_code == 404, url
    assert "Tajný doklad Alfa" not in outsider.get(reverse("assessments:list")).content.decode()
    # the owner does get the file, as an attachment
    response = world.client(world.provider_reader).get(file_url(evidence))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_evidence_files_are_not_under_a_public_url(world):
    evidence = make_evidence(world.provider)
    version = evidence.versions.get()
    assert world.client(None).get(f"/media/{version.file.name}").status_code == 404
    assert world.client(None).get(file_url(evidence)).status_code == 302  # to the login page


def test_provider_never_sees_the_auditors_notes(world, audit):
    provider = world.client(world.provider_admin)
    body = provider.get(detail_url(audit)).content.decode()
    assert audit.title in body
    assert AUDIT_NOTE not in body and RESULT_NOTE not in body
    assert FINDING_TEXT not in body  # results and findings come with the publication
    assert "Komentář auditora" not in body

    auditor = world.client(world.auditor)
    body = auditor.get(detail_url(audit)).content.decode()
    assert AUDIT_NOTE in body and RESULT_NOTE in body and FINDING_TEXT in body

    audit.state, audit.published_at = State.PUBLISHED, audit.created_at
    audit.save()
    body = provider.get(detail_url(audit)).content.decode()
    assert FINDING_TEXT in body and "Komentář auditora" in body
    assert AUDIT_NOTE not in body and RESULT_NOTE not in body
    assert AUDIT_NOTE in auditor.get(detail_url(audit)).content.decode()  # still internal to the audit body
    region = world.client(world.region_manager)
    body = region.get(detail_url(audit)).content.decode()
    assert FINDING_TEXT in body and AUDIT_NOTE not in body and RESULT_NOTE not in body


def test_self_assessment_drafts_are_private_to_the_provider(world):
    draft = make_assessment(world.provider, service=world.service, framework=world.framework)
    published = make_assessment(world.provider, service=world.service, framework=world.framework, state=State.PUBLISHED)
    make_assessment(
        world.provider,
        kind=Kind.AUDIT,
        state=State.IN_PROGRESS,
        service=world.service,
        framework=world.framework,
        auditing_organisation=world.audit_body,
    )
    region_scope = scope_of(world.region_manager)
    assert set(visible_assessments(region_scope)) == {published}
    assert world.client(world.region_manager).get(detail_url(draft)).status_code == 404
    assert world.client(world.region_manager).get(detail_url(published)).status_code == 200
    auditor_visible = set(visible_assessments(scope_of(world.auditor)))
    assert draft not in auditor_visible and published in auditor_visible
    assert world.client(world.auditor).get(detail_url(draft)).status_code == 404
    assert set(visible_assessments(scope_of(world.provider_reader))) >= {draft, published}


def test_region_only_sees_services_in_its_region(world, tenant_b):
    published = make_assessment(world.provider, service=world.service, framework=world.framework, state=State.PUBLISHED)
    other_region = world.client(tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER))
    assert other_region.get(detail_url(published)).status_code == 404


def test_auditor_sees_assigned_audits_only(world, audit, tenant_b):
    assert audit in visible_assessments(scope_of(world.auditor))
    assert audit not in visible_assessments(scope_of(world.user(OrganisationKind.AUDIT_BODY, Role.READER)))
    other_auditor = world.client(tenant_b.user(OrganisationKind.AUDIT_BODY, Role.AUDITOR))
    assert other_auditor.get(detail_url(audit)).status_code == 404
    listing = world.client(world.auditor).get(reverse("assessments:list")).content.decode()
    assert audit.title in listing


def test_auditor_sees_only_evidence_linked_to_their_audit(world, audit):
    linked = make_evidence(world.provider, title="Doklad k auditu")
    private = make_evidence(world.provider, title="Jiný doklad")
    audit.results.get().evidence.add(linked)
    visible = set(visible_evidence(scope_of(world.auditor)))
    assert linked in visible and private not in visible
    auditor = world.client(world.auditor)
    assert auditor.get(file_url(linked)).status_code == 200
    assert auditor.get(file_url(private)).status_code == 404
    assert (
        auditor.get(reverse("assessments:evidence_library", kwargs={"organisation_pk": world.provider.pk})).status_code
        == 404
    )
    assert set(visible_evidence(scope_of(world.region_manager))) == set()


def test_reader_cannot_record_results(world):
    draft = make_assessment(world.provider, service=world.service, framework=world.framework)
    requirement = world.framework.requirements.filter(assessable=True).first()
    url = reverse("assessments:result_edit", kwargs={"assessment_pk": draft.pk, "requirement_pk": requirement.pk})
    assert world.client(world.provider_reader).get(url).status_code == 403
    assert world.client(world.provider_editor).get(url).status_code == 200
    assert world.client(None).get(url).status_code == 302


def test_superuser_sees_everything(world, audit, superuser):
    assert audit in visible_assessments(scope_of(superuser))
    assert AUDIT_NOTE in world.client(superuser).get(detail_url(audit)).content.decode()
