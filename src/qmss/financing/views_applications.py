"""Pages of programmes (the manager's) and subsidy applications (the providers'): lists with filters, the
programme with its parameters and applications, filing, editing, submitting and reviewing an application."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qmss.core.forms import add_action_errors
from qmss.core.pagination import filter_query_string, paginate
from qmss.core.scoping import get_scope
from qmss.financing import actions_applications as actions
from qmss.financing import permissions
from qmss.financing import selectors_applications as selectors
from qmss.financing.forms_applications import (
    ApplicationFilterForm,
    ApplicationForm,
    ProgrammeEditForm,
    ProgrammeFilterForm,
    ProgrammeForm,
    ProgrammeStateForm,
    ReviewForm,
    StartForm,
)
from qmss.financing.library import programme_parameters
from qmss.financing.models import SubsidyApplication
from qmss.financing.selectors_compensation import awarded_line


def _crumbs(*extra):
    return [
        (_("Financing"), reverse("financing:index")),
        (_("Programmes"), reverse("financing:programmes")),
        *extra,
    ]


def _unit_label(code: str) -> str:
    from qmss.network.units import units

    unit = units().get(code)
    return unit.name if unit else code


# --- programmes ----------------------------------------------------------------------------------------------


@login_required
@require_safe
def programme_list(request):
    scope = get_scope(request)
    filters = selectors.ProgrammeFilters.from_data(request.GET)
    page = paginate(request, selectors.programme_list(scope, filters))
    context = {
        "page_obj": page,
        "programmes": page.object_list,
        "filter_form": ProgrammeFilterForm(request.GET or None),
        "is_filtered": filters.active,
        "query_string": filter_query_string(request),
        "can_create": bool(selectors.manageable_networks(scope)),
        "crumbs": [(_("Financing"), reverse("financing:index")), (_("Programmes"), "")],
    }
    return render(request, "financing/applications/programme_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def programme_new(request):
    scope = get_scope(request)
    networks = selectors.manageable_networks(scope)
    if not networks:
        raise PermissionDenied(_("Only managers of a network create financing programmes."))
    form = ProgrammeForm(request.POST or None, networks=networks, initial={"year": timezone.localdate().year + 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = actions.create_programme(
                user=request.user,
                organisation=data["network"].organisation,
                network=data["network"],
                year=data["year"],
                name=data["name"],
                budget=data["budget"],
                deadline=data["deadline"],
                description=data["description"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The programme has been created."))
            return redirect(programme)
    context = {"form": form, "crumbs": _crumbs((_("New programme"), ""))}
    return render(request, "financing/applications/programme_form.html", context)


def _parameter_rows(programme) -> list[dict]:
    """Each parameter with its value, the library's default and whether the manager changed it."""
    defaults = programme_parameters()
    values = programme.parameters or {}
    return [
        {
            "key": key,
            "label": label,
            "value": values.get(key, defaults.get(key)),
            "default": defaults.get(key),
            "changed": str(values.get(key, defaults.get(key))) != str(defaults.get(key)),
            "is_flag": key == "adjustment_enabled",
        }
        for key, label in actions.parameter_labels().items()
    ]


def _part_links(programme) -> list[tuple[str, str]]:
    """Links to the other parts' pages of the programme (the ones installed)."""
    links = []
    for label, name in (
        (_("Compensation table"), "financing:compensation"),
        (_("Budget allocation"), "financing:allocation"),
    ):
        try:
            links.append((label, reverse(name, kwargs={"programme_pk": programme.pk})))
        except NoReverseMatch:  # the part is not installed
            continue
    links.append((_("Applications"), reverse("financing:applications") + f"?program={programme.pk}"))
    return links


