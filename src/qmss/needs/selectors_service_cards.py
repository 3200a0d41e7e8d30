"""Reads of provider service cards (karta služby) and of the minimum form of a kind – every one scoped by the
user's Scope.

Who sees what:

- a provider organisation's members (VIEW) see the cards of the services of their VERIFIED link (a card whose
  organisation is no longer the verified provider of its service is nobody's but the superuser's); EDIT changes
  them;
- staff of a regional authority (VIEW) see, read only, the cards of services with a facility in their region,
  and the minimum forms of their region; EDIT (or MANAGE_NETWORK) confirms a minimum form;
- everybody else sees nothing (404).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone

from qmss.core.collation import czech_sorted, sort_key
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.needs.models import KindCard, KindCardNeed, MinimumForm, Need, ServiceCard, ServiceCardResponse, Taxonomy
from qmss.registry.models import BasicActivity, Facility, Service, ServiceKind
from qmss.registry.selectors import in_regions_condition
from qmss.registry.selectors_links import attributed, linked_services
from qmss.territory.models import Region

FIRST_YEAR = 2000


def current_year() -> int:
    return timezone.localdate().year


def year_choices() -> list[int]:
    """Periods a card may be opened for: from the current year back, plus next year (newest first)."""
    now = current_year()
    return list(range(now + 1, now - 6, -1))


def valid_year(year: int) -> bool:
    return FIRST_YEAR <= year <= current_year() + 1


def current_taxonomy() -> Taxonomy | None:
    """The newest published needs taxonomy (H1's library function when present)."""
    try:
        from qmss.needs.library import current_taxonomy as library_current
    except ImportError:
        library_current = None
    if library_current is not None:
        return library_current()
    return Taxonomy.objects.filter(published_at__isnull=False).order_by("-published_at", "-version", "-pk").first()


# --- services and regions --------------------------------------------------------------------------------------


def provider_organisation(scope: Scope, organisation_pk: int, perm: str = Perm.VIEW) -> Organisation:
    """A provider organisation the user is a member of (any for a superuser); 404 otherwise."""
    qs = Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
    if not scope.is_superuser:
        qs = qs.filter(pk__in=scope.organisation_ids(perm))
    return get_object_or_404_scoped(qs, pk=organisation_pk)


def provider_services(organisation: Organisation) -> QuerySet[Service]:
    """Registry services of the organisation through its VERIFIED link (none while unverified)."""
    return linked_services(organisation).select_related("kind").order_by("name_sort", "portal_id")


def service_region_id(service: Service) -> int | None:
    """The region of the service's first facility (its own region, else its municipality's)."""
    facility = (
        Facility.objects.filter(service=service)
        .filter(Q(region__isnull=False) | Q(municipality__region__isnull=False))
        .order_by("position", "pk")
        .values("region_id", "municipality__region_id")
        .first()
    )
    if facility is None:
        return None
    return facility["region_id"] or facility["municipality__region_id"]


def service_region_ids(service: Service) -> set[int]:
    rows = Facility.objects.filter(service=service).values_list("region_id", "municipality__region_id")
    return {region or municipal for region, municipal in rows if region or municipal}


def region_services(region: Region, kind: ServiceKind | None = None) -> QuerySet[Service]:
    """Registered (active) services with a facility in the region, of ``kind`` when given."""
    qs = Service.objects.active().filter(in_regions_condition([region.pk]))
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.select_related("kind", "provider").order_by("name_sort", "portal_id")


def regions(ids: Iterable[int]) -> list[Region]:
    return czech_sorted(Region.objects.filter(pk__in=list(ids)).only("pk", "code", "name"), "name")


def all_regions() -> list[Region]:
    return czech_sorted(Region.objects.only("pk", "code", "name"), "name")


def region_by_code(scope: Scope, code: str, perm: str = Perm.VIEW) -> Region:
    """A region the user acts for as staff of its regional authority (any for a superuser); 404 otherwise."""
    qs = Region.objects.defer("boundary")
    if not scope.is_superuser:
        qs = qs.filter(pk__in=scope.region_ids(perm))
    return get_object_or_404_scoped(qs, code=code)


def can_manage_region(scope: Scope, region: Region) -> bool:
    """Whether the user may confirm the region's minimum forms (EDIT or MANAGE_NETWORK in its authority)."""
    return scope.is_superuser or region.pk in (scope.region_ids(Perm.EDIT) | scope.region_ids(Perm.MANAGE_NETWORK))


def region_authority(scope: Scope, region: Region) -> Organisation | None:
    """The user's regional authority acting for ``region`` (for a superuser: the region's authority)."""
    grant_ids = [
        g.organisation_id
        for g in scope.grants
        if g.organisation_kind == OrganisationKind.REGION and g.region_id == region.pk
    ]
    qs = Organisation.objects.filter(kind=OrganisationKind.REGION, region=region)
    if grant_ids:
        return qs.filter(pk__in=grant_ids).order_by("pk").first()
    return qs.order_by("pk").first() if scope.is_superuser else None


# --- kind cards (what a service card answers) --------------------------------------------------------------


def kind_card_for(region_id: int | None, kind: ServiceKind | None) -> KindCard | None:
    """The region's newest published card of the kind; else the newest published QMSS model card (region
    empty); None when there is neither (the card then lists every need of the taxonomy)."""
    if kind is None:
        return None
    if region_id is not None:
        card = (
            KindCard.objects.filter(region_id=region_id, kind=kind, state=KindCard.State.PUBLISHED)
            .order_by("-version")
            .first()
        )
        if card is not None:
            return card
    return (
        KindCard.objects.filter(region__isnull=True, kind=kind, state=KindCard.State.PUBLISHED)
        .order_by("-version")
        .first()
    )


def card_needs(card: ServiceCard) -> list[Need]:
    """The needs the card answers: those of its kind card, else every need of its taxonomy (in order)."""
    if card.kind_card_id:
        rows = (
            KindCardNeed.objects.filter(card_id=card.kind_card_id)
            .select_related("need__area")
            .order_by("order", "need__area__order", "need__order", "pk")
        )
        needs = [row.need for row in rows]
        if needs:
            return needs
    taxonomy_id = card.taxonomy_id
    return list(Need.objects.filter(taxonomy_id=taxonomy_id).select_related("area").order_by("area__order", "order"))


def kind_activities(service: Service, kind_card: KindCard | None) -> QuerySet[BasicActivity]:
    """Basic activities a basic-activity response may name: the kind's (registry) and its card's."""
    condition = Q(pk__in=[])
    if service.kind_id:
        condition |= Q(servicekind=service.kind_id)
    if kind_card is not None:
        condition |= Q(pk__in=kind_card.activities.values("pk"))
    return BasicActivity.objects.filter(condition).distinct().order_by("order", "name")


# --- service cards -----------------------------------------------------------------------------------------


def visible_cards(scope: Scope, perm: str = Perm.VIEW) -> QuerySet[ServiceCard]:
    """Cards the user may see: of their provider organisations (verified link) or, read only, of services in
    the regions they staff (VIEW only)."""
    qs = ServiceCard.objects.select_related("service__kind", "service__provider", "organisation", "kind_card")
    if scope.is_superuser:
        return qs
    condition = Q(organisation_id__in=scope.organisation_ids(perm)) & Q(
        attributed("organisation_id", "service__provider_id")
    )
    if perm == Perm.VIEW:
        region_ids = scope.region_ids(Perm.VIEW)
        if region_ids:
            condition |= Q(Q(service__in=Service.objects.filter(in_regions_condition(list(region_ids)))))
    return qs.filter(condition)


def get_card(scope: Scope, pk: int) -> ServiceCard:
    return get_object_or_404_scoped(visible_cards(scope), pk=pk)


def can_edit_card(scope: Scope, card: ServiceCard) -> bool:
    return visible_cards(scope, Perm.EDIT).filter(pk=card.pk).exists()


def card_responses(card: ServiceCard) -> dict[int, ServiceCardResponse]:
    """need pk -> response of the card."""
    return {r.need_id: r for r in card.responses.select_related("activity")}


@dataclass
class ServiceRow:
    service: Service
    cards: list[ServiceCard]  # newest year first
    card: ServiceCard | None  # the card of the chosen year

    @property
    def others(self) -> list[ServiceCard]:
        return [card for card in self.cards if card is not self.card]


def organisation_card_rows(organisation: Organisation, year: int) -> list[ServiceRow]:
    """The organisation's services (verified link) with their cards (of this organisation), for the list page."""
    services = list(provider_services(organisation))
    cards = (
        ServiceCard.objects.filter(service__in=[s.pk for s in services], organisation=organisation)
        .only("pk", "service_id", "year", "state", "confirmed_at", "updated_at")
        .order_by("-year")
    )
    by_service: dict[int, list[ServiceCard]] = {}
    for card in cards:
        by_service.setdefault(card.service_id, []).append(card)
    rows = []
    for service in services:
        own = by_service.get(service.pk, [])
        rows.append(ServiceRow(service=service, cards=own, card=next((c for c in own if c.year == year), None)))
    return rows


def own_card(organisation: Organisation, service: Service, year: int) -> ServiceCard | None:
    """The organisation's card of the service for ``year``, if it exists."""
    return ServiceCard.objects.filter(service=service, year=year, organisation=organisation).first()


def previous_card(service: Service, organisation: Organisation, year: int) -> ServiceCard | None:
    """The organisation's card of the service for the latest period before ``year`` (the pre-fill source; a
    former provider's card is never copied)."""
    return (
        ServiceCard.objects.filter(service=service, organisation=organisation, year__lt=year).order_by("-year").first()
    )


def dashboard_cards(organisation_ids: Iterable[int], year: int) -> dict[int, dict[str, list]]:
    """Per provider organisation: its services' card state for ``year`` – ``missing`` (no card), ``draft``,
    ``confirmed`` lists of (service, card) – in a constant number of queries for all organisations."""
    ids = list(organisation_ids)
    rows = list(
        Service.objects.active()
        .filter(provider__link__organisation_id__in=ids)
        .values_list("pk", "name", "portal_id", "provider__link__organisation_id")
    )
    cards = ServiceCard.objects.filter(service_id__in=[r[0] for r in rows], year=year, organisation_id__in=ids)
    card_by = {(c.service_id, c.organisation_id): c for c in cards.only("pk", "service_id", "organisation_id", "state")}
    result: dict[int, dict[str, list]] = {pk: {"missing": [], "draft": [], "confirmed": []} for pk in ids}
    for service_pk, name, portal_id, organisation_id in rows:
        card = card_by.get((service_pk, organisation_id))
        item = {"pk": service_pk, "name": name or str(portal_id), "portal_id": portal_id, "card": card}
        state = "missing" if card is None else card.state
        result[organisation_id][state].append(item)
    for groups in result.values():
        for items in groups.values():
            items.sort(key=lambda item: sort_key(item["name"]))
    return result


# --- minimum forms -----------------------------------------------------------------------------------------


def minimum_forms(region: Region, kind: ServiceKind | None = None) -> QuerySet[MinimumForm]:
    qs = MinimumForm.objects.filter(region=region).select_related("kind", "confirmed_by", "organisation")
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.prefetch_related(Prefetch("needs", queryset=Need.objects.select_related("area")))


def latest_minimum_forms(region_id: int, kind_ids: Iterable[int] | None = None) -> dict[int, MinimumForm]:
    """kind pk -> the region's newest version of the kind's minimum form (needs prefetched)."""
    qs = MinimumForm.objects.filter(region_id=region_id)
    if kind_ids is not None:
        qs = qs.filter(kind_id__in=list(kind_ids))
    qs = qs.order_by("kind_id", "-version").prefetch_related(
        Prefetch("needs", queryset=Need.objects.select_related("area").order_by("area__order", "order"))
    )
    latest: dict[int, MinimumForm] = {}
    for minimum in qs:
        latest.setdefault(minimum.kind_id, minimum)
    return latest


def report_year(region: Region) -> int:
    """The default period of the region report: the latest year (up to this one) with a card of a service in
    the region, else the current year."""
    year = current_year()
    latest = ServiceCard.objects.filter(
        year__lte=year, service__in=Service.objects.filter(in_regions_condition([region.pk])).values("pk")
    ).aggregate(latest=Max("year"))["latest"]
    return latest or year


def region_kinds(region: Region) -> list[ServiceKind]:
    """Kinds with at least one active service in the region, in the registry order."""
    kind_ids = region_services(region).exclude(kind__isnull=True).values("kind_id")
    return list(ServiceKind.objects.filter(pk__in=kind_ids).order_by("order", "name"))


def kind_by_code(code: str) -> ServiceKind:
    return get_object_or_404_scoped(ServiceKind.objects.all(), code=code)
