"""Pages of provider service cards (karta služby) and of the minimum form of a kind (minimální podoba služby).

Thin views: reads through :mod:`qmss.needs.selectors_service_cards` and :mod:`qmss.needs.minimum`, writes
through :mod:`qmss.needs.actions_service_cards`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import get_scope
from qmss.needs import actions_service_cards as actions
from qmss.needs import minimum
from qmss.needs import selectors_service_cards as selectors
from qmss.needs.exports_service_cards import XLSX_TYPE, report_xlsx
from qmss.needs.forms_service_cards import MinimumConfirmForm, ProposalForm, ServiceCardForm, YearForm


@login_required
def index(request):
    """The way in: the user's provider organisations (their cards) and regions (the minimum form)."""
    scope = get_scope(request)
    memberships = request.user.memberships.select_related("organisation", "organisation__region").order_by(
        "organisation__name"
    )
    providers, seen = [], set()
    for membership in memberships:
        organisation = membership.organisation
        if organisation.kind == OrganisationKind.PROVIDER and organisation.pk not in seen:
            seen.add(organisation.pk)
            providers.append(organisation)
    context = {
        "providers": providers,
        "regions": selectors.regions(scope.region_ids(Perm.VIEW)),
        "is_superuser": scope.is_superuser,
    }
    return render(request, "needs/service_cards/index.html", context)


