"""Awareness content: the editorial workflow (revisions, four eyes, return with reason, scheduled publishing,
withdrawal), permissions by organisation, the public pages (published only, search, filters, publisher label),
the editors' pages and the API."""

from __future__ import annotations

import importlib.util
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.portal import actions_content as actions
from qmss.portal import selectors_content as selectors
from qmss.portal.models import Article, ArticleRevision
from qmss.portal.testing_content import make_article, publish
from qmss.testing.queries import assert_constant_queries

REGION = OrganisationKind.REGION
Status = ArticleRevision.Status


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editors(tenant_a):
    """Tenant A's regional authority with two editors (the author and a second pair of eyes)."""
    org = tenant_a.orgs[REGION]
    return org, tenant_a.user(REGION, Role.EDITOR), tenant_a.user(REGION, Role.ADMIN)


def _revise(article, user, **changes):
    values = {"kind": article.kind, "category": article.category, "audiences": article.audiences, "title": "T"}
    values.update(changes)
    return actions.revise_article(scope=Scope.for_user(user), user=user, article=article, **values)


# --- workflow ------------------------------------------------------------------------------------------------


def test_edits_write_new_revisions_and_keep_the_old_ones(editors):
    org, author, _second = editors
    article = make_article(org, author, title="První znění", body="Původní text")
    assert article.state == Article.State.DRAFT and article.revisions.get().number == 1
    _revise(article, author, title="Druhé znění", body="Nový text", note="oprava")
    numbers = list(article.revisions.order_by("number").values_list("number", "title", "body"))
    assert numbers == [(1, "První znění", "Původní text"), (2, "Druhé znění", "Nový text")]


def test_four_eyes_the_author_cannot_approve_their_own_revision(editors):
    org, author, second = editors
    article = make_article(org, author)
    actions.submit_for_review(scope=Scope.for_user(author), user=author, article=article)
    assert actions.APPROVE not in actions.available_transitions(Scope.for_user(author), article)
    with pytest.raises(PermissionDenied):
        actions.approve_revision(scope=Scope.for_user(author), user=author, article=article)
    article.refresh_from_db()
    assert article.state == Article.State.REVIEW and article.published_revision is None

    actions.approve_revision(scope=Scope.for_user(second), user=second, article=article)
    article.refresh_from_db()
    revision = article.published_revision
    assert article.state == Article.State.PUBLISHED and revision.status == Status.APPROVED
    assert revision.approved_by == second and article.approved_by == second and article.approved_at is not None


def test_return_needs_a_reason_and_goes_back_to_the_author(editors):
    org, author, second = editors
    article = make_article(org, author)
    actions.submit_for_review(scope=Scope.for_user(author), user=author, article=article)
    with pytest.raises(ValidationError):
        actions.return_revision(scope=Scope.for_user(second), user=second, article=article, reason="  ")
    actions.return_revision(scope=Scope.for_user(second), user=second, article=article, reason="Doplňte kontakty.")
    revision = actions.working_revision(article)
    article.refresh_from_db()
    assert revision.status == Status.RETURNED and revision.returned_reason == "Doplňte kontakty."
    assert revision.returned_by == second and article.state == Article.State.DRAFT
    assert actions.SUBMIT in actions.available_transitions(Scope.for_user(author), article)


def test_published_article_keeps_its_approved_text_while_a_new_revision_is_written(editors, client):
    org, author, second = editors
    article = make_article(org, author, title="Veřejné znění", body="Schválený text")
    publish(article, second)
    _revise(article, author, title="Rozpracované znění", body="Neschválený text")
    article.refresh_from_db()
    assert article.state == Article.State.PUBLISHED
    page = client.get(reverse("portal:article", args=[article.slug])).content.decode()
    assert "Schválený text" in page and "Neschválený text" not in page and "Rozpracované" not in page
    publish(article, second)
    page = client.get(reverse("portal:article", args=[article.slug])).content.decode()
    assert "Neschválený text" in page


def test_scheduled_article_becomes_public_when_its_time_comes(editors, client):
    org, author, second = editors
    article = make_article(org, author, title="Naplánovaný článek")
    later = timezone.now() + timedelta(days=2)
    publish(article, second, publish_at=later)
    article.refresh_from_db()
    assert article.state == Article.State.PUBLISHED and article.publish_at == later
    assert article not in selectors.published_articles()
    assert client.get(reverse("portal:article", args=[article.slug])).status_code == 404
    assert article in selectors.published_articles(on=later + timedelta(minutes=1))
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(minutes=1))  # time passed
    assert client.get(reverse("portal:article", args=[article.slug])).status_code == 200