@login_required
@require_safe
def programme_detail(request, programme_pk: int):
    scope = get_scope(request)
    programme = selectors.get_programme(scope, programme_pk)
    is_manager_side = permissions.can_see_programme(scope, programme)
    states = actions.next_programme_states(scope, programme)
    organisations = selectors.filing_organisations(scope)
    can_file = bool(organisations) and actions.accepts_applications(programme)
    own = []
    if organisations:
        own = list(
            selectors.visible_applications(scope)
            .filter(programme=programme, organisation__in=organisations)
            .order_by("service__name_sort", "pk")
        )
    context = {
        "programme": programme,
        "is_manager_side": is_manager_side,
        "can_manage": permissions.can_manage_programme(scope, programme),
        "can_edit": permissions.can_manage_programme(scope, programme)
        and programme.state not in ("decided", "settled"),
        "state_form": ProgrammeStateForm(states=states) if states else None,
        "parameters": _parameter_rows(programme),
        "parameter_source": (programme.parameters or {}).get("source", ""),
        "adjustment_bands": (programme.parameters or {}).get("adjustment_bands", []),
        "applications": selectors.programme_applications(programme) if is_manager_side else [],
        "counts": selectors.programme_counts(programme) if is_manager_side else [],
        "part_links": _part_links(programme) if is_manager_side else [],
        "own_applications": own,
        "can_file": can_file,
        "accepts": actions.accepts_applications(programme),
        "crumbs": _crumbs((str(programme), "")),
    }
    return render(request, "financing/applications/programme_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request, programme_pk: int):
    scope = get_scope(request)
    programme = selectors.get_programme(scope, programme_pk)
    if not permissions.can_manage_programme(scope, programme):
        raise PermissionDenied(_("You do not manage this programme."))
    parameters = programme.parameters or programme_parameters()
    initial = {
        "name": programme.name,
        "budget": programme.budget,
        "deadline": programme.deadline,
        "description": programme.description,
        **{key: parameters.get(key) for key in ProgrammeEditForm.PARAMETERS},
    }
    form = ProgrammeEditForm(request.POST or None, initial=initial)
    locked = programme.state in ("decided", "settled")
    if request.method == "POST" and not locked and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_programme(
                user=request.user,
                programme=programme,
                name=data["name"],
                budget=data["budget"],
                deadline=data["deadline"],
                description=data["description"],
                parameters=form.parameters(),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect(programme)
    context = {
        "programme": programme,
        "form": None if locked else form,
        "parameter_source": parameters.get("source", ""),
        "crumbs": _crumbs((str(programme), programme.get_absolute_url()), (_("Edit"), "")),
    }
    return render(request, "financing/applications/programme_edit.html", context)


@login_required
@require_POST
def programme_state(request, programme_pk: int):
    scope = get_scope(request)
    programme = selectors.get_programme(scope, programme_pk)
    if not permissions.can_manage_programme(scope, programme):
        raise PermissionDenied(_("You do not manage this programme."))
    form = ProgrammeStateForm(request.POST, states=actions.next_programme_states(scope, programme))
    if not form.is_valid():
        messages.error(request, _("Choose one of the offered states."))
        return redirect(programme)
    try:
        actions.change_programme_state(user=request.user, programme=programme, state=form.cleaned_data["state"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The state of the programme has been changed."))
    return redirect(programme)


# --- applications --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request, programme_pk: int):
    scope = get_scope(request)
    programme = selectors.get_programme(scope, programme_pk)
    organisations = selectors.filing_organisations(scope)
    if not organisations:
        raise PermissionDenied(_("Only editors of a provider organisation file applications."))
    services = selectors.filing_services([o.pk for o in organisations], programme)
    form = StartForm(request.POST or None, services=services)
    accepts = actions.accepts_applications(programme)
    if request.method == "POST" and accepts and form.is_valid():
        try:
            application = actions.start_application(
                user=request.user, programme=programme, service=form.cleaned_data["service"]
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("A draft application has been created; fill in the budget."))
            return redirect("financing:application_edit", subsidy_pk=application.pk)
    context = {
        "programme": programme,
        "form": form,
        "accepts": accepts,
        "has_services": services.exists(),
        "organisation_names": ", ".join(o.name for o in organisations),
        "crumbs": _crumbs((str(programme), programme.get_absolute_url()), (_("New application"), "")),
    }
    return render(request, "financing/applications/application_new.html", context)


@login_required
@require_safe
def application_list(request):
    scope = get_scope(request)
    filters = selectors.ApplicationFilters.from_data(request.GET)
    page = paginate(request, selectors.application_list(scope, filters))
    context = {
        "page_obj": page,
        "applications": page.object_list,
        "filter_form": ApplicationFilterForm(request.GET or None, programmes=selectors.filter_programmes(scope)),
        "is_filtered": filters.active,
        "query_string": filter_query_string(request),
        "crumbs": _crumbs((_("Applications"), "")),
    }
    return render(request, "financing/applications/application_list.html", context)


def _application_crumbs(application, *extra):
    return _crumbs(
        (_("Applications"), reverse("financing:applications")),
        (application.service.name, application.get_absolute_url() if extra else ""),
        *extra,
    )


def _reviewable(application) -> bool:
    return application.state == SubsidyApplication.State.SUBMITTED and application.programme.state in (
        "open",
        "closed",
    )


@login_required
@require_safe
def application_detail(request, subsidy_pk: int):
    scope = get_scope(request)
    application = selectors.get_application(scope, subsidy_pk)
    can_edit = permissions.can_edit_filed(scope, application) and application.state in actions.EDITABLE_STATES
    is_manager = permissions.can_manage_programme(scope, application.programme)
    context = {
        "application": application,
        "programme": application.programme,
        "unit_label": _unit_label(application.unit),
        **selectors.budget_rows(application),
        "can_edit": can_edit,
        "can_submit": can_edit and actions.accepts_applications(application.programme),
        "can_review": is_manager and _reviewable(application),
        "line": awarded_line(application),
        "crumbs": _application_crumbs(application),
    }
    return render(request, "financing/applications/application_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, subsidy_pk: int):
    scope = get_scope(request)
    application = selectors.get_application(scope, subsidy_pk)
    if not permissions.can_edit_filed(scope, application):
        raise PermissionDenied(_("Only the provider's editors change the application."))
    editable = application.state in actions.EDITABLE_STATES
    unit_label = _unit_label(application.unit)
    form = ApplicationForm(
        request.POST or None, initial=ApplicationForm.initial_for(application), unit_label=unit_label
    )
    if request.method == "POST" and editable and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_application(
                user=request.user,
                application=application,
                units=data["units"],
                costs=form.costs(),
                revenues=form.revenues(),
                requested=data["requested"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The application has been saved."))
            return redirect(application)
    context = {
        "application": application,
        "form": form if editable else None,
        "unit_label": unit_label,
        "crumbs": _application_crumbs(application, (_("Edit"), "")),
    }
    return render(request, "financing/applications/application_form.html", context)


@login_required
@require_POST
def application_submit(request, subsidy_pk: int):
    scope = get_scope(request)
    application = selectors.get_application(scope, subsidy_pk)
    if not permissions.can_edit_filed(scope, application):
        raise PermissionDenied(_("Only the provider's editors submit the application."))
    try:
        actions.submit_application(user=request.user, application=application)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The application has been submitted."))
    return redirect(application)


@login_required
@require_http_methods(["GET", "POST"])
def application_review(request, subsidy_pk: int):
    scope = get_scope(request)
    application = selectors.get_application(scope, subsidy_pk)
    if not permissions.can_manage_programme(scope, application.programme):
        raise PermissionDenied(_("Only the programme's manager reviews applications."))
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.review_application(
                user=request.user,
                application=application,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The review has been recorded."))
            return redirect(application)
    context = {
        "application": application,
        "form": form,
        **selectors.budget_rows(application),
        "unit_label": _unit_label(application.unit),
        "can_review": _reviewable(application),
        "crumbs": _application_crumbs(application, (_("Review"), "")),
    }
    return render(request, "financing/applications/application_review.html", context)
