"""Writes only through actions: evidence uploads and the result form are actions (one transaction, audit entries
with the acting user, also without a request); refusals carry error codes."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qmss.assessments import actions
from qmss.assessments.error_codes import AssessmentErrorCode
from qmss.assessments.models import Assessment, Evidence, EvidenceVersion, Finding, Result
from qmss.assessments.testing import PDF_BYTES, make_assessment
from tests.assessments.conftest import scope_of


def files_in(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def last_actor(obj):
    entry = LogEntry.objects.get_for_object(obj).order_by("-pk").first()
    return entry.actor if entry is not None else None


@pytest.fixture
def audit(world):
    return make_assessment(
        world.provider,
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.IN_PROGRESS,
        framework=world.framework,
        auditing_organisation=world.audit_body,
    )


def _criterion(world):
    return world.framework.requirements.get(ref_id="2a")


def _value(world, key="3"):
    return world.framework.default_scale.values.get(key=key)


def test_upload_action_records_the_uploader_without_a_request(world):
    editor = world.provider_editor
    version = actions.upload_evidence(
        scope=scope_of(editor),
        upload=SimpleUploadedFile("smernice.pdf", PDF_BYTES),
        user=editor,
        organisation=world.provider,
        title="Směrnice",
    )
    assert version.number == 1 and version.evidence.title == "Směrnice"
    assert last_actor(version.evidence) == editor
    assert last_actor(version) == editor


def test_upload_action_needs_the_editors_right(world, media_root):
    reader = world.provider_reader
    with pytest.raises(PermissionDenied):
        actions.upload_evidence(
            scope=scope_of(reader),
            upload=SimpleUploadedFile("a.pdf", PDF_BYTES),
            user=reader,
            organisation=world.provider,
        )
    # the auditor records results, but may not fill the provider's library directly
    with pytest.raises(PermissionDenied):
        actions.upload_evidence(
            scope=scope_of(world.auditor),
            upload=SimpleUploadedFile("a.pdf", PDF_BYTES),
            user=world.auditor,
            organisation=world.provider,
        )
    assert not Evidence.objects.exists() and files_in(media_root) == []


def test_upload_refusal_carries_its_code(world):
    with pytest.raises(ValidationError) as exc:
        actions.upload_evidence(
            scope=scope_of(world.provider_editor),
            upload=SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a PDF"),
            user=world.provider_editor,
            organisation=world.provider,
        )
    assert exc.value.code == AssessmentErrorCode.FILE_CONTENT_MISMATCH.value == "mismatch"


def test_record_result_uploads_and_links_in_one_action(world, audit):
    auditor = world.auditor
    result = actions.record_result(
        scope=scope_of(auditor),
        assessment=audit,
        requirement=_criterion(world),
        user=auditor,
        value=_value(world),
        comment="Doloženo",
        evidence_ids=[],
        new_file=SimpleUploadedFile("protokol.pdf", PDF_BYTES),
        new_title="Protokol",
    )
    evidence = result.evidence.get()
    assert evidence.organisation == world.provider and evidence.title == "Protokol"
    assert last_actor(result) == auditor and last_actor(evidence) == auditor


def test_refused_result_stores_no_file(world, audit, media_root):
    """The upload and the result are one action: a refused result leaves neither rows nor the file behind."""
    with pytest.raises(ValidationError) as exc:
        actions.record_result(
            scope=scope_of(world.auditor),
            assessment=audit,
            requirement=_criterion(world),
            user=world.auditor,
            value=_value(world),
            evidence_ids=[10**9],  # evidence the auditor cannot link: refused after the file was stored
            new_file=SimpleUploadedFile("protokol.pdf", PDF_BYTES),
        )
    assert exc.value.code == AssessmentErrorCode.EVIDENCE_NOT_LINKABLE.value
    assert not Evidence.objects.exists() and not EvidenceVersion.objects.exists()
    assert not Result.objects.filter(assessment=audit).exists()
    assert files_in(media_root) == []


def test_record_result_needs_the_right_to_record(world, audit, media_root):
    with pytest.raises(PermissionDenied):
        actions.record_result(
            scope=scope_of(world.provider_editor),
            assessment=audit,
            requirement=_criterion(world),
            user=world.provider_editor,
            value=_value(world),
            new_file=SimpleUploadedFile("protokol.pdf", PDF_BYTES),
        )
    assert not Evidence.objects.exists() and files_in(media_root) == []


def test_finding_and_transition_record_the_actor_and_codes(world, audit):
    auditor = world.auditor
    finding = actions.add_finding(
        scope=scope_of(auditor),
        assessment=audit,
        requirement=_criterion(world),
        kind=Finding.Kind.MINOR,
        text="Chybí podpis.",
        user=auditor,
    )
    assert last_actor(finding) == auditor
    with pytest.raises(ValidationError) as exc:
        actions.transition(scope=scope_of(auditor), assessment=audit, to_state="nonsense", user=auditor)
    assert exc.value.code == AssessmentErrorCode.UNKNOWN_STATE.value
    with pytest.raises(ValidationError) as exc:
        actions.transition(scope=scope_of(auditor), assessment=audit, to_state=Assessment.State.DRAFT, user=auditor)
    assert exc.value.code == AssessmentErrorCode.INVALID_STATE.value == "invalid_state"
