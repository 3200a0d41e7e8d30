"""Pages of network applications: the list (what the user may see), filing, the application with its timeline,
statements and attachments, the workflow moves, the decision, the municipality's statement, corrections and the
permission-checked download of attachments (never served from MEDIA_URL)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qmss.core import hooks
from qmss.core.forms import add_action_errors
from qmss.core.pagination import filter_query_string, paginate
from qmss.core.scoping import get_scope
from qmss.network import actions_applications as actions
from qmss.network import selectors_applications as selectors
from qmss.network.forms_applications import (
    ApplicationForm,
    AttachmentForm,
    CorrectionForm,
    DecisionForm,
    FilterForm,
    StatementForm,
    StepForm,
)
from qmss.network.models import Application, Network
from qmss.network.scores_applications import candidate_key

TERMS = ("capacity", "unit", "orp_codes", "municipality_codes", "tier", "financing_category", "justification")


def _crumbs(*extra):
    return [
        (_("Networks of services"), reverse("network:index")),
        (_("Applications"), reverse("network:applications")),
        *extra,
    ]


def _explain_url(application: Application) -> str:
    try:
        return reverse(
            "network:explain",
            kwargs={"network_pk": application.network_id, "candidate_key": candidate_key(application)},
        )
    except NoReverseMatch:  # the scoring pages are not installed
        return ""


# --- the list ------------------------------------------------------------------------------------------------


@login_required
def application_list(request):
    scope = get_scope(request)
    filters = selectors.ApplicationFilters.from_data(request.GET)
    page = paginate(request, selectors.application_list(scope, filters))
    can_file = selectors.can_file_any(scope)
    context = {
        "page_obj": page,
        "applications": page.object_list,
        "filter_form": FilterForm(request.GET or None, networks=selectors.filter_networks(scope)),
        "is_filtered": filters.active,
        "query_string": filter_query_string(request),
        "file_networks": selectors.networks_for_provider(scope) if can_file else [],
        "crumbs": [(_("Networks of services"), reverse("network:index")), (_("Applications"), "")],
    }
    return render(request, "network/applications/list.html", context)


# --- filing and correcting -----------------------------------------------------------------------------------


def _terms(data) -> dict:
    return {name: data[name] for name in TERMS}


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request, network_pk: int):
    scope = get_scope(request)
    organisations = selectors.filing_organisations(scope)
    if not organisations:
        raise PermissionDenied(_("Only editors of a provider organisation file applications."))
    network = get_object_or_404(Network.objects.select_related("region", "municipality"), pk=network_pk)
    services = selectors.filing_services([o.pk for o in organisations], network, without_open=True)
    if not services.exists():
        context = {"crumbs": _crumbs(), "organisations": organisations}
        return render(request, "network/applications/no_services.html", context, status=403)
    in_network = selectors.services_in_version(selectors.current_version(network))
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        network=network,
        territory=selectors.network_territory(network),
        services=services,
        in_network=in_network,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = actions.file_application(
                user=request.user,
                network=network,
                kind=data["kind"],
                service=data["service"],
                files=data["files"],
                **_terms(data),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The application has been submitted."))
            return redirect(application)
    context = {
        "network": network,
        "organisations": organisations,
        "form": form,
        "crumbs": _crumbs((_("New application"), "")),
    }
    return render(request, "network/applications/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, application_pk: int):
    scope = get_scope(request)
    application = selectors.get_application(scope, application_pk)
    access = selectors.access(scope, application)
    if not access.provider_edits:
        raise PermissionDenied(_("Only the provider's editors correct the application."))
    form = None
    if application.state == Application.State.RETURNED:
        initial = {name: getattr(application, name) for name in TERMS}
        initial["orp_codes"] = [str(code) for code in application.orp_codes]
        form = CorrectionForm(
            request.POST or None,
            request.FILES or None,
            network=application.network,
            territory=selectors.network_territory(application.network),
            initial=initial,
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                actions.correct_application(
                    user=request.user, application=application, note=data["note"], files=data["files"], **_terms(data)
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The corrected application has been submitted again."))
                return redirect(application)
    elif request.method == "POST":
        raise PermissionDenied(_("Only a returned application can be corrected."))
    context = {
        "application": application,
        "form": form,
        "steps": selectors.detail_parts(application)["steps"],
        "crumbs": _crumbs((str(application), application.get_absolute_url()), (_("Correct the application"), "")),
    }
    return render(request, "network/applications/correct.html", context)


# --- the application -----------------------------------------------------------------------------------------


@login_required
@require_safe
def application_detail(request, application_pk: int):
    scope = get_scope(request)
    application = selectors.get_application(scope, application_pk)
    access = selectors.access(scope, application)
    states = actions.next_states(scope, application)
    manager_states = [s for s in states if s != Application.State.WITHDRAWN]
    orps, municipalities = selectors.territory_names(application)
    parts = selectors.detail_parts(application)
    open_ = application.state in selectors.OPEN_STATES
    context = {
        "application": application,
        "access": access,
        **parts,
        "orp_names": orps,
        "municipality_names": municipalities,
        "step_form": StepForm(states=manager_states) if manager_states else None,
        "can_withdraw": Application.State.WITHDRAWN in states,
        "can_decide": access.is_manager and application.state == Application.State.PROPOSAL,
        "attachment_form": AttachmentForm() if access.provider_edits and open_ else None,
        "can_correct": access.provider_edits and application.state == Application.State.RETURNED,
        "can_state": bool(access.statement_organisations) and open_,
        "statement_missing": application.kind in selectors.STATEMENT_KINDS and not parts["statements"],
        "explain_url": _explain_url(application) if access.sees_scores else "",
        "snapshot_total": (application.score_snapshot or {}).get("total"),
        # automatic admission checks of higher apps (financing: personnel standard, MTS) for provider and manager
        "automatic_checks": [
            c for answer in hooks.call_all("network_admission_checks", application.service) for c in answer or []
        ]
        if access.sees_scores
        else [],  # fmt: skip
        "crumbs": _crumbs((str(application), "")),
    }
    return render(request, "network/applications/detail.html", context)


@login_required
@require_POST
def application_step(request, application_pk: int):
    scope = get_scope(request)
    application = selectors.get_application(scope, application_pk)
    states = actions.next_states(scope, application)
    if not states:
        raise PermissionDenied(_("You cannot move this application."))
    form = StepForm(request.POST, states=states)
    if form.is_valid():
        try:
            actions.move_application(
                user=request.user,
                application=application,
                state=form.cleaned_data["state"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The application is now: %(state)s.")
                % {"state": Application.State(form.cleaned_data["state"]).label},
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(application)


@login_required
@require_http_methods(["GET", "POST"])
def application_decide(request, application_pk: int):
    scope = get_scope(request)
    application = selectors.get_application(scope, application_pk)
    if not selectors.access(scope, application).is_manager:
        raise PermissionDenied(_("Only the network's manager records decisions."))
    form = None
    if application.state == Application.State.PROPOSAL:
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                actions.decide_application(
                    user=request.user,
                    application=application,
                    approve=data["outcome"] == "approve",
                    decision_body=data["decision_body"],
                    resolution_number=data["resolution_number"],
                    decision_date=data["decision_date"],
                    reasons=data["reasons"],
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The decision has been recorded."))
                return redirect(application)
    elif request.method == "POST":
        raise PermissionDenied(_("Only a proposed application can be decided."))
    context = {
        "application": application,
        "form": form,
        "crumbs": _crumbs((str(application), application.get_absolute_url()), (_("Decision"), "")),
    }
    return render(request, "network/applications/decide.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def statement(request, application_pk: int):
    scope = get_scope(request)
    application = selectors.get_application(scope, application_pk)
    organisations = selectors.statement_organisations(scope, application)
    if not organisations:
        raise PermissionDenied(_("Only a municipality in the territory the application serves files a statement."))
    if application.state not in selectors.OPEN_STATES:
        raise PermissionDenied(_("A decided or withdrawn application takes no statements."))
    existing = {s.organisation_id: s for s in application.statements.all()}
    initial = {}
    if len(organisations) == 1 and organisations[0].pk in existing:
        mine = existing[organisations[0].pk]
        initial = {"position": mine.position, "text": mine.text}
    form = StatementForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.file_statement(
                user=request.user,
                application=application,
                organisation=data["organisation"],
                position=data["position"],
                text=data["text"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The statement has been filed."))
            return redirect(application)
    orps, municipalities = selectors.territory_names(application)
    context = {
        "application": application,
        "form": form,
        "orp_names": orps,
        "municipality_names": municipalities,
        "replaces": bool(initial),
        "crumbs": _crumbs((str(application), application.get_absolute_url()), (_("Statement of need"), "")),
    }
    return render(request, "network/applications/statement.html", context)


# --- attachments ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def attachments_add(request, application_pk: int):
    scope = get_scope(request)
    application = selectors.get_application(scope, application_pk)
    if not selectors.access(scope, application).provider_edits:
        raise PermissionDenied(_("Only the provider's editors attach files."))
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = actions.add_attachments(
                user=request.user, application=application, files=form.cleaned_data["files"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Attached: %(names)s.") % {"names": ", ".join(a.original_name for a in stored)})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(application)


@never_cache
@require_safe
@login_required
def attachment(request, attachment_pk: int):
    scope = get_scope(request)
    item = selectors.get_attachment(scope, attachment_pk)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=item.original_name, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
