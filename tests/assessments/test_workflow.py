"""Workflow of assessments: creation, transitions with role and state checks, audits, inspections, findings,
framework versions – and that every change is in the audit log."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qmss.assessments import actions
from qmss.assessments.models import Assessment, Finding, Result
from qmss.assessments.testing import make_assessment, make_evidence, make_framework, scale_value
from qmss.core.roles import OrganisationKind, Role
from qmss.registry.testing import make_service
from qmss.testing.factories import make_org
from tests.assessments.conftest import scope_of

Kind, State = Assessment.Kind, Assessment.State


def criterion(framework, ref_id="1a"):
    return framework.requirements.get(ref_id=ref_id)


def state_entries(assessment):
    ct = ContentType.objects.get_for_model(Assessment)
    return [
        (e.changes_dict.get("state"), e.actor_id)
        for e in LogEntry.objects.filter(content_type=ct, object_pk=str(assessment.pk)).order_by("pk")
        if "state" in e.changes_dict
    ]


def create_self(world, user=None):
    user = user or world.provider_editor
    return actions.create_assessment(
        scope=scope_of(user), organisation=world.provider, kind=Kind.SELF, service=world.service, user=user
    )


def test_self_assessment_goes_through_all_states_and_is_logged(world):
    editor = world.provider_editor
    assessment = create_self(world)
    assert assessment.framework == world.framework and assessment.state == State.DRAFT
    assert world.service.name in assessment.title
    scope = scope_of(editor)
    with pytest.raises(ValidationError):
        actions.transition(scope=scope, assessment=assessment, to_state=State.PUBLISHED, user=editor)
    for target in (State.IN_PROGRESS, State.IN_REVIEW, State.PUBLISHED):
        partial = {"partial": True, "partial_reason": "Zkouška"} if target == State.PUBLISHED else {}
        assessment = actions.transition(scope=scope, assessment=assessment, to_state=target, user=editor, **partial)
    assert assessment.published_at is not None
    admin = world.provider_admin
    actions.transition(scope=scope_of(admin), assessment=assessment, to_state=State.CLOSED, user=admin)
    entries = state_entries(assessment)
    assert [change for change, _actor in entries] == [
        ["None", "draft"],  # created
        ["draft", "in_progress"],
        ["in_progress", "in_review"],
        ["in_review", "published"],
        ["published", "closed"],
    ]
    assert entries[1][1] == editor.pk and entries[-1][1] == admin.pk


def test_readers_and_strangers_cannot_create_or_move(world, tenant_b):
    reader = world.provider_reader
    with pytest.raises(PermissionDenied):
        create_self(world, reader)
    assessment = create_self(world)
    with pytest.raises(PermissionDenied):
        actions.transition(scope=scope_of(reader), assessment=assessment, to_state=State.IN_PROGRESS, user=reader)
    stranger = tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        actions.create_assessment(scope=scope_of(stranger), organisation=world.provider, kind=Kind.SELF, user=stranger)
    foreign_service = make_service(name="Cizí služba")
    with pytest.raises(ValidationError):
        actions.create_assessment(
            scope=scope_of(world.provider_editor),
            organisation=world.provider,
            kind=Kind.SELF,
            service=foreign_service,
            user=world.provider_editor,
        )


def test_audit_invited_by_provider_recorded_and_published_by_auditor(world):
    editor, auditor = world.provider_editor, world.auditor
    audit = actions.create_assessment(
        scope=scope_of(editor), organisation=world.provider, kind=Kind.AUDIT, service=world.service, user=editor
    )
    assert audit.state == State.DRAFT
    with pytest.raises(PermissionDenied):  # nobody records results before the auditor is invited
        actions.set_result(
            scope=scope_of(auditor),
            assessment=audit,
            requirement=criterion(world.framework),
            value=scale_value(world.framework, "2"),
            user=auditor,
        )
    with pytest.raises(ValidationError):
        actions.invite_auditor(
            scope=scope_of(editor), assessment=audit, auditing_organisation=world.region_org, user=editor
        )
    audit = actions.invite_auditor(
        scope=scope_of(editor), assessment=audit, auditing_organisation=world.audit_body, user=editor
    )
    assert audit.state == State.IN_PROGRESS and audit.auditing_organisation == world.audit_body
    with pytest.raises(PermissionDenied):
        actions.set_result(
            scope=scope_of(editor),
            assessment=audit,
            requirement=criterion(world.framework),
            value=scale_value(world.framework, "3"),
            user=editor,
        )
    result = actions.set_result(
        scope=scope_of(auditor),
        assessment=audit,
        requirement=criterion(world.framework),
        value=scale_value(world.framework, "1"),
        comment="Nedostatečné",
        internal_note="jen pro nás",
        user=auditor,
    )
    assert result.score == 1 and result.internal_note == "jen pro nás"
    actions.add_finding(
        scope=scope_of(auditor),
        assessment=audit,
        requirement=criterion(world.framework),
        kind=Finding.Kind.MAJOR,
        text="Chybí postup",
        user=auditor,
    )
    with pytest.raises(PermissionDenied):  # the provider does not publish an audit
        actions.transition(scope=scope_of(editor), assessment=audit, to_state=State.IN_REVIEW, user=editor)
    actions.transition(scope=scope_of(auditor), assessment=audit, to_state=State.IN_REVIEW, user=auditor)
    audit = actions.transition(
        scope=scope_of(auditor),
        assessment=audit,
        to_state=State.PUBLISHED,
        user=auditor,
        partial=True,
        partial_reason="Jen kritérium 1a",
    )
    assert audit.state == State.PUBLISHED
    with pytest.raises(PermissionDenied):  # published results are frozen
        actions.set_result(
            scope=scope_of(auditor),
            assessment=audit,
            requirement=criterion(world.framework),
            value=scale_value(world.framework, "3"),
            user=auditor,
        )
    assert [c for c, _a in state_entries(audit)] == [
        ["None", "draft"],
        ["draft", "in_progress"],
        ["in_progress", "in_review"],
        ["in_review", "published"],
    ]


def test_region_assigns_an_audit_of_a_service_in_its_region(world, tenant_b):
    manager = world.region_manager
    audit = actions.assign_audit(
        scope=scope_of(manager),
        region_organisation=world.region_org,
        service=world.service,
        auditing_organisation=world.audit_body,
        user=manager,
    )
    assert audit.organisation == world.provider and audit.assigned_by == world.region_org
    assert audit.state == State.IN_PROGRESS
    reader = world.user(OrganisationKind.REGION, Role.READER)
    with pytest.raises(PermissionDenied):
        actions.assign_audit(
            scope=scope_of(reader),
            region_organisation=world.region_org,
            service=world.service,
            auditing_organisation=world.audit_body,
            user=reader,
        )
    other = tenant_b.orgs[OrganisationKind.REGION]
    other_manager = tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    with pytest.raises(PermissionDenied):  # the service has no facility in the other region
        actions.assign_audit(
            scope=scope_of(other_manager),
            region_organisation=other,
            service=world.service,
            auditing_organisation=world.audit_body,
            user=other_manager,
        )
    lonely = make_service(name="Služba bez organizace", facilities=[{"region": world.tenant.region}])
    with pytest.raises(ValidationError):
        actions.assign_audit(
            scope=scope_of(manager),
            region_organisation=world.region_org,
            service=lonely,
            auditing_organisation=world.audit_body,
            user=manager,
        )


def test_assign_page(world):
    client = world.client(world.region_manager)
    url = reverse("assessments:assign_audit")
    page = client.get(url)
    assert page.status_code == 200 and world.service.name in page.content.decode()
    response = client.post(
        url,
        {
            "region_organisation": world.region_org.pk,
            "service": world.service.pk,
            "kind": Kind.AUDIT,
            "auditing_organisation": world.audit_body.pk,
        },
    )
    assert response.status_code == 302
    assert Assessment.objects.get(assigned_by=world.region_org).auditing_organisation == world.audit_body
    assert world.client(world.provider_admin).get(url).status_code == 403


def test_inspection_records(world):
    editor = world.provider_editor
    inspection = actions.create_assessment(
        scope=scope_of(editor),
        organisation=world.provider,
        kind=Kind.INSPECTION,
        service=world.service,
        user=editor,
        inspection_type=Assessment.InspectionType.FOLLOW_UP,
        inspection_authority="Úřad práce",
    )
    actions.add_finding(
        scope=scope_of(editor),
        assessment=inspection,
        requirement=criterion(world.framework),
        kind=Finding.Kind.MINOR,
        text="Doplnit",
        measure="Aktualizovat postup",
        deadline="2030-01-31",
        user=editor,
    )
    inspection = actions.transition(
        scope=scope_of(editor),
        assessment=inspection,
        to_state=State.PUBLISHED,
        user=editor,
        partial=True,
        partial_reason="Kontrola se týkala jen kritéria 1a",
    )
    assert inspection.state == State.PUBLISHED
    # a region records an inspection of a service in its region; it is the assessor, the provider only reads
    region_editor = world.user(OrganisationKind.REGION, Role.EDITOR)
    by_region = actions.create_assessment(
        scope=scope_of(region_editor),
        organisation=world.provider,
        kind=Kind.INSPECTION,
        service=world.service,
        user=region_editor,
        region_organisation=world.region_org,
    )
    actions.set_result(
        scope=scope_of(region_editor),
        assessment=by_region,
        requirement=criterion(world.framework),
        value=scale_value(world.framework, "2"),
        user=region_editor,
    )
    with pytest.raises(PermissionDenied):
        actions.set_result(
            scope=scope_of(editor),
            assessment=by_region,
            requirement=criterion(world.framework),
            value=scale_value(world.framework, "3"),
            user=editor,
        )


def test_set_result_checks_scale_and_evidence(world, tenant_b):
    editor = world.provider_editor
    assessment = create_self(world)
    other_framework = make_framework(version=2)
    with pytest.raises(ValidationError):
        actions.set_result(
            scope=scope_of(editor),
            assessment=assessment,
            requirement=criterion(world.framework),
            value=scale_value(other_framework, "2"),
            user=editor,
        )
    foreign = make_evidence(tenant_b.orgs[OrganisationKind.PROVIDER], store=False)
    with pytest.raises(ValidationError):
        actions.set_result(
            scope=scope_of(editor),
            assessment=assessment,
            requirement=criterion(world.framework),
            value=scale_value(world.framework, "2"),
            evidence_ids=[foreign.pk],
            user=editor,
        )
    own = make_evidence(world.provider, store=False)
    result = actions.set_result(
        scope=scope_of(editor),
        assessment=assessment,
        requirement=criterion(world.framework),
        value=scale_value(world.framework, "2"),
        evidence_ids=[own.pk],
        user=editor,
    )
    assert list(result.evidence.all()) == [own]
    entry = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Result), object_pk=str(result.pk))
    assert entry.exists()


def test_findings_edit_and_delete_through_pages(world):
    assessment = create_self(world)
    requirement = criterion(world.framework)
    client = world.client(world.provider_editor)
    add_url = reverse(
        "assessments:finding_add", kwargs={"assessment_pk": assessment.pk, "requirement_pk": requirement.pk}
    )
    assert client.post(add_url, {"kind": Finding.Kind.STRENGTH, "text": "Výborná praxe"}).status_code == 302
    finding = Finding.objects.get()
    edit_url = reverse("assessments:finding_edit", kwargs={"assessment_pk": assessment.pk, "finding_pk": finding.pk})
    assert client.get(edit_url).status_code == 200
    client.post(edit_url, {"kind": Finding.Kind.MINOR, "text": "Upraveno", "measure": "", "deadline": ""})
    finding.refresh_from_db()
    assert (finding.kind, finding.text) == (Finding.Kind.MINOR, "Upraveno")
    assert (
        world.client(world.provider_reader)
        .post(
            reverse("assessments:finding_delete", kwargs={"assessment_pk": assessment.pk, "finding_pk": finding.pk}),
            {"confirm": "1"},
        )
        .status_code
        == 403
    )
    client.post(
        reverse("assessments:finding_delete", kwargs={"assessment_pk": assessment.pk, "finding_pk": finding.pk}),
        {"confirm": "1"},
    )
    assert not Finding.objects.exists()
    ct = ContentType.objects.get_for_model(Finding)
    actions_logged = set(LogEntry.objects.filter(content_type=ct).values_list("action", flat=True))
    assert actions_logged == {LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE}


def test_transition_and_invite_pages(world):
    editor = world.client(world.provider_editor)
    response = editor.post(
        reverse("assessments:create"),
        {"organisation": world.provider.pk, "kind": Kind.AUDIT, "service": world.service.pk},
    )
    audit = Assessment.objects.get(kind=Kind.AUDIT)
    assert response.status_code == 302 and response["Location"] == audit.get_absolute_url()
    invite = reverse("assessments:invite_auditor", kwargs={"assessment_pk": audit.pk})
    assert editor.get(invite).status_code == 200
    editor.post(invite, {"auditing_organisation": world.audit_body.pk})
    audit.refresh_from_db()
    assert audit.state == State.IN_PROGRESS
    transition = reverse("assessments:transition", kwargs={"assessment_pk": audit.pk})
    assert editor.post(transition, {"to_state": State.IN_REVIEW}).status_code == 403
    auditor = world.client(world.auditor)
    auditor.post(transition, {"to_state": State.IN_REVIEW})
    publish = reverse("assessments:publish", kwargs={"assessment_pk": audit.pk})
    assert auditor.post(transition, {"to_state": State.PUBLISHED})["Location"] == publish  # confirmed first
    auditor.post(publish, {"confirm": "1", "partial": "on", "partial_reason": "Bez výsledků"})
    audit.refresh_from_db()
    assert audit.state == State.PUBLISHED


def test_move_to_a_new_framework_version(world):
    editor = world.provider_editor
    assessment = make_assessment(world.provider, service=world.service, framework=world.framework, fill="2")
    counts = [4, 4, 4] + [3] * 11 + [2]  # the new version drops criterion 15c
    new = make_framework(version=2, criteria_per_standard=counts)
    report = actions.move_to_framework_version(
        scope=scope_of(editor), assessment=assessment, framework=new, user=editor
    )
    assert report.unmapped == ["15c"] and report.mapped == 47 and report.values_lost == []
    assessment.refresh_from_db()
    assert assessment.framework == new
    assert set(assessment.results.values_list("requirement__framework", flat=True)) == {new.pk}
    assert assessment.results.filter(value__scale__framework=new).count() == 47
    ct = ContentType.objects.get_for_model(Assessment)
    assert any("framework" in e.changes_dict for e in LogEntry.objects.filter(content_type=ct))
    published = make_assessment(world.provider, framework=world.framework, state=State.PUBLISHED)
    with pytest.raises(PermissionDenied):
        actions.move_to_framework_version(scope=scope_of(editor), assessment=published, framework=new, user=editor)


def test_only_providers_have_assessments(world):
    other = make_org(OrganisationKind.MUNICIPALITY, "Obec")
    with pytest.raises(ValidationError):
        actions.create_assessment(
            scope=scope_of(world.provider_admin), organisation=other, kind=Kind.SELF, user=world.provider_admin
        )


def test_invite_page_lists_regional_bodies_and_finds_others_by_ico(world, tenant_b):
    audit = actions.create_assessment(
        scope=scope_of(world.provider_editor),
        organisation=world.provider,
        kind=Kind.AUDIT,
        service=world.service,
        user=world.provider_editor,
    )
    client = world.client(world.provider_editor)
    url = reverse("assessments:invite_auditor", kwargs={"assessment_pk": audit.pk})
    page = client.get(url).content.decode()
    other_body = tenant_b.orgs[OrganisationKind.AUDIT_BODY]
    assert world.audit_body.name in page and other_body.name not in page
    response = client.post(url, {"auditing_ico": "00000000"})
    assert response.status_code == 200 and "field__error" in response.content.decode()
    client.post(url, {"auditing_ico": other_body.ico})
    audit.refresh_from_db()
    assert audit.auditing_organisation == other_body and audit.state == State.IN_PROGRESS


def test_region_records_an_inspection_from_the_assign_page(world):
    region_editor = world.user(OrganisationKind.REGION, Role.EDITOR)
    client = world.client(region_editor)
    url = reverse("assessments:assign_audit")
    data = {"region_organisation": world.region_org.pk, "service": world.service.pk}
    response = client.post(url, {**data, "kind": Kind.AUDIT, "auditing_organisation": world.audit_body.pk})
    assert response.status_code == 200 and not Assessment.objects.exists()  # editors do not assign audits
    assert client.post(url, {**data, "kind": Kind.INSPECTION}).status_code == 302
    inspection = Assessment.objects.get()
    assert (inspection.kind, inspection.assigned_by, inspection.organisation) == (
        Kind.INSPECTION,
        world.region_org,
        world.provider,
    )
    detail = client.get(inspection.get_absolute_url()).content.decode()
    assert reverse("assessments:transition", kwargs={"assessment_pk": inspection.pk}) in detail


def test_recording_a_result_starts_a_draft_self_assessment(world):
    """A self-assessment filled in as a draft must not wait behind "Start the assessment" to be publishable."""
    editor = world.provider_editor
    assessment = create_self(world)
    assert assessment.state == State.DRAFT
    requirement = criterion(world.framework)
    actions.set_result(
        scope=scope_of(editor),
        assessment=assessment,
        requirement=requirement,
        user=editor,
        value=scale_value(world.framework, "2"),
    )
    assessment.refresh_from_db()
    assert assessment.state == State.IN_PROGRESS
    assert state_entries(assessment)[-1] == (["draft", "in_progress"], editor.pk)
