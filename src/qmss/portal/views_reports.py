"""Pages of the reports part: the public page on unregistered services (warning signs, how to check, how to
report), the public report form with its spam protection, and the region's inbox of reports (login)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qmss.core.forms import add_action_errors
from qmss.core.pagination import filter_query_string, paginate
from qmss.core.scoping import get_scope
from qmss.portal import actions_reports as actions
from qmss.portal import permissions
from qmss.portal import selectors_reports as selectors
from qmss.portal import spam_reports as spam
from qmss.portal.forms_reports import ReportForm, TransitionForm
from qmss.portal.models import UnregisteredReport
from qmss.portal.warning_signs import warning_signs
from qmss.registry.views_public import MPSV_REGISTRY_URL

PAGE_SIZE = 25
State = UnregisteredReport.State


def _public_crumbs(*extra):
    return [(_("Unregistered services"), reverse("portal:unregistered") if extra else None), *extra]


def _public_cache(response, request):
    """Anonymous visitors may share a cached copy; a logged-in user's page (their name in the header) is private."""
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=300)
    return response


@require_safe
def unregistered(request):
    library = warning_signs()
    context = {
        "signs": library.signs,
        "library_source": library.source,
        "mpsv_registry_url": MPSV_REGISTRY_URL,
        "crumbs": _public_crumbs(),
    }
    return _public_cache(render(request, "portal/reports/unregistered.html", context), request)


def _form_page(request, form: ReportForm, *, refusal: str = "", status: int = 200):
    context = {
        "form": form,
        "token": spam.issue_token(request),
        "token_field": spam.TOKEN_FIELD,
        "honeypot_field": spam.HONEYPOT_FIELD,
        "refusal": refusal,
        "crumbs": _public_crumbs((_("Report a suspected unregistered service"), None)),
    }
    return render(request, "portal/reports/report_form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request):
    if request.method != "POST":
        initial = {"service_name": (request.GET.get("sluzba") or "")[:200]}
        return _form_page(request, ReportForm(initial=initial))
    form = ReportForm(request.POST)
    try:
        spam.check_honeypot(request.POST)
        spam.check_token(request, request.POST.get(spam.TOKEN_FIELD))
    except spam.Refusal as refusal:
        return _form_page(request, form, refusal=refusal.message, status=refusal.status)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        spam.check_throttle(request)
    except spam.Refusal as refusal:
        return _form_page(request, form, refusal=refusal.message, status=refusal.status)
    data = form.cleaned_data
    try:
        actions.submit_report(
            municipality=form.municipality,
            service_name=data["service_name"],
            place=data["place"],
            what_happened=data["what_happened"],
            when=data["when"],
            anonymous=data["anonymous"],
            reporter_name=data["reporter_name"],
            reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"],
        )
    except ValidationError as exc:
        add_action_errors(form, exc)
        return _form_page(request, form, status=400)
    return redirect("portal:report_sent")


@require_safe
def report_sent(request):
    context = {"crumbs": _public_crumbs((_("Report sent"), None))}
    return _public_cache(render(request, "portal/reports/report_sent.html", context), request)


# --- the region's inbox (login) ------------------------------------------------------------------------------


def _inbox_crumbs(*extra):
    return [(_("Reports of unregistered services"), reverse("portal:reports") if extra else None), *extra]


@login_required
@require_safe
def report_list(request):
    scope = get_scope(request)
    if not selectors.has_inbox(scope):
        raise PermissionDenied(_("Only the staff of a regional authority read the reports of unregistered services."))
    state = request.GET.get("stav") or ""
    state = state if state in State.values else ""
    page_obj = paginate(request, selectors.inbox(scope, state=state or None), per_page=PAGE_SIZE)
    counts = selectors.state_counts(scope)
    context = {
        "page_obj": page_obj,
        "reports": page_obj.object_list,
        "state": state,
        "states": [(value, label, counts.get(value, 0)) for value, label in State.choices],
        "total": sum(counts.values()),
        "query_string": filter_query_string(request),
        "crumbs": _inbox_crumbs(),
    }
    return render(request, "portal/reports/report_list.html", context)


def _detail_context(request, report: UnregisteredReport, form: TransitionForm | None = None) -> dict:
    scope = get_scope(request)
    can_handle = permissions.can_handle_report(scope, report)
    if can_handle and form is None:
        form = TransitionForm(report=report)
    return {
        "report": report,
        "history": selectors.history(scope, report),
        "can_handle": can_handle,
        "show_contact": can_handle and not report.anonymous,
        "form": form if can_handle else None,
        "crumbs": _inbox_crumbs((report.service_name, None)),
    }


@login_required
@require_safe
def report_detail(request, report_pk: int):
    report = selectors.report_for(get_scope(request), report_pk)
    return render(request, "portal/reports/report_detail.html", _detail_context(request, report))


@login_required
@require_POST
def report_transition(request, report_pk: int):
    scope = get_scope(request)
    report = selectors.report_for(scope, report_pk)
    if not permissions.can_handle_report(scope, report):
        raise PermissionDenied(_("Only editors and administrators of the regional authority handle reports."))
    form = TransitionForm(request.POST, report=report)
    if form.is_valid():
        try:
            actions.move_report(
                scope=scope,
                report=report,
                to_state=form.cleaned_data["to_state"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The state of the report was changed."))
            return redirect(report.get_absolute_url())
    return render(request, "portal/reports/report_detail.html", _detail_context(request, report, form), status=400)
