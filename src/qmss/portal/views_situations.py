"""Pages of the situations part: the public "how to search" page (the library's situations with their needs,
each leading to the finder) and the editors' pages of their own phrasings (list, new, edit, retire).

The public page shows library data only, never an editor's phrasing (its text belongs to the organisation that
wrote it). The editors' pages need an editor of a regional authority or of the ministry; a phrasing of another
organisation is not found (404)."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from qmss.core.forms import add_action_errors
from qmss.core.pagination import paginate
from qmss.core.scoping import get_scope
from qmss.portal import actions_situations as actions
from qmss.portal import permissions
from qmss.portal import selectors_situations as selectors
from qmss.portal import situations as matcher
from qmss.portal.forms_situations import PhraseForm
from qmss.portal.library_situations import target_group_choices

PUBLIC_MAX_AGE = 600
PAGE_SIZE = 30


def _finder_url() -> str | None:
    """The finder's address (the finder part may not be there yet)."""
    with contextlib.suppress(NoReverseMatch):
        return reverse("portal:finder")
    return None


def _with(url: str | None, **params) -> str | None:
    return f"{url}?{urlencode(params)}" if url else None


# --- public -----------------------------------------------------------------------------------------------------


@require_safe
def situations(request):
    finder = _finder_url()
    rows = []
    for item in matcher.situations():
        rows.append(
            {
                "item": item,
                "url": _with(finder, situace=item.examples[0] if item.examples else item.title),
                "examples": [(text, _with(finder, situace=text)) for text in item.examples],
                "needs": [(need, _with(finder, potreba=need.code)) for need in item.needs],
            }
        )
    context = {
        "rows": rows,
        "finder_url": finder,
        "public_page": True,
        "crumbs": [*([(_("Find a social service"), finder)] if finder else []), (_("How to search"), "")],
        "meta_description": _(
            "Describe your situation in your own words; the finder recognises everyday situations and offers the "
            "services that meet your needs."
        ),
    }
    response = render(request, "portal/situations/public.html", context)
    # The same page for everybody for a few minutes, but not in shared caches: it carries a CSRF token (the
    # language form of the base template).
    patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])  # display modes and language live in cookies
    return response


# --- editors ----------------------------------------------------------------------------------------------------


def _require_editor(request):
    scope = get_scope(request)
    if not permissions.can_edit_situations(scope):
        raise PermissionDenied
    return scope


def _crumbs(*extra):
    crumbs = []
    with contextlib.suppress(NoReverseMatch):  # the editorial hub (content part) may not be there yet
        crumbs.append((_("Editorial work"), reverse("portal:editorial")))
    crumbs.append((_("Situations in the finder"), reverse("portal:phrases")))
    return [*crumbs, *extra]


def _names(codes: list[str], choices) -> list[str]:
    names = {}
    for label, options in choices:
        if isinstance(options, list | tuple):
            names.update(dict(options))
        else:
            names[label] = options
    return [names.get(code, code) for code in codes]


@login_required
@require_safe
def phrases(request):
    scope = _require_editor(request)
    page = paginate(request, selectors.phrase_list(scope), per_page=PAGE_SIZE)
    needs = matcher.need_choices()
    rows = [(phrase, _names(phrase.need_codes, needs)) for phrase in page.object_list]
    context = {
        "rows": rows,
        "page_obj": page,
        "query_string": "",
        "crumbs": _crumbs()[:-1] + [(_("Situations in the finder"), "")],
        "public_url": reverse("portal:situations"),
    }
    return render(request, "portal/situations/phrases.html", context)


def _form_page(request, form, *, title: str, phrase=None):
    context = {
        "form": form,
        "title": title,
        "phrase": phrase,
        "crumbs": _crumbs((title, "")),
        "cancel_url": reverse("portal:phrases"),
    }
    if phrase is not None:
        context["needs"] = _names(phrase.need_codes, matcher.need_choices())
        context["groups"] = _names(phrase.target_group_codes, [(c, n) for c, n in target_group_choices()])
    return render(request, "portal/situations/phrase_form.html", context, status=422 if form and form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def phrase_new(request):
    scope = _require_editor(request)
    organisations = selectors.editorial_organisations(scope)
    form = PhraseForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = next((o for o in organisations if o.pk == data["organisation"]), None)
        try:
            if chosen is None:
                raise PermissionDenied
            actions.create_phrase(scope=scope, organisation=chosen, text=data["text"], need_codes=data["needs"],
                                  target_group_codes=data["target_groups"])  # fmt: skip
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The phrasing has been added; the finder uses it at once."))
            return redirect("portal:phrases")
    return _form_page(request, form, title=_("New phrasing"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def phrase_edit(request, phrase_pk: int):
    scope = _require_editor(request)
    phrase = selectors.get_phrase(scope, phrase_pk)
    if not phrase.active:
        return _form_page(request, None, title=_("Retired phrasing"), phrase=phrase)
    initial = {"text": phrase.text, "needs": phrase.need_codes, "target_groups": phrase.target_group_codes}
    form = PhraseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.edit_phrase(scope=scope, phrase=phrase, text=data["text"], need_codes=data["needs"],
                                target_group_codes=data["target_groups"])  # fmt: skip
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The phrasing has been saved."))
            return redirect("portal:phrases")
    return _form_page(request, form, title=_("Edit the phrasing"), phrase=phrase)


class _RetireForm(forms.Form):
    retire = forms.CharField(widget=forms.HiddenInput, initial="1")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def phrase_retire(request, phrase_pk: int) -> HttpResponse:
    scope = _require_editor(request)
    phrase = selectors.get_phrase(scope, phrase_pk)
    warning = ""
    if request.method == "POST":
        try:
            actions.retire_phrase(scope=scope, phrase=phrase)
        except ValidationError as error:
            warning = " ".join(error.messages)
        else:
            messages.success(request, _("The phrasing has been retired; the finder no longer uses it."))
            return redirect("portal:phrases")
    list_url = reverse("portal:phrases")
    context = {
        "title": _("Retire the phrasing?"),
        "crumbs": _crumbs((phrase.text, reverse("portal:phrase_edit", kwargs={"phrase_pk": phrase.pk}))),
        "intro": _("The finder stops using the phrasing at once. It stays in the list as retired."),
        "summary": [
            (_("Phrasing"), phrase.text),
            (_("Needs"), ", ".join(_names(phrase.need_codes, matcher.need_choices()))),
            (_("Organisation"), phrase.organisation.name),
        ],
        "warning": warning,
        "form": _RetireForm(),
        "confirm_label": _("Retire the phrasing"),
        "confirm_style": "danger",
        "cancel_url": list_url,
    }
    return render(request, "core/confirm.html", context, status=422 if warning else 200)
