"""Builders of the content part for tests and the URL × role matrix."""

from __future__ import annotations

from datetime import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.portal import actions_content as actions
from qmss.portal.models import Article, ArticleRevision


def make_article(
    organisation,
    author,
    *,
    title: str = "Jak vybrat sociální službu",
    perex: str = "",
    body: str = "Text článku.",
    kind: str = Article.Kind.ARTICLE,
    category: str = "services",
    audiences=("public",),
    transcript: str = "",
    video_id: str = "",
) -> Article:
    """A draft article (revision 1) written by ``author`` (an editor of ``organisation``)."""
    return actions.create_article(
        scope=Scope.for_user(author),
        user=author,
        organisation=organisation,
        kind=kind,
        category=category,
        audiences=list(audiences),
        title=title,
        perex=perex,
        body=body,
        transcript=transcript,
        video_id=video_id,
    )


def publish(article: Article, approver, *, publish_at: datetime | None = None) -> ArticleRevision:
    """Submit the working revision (if needed) and approve it as ``approver`` (not its author)."""
    revision = actions.working_revision(article)
    if revision.status != ArticleRevision.Status.REVIEW:
        author = revision.author or approver
        actions.submit_for_review(scope=Scope.for_user(author), user=author, article=article)
    return actions.approve_revision(
        scope=Scope.for_user(approver), user=approver, article=article, publish_at=publish_at
    )


def text_upload(name: str = "priloha.txt", text: str = "Obsah přílohy.") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def matrix_kwargs(tenant) -> dict:
    """Tenant A's regional authority's *draft* article (title and attachment carrying A's secret)."""
    organisation = tenant.orgs[OrganisationKind.REGION]
    author = tenant.user(OrganisationKind.REGION, Role.ADMIN)
    article = make_article(
        organisation,
        author,
        title=f"Koncept článku {organisation.name}",
        perex=f"Připravuje {organisation.name}",
        body=f"Neveřejný text – {organisation.name}",
    )
    attachment = actions.add_attachment(
        scope=Scope.for_user(author),
        user=author,
        article=article,
        upload=text_upload(text=f"Příloha {organisation.name}"),
        title=f"Příloha {organisation.name}",
    )
    return {"article_pk": article.pk, "article_slug": article.slug, "attachment_pk": attachment.pk}


def now() -> datetime:
    return timezone.now()
