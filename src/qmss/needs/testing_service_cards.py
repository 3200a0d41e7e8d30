"""Test builders of the service cards part (ORM only), and the URL matrix's parameters for its routes.

``make_taxonomy()`` gives the published needs taxonomy: the real library (H1's test builder) when that module is
present, else a small ORM taxonomy with the spec's codes. Cards and minimum forms are written straight to the
database, bypassing the actions (tests of the actions create their own through the actions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils import timezone

from qmss.needs.models import (
    KindCard,
    KindCardNeed,
    MinimumForm,
    Need,
    NeedArea,
    ServiceCard,
    ServiceCardResponse,
    Taxonomy,
)
from qmss.registry.models import BasicActivity, ServiceKind

TAXONOMY_URN = "urn:qmss:needs:taxonomy"
# area code -> (area name, [(need code, need name)]) – a subset of the spec's taxonomy, in its order
SMALL_TAXONOMY = {
    "self_care": ("Péče o vlastní osobu", [("hygiene", "Tělesná hygiena"), ("eating", "Stravování")]),
    "mobility": ("Pohyb, orientace a komunikace", [("mobility", "Mobilita")]),
    "health": ("Zdraví a bezpečí", [("health_care", "Péče o zdraví")]),
    "household": ("Domácnost", [("household", "Péče o domácnost")]),
    "work_income": ("Práce a příjem", [("money", "Hospodaření s penězi")]),
}
ACTIVITIES = {
    "pvo": "pomoc při zvládání běžných úkonů péče o vlastní osobu",
    "hyg": "pomoc při osobní hygieně nebo poskytnutí podmínek pro osobní hygienu",
    "stra": "poskytnutí stravy",
    "xyz": "činnost jiného druhu",  # belongs to no test kind
}


def _small_taxonomy() -> Taxonomy:
    taxonomy, created = Taxonomy.objects.get_or_create(
        urn=TAXONOMY_URN,
        version=1,
        defaults={
            "title": "Taxonomie potřeb (test)",
            "source": "tests",
            "checksum": "0" * 64,
            "published_at": timezone.now(),
        },
    )
    if created:
        for area_order, (area_code, (area_name, needs)) in enumerate(SMALL_TAXONOMY.items(), start=1):
            area = NeedArea.objects.create(taxonomy=taxonomy, code=area_code, name=area_name, order=area_order)
            for order, (code, name) in enumerate(needs, start=1):
                Need.objects.create(
                    taxonomy=taxonomy, area=area, code=code, name=name, public_wording=name, order=order
                )
    return taxonomy


def make_taxonomy() -> Taxonomy:
    """The published needs taxonomy (loaded once per database)."""
    existing = Taxonomy.objects.filter(urn=TAXONOMY_URN, published_at__isnull=False).order_by("-version").first()
    if existing is not None:
        return existing
    try:
        from qmss.needs.testing_taxonomy import make_taxonomy_and_template
    except ImportError:
        return _small_taxonomy()
    return make_taxonomy_and_template()[0]


def need(taxonomy: Taxonomy, code: str) -> Need:
    return Need.objects.select_related("area").get(taxonomy=taxonomy, code=code)


def make_activity(code: str, *, kinds: Iterable[ServiceKind] = ()) -> BasicActivity:
    from qmss.registry.testing import _library

    activity, _ = BasicActivity.objects.get_or_create(
        code=f"test-{code}", defaults={"name": ACTIVITIES.get(code, code), "library": _library()}
    )
    for kind in kinds:
        kind.activities.add(activity)
    return activity


def make_kind_card(
    *,
    kind: ServiceKind,
    taxonomy: Taxonomy,
    needs: Iterable[str],
    region=None,
    organisation=None,
    activities: Iterable[BasicActivity] = (),
    state: str = KindCard.State.PUBLISHED,
    version: int | None = None,
) -> KindCard:
    """A kind card (the region's when ``region`` is given, else a QMSS model card) listing ``needs`` (codes)."""
    if version is None:
        last = KindCard.objects.filter(region=region, kind=kind).order_by("-version").first()
        version = last.version + 1 if last is not None else 1
    card = KindCard.objects.create(
        region=region,
        organisation=organisation,
        kind=kind,
        version=version,
        state=state,
        taxonomy=taxonomy,
        purpose="Test",
        published_at=timezone.now() if state == KindCard.State.PUBLISHED else None,
    )
    card.activities.set(list(activities))
    for order, code in enumerate(needs, start=1):
        KindCardNeed.objects.create(card=card, need=need(taxonomy, code), order=order)
    return card


def make_card(
    service,
    organisation,
    year: int,
    responses: Mapping[str, str | tuple[str, BasicActivity | None] | tuple[str, BasicActivity | None, str]],
    *,
    state: str = ServiceCard.State.DRAFT,
    kind_card: KindCard | None = None,
    taxonomy: Taxonomy | None = None,
    user=None,
) -> ServiceCard:
    """A card with ``responses``: need code -> response, or (response, activity[, note])."""
    taxonomy = taxonomy or (kind_card.taxonomy if kind_card else make_taxonomy())
    card = ServiceCard.objects.create(
        service=service,
        organisation=organisation,
        year=year,
        kind_card=kind_card,
        taxonomy=taxonomy,
        state=state,
        confirmed_at=timezone.now() if state == ServiceCard.State.CONFIRMED else None,
        confirmed_by=user if state == ServiceCard.State.CONFIRMED else None,
    )
    default_activity = None
    for code, value in responses.items():
        response, activity, note = (value, None, "") if isinstance(value, str) else (*value, "")[:3]
        if response == ServiceCardResponse.Response.BASIC_ACTIVITY and activity is None:
            default_activity = default_activity or make_activity("pvo", kinds=[service.kind] if service.kind else [])
            activity = default_activity
        ServiceCardResponse.objects.create(
            card=card, need=need(taxonomy, code), response=response, activity=activity, note=note
        )
    return card


def make_minimum_form(
    *,
    region,
    organisation,
    kind: ServiceKind,
    needs: Iterable[str],
    year: int,
    threshold: Decimal | str = "0.5",
    version: int = 1,
    note: str = "",
    taxonomy: Taxonomy | None = None,
) -> MinimumForm:
    taxonomy = taxonomy or make_taxonomy()
    minimum = MinimumForm.objects.create(
        region=region,
        organisation=organisation,
        kind=kind,
        version=version,
        taxonomy=taxonomy,
        threshold=Decimal(str(threshold)),
        year=year,
        note=note,
    )
    minimum.needs.set([need(taxonomy, code) for code in needs])
    return minimum


# --- the URL matrix ----------------------------------------------------------------------------------------


def matrix_kwargs(tenant) -> dict:
    """Tenant's objects behind the service-card routes: a service of its provider (registry data, public: no
    secret in its name) with a confirmed card of last year (a note with the provider organisation's name, a
    tenant secret), the region's published card of the kind, and the region's minimum form of the kind (a note
    with the regional authority's name). The region report shows the provider organisation that filled a card."""
    from qmss.core.roles import OrganisationKind
    from qmss.registry.models import ProviderLink
    from qmss.registry.testing import link_verified, make_kind, make_provider, make_service

    provider = tenant.orgs[OrganisationKind.PROVIDER]
    authority = tenant.orgs[OrganisationKind.REGION]
    link = ProviderLink.objects.filter(organisation=provider).select_related("provider").first()
    if link is None:
        link = link_verified(provider, make_provider(f"Poskytovatel IČO {provider.ico}", ico=provider.ico))
    kind = make_kind("13")
    taxonomy = make_taxonomy()
    activity = make_activity("pvo", kinds=[kind])
    service = make_service(
        link.provider,
        name=f"Služba karet {provider.ico}",  # registry data is public: no secret in its names
        facilities=[{"region": tenant.region, "name": f"Zařízení karet {provider.ico}"}],
    )
    kind_card = make_kind_card(
        kind=kind,
        taxonomy=taxonomy,
        needs=["hygiene", "eating"],
        region=tenant.region,
        organisation=authority,
        activities=[activity],
    )
    year = timezone.localdate().year - 1
    card = make_card(
        service,
        provider,
        year,
        {"hygiene": ("basic_activity", activity, f"Poznámka {provider.name}"), "eating": "brokering"},
        state=ServiceCard.State.CONFIRMED,
        kind_card=kind_card,
        user=tenant.user(OrganisationKind.PROVIDER),
    )
    make_minimum_form(
        region=tenant.region,
        organisation=authority,
        kind=kind,
        needs=["hygiene"],
        year=year,
        note=f"Pravidlo {authority.name}",
        taxonomy=taxonomy,
    )
    return {"service_card_pk": card.pk, "minimum_kind_code": kind.code}