def test_public_pages_never_show_drafts_reviews_scheduled_or_withdrawn_content(editors, client):
    org, author, second = editors
    draft = make_article(org, author, title="Koncept XYZ")
    review = make_article(org, author, title="Recenze XYZ")
    actions.submit_for_review(scope=Scope.for_user(author), user=author, article=review)
    scheduled = make_article(org, author, title="Plán XYZ")
    publish(scheduled, second, publish_at=timezone.now() + timedelta(hours=3))
    withdrawn = make_article(org, author, title="Stažené XYZ")
    publish(withdrawn, second)
    actions.unpublish_article(scope=Scope.for_user(second), user=second, article=withdrawn)
    public = make_article(org, author, title="Veřejné XYZ")
    publish(public, second)

    listing = client.get(reverse("portal:articles"), {"q": "xyz"}).content.decode()
    api = client.get("/api/v1/portal/articles").json()
    assert "Veřejné XYZ" in listing and [item["title"] for item in api["items"]] == ["Veřejné XYZ"]
    for hidden in (draft, review, scheduled, withdrawn):
        title = actions.working_revision(hidden).title
        assert title not in listing
        assert client.get(reverse("portal:article", args=[hidden.slug])).status_code == 404
        assert _client(author).get(reverse("portal:article", args=[hidden.slug])).status_code == 404
    assert org.name not in listing  # the publisher is the region, never the organisation's own name


# --- permissions ---------------------------------------------------------------------------------------------


def test_another_regions_editor_and_non_editors_cannot_touch_the_article(editors, tenant_b):
    org, author, _second = editors
    article = make_article(org, author, title="Článek kraje A")
    other = tenant_b.user(REGION, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        _revise(article, other, title="Přepsáno krajem B")
    with pytest.raises(PermissionDenied):
        actions.submit_for_review(scope=Scope.for_user(other), user=other, article=article)
    assert article.revisions.count() == 1
    client = _client(other)
    assert client.get(reverse("portal:article_edit", args=[article.pk])).status_code == 404
    assert client.post(reverse("portal:article_transition", args=[article.pk]), {"action": "submit"}).status_code == 404
    assert "Článek kraje A" not in client.get(reverse("portal:editorial")).content.decode()
    provider = tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN)
    assert _client(provider).get(reverse("portal:editorial")).status_code == 403
    with pytest.raises(ValidationError):  # a provider organisation publishes nothing
        actions.create_article(
            scope=Scope(user_id=None, is_superuser=True),
            user=None,
            organisation=tenant_b.orgs[OrganisationKind.PROVIDER],
            kind="article",
            category="services",
            audiences=[],
            title="x",
        )


# --- public pages ----------------------------------------------------------------------------------------------


def test_search_is_diacritics_insensitive_and_filters_combine(editors, client):
    org, author, second = editors
    care = make_article(
        org, author, title="Pečovatelská služba", body="Pomoc **v domácnosti** seniorů.", audiences=["families"]
    )
    poster = make_article(org, author, title="Plakát o právech", kind="poster", category="rights", body="Práva.")
    for article in (care, poster):
        publish(article, second)
    url = reverse("portal:articles")

    def titles(**params):
        return [row["revision"].title for row in client.get(url, params).context["rows"]]

    assert titles(q="PECOVATELSKA domacnosti") == ["Pečovatelská služba"]
    assert titles(typ="poster") == ["Plakát o právech"]
    assert titles(publikum="families", kategorie="services") == ["Pečovatelská služba"]
    assert titles(q="pečovatelská", typ="poster") == []
    nothing = client.get(url, {"q": "neexistujícíslovo"}).context
    assert not nothing["rows"] and nothing["anything_published"] is True  # "nothing matches", not "nothing yet"


def test_empty_list_says_nothing_is_published_yet(db, client):
    response = client.get(reverse("portal:articles"))
    assert response.status_code == 200 and response.context["anything_published"] is False
    assert not response.context["rows"]


