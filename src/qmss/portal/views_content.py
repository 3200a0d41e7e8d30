"""Public pages of the awareness content (no login): the list with filters and search, an article, an attachment.

Only published articles whose time has come are shown (``selectors_content.published_articles``); everything
else – drafts, revisions in review, scheduled or withdrawn articles – answers 404 to everybody, editors
included (they use the preview). The publisher is named by region or as the ministry, never by a QMSS
organisation's own name. No session is written for anonymous visitors.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.portal import markup
from qmss.portal import selectors_content as selectors
from qmss.portal.forms_content import ArticleFilterForm
from qmss.portal.models import Article, Audience, Category

PAGE_SIZE = 12
PUBLIC_MAX_AGE = 300


def _public(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Publicly cacheable for anonymous visitors only; a page that carries a user's header or a CSRF token of
    the base template stays private."""
    if request.user.is_authenticated or request.META.get("CSRF_COOKIE_USED"):
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])  # the display modes (contrast, text size) live in a cookie
    return response


def embed_url(video_id: str) -> str:
    """The configured provider's player address for a recording, or "" when no provider is configured."""
    template = getattr(settings, "QMSS_VIDEO_EMBED_URL", "") or ""
    if not template or not video_id or "{id}" not in template:
        return ""
    return template.replace("{id}", video_id)


def audience_labels(codes) -> list[str]:
    labels = dict(Audience.choices)
    return [str(labels[code]) for code in codes or () if code in labels]


def _query_string(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode([(key, value) for key, value in data.items() if value])


@require_safe
def article_list(request: HttpRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET or None)
    filters = selectors.ArticleFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.ArticleFilters(
            q=data["q"].strip(), kind=data["typ"], audience=data["publikum"], category=data["kategorie"]
        )
    articles = selectors.search_published(filters) if not form.errors else []
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("strana"))
    rows = [
        {
            "article": article,
            "revision": article.published_revision,
            "publisher": selectors.publisher_label(article),
        }
        for article in page.object_list
    ]
    kept = {key: request.GET.get(key, "") for key in ("q", "typ", "publikum", "kategorie")}
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "is_filtered": filters.active or bool(form.errors),
        "anything_published": bool(articles) or selectors.has_published(),
        "query_string": _query_string(kept),
        "total": len(articles),
        "crumbs": [(_("Awareness"), "")],
        "public_page": True,
    }
    return _public(request, render(request, "portal/content/article_list.html", context))


def article_context(article: Article, revision) -> dict:
    """What the public article page and the editors' preview show of one revision."""
    return {
        "article": article,
        "revision": revision,
        "body_html": markup.render(revision.body),
        "publisher": selectors.publisher_label(article),
        "audiences": audience_labels(article.audiences),
        "category_label": dict(Category.choices).get(article.category, ""),
        "embed_url": embed_url(revision.video_id) if article.is_recording else "",
        "description": revision.perex or markup.plain_text(revision.body, 160),
    }


@require_safe
def article_detail(request: HttpRequest, article_slug: str) -> HttpResponse:
    article = selectors.public_article(article_slug)
    if article is None:
        raise Http404
    context = {
        **article_context(article, article.published_revision),
        "attachments": selectors.public_attachments(article),
        "is_preview": False,
        "public_page": True,
        "crumbs": [(_("Awareness"), reverse("portal:articles")), (article.published_revision.title, "")],
    }
    return _public(request, render(request, "portal/content/article_detail.html", context))


@require_safe
def attachment(request: HttpRequest, article_slug: str, attachment_pk: int) -> FileResponse:
    item = selectors.public_attachment(article_slug, attachment_pk)
    return serve_attachment(item, public=True)


def serve_attachment(item, *, public: bool) -> FileResponse:
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    inline = item.content_type.startswith(("image/", "application/pdf", "audio/", "video/"))
    response = FileResponse(
        handle, as_attachment=not inline, filename=item.original_name or item.title, content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response
