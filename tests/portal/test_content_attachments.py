"""Attachments of awareness content: allowed types by content, size limit, served through a view (public only
for published articles), deleted through a confirmation page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.portal import actions_content as actions
from qmss.portal.testing_content import make_article, publish, text_upload


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _add(article, user, upload):
    return actions.add_attachment(scope=Scope.for_user(user), user=user, article=article, upload=upload, title="")


def test_attachment_types_are_checked_by_content_and_size(tenant_a, media, settings):
    org = tenant_a.orgs[OrganisationKind.REGION]
    editor = tenant_a.user(OrganisationKind.REGION, Role.EDITOR)
    article = make_article(org, editor)
    refused = [
        SimpleUploadedFile("letak.pdf", b"MZ\x90\x00 not a pdf"),  # an executable renamed to .pdf
        SimpleUploadedFile("obrazek.svg", b"<svg onload=alert(1)></svg>"),  # a type not allowed
        SimpleUploadedFile("spot.mp4", b"\x00\x00\x00\x18mdat...."),  # no ftyp box
        SimpleUploadedFile("text.txt", b"\xff\xfe\x00binary"),  # not UTF-8 text
        SimpleUploadedFile("prazdny.pdf", b""),
    ]
    for upload in refused:
        with pytest.raises(ValidationError):
            _add(article, editor, upload)
    settings.QMSS_PORTAL_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        _add(article, editor, SimpleUploadedFile("velky.pdf", b"%PDF-1.7" + b"x" * 200))
    assert article.attachments.count() == 0
    settings.QMSS_PORTAL_ATTACHMENT_MAX_BYTES = 10_000
    accepted = [
        SimpleUploadedFile("letak.pdf", b"%PDF-1.7 ..."),
        SimpleUploadedFile("spot.mp4", b"\x00\x00\x00\x18ftypmp42...."),
        SimpleUploadedFile("spot.mp3", b"ID3\x03\x00...."),
        text_upload("prepis.txt", "Přepis spotu."),
    ]
    for upload in accepted:
        _add(article, editor, upload)
    assert sorted(article.attachments.values_list("content_type", flat=True)) == [
        "application/pdf",
        "audio/mpeg",
        "text/plain; charset=utf-8",
        "video/mp4",
    ]


def test_attachments_are_served_by_a_view_only_for_published_articles(tenant_a, tenant_b, media):
    org = tenant_a.orgs[OrganisationKind.REGION]
    editor, second = (tenant_a.user(OrganisationKind.REGION, role) for role in (Role.EDITOR, Role.ADMIN))
    article = make_article(org, editor)
    item = _add(article, editor, text_upload("pravidla.txt", "Pravidla služby."))
    url = reverse("portal:attachment", args=[article.slug, item.pk])
    anonymous = Client()
    assert anonymous.get(url).status_code == 404  # the article is a draft
    publish(article, second)
    response = anonymous.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == "Pravidla služby.".encode()
    assert response["X-Content-Type-Options"] == "nosniff" and "attachment" in response["Content-Disposition"]
    other = make_article(org, editor, title="Jiný článek")
    publish(other, second)
    assert anonymous.get(reverse("portal:attachment", args=[other.slug, item.pk])).status_code == 404

    # deleting: a confirmation page, then POST; another region's editor gets 404
    delete_url = reverse("portal:attachment_delete", args=[item.pk])
    intruder = Client()
    intruder.force_login(tenant_b.user(OrganisationKind.REGION, Role.ADMIN))
    assert intruder.post(delete_url).status_code == 404
    owner = Client()
    owner.force_login(editor)
    assert owner.get(delete_url).status_code == 200 and article.attachments.count() == 1
    assert owner.post(delete_url).status_code == 302 and article.attachments.count() == 0