def test_public_article_names_the_region_and_the_ministry_never_the_organisation(editors, tenant_a, client):
    org, author, second = editors
    article = make_article(org, author, title="Krajský článek", audiences=["clients", "families"])
    publish(article, second)
    ministry = tenant_a.orgs[OrganisationKind.MINISTRY]
    national = make_article(ministry, tenant_a.user(OrganisationKind.MINISTRY, Role.EDITOR), title="Celostátní")
    publish(national, tenant_a.user(OrganisationKind.MINISTRY, Role.ADMIN))
    page = client.get(reverse("portal:article", args=[article.slug])).content.decode()
    assert tenant_a.region.name in page and org.name not in page
    assert selectors.publisher_label(national) == selectors.MINISTRY_LABEL
    assert ministry.name not in client.get(reverse("portal:article", args=[national.slug])).content.decode()


def test_recordings_embed_only_from_the_configured_provider_and_always_show_the_transcript(editors, client, settings):
    org, author, second = editors
    video = make_article(org, author, title="Spot", kind="video", video_id="abc_123", transcript="Přepis spotu.")
    publish(video, second)
    url = reverse("portal:article", args=[video.slug])
    settings.QMSS_VIDEO_EMBED_URL = ""
    page = client.get(url).content.decode()
    assert "<iframe" not in page and "Přepis spotu." in page
    settings.QMSS_VIDEO_EMBED_URL = "https://www.youtube-nocookie.com/embed/{id}"
    page = client.get(url).content.decode()
    assert 'src="https://www.youtube-nocookie.com/embed/abc_123"' in page and "Přepis spotu." in page


def test_csp_allows_frames_from_the_configured_provider_only(monkeypatch):
    """The settings module read afresh (not imported into Django) with and without the provider configured."""
    import qmss.settings

    def frame_src(url: str):
        monkeypatch.setenv("QMSS_VIDEO_EMBED_URL", url)
        spec = importlib.util.spec_from_file_location("qmss_settings_probe", qmss.settings.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.CONTENT_SECURITY_POLICY["DIRECTIVES"].get("frame-src")

    assert frame_src("") is None
    assert frame_src("https://www.youtube-nocookie.com/embed/{id}") == ["https://www.youtube-nocookie.com"]
    with pytest.raises(ImproperlyConfigured):
        frame_src("http://example.com/{id}")


# --- editors' pages ------------------------------------------------------------------------------------------


def test_editor_pages_walk_the_workflow_and_the_hub_shows_what_awaits_review(editors, client):
    org, author, second = editors
    writer = _client(author)
    data = {
        "organisation": org.pk,
        "kind": "article",
        "category": "rights",
        "audiences": ["clients"],
        "title": "Vaše práva",
        "body": "Text <script>alert(1)</script>",
    }
    response = writer.post(reverse("portal:article_new"), data)
    article = Article.objects.get()
    assert response.status_code == 302 and article.organisation == org
    writer.post(reverse("portal:article_edit", args=[article.pk]), {**data, "body": "Nový <b>text</b>"})
    writer.post(reverse("portal:article_transition", args=[article.pk]), {"action": "submit"})
    assert "Vaše práva" not in str(writer.get(reverse("portal:editorial")).context["hub"].awaiting_review)
    reviewer = _client(second)
    hub = reviewer.get(reverse("portal:editorial")).context["hub"]
    assert [a.pk for a in hub.awaiting_review] == [article.pk]
    writer.post(reverse("portal:article_transition", args=[article.pk]), {"action": "approve"})  # refused
    article.refresh_from_db()
    assert article.state == Article.State.REVIEW
    reviewer.post(reverse("portal:article_transition", args=[article.pk]), {"action": "approve"})
    article.refresh_from_db()
    assert article.state == Article.State.PUBLISHED and article.approved_by == second

    history = writer.get(reverse("portal:article_history", args=[article.pk]), {"a": 1, "b": 2}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in history and "<script>alert" not in history
    assert "&lt;b&gt;text&lt;/b&gt;" in history
    preview = writer.get(reverse("portal:article_preview", args=[article.pk])).content.decode()
    assert "&lt;b&gt;text&lt;/b&gt;" in preview


def test_public_list_query_count_does_not_grow(editors, client):
    org, author, second = editors
    made = []

    def grow(n):
        while len(made) < n:
            article = make_article(org, author, title=f"Článek {len(made)}")
            publish(article, second)
            made.append(article)

    assert_constant_queries(lambda: client.get(reverse("portal:articles")), grow, count=lambda: len(made), large=5)
