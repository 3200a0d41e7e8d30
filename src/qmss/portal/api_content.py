"""API of the awareness content (``/api/v1/portal/articles``): published articles only, paginated, anonymous
allowed. The publisher is named as on the public pages (a region or the ministry); drafts, revisions in review,
scheduled and withdrawn articles never appear."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from qmss.portal import markup
from qmss.portal import selectors_content as selectors

router = Router(tags=["portal"])
PAGE_SIZE = 50


class ArticleOut(Schema):
    slug: str
    url: str
    kind: str
    category: str
    audiences: list[str]
    kind_codes: list[str]
    title: str
    perex: str
    body: str
    body_html: str
    transcript: str
    publisher: str
    published_at: datetime

    @staticmethod
    def resolve_url(obj, context) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.published_revision.title

    @staticmethod
    def resolve_perex(obj) -> str:
        return obj.published_revision.perex

    @staticmethod
    def resolve_body(obj) -> str:
        return obj.published_revision.body

    @staticmethod
    def resolve_body_html(obj) -> str:
        return str(markup.render(obj.published_revision.body))

    @staticmethod
    def resolve_transcript(obj) -> str:
        return obj.published_revision.transcript

    @staticmethod
    def resolve_publisher(obj) -> str:
        return selectors.publisher_label(obj)

    @staticmethod
    def resolve_published_at(obj) -> datetime:
        return obj.publish_at


@router.get("articles", response=list[ArticleOut], summary="Published awareness content (articles, leaflets, spots)")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def articles(request, typ: str = "", kategorie: str = ""):
    """Published articles, newest first; filter by type (``typ``) and category (``kategorie``)."""
    qs = selectors.published_articles()
    if typ:
        qs = qs.filter(kind=typ[:20])
    if kategorie:
        qs = qs.filter(category=kategorie[:20])
    return qs
