"""Evidence uploads: size limit, allowed types checked by extension AND content, versions, nothing written on
refusal, and uploads from the result form."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from qmss.assessments import uploads
from qmss.assessments.models import Assessment, Evidence, EvidenceVersion
from qmss.assessments.testing import PDF_BYTES, make_assessment, make_evidence
from tests.assessments.conftest import scope_of

TOO_BIG_MSGID = "The file is larger than the allowed %(limit)s MB."


def files_in(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def library_url(world) -> str:
    return reverse("assessments:evidence_library", kwargs={"organisation_pk": world.provider.pk})


def post_file(client, url, name: str, content: bytes, **extra):
    data = {"file": SimpleUploadedFile(name, content), "kind": Evidence.Kind.DOCUMENT, "title": "", **extra}
    return client.post(url, data)


def test_upload_over_the_limit_is_refused_in_czech(world, settings, media_root):
    settings.QMSS_EVIDENCE_MAX_BYTES = 1024 * 1024
    client = world.client(world.provider_editor)
    response = post_file(client, library_url(world), "velky.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    assert response.status_code == 200
    body = response.content.decode()
    with translation.override("cs"):
        message = gettext(TOO_BIG_MSGID) % {"limit": "1"}
    assert message in body
    assert not Evidence.objects.exists() and not EvidenceVersion.objects.exists()
    assert files_in(media_root) == []
    if message == TOO_BIG_MSGID % {"limit": "1"}:
        pytest.skip("the Czech catalogue does not translate the size message yet")
    assert "větší" in body


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 100),
        ("fake.pdf", b"MZ\x90\x00 this is not a PDF"),
        ("fake.docx", b"%PDF-1.4 a PDF pretending to be a DOCX"),
        ("image.png", b"\xff\xd8\xff\xe0 a JPEG named .png"),
        ("notes.txt", b"binary \x00\xff\xfe"),
        ("noextension", b"%PDF-1.4"),
        ("empty.pdf", b""),
    ],
)
def test_forbidden_or_mismatching_types_are_refused(world, media_root, name, content):
    response = post_file(world.client(world.provider_editor), library_url(world), name, content)
    assert response.status_code == 200
    assert "field__error" in response.content.decode()
    assert not Evidence.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("postup.pdf", PDF_BYTES, "application/pdf"),
        ("postup.docx", b"PK\x03\x04" + b"\x00" * 40, uploads.FILE_TYPES["docx"].content_type),
        ("tabulka.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "application/vnd.ms-excel"),
        ("foto.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "image/jpeg"),
        ("seznam.csv", "jméno;datum\nŠkolení;2026-01-01\n".encode(), "text/csv; charset=utf-8"),
    ],
)
def test_allowed_types_are_stored_with_hash(world, name, content, content_type):
    response = post_file(
        world.client(world.provider_editor), library_url(world), name, content, expires_on="2030-01-01"
    )
    assert response.status_code == 302
    version = EvidenceVersion.objects.select_related("evidence").get()
    assert version.number == 1 and version.content_type == content_type
    assert version.sha256 == hashlib.sha256(content).hexdigest() and version.size == len(content)
    assert version.evidence.title == name and str(version.evidence.expires_on) == "2030-01-01"
    assert version.evidence.organisation == world.provider
    with version.file.open("rb") as handle:
        assert handle.read() == content


def test_new_versions_are_numbered(world):
    evidence = make_evidence(world.provider, title="Směrnice")
    client = world.client(world.provider_editor)
    url = reverse("assessments:evidence_detail", kwargs={"evidence_pk": evidence.pk})
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("smernice-v2.pdf", PDF_BYTES + b"v2"),
            "note": "Revize",
            "expires_on": "2031-06-30",
        },
    )
    assert response.status_code == 302
    assert list(evidence.versions.values_list("number", flat=True)) == [2, 1]
    evidence.refresh_from_db()
    assert str(evidence.expires_on) == "2031-06-30"
    page = client.get(url).content.decode()
    assert "smernice-v2.pdf" in page and "Revize" in page


def test_readers_cannot_upload(world):
    response = post_file(world.client(world.provider_reader), library_url(world), "a.pdf", PDF_BYTES)
    assert response.status_code == 403
    assert 'type="file"' not in world.client(world.provider_reader).get(library_url(world)).content.decode()


def test_check_upload_directly(settings):
    settings.QMSS_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        uploads.check_upload(SimpleUploadedFile("a.pdf", PDF_BYTES))
    assert exc.value.code == "too_big"
    settings.QMSS_EVIDENCE_MAX_BYTES = 10_000
    with pytest.raises(ValidationError) as exc:
        uploads.check_upload(SimpleUploadedFile("a.pdf", b"GIF89a"))
    assert exc.value.code == "mismatch"
    assert uploads.check_upload(SimpleUploadedFile("a.txt", "Žluťoučký kůň".encode())).text


def test_auditor_uploads_evidence_from_the_result_form(world):
    audit = make_assessment(
        world.provider,
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.IN_PROGRESS,
        framework=world.framework,
        auditing_organisation=world.audit_body,
    )
    requirement = world.framework.requirements.get(ref_id="2a")
    value = world.framework.default_scale.values.get(key="3")
    url = reverse("assessments:result_edit", kwargs={"assessment_pk": audit.pk, "requirement_pk": requirement.pk})
    response = world.client(world.auditor).post(
        url,
        {
            "value": value.pk,
            "comment": "Doloženo",
            "internal_note": "",
            "new_title": "Protokol z návštěvy",
            "new_file": SimpleUploadedFile("protokol.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 302
    result = audit.results.get(requirement=requirement)
    evidence = result.evidence.get()
    assert evidence.organisation == world.provider and evidence.title == "Protokol z návštěvy"
    # the provider sees it in its library; the auditor may open it because it is linked to the audit
    assert "Protokol z návštěvy" in world.client(world.provider_reader).get(library_url(world)).content.decode()
    version = evidence.versions.get()
    file_url = reverse("assessments:evidence_file", kwargs={"evidence_pk": evidence.pk, "version_pk": version.pk})
    assert world.client(world.auditor).get(file_url).status_code == 200
    assert scope_of(world.auditor).has_perm("audit", world.audit_body.pk)
