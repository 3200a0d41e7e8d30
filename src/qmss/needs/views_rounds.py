"""Pages of data-collection rounds run by a region: the list, create/edit, the scope preview, opening and
closing, and the round page with live completeness. The submission pages are in
:mod:`qmss.needs.views_rounds_submission`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from qmss.core.formatting import format_date
from qmss.core.pagination import filter_query_string, paginate
from qmss.core.scoping import get_scope
from qmss.needs import actions_rounds as actions
from qmss.needs import selectors_rounds as selectors
from qmss.needs.forms_rounds import RoundForm, SubmissionFilterForm
from qmss.needs.models import CollectionRound

PREVIEW_SHOWN = 200


def index_crumbs(*extra):
    return [(_("Data collection"), reverse("needs:rounds")), *extra]


def round_url(round: CollectionRound) -> str:
    return reverse("needs:round_detail", kwargs={"round_pk": round.pk})


@login_required
def round_list_view(request):
    scope = get_scope(request)
    rounds = selectors.round_list(scope)
    completeness = selectors.completeness_of_rounds(rounds)
    rows = [(r, completeness[r.pk], selectors.is_region_staff(scope, r)) for r in rounds]
    context = {
        "rows": [row for row in rows if row[2]],
        "can_create": selectors.managed_region_organisations(scope).exists(),
        "has_reports": selectors.my_submissions(scope).exists(),
        "crumbs": [(_("Data collection"), "")],
    }
    return render(request, "needs/rounds/round_list.html", context)


def _save_round_form(request, form: RoundForm, round: CollectionRound | None):
    data = form.cleaned_data
    kwargs = {
        name: data[name]
        for name in (
            "name",
            "period_start",
            "period_end",
            "deadline",
            "instructions",
            "reminder_days",
            "kind_codes",
            "form_keys",
            "orp_codes",
        )
    }
    if round is None:
        return actions.create_round(user=request.user, organisation=data["organisation"], **kwargs)
    if round.state != CollectionRound.State.DRAFT:  # disabled fields keep the round's values
        kwargs.update(
            period_start=round.period_start,
            period_end=round.period_end,
            kind_codes=round.kind_codes,
            form_keys=round.form_keys,
            orp_codes=round.orp_codes,
        )
    return actions.update_round(user=request.user, round=round, **kwargs)


def _round_form_page(request, round: CollectionRound | None):
    scope = get_scope(request)
    organisations = selectors.managed_region_organisations(scope)
    if round is None and not organisations.exists():
        raise Http404
    initial = {}
    if round is not None:
        initial = {
            name: getattr(round, name)
            for name in (
                "name",
                "period_start",
                "period_end",
                "deadline",
                "instructions",
                "reminder_days",
                "kind_codes",
                "form_keys",
                "orp_codes",
            )
        }
    form = RoundForm(
        request.POST if request.method == "POST" else None, organisations=organisations, round=round, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_round_form(request, form, round)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The round has been saved."))
            return redirect(round_url(saved))
    title = _("New data-collection round") if round is None else _("Edit the round")
    crumbs = index_crumbs(*([(round.name, round_url(round))] if round else []), (title, ""))
    cancel = round_url(round) if round else reverse("needs:rounds")
    context = {
        "form": form,
        "round": round,
        "organisations": list(organisations[:10]) if round is None else [],
        "title": title,
        "crumbs": crumbs,
        "cancel_url": cancel,
    }
    return render(request, "needs/rounds/round_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def round_create_view(request):
    return _round_form_page(request, None)


def _managed_round(request, round_pk: int) -> CollectionRound:
    scope = get_scope(request)
    round = selectors.get_round(scope, round_pk)
    if not selectors.can_manage_round(scope, round):
        raise Http404
    return round


@login_required
@require_http_methods(["GET", "POST"])
def round_edit_view(request, round_pk: int):
    round = _managed_round(request, round_pk)
    if round.state == CollectionRound.State.CLOSED:
        raise Http404
    return _round_form_page(request, round)


@login_required
def round_detail_view(request, round_pk: int):
    scope = get_scope(request)
    round = selectors.get_round(scope, round_pk)
    if not selectors.is_region_staff(scope, round):
        # a provider reaches the round through its reports
        return redirect(reverse("needs:my_submissions") + f"?round={round.pk}")
    context = {
        "round": round,
        "can_manage": selectors.can_manage_round(scope, round),
        "crumbs": index_crumbs((round.name, "")),
    }
    if round.state == CollectionRound.State.DRAFT:
        services = selectors.round_services(round)
        context["preview_count"] = services.count()
        context["preview"] = list(services[:PREVIEW_SHOWN])
        context["preview_shown"] = PREVIEW_SHOWN
    else:
        kinds = selectors.round_kinds(round)
        filters = SubmissionFilterForm(request.GET or None, kinds=kinds)
        state = kind = ""
        if filters.is_valid():
            state, kind = filters.cleaned_data["state"], filters.cleaned_data["kind"]
        page = paginate(request, selectors.round_submissions(round, state=state, kind=kind))
        for submission in page.object_list:
            submission.round = round  # one round: no query per row
        today_late = {s.pk for s in page.object_list if selectors.is_late(s)}
        context.update(
            completeness=selectors.completeness(round),
            filters=filters,
            page_obj=page,
            late_ids=today_late,
            query_string=filter_query_string(request),
            filtered=bool(state or kind),
        )
    return render(request, "needs/rounds/round_detail.html", context)


@login_required
def round_completeness_view(request, round_pk: int):
    """The completeness block alone (htmx refresh of the round page)."""
    scope = get_scope(request)
    round = selectors.get_round(scope, round_pk)
    if not selectors.is_region_staff(scope, round):
        raise Http404
    context = {"round": round, "completeness": selectors.completeness(round)}
    return render(request, "needs/rounds/_completeness.html", context)


def _confirm(request, round: CollectionRound, *, title, intro, warning, label, style="primary"):
    context = {
        "title": title,
        "crumbs": index_crumbs((round.name, round_url(round)), (title, "")),
        "intro": intro,
        "summary": [
            (_("Round"), round.name),
            (_("Period"), f"{format_date(round.period_start)} – {format_date(round.period_end)}"),
            (_("Deadline"), format_date(round.deadline)),
        ],
        "warning": warning,
        "confirm_label": label,
        "confirm_style": style,
        "cancel_url": round_url(round),
    }
    return render(request, "core/confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def round_open_view(request, round_pk: int):
    round = _managed_round(request, round_pk)
    if request.method == "POST":
        try:
            count = actions.open_round(user=request.user, round=round)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(
                request,
                ngettext(
                    "The round is open: %(count)s service reports in it.",
                    "The round is open: %(count)s services report in it.",
                    count,
                )
                % {"count": count},
            )
        return redirect(round_url(round))
    count = selectors.round_services(round).count() if round.state == CollectionRound.State.DRAFT else 0
    warning = (
        ngettext(
            "%(count)s service will get a report to fill in. The period and the scope cannot be changed afterwards.",
            "%(count)s services will get a report to fill in. The period and the scope cannot be changed afterwards.",
            count,
        )
        % {"count": count}
        if round.state == CollectionRound.State.DRAFT
        else _("Only a round in preparation can be opened.")
    )
    return _confirm(
        request,
        round,
        title=_("Open the round?"),
        intro=_("Providers of the services in scope can fill in their reports from now on."),
        warning=warning,
        label=_("Open the round"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_close_view(request, round_pk: int):
    round = _managed_round(request, round_pk)
    if request.method == "POST":
        try:
            actions.close_round(user=request.user, round=round)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("The round is closed."))
        return redirect(round_url(round))
    return _confirm(
        request,
        round,
        title=_("Close the round?"),
        intro=_("Providers can no longer change or submit their reports; you can still approve submitted ones."),
        warning=None if round.state == CollectionRound.State.OPEN else _("Only an open round can be closed."),
        label=_("Close the round"),
        style="danger",
    )
