"""Reads of the verified provider links and of the claims that lead to them.

These are the only readers of the organisation ↔ registry provider relation: every app that attributes an
organisation's work to registered services (assessments, lenses, region views, improvement) asks here, never
compares IČO strings.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from qmss.core.collation import czech_sorted
from qmss.core.roles import OrganisationKind, Perm, Role
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.registry.models import Facility, Provider, ProviderClaim, ProviderLink, Service
from qmss.registry.selectors import active_condition, provider_match
from qmss.territory.models import Region, search_key

CLAIM_SEARCH_MAX = 20
CLAIM_FACILITIES_SHOWN = 30


# --- the link: the join every app uses --------------------------------------------------------------------------


def linked_provider(organisation) -> Provider | None:
    """The registry provider the organisation is verified to be, or None."""
    if organisation is None or organisation.kind != OrganisationKind.PROVIDER:
        return None
    link = ProviderLink.objects.select_related("provider").filter(organisation_id=organisation.pk).first()
    return link.provider if link else None


def linked_services(organisation) -> QuerySet[Service]:
    """Registry services of the provider the organisation is verified to be (none while unverified)."""
    if organisation is None or organisation.kind != OrganisationKind.PROVIDER:
        return Service.objects.none()
    return Service.objects.filter(provider__link__organisation_id=organisation.pk)


def services_of_organisations(organisation_ids) -> QuerySet[Service]:
    """Registry services of the verified providers of any of the organisations."""
    return Service.objects.filter(
        provider__link__organisation_id__in=list(organisation_ids),
        provider__link__organisation__kind=OrganisationKind.PROVIDER,
    )


def linked_organisation(provider: Provider):
    """The QMSS organisation verified as this registry provider, or None."""
    from qmss.core.models import Organisation

    return Organisation.objects.filter(provider_link__provider_id=provider.pk, kind=OrganisationKind.PROVIDER).first()


def is_linked(organisation_id: int | None, provider_id: int | None) -> bool:
    if not organisation_id or not provider_id:
        return False
    return ProviderLink.objects.filter(organisation_id=organisation_id, provider_id=provider_id).exists()


def provider_has_organisation(provider: Provider) -> bool:
    """Whether a verified QMSS organisation is this provider (nothing else about it is revealed)."""
    return ProviderLink.objects.filter(provider_id=provider.pk).exists()


def attributed(organisation_ref: str = "organisation_id", service_ref: str = "service__provider_id") -> Exists:
    """For querysets of work (assessments, plans, findings …): the row's organisation is verified as the
    provider of the row's service. Rows whose organisation is not linked to that provider are someone else's
    claims about the service and are never shown as the service's."""
    return Exists(
        ProviderLink.objects.filter(organisation_id=OuterRef(organisation_ref), provider_id=OuterRef(service_ref))
    )


def organisations_with_services_in(region_ids) -> QuerySet[ProviderLink]:
    """``organisation_id`` values of verified providers with a service delivered in one of the regions."""
    in_region = Facility.objects.filter(
        Q(region_id__in=region_ids) | Q(municipality__region_id__in=region_ids),
        service__provider_id=OuterRef("provider_id"),
    )
    return ProviderLink.objects.filter(Exists(in_region)).values("organisation_id")


def link_summary(organisation, *, on=None) -> Provider | None:
    """The verified provider with its service counts (one query), or None."""
    return (
        Provider.objects.filter(link__organisation_id=organisation.pk)
        .annotate(
            services_count=Count("services", distinct=True),
            active_services_count=Count("services", filter=active_condition(on, "services__"), distinct=True),
        )
        .first()
    )


# --- who verifies -----------------------------------------------------------------------------------------------


def verifier_region_ids(scope: Scope) -> frozenset[int]:
    """Regions whose regional authority the user administers: they verify claims of providers there."""
    return frozenset(
        g.region_id
        for g in scope.grants
        if g.organisation_kind == OrganisationKind.REGION and g.role == Role.ADMIN and g.region_id
    )


def is_verifier(scope: Scope) -> bool:
    return scope.is_superuser or bool(verifier_region_ids(scope))


def provider_region_ids(provider: Provider) -> set[int]:
    """Regions of the provider's services: the regions of their facilities (directly or via the municipality)."""
    ids = set()
    for region_id, municipality_region_id in Facility.objects.filter(service__provider=provider).values_list(
        "region_id", "municipality__region_id"
    ):
        ids.update(r for r in (region_id, municipality_region_id) if r)
    return ids


def _in_verifier_regions(region_ids) -> Exists:
    return Exists(
        Facility.objects.filter(
            Q(region_id__in=region_ids) | Q(municipality__region_id__in=region_ids),
            service__provider_id=OuterRef("provider_id"),
        )
    )


