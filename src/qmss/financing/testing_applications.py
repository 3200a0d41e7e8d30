"""Builders of programmes and subsidy applications for tests and demos, and the URL-matrix plug-in of the
applications part.

``make_programme(tenant)`` is the shared builder other parts use: tenant A's region organisation manages a network
holding a verified-linked service of the tenant's provider organisation, a reference value set with a value for the
service's kind, the programme and a submitted application of the provider for that service."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from qmss.core.roles import OrganisationKind, Role
from qmss.financing import budget
from qmss.financing.library import programme_parameters
from qmss.financing.models import Programme, ReferenceValue, ReferenceValueSet, SubsidyApplication

_seq = itertools.count(1)

FILTER_VALUES: dict[str, str] = {"program": "programme_pk"}

DEFAULT_COSTS = {"staff": Decimal("6000000"), "operating": Decimal("2000000")}
DEFAULT_REVENUES = {
    "user_payments": Decimal("2500000"),
    "care_allowance": Decimal("1500000"),
    "health_insurance": Decimal("300000"),
    "other_own": Decimal("100000"),
    "other_public": Decimal("400000"),
}


def provider_service(tenant):
    """The first registry service the tenant's provider organisation is verified to provide (one is linked and made
    in the tenant's region when there is none)."""
    from qmss.assessments.testing import link_provider_to_registry
    from qmss.registry.selectors_links import linked_services

    provider = tenant.orgs[OrganisationKind.PROVIDER]
    service = linked_services(provider).order_by("pk").first()
    if service is None:
        service = link_provider_to_registry(provider, service_name="Domov pro seniory v síti", region=tenant.region)
    return service


def network_with_service(tenant):
    """(network, entry) of the tenant's region organisation holding a service of the tenant's provider: an existing
    network of the organisation whose current version has one, else a new network with the provider's services."""
    from qmss.network.models import Network, NetworkEntry
    from qmss.network.testing_networks import make_network
    from qmss.registry.selectors_links import linked_services

    region_org = tenant.orgs[OrganisationKind.REGION]
    provider = tenant.orgs[OrganisationKind.PROVIDER]
    provider_service(tenant)
    linked = linked_services(provider)
    for network in Network.objects.filter(organisation=region_org).order_by("pk"):
        version = network.versions.order_by("-number").first()
        entry = (
            NetworkEntry.objects.filter(version=version, service__in=linked).select_related("service").first()
            if version
            else None
        )
        if entry is not None:
            return network, entry
    network = make_network(region_org, services=list(linked.order_by("pk")))
    entry = (
        NetworkEntry.objects.filter(version__network=network, service__in=linked)
        .select_related("service")
        .order_by("-version__number", "pk")
        .first()
    )
    return network, entry


def make_reference_set(
    organisation, *, year: int, kind, unit: str, usual_cost=Decimal("500000"), usual_revenue=Decimal("250000")
) -> ReferenceValueSet:
    """A reference value set of ``organisation`` for ``year`` with one any-form value for ``kind`` (next version)."""
    last = ReferenceValueSet.objects.filter(organisation=organisation, year=year).order_by("-version").first()
    reference_set = ReferenceValueSet.objects.create(
        organisation=organisation,
        year=year,
        version=(last.version + 1) if last else 1,
        name=f"Referenční hodnoty {year}",
        source="Usnesení rady kraje (testovací data)",
        verified=False,
    )
    ReferenceValue.objects.create(
        reference_set=reference_set,
        kind=kind,
        form=None,
        unit=unit,
        usual_cost=usual_cost,
        usual_revenue=usual_revenue,
        max_public_share=Decimal("0.9"),
    )
    return reference_set


def make_application(
    programme: Programme,
    service,
    organisation,
    *,
    state: str = SubsidyApplication.State.SUBMITTED,
    units: Decimal = Decimal("40"),
    unit: str = "luzka",
    costs=None,
    revenues=None,
    requested: Decimal = Decimal("3000000"),
    user=None,
    note: str = "",
) -> SubsidyApplication:
    """An application with a filled budget (submitted by default) – written directly, no permission check."""
    submitted = state != SubsidyApplication.State.DRAFT
    return SubsidyApplication.objects.create(
        programme=programme,
        service=service,
        organisation=organisation,
        state=state,
        units=units,
        unit=unit,
        costs=budget.as_json(costs if costs is not None else DEFAULT_COSTS),
        revenues=budget.as_json(revenues if revenues is not None else DEFAULT_REVENUES),
        requested=requested,
        note=note,
        submitted_at=timezone.now() if submitted else None,
        submitted_by=user if submitted else None,
    )


def make_programme(
    tenant,
    *,
    budget: Decimal = Decimal("10000000"),
    year: int = 2027,
    state: str = "open",
    name: str | None = None,
    application_state: str = SubsidyApplication.State.SUBMITTED,
) -> Programme:
    """Tenant's region organisation's programme for ``year`` over a network holding the tenant provider's service,
    with a reference value set (a value for the service's kind in the entry's unit) and an application of the
    provider organisation for that service (``application_state``, submitted by default; costs and revenues
    filled). The application: ``programme.applications.get()``."""
    region_org = tenant.orgs[OrganisationKind.REGION]
    provider = tenant.orgs[OrganisationKind.PROVIDER]
    network, entry = network_with_service(tenant)
    service = entry.service
    reference_set = make_reference_set(region_org, year=year, kind=service.kind, unit=entry.unit)
    programme = Programme.objects.create(
        organisation=region_org,
        network=network,
        year=year,
        name=name or f"Dotační program {next(_seq)}",
        budget=budget,
        state=state,
        deadline=date(year - 1, 12, 31) if state != "open" else timezone.localdate() + timedelta(days=30),
        reference_set=reference_set,
        parameters=programme_parameters(),
    )
    make_application(
        programme,
        service,
        provider,
        state=application_state,
        units=entry.capacity,
        unit=entry.unit,
        user=tenant.users.get((OrganisationKind.PROVIDER, Role.ADMIN)),
    )
    return programme


def matrix_kwargs(tenant) -> dict:
    """Tenant A's open programme (its description names the region organisation, a member's secret) with the
    provider's application returned for correction (its note names the provider organisation – a tenant secret),
    so that its provider is offered the edit form and the submit button."""
    provider = tenant.orgs[OrganisationKind.PROVIDER]
    programme = make_programme(
        tenant, name="Program podpory sociálních služeb", application_state=SubsidyApplication.State.RETURNED
    )
    programme.description = f"Popis programu {tenant.orgs[OrganisationKind.REGION].name}"
    programme.save(update_fields=["description"])
    application = programme.applications.get()
    application.note = f"Poznámka žadatele {provider.name}"
    application.decision_reason = "Doplňte rozpočet."
    application.save(update_fields=["note", "decision_reason"])
    return {"programme_pk": programme.pk, "subsidy_pk": application.pk}
