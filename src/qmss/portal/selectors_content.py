"""Reads of the awareness content: the public ones (published articles only, scheduled ones once their time has
come – no job needed) and the editors' ones (scoped to their editorial organisations).

Public = state ``published`` with a published revision and ``publish_at <= now``. Drafts, revisions in review,
scheduled and withdrawn articles are never public; the public pages name the publisher by
:func:`publisher_label` (a region's name or the ministry), never a QMSS organisation's own name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.portal import permissions
from qmss.portal.models import Article, ArticleAttachment, ArticleRevision
from qmss.registry.search import normalise, query_words

MINISTRY_LABEL = "Ministerstvo práce a sociálních věcí"
MAX_SEARCHED = 5000  # published articles searched at most (a bound on the work of one search)


# --- public --------------------------------------------------------------------------------------------------


def published_articles(on: datetime | None = None) -> QuerySet[Article]:
    """Articles the public sees: published, with a published revision, ``publish_at`` reached."""
    moment = on or timezone.now()
    return (
        Article.objects.filter(state=Article.State.PUBLISHED, published_revision__isnull=False, publish_at__lte=moment)
        .select_related("published_revision", "organisation__region")
        .order_by("-publish_at", "-pk")
    )


def public_article(slug: str) -> Article | None:
    return published_articles().filter(slug=slug).first()


def publisher_label(article: Article) -> str:
    """Who publishes the article, as the public sees it: the region (by its name) or the ministry."""
    organisation = article.organisation
    if organisation.kind == OrganisationKind.REGION and organisation.region_id:
        return organisation.region.name
    return MINISTRY_LABEL


def public_attachments(article: Article) -> list[ArticleAttachment]:
    return list(article.attachments.order_by("title", "pk"))


def public_attachment(slug: str, attachment_pk: int) -> ArticleAttachment:
    article = public_article(slug)
    if article is None:
        raise Http404
    attachment = article.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return attachment


@dataclass(frozen=True)
class ArticleFilters:
    q: str = ""
    kind: str = ""
    audience: str = ""
    category: str = ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.kind or self.audience or self.category)


def _haystack(revision: ArticleRevision) -> str:
    return normalise(" ".join((revision.title, revision.perex, revision.body)))


def search_published(filters: ArticleFilters, *, on: datetime | None = None) -> list[Article]:
    """Published articles matching the filters; ``q`` diacritics- and case-insensitive over title, perex and body
    of the published revision (every word must occur)."""
    qs = published_articles(on)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.category:
        qs = qs.filter(category=filters.category)
    articles = list(qs[:MAX_SEARCHED])
    if filters.audience:
        articles = [a for a in articles if filters.audience in (a.audiences or ())]
    words = query_words(filters.q) if filters.q else []
    if words:
        articles = [a for a in articles if all(word in _haystack(a.published_revision) for word in words)]
    return articles


def has_published(on: datetime | None = None) -> bool:
    return published_articles(on).exists()


# --- editorial -----------------------------------------------------------------------------------------------


def _working(field: str):
    return Subquery(ArticleRevision.objects.filter(article=OuterRef("pk")).order_by("-number").values(field)[:1])


def editorial_articles(scope: Scope) -> QuerySet[Article]:
    """Articles of the user's editorial organisations (all for a superuser), with their working revision's
    title, number, status and author."""
    qs = Article.objects.all()
    if not scope.is_superuser:
        qs = qs.filter(organisation_id__in=permissions.editorial_organisation_ids(scope))
    return (
        qs.select_related("organisation", "published_revision", "approved_by")
        .annotate(
            work_title=_working("title"),
            work_number=_working("number"),
            work_status=_working("status"),
            work_author_id=_working("author_id"),
        )
        .order_by("-updated_at", "-pk")
    )


def get_editorial_article(scope: Scope, article_pk: int) -> Article:
    article = editorial_articles(scope).filter(pk=article_pk).first()
    if article is None or not permissions.can_see_unpublished_of(scope, article.organisation_id):
        raise Http404
    return article


def get_editorial_attachment(scope: Scope, attachment_pk: int) -> ArticleAttachment:
    attachment = ArticleAttachment.objects.select_related("article__organisation").filter(pk=attachment_pk).first()
    if attachment is None or not permissions.can_edit_content_of(scope, attachment.article.organisation_id):
        raise Http404
    return attachment


def revisions(article: Article) -> list[ArticleRevision]:
    return list(article.revisions.select_related("author", "approved_by", "returned_by").order_by("-number"))


@dataclass
class Hub:
    awaiting_review: list[Article]
    drafts: list[Article]
    in_review: list[Article]
    scheduled: list[Article]
    published: list[Article]
    unpublished: list[Article]

    @property
    def empty(self) -> bool:
        return not (self.drafts or self.in_review or self.scheduled or self.published or self.unpublished)


def editorial_hub(scope: Scope, *, now: datetime | None = None) -> Hub:
    """The editors' hub: their organisations' articles by state, and the revisions awaiting their review."""
    now = now or timezone.now()
    articles = list(editorial_articles(scope)[:1000])
    RS = ArticleRevision.Status
    hub = Hub([], [], [], [], [], [])
    for article in articles:
        if article.work_status == RS.REVIEW:
            if permissions.can_approve_revision(
                scope, organisation_id=article.organisation_id, author_id=article.work_author_id
            ):
                hub.awaiting_review.append(article)
            hub.in_review.append(article)
        elif article.work_status in (RS.DRAFT, RS.RETURNED):
            hub.drafts.append(article)
        if article.state == Article.State.PUBLISHED:
            if article.publish_at and article.publish_at > now:
                hub.scheduled.append(article)
            else:
                hub.published.append(article)
        elif article.state == Article.State.UNPUBLISHED:
            hub.unpublished.append(article)
    return hub


def status_label(article: Article, *, now: datetime | None = None) -> str:
    """One phrase for an article's public state (the editors' lists)."""
    now = now or timezone.now()
    if article.state == Article.State.PUBLISHED:
        if article.publish_at and article.publish_at > now:
            return _("scheduled")
        return _("public")
    return article.get_state_display()
