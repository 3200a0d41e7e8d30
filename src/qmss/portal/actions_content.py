"""Writes of the awareness content: articles, their revisions, the editorial workflow and attachments.

Keyword-only arguments, one transaction each (``@audit.action``: every audit entry names the acting user),
permissions only through :mod:`qmss.portal.permissions`.

The workflow of the *working* revision (the newest): draft → review → approved (published now or at
``publish_at``), or review → returned (with a reason) → a new revision → review … An edit always writes a new
revision (nothing is overwritten). A published article stays public with its approved revision while a newer
revision is being written or reviewed; approving that revision replaces the public text at once. Publishing
needs four eyes: the approver is an editor of the article's organisation who did not write the revision.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from qmss.assessments.uploads import extension, safe_name, sha256_of
from qmss.core import audit
from qmss.core.models import Organisation
from qmss.core.scoping import Scope
from qmss.portal import permissions
from qmss.portal.error_codes import PortalErrorCode as Code
from qmss.portal.models import Article, ArticleAttachment, ArticleRevision, Audience, Category

Status = ArticleRevision.Status
State = Article.State

TITLE_MAX = 200
PEREX_MAX = 1000
BODY_MAX = 100_000
TRANSCRIPT_MAX = 50_000
NOTE_MAX = 500
REASON_MAX = 2000
MAX_KIND_CODES = 30
MAX_ATTACHMENTS = 20
VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KIND_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")

# Transitions an editor may ask for (the ``action`` of the state form).
SUBMIT, RETURN, APPROVE, UNPUBLISH = "submit", "return", "approve", "unpublish"

# --- attachments: allowed types by content -------------------------------------------------------------------

DEFAULT_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024
_ZIP = (b"PK\x03\x04",)
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": ("text/plain; charset=utf-8", ()),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "mp3": ("audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    "mp4": ("video/mp4", ()),  # the ISO box "ftyp" at offset 4, checked below
}
ATTACHMENT_ACCEPT = ",".join(f".{ext}" for ext in ATTACHMENT_TYPES)


def attachment_max_bytes() -> int:
    return int(getattr(settings, "QMSS_PORTAL_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


def _utf8_text(upload: UploadedFile) -> bool:
    upload.seek(0)
    data = upload.read(attachment_max_bytes() + 1)
    upload.seek(0)
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_attachment(upload: UploadedFile) -> str:
    """The content type of an allowed upload, or ``ValidationError`` (size, type by extension and by content)."""
    limit = attachment_max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is larger than the allowed %(limit)s MB.") % {"limit": f"{limit / (1024 * 1024):g}"},
            code=Code.BAD_FILE.value,
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."), code=Code.BAD_FILE.value)
    ext = extension(upload.name)
    if ext not in ATTACHMENT_TYPES:
        raise ValidationError(
            _("Files of this type cannot be attached. Allowed types: %(types)s.")
            % {"types": ", ".join(sorted(set(ATTACHMENT_TYPES) - {"jpeg"}))},
            code=Code.BAD_FILE.value,
        )
    content_type, signatures = ATTACHMENT_TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if ext == "txt":
        ok = _utf8_text(upload)
    elif ext == "mp4":
        ok = head[4:8] == b"ftyp"
    else:
        ok = any(head.startswith(signature) for signature in signatures)
    if not ok:
        raise ValidationError(
            _("The content of the file does not match its extension .%(ext)s.") % {"ext": ext},
            code=Code.BAD_FILE.value,
        )
    return content_type


# --- helpers -------------------------------------------------------------------------------------------------


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def _require_edit(scope: Scope, organisation_id: int) -> None:
    if not permissions.can_edit_content_of(scope, organisation_id):
        raise _deny(_("You do not edit the content of this organisation."))


def _invalid(field: str | None, message: str, code: Code = Code.INVALID_VALUE) -> ValidationError:
    error = ValidationError(message, code=code.value)
    return ValidationError({field: error}) if field else error


def _bounded(value: str, limit: int, field: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(field, _("This field is required."))
    if len(value) > limit:
        raise _invalid(field, _("Enter at most %(n)s characters.") % {"n": limit})
    return value


def _clean_meta(kind: str, category: str, audiences, kind_codes) -> tuple[str, str, list[str], list[str]]:
    if kind not in Article.Kind.values:
        raise _invalid("kind", _("Choose a type from the list."))
    if category not in Category.values:
        raise _invalid("category", _("Choose a category from the list."))
    audiences = sorted({str(code) for code in (audiences or ())})
    if any(code not in Audience.values for code in audiences):
        raise _invalid("audiences", _("Choose audiences from the list."))
    codes = sorted({str(code).strip() for code in (kind_codes or ()) if str(code).strip()})
    if len(codes) > MAX_KIND_CODES or any(not KIND_CODE.match(code) for code in codes):
        raise _invalid("kind_codes", _("Enter valid codes of kinds of services."))
    return kind, category, audiences, codes


def _clean_text(*, title, perex, body, transcript, video_id, note) -> dict[str, str]:
    video_id = (video_id or "").strip()
    if video_id and not VIDEO_ID.match(video_id):
        raise _invalid("video_id", _("The recording identifier may contain only letters, digits, - and _."))
    return {
        "title": _bounded(title, TITLE_MAX, "title", required=True),
        "perex": _bounded(perex, PEREX_MAX, "perex"),
        "body": _bounded(body, BODY_MAX, "body"),
        "transcript": _bounded(transcript, TRANSCRIPT_MAX, "transcript"),
        "video_id": video_id,
        "note": _bounded(note, NOTE_MAX, "note"),
    }


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:100].strip("-") or "clanek"
    slug, n = base, 1
    qs = Article.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def working_revision(article: Article) -> ArticleRevision:
    """The newest revision (the one the workflow moves); every article has at least one."""
    return article.revisions.order_by("-number").first()


def is_public(article: Article, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        article.state == State.PUBLISHED
        and article.published_revision_id is not None
        and article.publish_at is not None
        and article.publish_at <= now
    )


# --- articles and revisions ----------------------------------------------------------------------------------


@audit.action
def create_article(
    *,
    scope: Scope,
    user,
    organisation: Organisation,
    kind: str,
    category: str,
    audiences: list[str],
    kind_codes: list[str] | None = None,
    title: str,
    perex: str = "",
    body: str = "",
    transcript: str = "",
    video_id: str = "",
    note: str = "",
    slug: str | None = None,
    is_starter: bool = False,
) -> Article:
    """A new article in state draft with its revision 1 written by ``user``."""
    if organisation.kind not in permissions.EDITORIAL_KINDS:
        raise _invalid("organisation", _("Only a regional authority or the ministry publishes content."))
    _require_edit(scope, organisation.pk)
    kind, category, audiences, kind_codes = _clean_meta(kind, category, audiences, kind_codes)
    text = _clean_text(title=title, perex=perex, body=body, transcript=transcript, video_id=video_id, note=note)
    if slug:
        slug = slugify(slug)[:120]
        if not slug or Article.objects.filter(slug=slug).exists():
            raise _invalid("slug", _("This address is already used by another article."), Code.DUPLICATE)
    article = Article.objects.create(
        organisation=organisation,
        slug=slug or unique_slug(text["title"]),
        kind=kind,
        category=category,
        audiences=audiences,
        kind_codes=kind_codes,
        state=State.DRAFT,
        is_starter=is_starter,
        created_by=user,
    )
    ArticleRevision.objects.create(article=article, number=1, author=user, status=Status.DRAFT, **text)
    return article


@audit.action
def revise_article(
    *,
    scope: Scope,
    user,
    article: Article,
    kind: str,
    category: str,
    audiences: list[str],
    kind_codes: list[str] | None = None,
    title: str,
    perex: str = "",
    body: str = "",
    transcript: str = "",
    video_id: str = "",
    note: str = "",
) -> ArticleRevision:
    """An edit: a new draft revision (the previous ones are kept; the published one stays public)."""
    _require_edit(scope, article.organisation_id)
    kind, category, audiences, kind_codes = _clean_meta(kind, category, audiences, kind_codes)
    text = _clean_text(title=title, perex=perex, body=body, transcript=transcript, video_id=video_id, note=note)
    article = Article.objects.select_for_update().get(pk=article.pk)
    number = (working_revision(article).number if article.revisions.exists() else 0) + 1
    revision = ArticleRevision.objects.create(article=article, number=number, author=user, status=Status.DRAFT, **text)
    article.kind, article.category, article.audiences, article.kind_codes = kind, category, audiences, kind_codes
    if article.state == State.REVIEW:
        article.state = State.DRAFT
    article.save()
    return revision


def available_transitions(scope: Scope, article: Article, revision: ArticleRevision | None = None) -> list[str]:
    """The transitions this user may ask for now (what the state form offers)."""
    if not permissions.can_edit_content_of(scope, article.organisation_id):
        return []
    revision = revision or working_revision(article)
    found = []
    submittable = revision.status in (Status.DRAFT, Status.RETURNED) or (
        revision.status == Status.APPROVED and article.state == State.UNPUBLISHED
    )
    if submittable:
        found.append(SUBMIT)
    if revision.status == Status.REVIEW and permissions.can_approve_revision(
        scope, organisation_id=article.organisation_id, author_id=revision.author_id
    ):
        found += [APPROVE, RETURN]
    if article.state == State.PUBLISHED:
        found.append(UNPUBLISH)
    return found


def _locked_working(article: Article) -> tuple[Article, ArticleRevision]:
    article = Article.objects.select_for_update().get(pk=article.pk)
    return article, working_revision(article)


@audit.action
def submit_for_review(*, scope: Scope, user, article: Article) -> ArticleRevision:
    _require_edit(scope, article.organisation_id)
    article, revision = _locked_working(article)
    if SUBMIT not in available_transitions(scope, article, revision):
        raise _invalid(None, _("This revision cannot be submitted for review now."), Code.INVALID_STATE)
    revision.status = Status.REVIEW
    revision.submitted_at = timezone.now()
    revision.save(update_fields=["status", "submitted_at"])
    if article.state == State.DRAFT:
        article.state = State.REVIEW
        article.save(update_fields=["state", "updated_at"])
    return revision


@audit.action
def return_revision(*, scope: Scope, user, article: Article, reason: str) -> ArticleRevision:
    """Send the revision in review back to its author with a reason (a second editor, not the author)."""
    _require_edit(scope, article.organisation_id)
    article, revision = _locked_working(article)
    reason = _bounded(reason, REASON_MAX, "reason", required=True)
    if RETURN not in available_transitions(scope, article, revision):
        raise _invalid(None, _("Only another editor returns a revision in review."), Code.INVALID_STATE)
    revision.status = Status.RETURNED
    revision.returned_reason = reason
    revision.returned_by = user
    revision.returned_at = timezone.now()
    revision.save(update_fields=["status", "returned_reason", "returned_by", "returned_at"])
    if article.state == State.REVIEW:
        article.state = State.DRAFT
        article.save(update_fields=["state", "updated_at"])
    return revision


@audit.action
def approve_revision(*, scope: Scope, user, article: Article, publish_at: datetime | None = None) -> ArticleRevision:
    """Publish the revision in review now or from ``publish_at`` (four eyes: never its own author)."""
    _require_edit(scope, article.organisation_id)
    article, revision = _locked_working(article)
    if revision.status != Status.REVIEW:
        raise _invalid(None, _("Only a revision in review can be approved."), Code.INVALID_STATE)
    if not permissions.can_approve_revision(
        scope, organisation_id=article.organisation_id, author_id=revision.author_id
    ):
        raise _deny(_("A revision is approved by another editor than its author."))
    now = timezone.now()
    if publish_at is not None and publish_at > now and is_public(article, now=now):
        raise _invalid(
            "publish_at",
            _("The article is already public: an approved revision replaces its text at once."),
            Code.INVALID_STATE,
        )
    revision.status = Status.APPROVED
    revision.approved_by = user
    revision.approved_at = now
    revision.save(update_fields=["status", "approved_by", "approved_at"])
    article.published_revision = revision
    article.state = State.PUBLISHED
    article.publish_at = publish_at if publish_at is not None and publish_at > now else now
    article.approved_by = user
    article.approved_at = now
    article.save()
    return revision


@audit.action
def unpublish_article(*, scope: Scope, user, article: Article) -> Article:
    _require_edit(scope, article.organisation_id)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.state != State.PUBLISHED:
        raise _invalid(None, _("Only a published article can be withdrawn."), Code.INVALID_STATE)
    article.state = State.UNPUBLISHED
    article.save(update_fields=["state", "updated_at"])
    return article


# --- attachments ---------------------------------------------------------------------------------------------


@audit.action
def add_attachment(*, scope: Scope, user, article: Article, upload: UploadedFile, title: str = "") -> ArticleAttachment:
    _require_edit(scope, article.organisation_id)
    if article.attachments.count() >= MAX_ATTACHMENTS:
        raise _invalid("file", _("An article has at most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}, Code.TOO_MANY)
    try:
        content_type = check_attachment(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc}) from exc
    name = safe_name(upload.name)
    title = _bounded(title, 200, "title") or name
    attachment = ArticleAttachment(
        article=article,
        title=title,
        original_name=name,
        size=upload.size,
        content_type=content_type,
        sha256=sha256_of(upload),
        uploaded_by=user,
    )
    stored = f"{slugify(PurePath(name).stem)[:80] or 'priloha'}.{extension(name)}"
    attachment.file.save(stored, upload, save=False)
    attachment.save()
    return attachment


@audit.action
def delete_attachment(*, scope: Scope, user, attachment: ArticleAttachment) -> None:
    _require_edit(scope, attachment.article.organisation_id)
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