@login_required
def card_list(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.provider_organisation(scope, organisation_pk)
    year = YearForm(request.GET or None).chosen_year()
    year_form = YearForm(initial={"year": year})
    context = {
        "organisation": organisation,
        "rows": selectors.organisation_card_rows(organisation, year),
        "year": year,
        "year_form": year_form,
        "can_edit": scope.has_perm(Perm.EDIT, organisation.pk),
    }
    return render(request, "needs/service_cards/list.html", context)


@login_required
@require_POST
def card_create(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.provider_organisation(scope, organisation_pk, Perm.EDIT)
    service_pk, year = request.POST.get("service", ""), request.POST.get("year", "")
    if not (service_pk.isdigit() and year.isdigit()):
        raise Http404
    service = selectors.provider_services(organisation).filter(pk=int(service_pk)).first()
    if service is None:
        raise Http404
    existing = selectors.own_card(organisation, service, int(year))
    if existing is not None:
        return redirect("needs:service_card_detail", service_card_pk=existing.pk)
    try:
        card = actions.create_card(user=request.user, organisation=organisation, service=service, year=int(year))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("needs:service_card_list", organisation_pk=organisation.pk)
    if card.prefilled_from_id:
        messages.success(
            request,
            _("The card has been pre-filled from the period %(year)s. Check it, change what differs and confirm it.")
            % {"year": card.prefilled_from.year},
        )
    else:
        messages.success(request, _("The card has been created. Answer every need and confirm it."))
    return redirect("needs:service_card_detail", service_card_pk=card.pk)


@login_required
def card_detail(request, service_card_pk: int):
    scope = get_scope(request)
    card = selectors.get_card(scope, service_card_pk)
    can_edit = selectors.can_edit_card(scope, card)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    needs = selectors.card_needs(card)
    activities = list(selectors.kind_activities(card.service, card.kind_card))
    responses = selectors.card_responses(card)
    form = ServiceCardForm(
        request.POST if request.method == "POST" else None,
        needs=needs,
        activities=activities,
        responses=responses,
        disabled=not can_edit,
    )
    if request.method == "POST" and form.is_valid():
        confirm = "confirm" in request.POST
        try:
            result = actions.save_card(user=request.user, card=card, responses=form.responses(), confirm=confirm)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if confirm:
                messages.success(request, _("The card has been confirmed."))
            elif result.returned_to_draft:
                messages.warning(
                    request,
                    _("The card was confirmed; your changes returned it to draft. Confirm it again when complete."),
                )
            else:
                messages.success(request, _("The card has been saved as a draft."))
            return redirect("needs:service_card_detail", service_card_pk=card.pk)
    context = {
        "card": card,
        "service": card.service,
        "organisation": card.organisation,
        "form": form,
        "can_edit": can_edit,
        "member": scope.has_perm(Perm.VIEW, card.organisation_id),
        "answered": len(responses),
        "read_rows": [(need, responses.get(need.pk)) for need in needs],
        "comparison": minimum.comparison(card.service, year=card.year),
    }
    return render(request, "needs/service_cards/card.html", context)


# --- minimum form ----------------------------------------------------------------------------------------------


@login_required
def minimum_index(request):
    """Per region the user staffs (a superuser chooses one): each kind with services there, its current rule."""
    scope = get_scope(request)
    if scope.is_superuser:
        chosen = request.GET.get("region", "")
        all_regions = selectors.all_regions()
        regions = [r for r in all_regions if r.code == chosen] or all_regions[:0]
        choices = all_regions
    else:
        regions = selectors.regions(scope.region_ids(Perm.VIEW))
        choices = []
    sections = []
    for region in regions:
        latest = selectors.latest_minimum_forms(region.pk)
        kinds = selectors.region_kinds(region)
        sections.append(
            {
                "region": region,
                "kinds": [(kind, latest.get(kind.pk)) for kind in kinds],
                "authority": selectors.region_authority(scope, region),
                "can_manage": selectors.can_manage_region(scope, region),
            }
        )
    context = {"sections": sections, "region_choices": choices, "year": selectors.current_year()}
    return render(request, "needs/service_cards/minimum_index.html", context)


@login_required
def minimum_kind(request, region_code: str, minimum_kind_code: str):
    """The proposal for one kind (counts per need, n of N), the confirmation form and earlier versions."""
    scope = get_scope(request)
    region = selectors.region_by_code(scope, region_code)
    kind = selectors.kind_by_code(minimum_kind_code)
    can_manage = selectors.can_manage_region(scope, region)
    proposal_form = ProposalForm(request.GET or None, initial={"year": selectors.current_year() - 1})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        year = request.POST.get("year", "")
        threshold = request.POST.get("threshold", "")
        proposal_form = ProposalForm({"year": year, "threshold": threshold})
    year = proposal_form.chosen_year() if proposal_form.is_bound else selectors.current_year() - 1
    threshold = proposal_form.chosen_threshold() if proposal_form.is_bound else minimum.DEFAULT_THRESHOLD
    proposal = minimum.proposal_counts(region=region, kind=kind, year=year, threshold=threshold)
    need_choices = [row.need for row in proposal.rows]
    confirm_form = MinimumConfirmForm(
        request.POST if request.method == "POST" else None,
        need_choices=need_choices,
        initial={"needs": [str(n.pk) for n in proposal.needs], "year": year, "threshold": str(threshold)},
    )
    if request.method == "POST" and confirm_form.is_valid():
        try:
            created = actions.confirm_minimum_form(
                user=request.user,
                region=region,
                kind=kind,
                year=confirm_form.cleaned_data["year"],
                threshold=confirm_form.cleaned_data["threshold"],
                needs=confirm_form.chosen_needs(),
                note=confirm_form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                confirm_form.add_error(None, message)
        else:
            messages.success(
                request, _("The minimum form has been confirmed as version %(version)s.") % {"version": created.version}
            )
            return redirect("needs:minimum_kind", region_code=region.code, minimum_kind_code=kind.code)
    versions = list(selectors.minimum_forms(region, kind).order_by("-version"))
    context = {
        "region": region,
        "kind": kind,
        "proposal": proposal,
        "proposal_form": proposal_form,
        "confirm_form": confirm_form,
        "can_manage": can_manage,
        "versions": versions,
        "current": versions[0] if versions else None,
    }
    return render(request, "needs/service_cards/minimum_kind.html", context)


@login_required
def minimum_report(request, region_code: str):
    """The region's services against their kinds' minimum forms, the services below the minimum first."""
    scope = get_scope(request)
    region = selectors.region_by_code(scope, region_code)
    year = YearForm(request.GET or None).chosen_year(default=selectors.report_year(region))
    year_form = YearForm(initial={"year": year})
    comparisons = minimum.region_report(region=region, year=year)
    context = {
        "region": region,
        "year": year,
        "year_form": year_form,
        "comparisons": comparisons,
        "below": sum(1 for c in comparisons if c.below),
    }
    return render(request, "needs/service_cards/minimum_report.html", context)


@login_required
def minimum_report_xlsx(request, region_code: str):
    scope = get_scope(request)
    region = selectors.region_by_code(scope, region_code)
    year = YearForm(request.GET or None).chosen_year(default=selectors.report_year(region))
    content = report_xlsx(region, year, minimum.region_report(region=region, year=year))
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="minimalni-podoba-{region.code}-{year}.xlsx"'
    return response
