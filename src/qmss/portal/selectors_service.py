"""Reads of the public service and kind pages: registry data, published kind cards and public network membership.

Everything here is public (registry open data, a region's published card or the QMSS model card, who is in a
network's current version). Nothing here reads assessments, organisations of QMSS tenants, drafts or reports; a
network is named by its region or municipality, never by its managing organisation. The queries are constant: a
service page reads the same number of queries whatever the number of its forms, places and networks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max, Prefetch
from django.utils import timezone

from qmss.core.collation import sort_key
from qmss.needs import selectors_cards
from qmss.needs.models import KindCard, KindCardNeed
from qmss.network.models import NetworkEntry, NetworkVersion
from qmss.registry import selectors as registry_selectors
from qmss.registry.models import Capacity, Facility, Service, ServiceForm, ServiceKind

CARD_REGION = "region"
CARD_MODEL = "model"


# --- a service --------------------------------------------------------------------------------------------


def public_service(portal_id: int) -> Service | None:
    """A registry service with its kind, provider, forms with capacities, places and target groups (6 queries)."""
    facilities = (
        Facility.objects.select_related("municipality__orp", "municipality__region", "region")
        .defer("municipality__orp__boundary", "municipality__region__boundary", "region__boundary")
        .order_by("position", "pk")
    )
    capacities = Capacity.objects.select_related("capacity_type").order_by("type_code", "pk")
    forms = ServiceForm.objects.select_related("form").prefetch_related(Prefetch("capacities", queryset=capacities))
    return (
        Service.objects.filter(portal_id=portal_id)
        .defer("snapshot")
        .select_related("provider", "kind")
        .prefetch_related(
            Prefetch("forms", queryset=forms.order_by("form__order", "form_code", "pk")),
            Prefetch("facilities", queryset=facilities),
            "target_groups",
        )
        .first()
    )


def facility_region(facility: Facility):
    return facility.region or (facility.municipality.region if facility.municipality_id else None)


def service_region(service: Service):
    """The region of the service's first place that has one (prefetched facilities)."""
    for facility in service.facilities.all():
        region = facility_region(facility)
        if region is not None:
            return region
    return None


@dataclass
class Place:
    name: str
    address: str  # "" when the registry publishes none (secret_address) or gives none
    secret: bool
    municipality: str
    region: str
    ended: bool


def places(service: Service, on: date | None = None) -> list[Place]:
    """The service's places as the public sees them: an address only when the registry publishes it."""
    day = on or timezone.localdate()
    rows = []
    for facility in service.facilities.all():
        region = facility_region(facility)
        rows.append(
            Place(
                name=facility.name,
                address="" if facility.secret_address else facility.address_line,
                secret=facility.secret_address,
                municipality=facility.municipality.name if facility.municipality_id else "",
                region=region.name if region is not None else "",
                ended=facility.date_to is not None and facility.date_to < day,
            )
        )
    return rows


@dataclass
class FormLine:
    name: str
    code: str
    continuous: bool | None
    capacities: list[str] = field(default_factory=list)  # "40 lůžek"


def form_lines(service: Service) -> list[FormLine]:
    """Delivery forms with their registered capacities in the right Czech plural ("1 lůžko", "40 lůžek")."""
    lines = []
    for line, service_form in zip(registry_selectors.capacity_lines(service), service.forms.all(), strict=True):
        code = service_form.form.code if service_form.form else service_form.form_code.rsplit("/", 1)[-1]
        lines.append(
            FormLine(
                name=line.form,
                code=code,
                continuous=service_form.continuous,
                capacities=[label for _count, label in line.capacities],
            )
        )
    return lines


# --- the kind's card --------------------------------------------------------------------------------------


@dataclass
class CardView:
    card: KindCard
    origin: str  # CARD_REGION (the region's published card) or CARD_MODEL (the QMSS model card)
    region_name: str
    needs: list[KindCardNeed]


def card_for(kind: ServiceKind | None, region=None) -> CardView | None:
    """The region's published card of the kind, else the QMSS model card; None when neither exists."""
    if kind is None:
        return None
    card = selectors_cards.published_card(region, kind) if region is not None else None
    origin = CARD_REGION
    if card is None:
        card = selectors_cards.model_card(kind)
        origin = CARD_MODEL
    if card is None:
        return None
    return CardView(
        card=card,
        origin=origin,
        region_name=region.name if origin == CARD_REGION and region is not None else "",
        needs=selectors_cards.card_content(card),
    )


# --- networks ---------------------------------------------------------------------------------------------


@dataclass
class Membership:
    territory: str  # the region's or municipality's name – never the managing organisation
    local: bool  # a municipality's local network
    tier: str
    period_start: date
    period_end: date


def network_memberships(service: Service) -> list[Membership]:
    """Networks whose CURRENT version holds the service (2 queries), named by their region or municipality."""
    entries = list(
        NetworkEntry.objects.filter(service=service)
        .select_related("version", "version__network__region", "version__network__municipality", "tier")
        .defer("version__network__region__boundary")
    )
    if not entries:
        return []
    network_ids = {entry.version.network_id for entry in entries}
    current = dict(
        NetworkVersion.objects.filter(network_id__in=network_ids)
        .values("network_id")
        .annotate(latest=Max("number"))
        .values_list("network_id", "latest")
    )
    seen: set[int] = set()
    rows = []
    for entry in entries:
        network = entry.version.network
        if entry.version.number != current.get(network.pk) or network.pk in seen:
            continue
        seen.add(network.pk)
        local = network.municipality_id is not None
        rows.append(
            Membership(
                territory=network.municipality.name if local else network.region.name,
                local=local,
                tier=entry.tier.name,
                period_start=network.period_start,
                period_end=network.period_end,
            )
        )
    rows.sort(key=lambda row: (row.local, sort_key(row.territory)))
    return rows


# --- kinds ------------------------------------------------------------------------------------------------


@dataclass
class KindRow:
    kind: ServiceKind
    purpose: str = ""


def current_kinds():
    return ServiceKind.objects.filter(valid_to__isnull=True)


def kinds_by_category() -> list[tuple[str, str, list[KindRow]]]:
    """(category code, category label, kinds in Czech order with the model card's purpose) – 2 queries."""
    kinds = list(current_kinds())
    purposes = dict(
        KindCard.objects.filter(region__isnull=True, state=KindCard.State.PUBLISHED)
        .order_by("kind_id", "version")
        .values_list("kind_id", "purpose")
    )
    groups = []
    for code, label in ServiceKind.Category.choices:
        rows = [KindRow(kind, purposes.get(kind.pk, "")) for kind in kinds if kind.category == code]
        if rows:
            rows.sort(key=lambda row: sort_key(row.kind.name))
            groups.append((code, label, rows))
    return groups


def get_kind(kind_code: str) -> ServiceKind | None:
    return current_kinds().filter(code=kind_code).prefetch_related("forms").first()
