"""Editorial pages of the awareness content (login; editors of a regional authority or of the ministry).

The hub (``/redakce/``) lists the organisation's articles by state, the revisions awaiting this editor's review
and the scheduled publications; an article's page is its editor (a save writes a new revision) with the
workflow buttons, attachments, preview and history with a diff of two revisions.
"""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qmss.core.collation import czech_sorted
from qmss.core.forms import add_action_errors
from qmss.core.models import Organisation
from qmss.core.scoping import get_scope
from qmss.portal import actions_content as actions
from qmss.portal import permissions
from qmss.portal import selectors_content as selectors
from qmss.portal.forms_content import TRANSITION_FORMS, ArticleForm, AttachmentForm
from qmss.portal.models import Article, ArticleRevision
from qmss.portal.views_content import article_context

DIFF_FIELDS = (("title", "Title"), ("perex", "Perex"), ("body", "Text"), ("transcript", "Transcript"))
MAX_DIFF_LINES = 2000


def _require_editor(request: HttpRequest):
    scope = get_scope(request)
    if not permissions.is_editor(scope):
        raise PermissionDenied(_("Only editors of a regional authority or of the ministry edit the content."))
    return scope


def _crumbs(*extra):
    return [(_("Editorial office"), reverse("portal:editorial")), *extra]


def _phrases_url() -> str:
    try:
        return reverse("portal:phrases")
    except NoReverseMatch:  # the situations part is not installed
        return ""


@login_required
@require_safe
def editorial(request: HttpRequest) -> HttpResponse:
    scope = _require_editor(request)
    hub = selectors.editorial_hub(scope)
    context = {
        "hub": hub,
        "phrases_url": _phrases_url(),
        "now": timezone.now(),
        "crumbs": [(_("Editorial office"), "")],
    }
    return render(request, "portal/content/editorial.html", context)


def _organisations(scope) -> list[Organisation]:
    qs = Organisation.objects.filter(kind__in=permissions.EDITORIAL_KINDS)
    if not scope.is_superuser:
        qs = qs.filter(pk__in=permissions.editorial_organisation_ids(scope))
    return czech_sorted(qs, key="name")


