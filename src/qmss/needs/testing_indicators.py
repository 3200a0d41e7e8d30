"""Builders for the indicator tests and the URL × role matrix, written straight through the ORM.

``make_template()`` gives a collection template with the spec's data elements and the six indicators of the
spec (H1's library builder when present); ``make_round`` a round of a regional authority; ``approve`` an
approved submission with values (``{"users": 10, ("refused", "capacity"): 2}``) and registry facts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from qmss.needs.models import (
    CollectionRound,
    CollectionTemplate,
    DataElement,
    Indicator,
    Submission,
    SubmissionValue,
    Taxonomy,
)

# code -> (numerator, denominator, factor, unit, decimals, direction, forms)
SPEC_INDICATORS = {
    "refusal_capacity_rate": ('refused["capacity"]', "new_users + refused", 100, "%", 1, "lower", []),
    "occupancy": ("bed_days", "capacity * period_days", 100, "%", 1, "neutral", ["residential"]),
    "users_per_direct_fte": (
        "users",
        'nz(fte["social_worker"]) + nz(fte["care_worker"]) + nz(fte["health_staff"]) + nz(fte["other_direct"])',
        1,
        "osob na úvazek",
        1,
        "neutral",
        [],
    ),
    "needs_basic_share": ('needs_response["basic_activity"]', "needs_response", 100, "%", 1, "higher", []),
    "cost_per_unit": ("costs", "nz(bed_days) + nz(contacts)", 1, "Kč", 0, "neutral", []),
    "waiting_per_capacity": ("waiting_list", "capacity", 1, "osob na jednotku kapacity", 2, "neutral", []),
}
ELEMENTS = (
    "capacity",
    "period_days",
    "users",
    "users_orp",
    "new_users",
    "refused",
    "waiting_list",
    "bed_days",
    "contacts",
    "direct_hours",
    "fte",
    "needs_response",
    "costs",
    "revenues",
)
NAMES = {
    "refusal_capacity_rate": "Odmítnutí pro nedostatek kapacity",
    "occupancy": "Obložnost",
    "users_per_direct_fte": "Uživatelé na úvazek v přímé péči",
    "needs_basic_share": "Potřeby řešené základní činností",
    "cost_per_unit": "Náklady na jednotku výkonu",
    "waiting_per_capacity": "Pořadník na jednotku kapacity",
}


def _published_taxonomy() -> Taxonomy:
    taxonomy = Taxonomy.objects.filter(published_at__isnull=False).order_by("-version").first()
    if taxonomy is None:
        taxonomy = Taxonomy.objects.create(
            urn="urn:qmss:needs:taxonomy",
            version=1,
            title="Taxonomie potřeb (test)",
            source="tests",
            checksum="0" * 64,
            published_at=timezone.now(),
        )
    return taxonomy


def make_template() -> tuple[Taxonomy, CollectionTemplate]:
    """The published taxonomy and collection template (created on first use) with the spec's indicators."""
    template = CollectionTemplate.objects.filter(published_at__isnull=False, indicators__isnull=False).first()
    if template is not None:
        return _published_taxonomy(), template
    try:
        from qmss.needs.testing_taxonomy import make_taxonomy_and_template
    except ImportError:
        make_taxonomy_and_template = None
    if make_taxonomy_and_template is not None:
        taxonomy, template = make_taxonomy_and_template()
        if template.indicators.exists():
            return taxonomy, template
    taxonomy = _published_taxonomy()
    template = CollectionTemplate.objects.create(
        urn="urn:qmss:needs:collection-template",
        version=1,
        title="Šablona sběru dat (test)",
        source="tests",
        checksum="0" * 64,
        published_at=timezone.now(),
    )
    DataElement.objects.bulk_create(
        DataElement(template=template, code=code, name=code.replace("_", " ").capitalize(), order=n)
        for n, code in enumerate(ELEMENTS)
    )
    Indicator.objects.bulk_create(
        Indicator(
            template=template,
            code=code,
            name=NAMES[code],
            numerator=num,
            denominator=den,
            factor=Decimal(factor),
            unit=unit,
            decimals=decimals,
            direction=direction,
            forms=forms,
            order=n,
            source_note="Specifikace QMSS",
        )
        for n, (code, (num, den, factor, unit, decimals, direction, forms)) in enumerate(SPEC_INDICATORS.items())
    )
    return taxonomy, template


def make_round(
    region_org,
    *,
    name: str | None = None,
    period_start: date = date(2025, 1, 1),
    period_end: date = date(2025, 12, 31),
    state: str = CollectionRound.State.CLOSED,
) -> CollectionRound:
    taxonomy, template = make_template()
    return CollectionRound.objects.create(
        organisation=region_org,
        region=region_org.region,
        name=name or f"Sběr {period_end.year} {region_org.name}",
        period_start=period_start,
        period_end=period_end,
        deadline=period_end,
        template=template,
        taxonomy=taxonomy,
        state=state,
    )


def service_facts(service) -> dict:
    """Registry facts as a round's opening stores them (kind, forms, capacity)."""
    from qmss.needs.selectors_rounds import registry_facts

    return registry_facts([service])[service.pk]


def approve(
    round: CollectionRound,  # noqa: A002
    service,
    values: dict,
    *,
    state: str = Submission.State.APPROVED,
    facts: dict | None = None,
) -> Submission:
    """A submission of ``service`` in ``round`` with ``values`` (code or (code, category) → number)."""
    submission = Submission.objects.create(
        round=round, service=service, state=state, registry_facts=facts if facts is not None else service_facts(service)
    )
    elements = dict(DataElement.objects.filter(template_id=round.template_id).values_list("code", "pk"))
    rows = []
    for key, value in values.items():
        code, category = key if isinstance(key, tuple) else (key, "")
        rows.append(
            SubmissionValue(
                submission=submission, element_id=elements[code], category=category, value=Decimal(str(value))
            )
        )
    SubmissionValue.objects.bulk_create(rows)
    return submission


def matrix_kwargs(tenant) -> dict[str, int]:
    """URL parameters of the indicator pages: an indicator, and tenant's closed round (its name carries the
    region's name, a tenant secret) with an approved submission of each of the provider's verified services made
    so far and of five peers in the region (other registry providers), so that the peer group is not suppressed."""
    from qmss.core.roles import OrganisationKind
    from qmss.registry.models import Service
    from qmss.registry.testing import make_provider, make_service

    region_org = tenant.orgs[OrganisationKind.REGION]
    provider_org = tenant.orgs[OrganisationKind.PROVIDER]
    round_ = make_round(region_org, name=f"Sběr ukazatelů {region_org.name} ({provider_org.name})")
    services = list(Service.objects.filter(provider__link__organisation=provider_org).order_by("pk"))  # A's own
    for n in range(5):
        peer = make_service(make_provider(), name=f"Srovnávaná služba {n + 1}", facilities=[{"region": tenant.region}])
        services.append(peer)
    for n, service in enumerate(services):
        approve(round_, service, {"new_users": 10 + n, "refused": 2, ("refused", "capacity"): 1, "capacity": 40})
    indicator = round_.template.indicators.get(code="refusal_capacity_rate")
    return {"indicator_pk": indicator.pk, "indicator_round_pk": round_.pk}


FILTER_VALUES = {"round": "indicator_round_pk"}
