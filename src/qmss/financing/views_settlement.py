"""Pages of year-end settlements: the list (what the user may see, with the accepted applications a provider may
settle), starting a settlement, the settlement with every figure and its formula, editing, submitting, the
manager's check, the PDF and XLSX of one settlement and the manager's programme-wide XLSX. Views are thin: reads in
:mod:`qmss.financing.selectors_settlement`, writes in :mod:`qmss.financing.actions_settlement`. A settlement the
user may not see answers 404 everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qmss.core.forms import add_action_errors
from qmss.core.pagination import filter_query_string, paginate
from qmss.core.scoping import get_scope
from qmss.financing import actions_settlement as actions
from qmss.financing import permissions
from qmss.financing import selectors_settlement as selectors
from qmss.financing.forms_settlement import CheckForm, FilterForm, SettlementForm
from qmss.financing.models import Programme, Settlement, SubsidyApplication

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _link(name: str, **kwargs) -> str:
    try:
        return reverse(f"financing:{name}", kwargs=kwargs)
    except NoReverseMatch:  # the part serving it is not in the tree
        return ""


def _crumbs(*extra):
    return [
        (_("Financing"), _link("index")),
        (_("Settlements"), reverse("financing:settlements")),
        *extra,
    ]


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the list ------------------------------------------------------------------------------------------------


@login_required
@require_safe
def settlement_list(request):
    scope = get_scope(request)
    filters = selectors.SettlementFilters.from_data(request.GET)
    page = paginate(request, selectors.settlement_list(scope, filters))
    context = {
        "page_obj": page,
        "settlements": page.object_list,
        "filter_form": FilterForm(request.GET or None, programmes=selectors.filter_programmes(scope)),
        "is_filtered": filters.active,
        "query_string": filter_query_string(request),
        "startable": selectors.startable_applications(scope),
        "programmes": selectors.managed_programmes(scope),
        "crumbs": [(_("Financing"), _link("index")), (_("Settlements"), "")],
    }
    return render(request, "financing/settlement/list.html", context)


# --- starting, editing, submitting ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settlement_new(request, subsidy_pk: int):
    scope = get_scope(request)
    application = selectors.get_application(scope, subsidy_pk)
    existing = selectors.existing_settlement(application)
    can_start = (
        existing is None
        and application.state == SubsidyApplication.State.ACCEPTED
        and permissions.can_edit_filed(scope, application)
    )
    error = None
    if request.method == "POST":
        if not permissions.can_edit_filed(scope, application):
            raise PermissionDenied(_("Only the provider's editors file the settlement."))
        try:
            settlement = actions.start_settlement(user=request.user, application=application)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The settlement has been started from the application's budget."))
            return redirect("financing:settlement_edit", settlement_pk=settlement.pk)
    context = {
        "application": application,
        "existing": existing,
        "can_start": can_start and error is None,
        "error": error,
        "application_url": _link("application", subsidy_pk=application.pk),
        "crumbs": _crumbs((_("New settlement"), "")),
    }
    return render(request, "financing/settlement/new.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def settlement_edit(request, settlement_pk: int):
    scope = get_scope(request)
    settlement = selectors.get_settlement(scope, settlement_pk)
    if not permissions.can_edit_filed(scope, settlement):
        raise PermissionDenied(_("Only the provider's editors change the settlement."))
    editable = settlement.state in selectors.EDITABLE
    if request.method == "POST" and not editable:
        raise PermissionDenied(_("Only a draft or a returned settlement can be changed."))
    form = None
    if editable:
        form = SettlementForm(
            request.POST or None,
            initial=SettlementForm.initial_for(settlement),
            unit_label=settlement.application.unit,
        )
        if request.method == "POST" and form.is_valid():
            try:
                actions.update_settlement(
                    user=request.user,
                    settlement=settlement,
                    units=form.cleaned_data["units"],
                    actual_costs=form.amounts("cost_"),
                    actual_revenues=form.amounts("revenue_"),
                    public_money=form.amounts("public_"),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The settlement has been saved."))
                return redirect(settlement)
    context = {
        "settlement": settlement,
        "form": form,
        "awarded": selectors.awarded_line(settlement.application),
        "crumbs": _crumbs((str(settlement.application.service.name), settlement.get_absolute_url()), (_("Edit"), "")),
    }
    return render(request, "financing/settlement/edit.html", context)


@login_required
@require_POST
def settlement_submit(request, settlement_pk: int):
    scope = get_scope(request)
    settlement = selectors.get_settlement(scope, settlement_pk)
    try:
        actions.submit_settlement(user=request.user, settlement=settlement)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The settlement has been submitted to the manager."))
    return redirect(settlement)


# --- the settlement --------------------------------------------------------------------------------------------


@login_required
@require_safe
def settlement_detail(request, settlement_pk: int):
    scope = get_scope(request)
    settlement = selectors.get_settlement(scope, settlement_pk)
    programme = settlement.application.programme
    can_edit = permissions.can_edit_filed(scope, settlement) and settlement.state in selectors.EDITABLE
    context = {
        "settlement": settlement,
        "x": selectors.explain(settlement),
        "can_edit": can_edit,
        "can_check": permissions.can_manage_programme(scope, programme)
        and settlement.state == Settlement.State.SUBMITTED,
        "is_manager": permissions.can_see_programme(scope, programme),
        "application_url": _link("application", subsidy_pk=settlement.application_id),
        "programme_url": _link("programme", programme_pk=programme.pk),
        "crumbs": _crumbs((settlement.application.service.name, "")),
    }
    return render(request, "financing/settlement/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def settlement_check(request, settlement_pk: int):
    scope = get_scope(request)
    settlement = selectors.get_settlement(scope, settlement_pk)
    if not permissions.can_manage_programme(scope, settlement.application.programme):
        raise PermissionDenied(_("Only the programme's manager checks the settlement."))
    form = None
    if settlement.state == Settlement.State.SUBMITTED:
        form = CheckForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                actions.check_settlement(
                    user=request.user,
                    settlement=settlement,
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The settlement has been checked."))
                return redirect(settlement)
    elif request.method == "POST":
        raise PermissionDenied(_("Only a submitted settlement can be checked."))
    context = {
        "settlement": settlement,
        "x": selectors.explain(settlement),
        "form": form,
        "crumbs": _crumbs(
            (settlement.application.service.name, settlement.get_absolute_url()), (_("Check the settlement"), "")
        ),
    }
    return render(request, "financing/settlement/check.html", context)


# --- downloads -------------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def settlement_pdf(request, settlement_pk: int):
    from qmss.financing.pdf_settlement import render_pdf

    settlement = selectors.get_settlement(get_scope(request), settlement_pk)
    content = render_pdf(selectors.explain(settlement))
    return _download(content, PDF_TYPE, f"vyuctovani-{settlement.pk}.pdf")


@never_cache
@login_required
@require_safe
def settlement_xlsx(request, settlement_pk: int):
    from qmss.financing.exports_settlement import settlement_xlsx as render_xlsx

    settlement = selectors.get_settlement(get_scope(request), settlement_pk)
    content = render_xlsx(selectors.explain(settlement))
    return _download(content, XLSX_TYPE, f"vyuctovani-{settlement.pk}.xlsx")


@never_cache
@login_required
@require_safe
def settlements_export(request, programme_pk: int):
    from qmss.financing.exports_settlement import programme_xlsx

    scope = get_scope(request)
    programme = get_object_or_404(Programme.objects.select_related("organisation"), pk=programme_pk)
    if not permissions.can_see_programme(scope, programme):
        raise Http404
    content = programme_xlsx(programme, selectors.programme_settlements(programme))
    return _download(content, XLSX_TYPE, f"vyuctovani-program-{programme.pk}.xlsx")