def _form_values(data: dict) -> dict:
    return {
        "kind": data["kind"],
        "category": data["category"],
        "audiences": data["audiences"],
        "kind_codes": data["kind_codes"],
        "title": data["title"],
        "perex": data["perex"],
        "body": data["body"],
        "transcript": data["transcript"],
        "video_id": data["video_id"],
        "note": data["note"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    scope = _require_editor(request)
    organisations = _organisations(scope)
    if not organisations:
        raise PermissionDenied
    form = ArticleForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        by_pk = {org.pk: org for org in organisations}
        try:
            article = actions.create_article(
                scope=scope,
                user=request.user,
                organisation=by_pk[form.cleaned_data["organisation"]],
                **_form_values(form.cleaned_data),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The article has been saved as a draft."))
            return redirect("portal:article_edit", article_pk=article.pk)
    context = {"form": form, "crumbs": _crumbs((_("New article"), ""))}
    return render(request, "portal/content/article_new.html", context)


def _transition_forms(scope, article: Article, revision: ArticleRevision) -> list[tuple[str, object]]:
    names = actions.available_transitions(scope, article, revision)
    return [(name, TRANSITION_FORMS[name](auto_id=f"id_{name}_%s")) for name in names]


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_pk: int) -> HttpResponse:
    scope = _require_editor(request)
    article = selectors.get_editorial_article(scope, article_pk)
    revision = actions.working_revision(article)
    initial = {
        "kind": article.kind,
        "category": article.category,
        "audiences": article.audiences,
        "kind_codes": article.kind_codes,
        "title": revision.title,
        "perex": revision.perex,
        "body": revision.body,
        "transcript": revision.transcript,
        "video_id": revision.video_id,
    }
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.revise_article(scope=scope, user=request.user, article=article, **_form_values(form.cleaned_data))
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("A new revision has been saved; the previous ones are kept in the history."))
            return redirect("portal:article_edit", article_pk=article.pk)
    context = {
        "article": article,
        "revision": revision,
        "form": form,
        "transitions": _transition_forms(scope, article, revision),
        "is_public": actions.is_public(article),
        "status_label": selectors.status_label(article),
        "attachments": list(article.attachments.select_related("uploaded_by")),
        "own_revision": revision.author_id == request.user.pk,
        "crumbs": _crumbs((revision.title, "")),
    }
    return render(request, "portal/content/article_edit.html", context)


@login_required
@require_POST
def article_transition(request: HttpRequest, article_pk: int) -> HttpResponse:
    scope = _require_editor(request)
    article = selectors.get_editorial_article(scope, article_pk)
    name = request.POST.get("action", "")
    form_class = TRANSITION_FORMS.get(name)
    if form_class is None:
        messages.error(request, _("Unknown step of the workflow."))
        return redirect("portal:article_edit", article_pk=article.pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("portal:article_edit", article_pk=article.pk)
    data = form.cleaned_data
    try:
        if name == actions.SUBMIT:
            actions.submit_for_review(scope=scope, user=request.user, article=article)
            messages.success(request, _("The revision has been submitted for review."))
        elif name == actions.RETURN:
            actions.return_revision(scope=scope, user=request.user, article=article, reason=data["reason"])
            messages.success(request, _("The revision has been returned to its author."))
        elif name == actions.APPROVE:
            actions.approve_revision(scope=scope, user=request.user, article=article, publish_at=data["publish_at"])
            messages.success(request, _("The revision has been approved."))
        else:
            actions.unpublish_article(scope=scope, user=request.user, article=article)
            messages.success(request, _("The article has been withdrawn from the public pages."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not take this step."))
    return redirect("portal:article_edit", article_pk=article.pk)


@login_required
@require_safe
def article_preview(request: HttpRequest, article_pk: int) -> HttpResponse:
    scope = _require_editor(request)
    article = selectors.get_editorial_article(scope, article_pk)
    number = request.GET.get("revize")
    revision = actions.working_revision(article)
    if number and number.isdigit():
        revision = article.revisions.filter(number=int(number)).first()
        if revision is None:
            raise Http404
    context = {
        **article_context(article, revision),
        "attachments": list(article.attachments.all()),
        "is_preview": True,
        "crumbs": _crumbs((revision.title, reverse("portal:article_edit", args=[article.pk])), (_("Preview"), "")),
    }
    return render(request, "portal/content/article_detail.html", context)


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """A line diff of two texts as (change, line) pairs – ``added``, ``removed`` or ``same`` – bounded; the template
    marks them up (``<ins>`` / ``<del>``) and escapes the text."""
    old_lines = (old or "").splitlines()[:MAX_DIFF_LINES]
    new_lines = (new or "").splitlines()[:MAX_DIFF_LINES]
    changes = {"+ ": "added", "- ": "removed", "  ": "same"}
    return [(changes[line[:2]], line[2:]) for line in difflib.ndiff(old_lines, new_lines) if line[:2] in changes]


@login_required
@require_safe
def article_history(request: HttpRequest, article_pk: int) -> HttpResponse:
    scope = _require_editor(request)
    article = selectors.get_editorial_article(scope, article_pk)
    items = selectors.revisions(article)
    by_number = {revision.number: revision for revision in items}

    def pick(key: str, default):
        value = request.GET.get(key, "")
        return by_number.get(int(value)) if value.isdigit() and int(value) in by_number else default

    newest = items[0]
    new = pick("b", newest)
    old = pick("a", items[1] if len(items) > 1 else newest)
    diffs = []
    if old.pk != new.pk:
        for field, label in DIFF_FIELDS:
            before, after = getattr(old, field), getattr(new, field)
            if before != after:
                diffs.append({"label": _(label), "lines": diff_lines(before, after)})
    context = {
        "article": article,
        "revisions": items,
        "old": old,
        "new": new,
        "diffs": diffs,
        "numbers": [revision.number for revision in items],
        "crumbs": _crumbs((newest.title, reverse("portal:article_edit", args=[article.pk])), (_("History"), "")),
    }
    return render(request, "portal/content/article_history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_add(request: HttpRequest, article_pk: int) -> HttpResponse:
    scope = _require_editor(request)
    article = selectors.get_editorial_article(scope, article_pk)
    if not permissions.can_edit_content_of(scope, article.organisation_id):
        raise PermissionDenied
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_attachment(
                scope=scope,
                user=request.user,
                article=article,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The attachment has been added."))
            return redirect("portal:article_edit", article_pk=article.pk)
    context = {
        "article": article,
        "title": article.work_title,
        "form": form,
        "max_megabytes": f"{actions.attachment_max_bytes() / (1024 * 1024):g}",
        "types": ", ".join(sorted(set(actions.ATTACHMENT_TYPES) - {"jpeg"})),
        "crumbs": _crumbs(
            (article.work_title, reverse("portal:article_edit", args=[article.pk])), (_("New attachment"), "")
        ),
    }
    return render(request, "portal/content/attachment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_delete(request: HttpRequest, attachment_pk: int) -> HttpResponse:
    scope = _require_editor(request)
    item = selectors.get_editorial_attachment(scope, attachment_pk)
    article = item.article
    back = reverse("portal:article_edit", args=[article.pk])
    if request.method == "POST":
        actions.delete_attachment(scope=scope, user=request.user, attachment=item)
        messages.success(request, _("The attachment has been deleted."))
        return redirect(back)
    context = {
        "title": _("Delete the attachment?"),
        "intro": _("The file is removed from the article and from the public pages."),
        "summary": [(_("Attachment"), item.title), (_("File name"), item.original_name)],
        "warning": _("This cannot be undone."),
        "confirm_label": _("Delete the attachment"),
        "confirm_style": "danger",
        "cancel_url": back,
        "crumbs": _crumbs((item.title, back), (_("Delete"), "")),
    }
    return render(request, "core/confirm.html", context)