def decidable_claims(scope: Scope) -> QuerySet[ProviderClaim]:
    """Claims the user may decide: all for a superuser; for a regional authority's administrator those of
    providers with a service in the region, except claims of the user's own organisations."""
    qs = ProviderClaim.objects.select_related("organisation", "provider", "claimed_by", "decided_by")
    if scope.is_superuser:
        return qs
    regions = verifier_region_ids(scope)
    if not regions:
        return qs.none()
    return qs.filter(_in_verifier_regions(list(regions))).exclude(organisation_id__in=scope.organisation_ids(Perm.VIEW))


def pending_claims(scope: Scope) -> QuerySet[ProviderClaim]:
    return decidable_claims(scope).filter(state=ProviderClaim.State.PENDING).order_by("claimed_at", "pk")


def recent_decisions(scope: Scope, limit: int = 20) -> list[ProviderClaim]:
    return list(
        decidable_claims(scope).exclude(state=ProviderClaim.State.PENDING).order_by("-decided_at", "-pk")[:limit]
    )


def visible_claims(scope: Scope) -> QuerySet[ProviderClaim]:
    """Claims the user may read: their organisations' own (any member) and those they may decide."""
    qs = ProviderClaim.objects.select_related("organisation", "provider", "claimed_by", "decided_by")
    if scope.is_superuser:
        return qs
    condition = Q(organisation_id__in=scope.organisation_ids(Perm.VIEW))
    regions = verifier_region_ids(scope)
    if regions:
        condition |= Q(_in_verifier_regions(list(regions)))
    return qs.filter(condition)


def get_claim(scope: Scope, claim_pk: int) -> ProviderClaim:
    return get_object_or_404_scoped(visible_claims(scope), pk=claim_pk)


def can_decide(scope: Scope, claim: ProviderClaim) -> bool:
    return claim.state == ProviderClaim.State.PENDING and decidable_claims(scope).filter(pk=claim.pk).exists()


def can_claim(scope: Scope, organisation) -> bool:
    return organisation.kind == OrganisationKind.PROVIDER and scope.has_perm(Perm.MANAGE_MEMBERS, organisation.pk)


def organisation_claims(organisation) -> QuerySet[ProviderClaim]:
    return (
        ProviderClaim.objects.filter(organisation=organisation)
        .select_related("provider", "claimed_by", "decided_by")
        .order_by("-claimed_at", "-pk")
    )


def pending_claim(organisation) -> ProviderClaim | None:
    return organisation_claims(organisation).filter(state=ProviderClaim.State.PENDING).first()


def pending_claim_count(scope: Scope) -> int:
    return pending_claims(scope).count() if is_verifier(scope) else 0


# --- what a claim shows ------------------------------------------------------------------------------------------


def claim_candidates(text: str) -> list[Provider]:
    """Registry providers by IČO or name (at most 20), marking those already linked to an organisation."""
    text = (text or "").strip()
    if len(search_key(text)) < 2:
        return []
    return list(
        Provider.objects.filter(provider_match(text, prefix=""))
        .annotate(
            is_linked=Exists(ProviderLink.objects.filter(provider_id=OuterRef("pk"))),
            services_count=Count("services", distinct=True),
        )
        .order_by("name_sort", "ico")[:CLAIM_SEARCH_MAX]
    )


def provider_for_claim(provider_pk: int) -> Provider | None:
    return Provider.objects.filter(pk=provider_pk).first()


def provider_facilities(provider: Provider) -> list[Facility]:
    """Places where the provider's services are delivered (addresses the registry publishes), for contacting it."""
    return list(
        Facility.objects.filter(service__provider=provider)
        .select_related("service", "municipality", "region")
        .order_by("service__name_sort", "service__portal_id", "position", "pk")[:CLAIM_FACILITIES_SHOWN]
    )


def provider_service_contacts(provider: Provider) -> list[tuple[Service, dict]]:
    """The registry's contacts of each of the provider's services that has any (the registry often lists contacts
    for services, not for the provider itself), for contacting it before a claim is verified."""
    from qmss.registry.selectors import contacts_of

    services = Service.objects.filter(provider=provider).only(
        "pk", "portal_id", "name", "kind_code", "emails", "phones", "websites"
    )
    rows = []
    for service in services.order_by("name_sort", "portal_id")[:CLAIM_FACILITIES_SHOWN]:
        contacts = contacts_of(service)
        if any(contacts.values()):
            rows.append((service, contacts))
    return rows


def provider_regions(provider: Provider) -> list[Region]:
    ids = provider_region_ids(provider)
    return czech_sorted(Region.objects.filter(pk__in=ids).only("pk", "name", "code"), "name") if ids else []
