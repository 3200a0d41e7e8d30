"""Pages of the verified provider link ("Propojení s registrem"): the organisation's link and claim, the list of
claims awaiting verification, and the claim page where a verifier decides; plus the organisation-page panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import get_scope
from qmss.core.selectors import get_organisation
from qmss.registry import actions, selectors_links
from qmss.registry.forms_links import ClaimForm, DecisionForm, ProviderSearchForm, RevokeForm
from qmss.registry.selectors import contacts_of


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def organisation_panel(request, organisation) -> list[str]:
    """ "Propojení s registrem" on the organisation page: the link of a provider organisation (its members), and
    the number of claims awaiting verification (a regional authority's administrators)."""
    scope = get_scope(request)
    context = {"organisation": organisation}
    if organisation.kind == OrganisationKind.PROVIDER:
        context.update(
            linked=selectors_links.link_summary(organisation),
            pending=selectors_links.pending_claim(organisation),
            can_claim=selectors_links.can_claim(scope, organisation),
        )
    elif organisation.kind == OrganisationKind.REGION and (
        scope.is_superuser or organisation.region_id in selectors_links.verifier_region_ids(scope)
    ):
        context["pending_count"] = selectors_links.pending_claim_count(scope)
    else:
        return []
    return [render_to_string("registry/_organisation_link_panel.html", context, request=request)]


@login_required
def organisation_link(request, organisation_pk: int):
    """The organisation's link to the registry: state, claims, and (for its administrators) a new claim."""
    scope = get_scope(request)
    organisation = get_organisation(scope, organisation_pk)
    if organisation.kind != OrganisationKind.PROVIDER:
        raise Http404
    can_claim = selectors_links.can_claim(scope, organisation)
    linked = selectors_links.link_summary(organisation)
    pending = selectors_links.pending_claim(organisation)
    if request.method == "POST":
        if not can_claim:
            raise PermissionDenied
        form = ClaimForm(request.POST)
        provider = selectors_links.provider_for_claim(form.cleaned_data["provider"]) if form.is_valid() else None
        if provider is None:
            messages.error(request, _("Choose a provider from the registry."))
        else:
            try:
                claim = actions.claim_provider(
                    scope=scope, organisation=organisation, provider=provider, user=request.user
                )
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, _("The claim has been sent for verification."))
                return redirect(claim)
        return redirect("registry:organisation_link", organisation_pk=organisation.pk)
    search = ProviderSearchForm(request.GET or None)
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    if not request.GET:
        query = organisation.ico  # a hint only: the claim is verified whatever was searched
    show_search = can_claim and linked is None and pending is None
    context = {
        "organisation": organisation,
        "linked": linked,
        "pending": pending,
        "claims": selectors_links.organisation_claims(organisation)[:20],
        "can_claim": can_claim,
        "show_search": show_search,
        "search_form": search if request.GET else ProviderSearchForm(initial={"q": organisation.ico}),
        "query": query,
        "candidates": selectors_links.claim_candidates(query) if show_search and query else [],
        "can_view_log": scope.has_perm(Perm.VIEW_AUDIT_LOG, organisation.pk),
    }
    return render(request, "registry/organisation_link.html", context)


@login_required
def claim_list(request):
    """Claims awaiting verification by this user, and the latest decisions."""
    scope = get_scope(request)
    if not selectors_links.is_verifier(scope):
        raise PermissionDenied
    context = {
        "claims": list(selectors_links.pending_claims(scope)[:200]),
        "decisions": selectors_links.recent_decisions(scope),
    }
    return render(request, "registry/claim_list.html", context)


@login_required
def claim_detail(request, claim_pk: int):
    """A claim with the registry's contact data of the provider; a verifier verifies or rejects it here."""
    scope = get_scope(request)
    claim = selectors_links.get_claim(scope, claim_pk)
    can_decide = selectors_links.can_decide(scope, claim)
    form = DecisionForm(request.POST or None) if can_decide else None
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if form.is_valid():
            verify = form.cleaned_data["decision"] == DecisionForm.VERIFY
            try:
                actions.decide_claim(
                    scope=scope, claim=claim, verify=verify, reason=form.cleaned_data["reason"], user=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(
                    request,
                    _("The claim has been verified; the organisation is now linked to the registry.")
                    if verify
                    else _("The claim has been rejected."),
                )
                return redirect(claim)
    can_revoke = (
        claim.state == claim.State.VERIFIED and selectors_links.decidable_claims(scope).filter(pk=claim.pk).exists()
    )
    context = {
        "claim": claim,
        "provider": claim.provider,
        "contacts": contacts_of(claim.provider),
        "facilities": selectors_links.provider_facilities(claim.provider),
        "service_contacts": selectors_links.provider_service_contacts(claim.provider),
        "regions": selectors_links.provider_regions(claim.provider),
        "can_decide": can_decide,
        "form": form,
        "revoke_form": RevokeForm() if can_revoke else None,
        "is_verifier": selectors_links.is_verifier(scope),
    }
    return render(request, "registry/claim_detail.html", context)


@login_required
@require_POST
def claim_revoke(request, claim_pk: int):
    scope = get_scope(request)
    claim = selectors_links.get_claim(scope, claim_pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason and confirm that you want to revoke the link."))
        return redirect(claim)
    actions.revoke_link(scope=scope, claim=claim, reason=form.cleaned_data["reason"], user=request.user)
    messages.success(request, _("The link has been revoked."))
    return redirect(reverse("registry:claim_detail", kwargs={"claim_pk": claim.pk}))
