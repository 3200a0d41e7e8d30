"""Portal models: the awareness campaign as content (articles, expert articles, leaflets, posters, video and
radio spots, films) with revisions, an editorial workflow with four-eyes approval and attachments.

An article belongs to one editorial organisation (a regional authority or the ministry). Its text lives in
numbered revisions that are never overwritten: an edit writes a new revision. The public sees only the
``published_revision`` of an article in state ``published`` whose ``publish_at`` has passed; a published
article stays public with its approved revision while a newer revision is being written or reviewed.
The workflow of the *working* (newest) revision is kept on the revision itself (``status``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qmss.core.models import OrganisationOwned, TimeStamped

__all__ = ["Article", "ArticleAttachment", "ArticleRevision", "Audience", "Category"]

USER = settings.AUTH_USER_MODEL


class Audience(models.TextChoices):
    """Who an article is written for (``Article.audiences`` holds a list of these codes)."""

    PUBLIC = "public", _("general public")
    CLIENTS = "clients", _("clients and potential clients")
    FAMILIES = "families", _("families and guardians")
    PROVIDERS = "providers", _("providers of social services")
    WORKERS = "workers", _("workers in social services")
    ADMINISTRATION = "administration", _("public administration")


class Category(models.TextChoices):
    """The topic of an article (one per article)."""

    SERVICES = "services", _("social services and how to find them")
    RIGHTS = "rights", _("rights of clients")
    CONTRACT = "contract", _("contract and negotiation")
    UNREGISTERED = "unregistered", _("unregistered services")
    QUALITY = "quality", _("quality of services")
    CARERS = "carers", _("care at home and carers")
    PRACTICE = "practice", _("professional practice")


class Article(OrganisationOwned, TimeStamped):
    class Kind(models.TextChoices):
        ARTICLE = "article", _("article")
        EXPERT = "expert", _("expert article")
        LEAFLET = "leaflet", _("information leaflet")
        POSTER = "poster", _("poster")
        VIDEO = "video", _("video spot")
        RADIO = "radio", _("radio spot")
        FILM = "film", _("film")

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("article state", "draft")
        REVIEW = "review", pgettext_lazy("article state", "in review")
        PUBLISHED = "published", pgettext_lazy("article state", "published")
        UNPUBLISHED = "unpublished", pgettext_lazy("article state", "unpublished")

    # Kinds that are recordings: embedded from the configured provider, always with a transcript.
    RECORDING_KINDS = frozenset({Kind.VIDEO, Kind.RADIO, Kind.FILM})

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("publisher"), on_delete=models.PROTECT, related_name="portal_articles"
    )
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    audiences = models.JSONField(_("audiences"), default=list, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.SERVICES)
    kind_codes = models.JSONField(_("kinds of services"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    published_revision = models.ForeignKey(
        "portal.ArticleRevision",
        verbose_name=_("published revision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    publish_at = models.DateTimeField(_("publish from"), null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    is_starter = models.BooleanField(_("starter content"), default=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("awareness article")
        verbose_name_plural = _("awareness articles")
        ordering = ["-publish_at", "-pk"]
        indexes = [models.Index(fields=["state", "publish_at"], name="portal_article_public")]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("portal:article", kwargs={"article_slug": self.slug})

    @property
    def is_recording(self) -> bool:
        return self.kind in self.RECORDING_KINDS


class ArticleRevision(models.Model):
    """One numbered, never overwritten version of an article's text."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("revision status", "draft")
        REVIEW = "review", pgettext_lazy("revision status", "in review")
        RETURNED = "returned", pgettext_lazy("revision status", "returned")
        APPROVED = "approved", pgettext_lazy("revision status", "approved")

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    title = models.CharField(_("title"), max_length=200)
    perex = models.TextField(_("perex"), max_length=1000, blank=True)
    body = models.TextField(_("text"), blank=True)
    transcript = models.TextField(_("transcript"), blank=True)
    video_id = models.CharField(_("recording identifier"), max_length=64, blank=True)
    author = models.ForeignKey(
        USER, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    note = models.CharField(_("note on the change"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted for review"), null=True, blank=True)
    returned_reason = models.TextField(_("reason for return"), blank=True)
    returned_by = models.ForeignKey(
        USER, verbose_name=_("returned by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        ordering = ["article", "-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="unique_article_revision")]

    def __str__(self) -> str:
        return f"{self.title} ({self.number})"

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.article.organisation_id}


def attachment_upload_to(instance: ArticleAttachment, filename: str) -> str:
    return f"portal/content/{instance.article_id}/{filename}"


class ArticleAttachment(models.Model):
    """A file attached to an article (served through ``portal:attachment``, never from MEDIA_URL)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=500)
    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")
        ordering = ["article", "title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.article.organisation_id}
