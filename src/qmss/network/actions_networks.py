"""Writes of networks: creating a network (tiers and rules from the library, version 1 from the registry), the one
way a network changes (``new_version``), tiers (rename, freeze) and the brief. Keyword-only typed arguments, one
transaction each (``@audit.action``), permission-checked through ``qmss.network.permissions``; refusals are
``ValidationError`` with a code from :class:`qmss.network.error_codes.NetworkErrorCode`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.network import defaults_networks as defaults
from qmss.network import permissions
from qmss.network.error_codes import NetworkErrorCode as Code
from qmss.network.models import BriefItem, Network, NetworkEntry, NetworkVersion, Tier
from qmss.network.selectors_networks import current_version, territory_facilities

if TYPE_CHECKING:
    from qmss.network.models import Application

MAX_CAPACITY = Decimal("99999999.99")


@dataclass(frozen=True)
class EntryChange:
    """A change of one entry (a service in a unit): ``capacity=None`` removes it; other ``None`` fields keep their
    value (a new entry takes the first tier, no territory, no financing category)."""

    service_id: int
    unit: str
    capacity: Decimal | None
    tier_id: int | None = None
    orp_codes: Sequence[int] | None = None
    municipality_codes: Sequence[str] | None = None
    financing_category: str | None = None
    note: str | None = None


def _refuse(message: str, code: Code) -> ValidationError:
    return ValidationError(message, code=code.value)


def _require_manager(user, network: Network) -> None:
    if not permissions.can_manage(Scope.for_user(user), network):
        raise PermissionDenied(_("Only the network's manager may change it."))


# --- creating ---------------------------------------------------------------------------------------------------


def _territory_services(network: Network):
    """Active registry services with a facility in the network's territory, with facilities and ORPs."""
    from django.db.models import Exists, OuterRef, Prefetch

    from qmss.registry.models import Service

    facilities = _territory_facilities(network)
    return (
        Service.objects.active()
        .defer("snapshot")
        .select_related("kind")
        .filter(Exists(facilities.filter(service=OuterRef("pk"))))
        .prefetch_related(
            Prefetch(
                "facilities", queryset=facilities.select_related("municipality__orp"), to_attr="network_facilities"
            )
        )
        .order_by("name_sort", "pk")
    )


def _territory_facilities(network: Network):
    return territory_facilities(network)


def _orp_codes(facilities) -> list[int]:
    return sorted({f.municipality.orp.ruian_code for f in facilities if f.municipality_id and f.municipality.orp_id})


def _entry_for(service, *, tier: Tier, orp_codes: list[int], capacities=None) -> NetworkEntry:
    """The entry of ``service`` in its kind's unit with the registered capacity (``capacities``: the sums of
    :func:`_registry_capacities`, else one query)."""
    unit = defaults.unit_for_kind(service.kind.code if service.kind_id else None)
    if capacities is None:
        capacity = defaults.registry_capacity(service, unit)
    else:
        capacity_type = getattr(defaults.units().get(unit), "capacity_type", None)
        capacity = capacities.get((service.pk, capacity_type)) if capacity_type else None
    return NetworkEntry(service=service, unit=unit, capacity=capacity or Decimal(0), tier=tier, orp_codes=orp_codes)


def _registry_capacities(services) -> dict[tuple[int, str], Decimal]:
    """(service id, capacity type code) -> registered capacity, for many services in one query (a capacity whose
    type is not mapped counts by the code at the end of its registry type code, as ``units.registry_capacity``)."""
    from django.db.models import Sum

    from qmss.registry.models import Capacity

    rows = (
        Capacity.objects.filter(service_form__service__in=services)
        .order_by()
        .values_list("service_form__service_id", "capacity_type__code", "type_code")
        .annotate(total=Sum("count"))
    )
    sums: dict[tuple[int, str], Decimal] = {}
    for service_id, code, type_code, total in rows:
        key = (service_id, code or type_code.rsplit("/", 1)[-1])
        sums[key] = sums.get(key, Decimal(0)) + Decimal(total or 0)
    return sums


def build_network(
    *,
    user,
    organisation: Organisation,
    name: str,
    period_start: date,
    period_end: date,
    municipality=None,
    description: str = "",
    services=None,
) -> Network:
    """The network with its tiers, initial rules and version 1 (entries of ``services``: a queryset of registry
    services, each needing ``network_facilities`` or falling back to all its facilities). No permission check –
    :func:`create_network` and the test builders call it."""
    if organisation.kind == OrganisationKind.MUNICIPALITY:
        municipality = municipality or organisation.municipality
        if municipality is None:
            raise _refuse(_("The municipality of the organisation is not known."), Code.UNKNOWN_TERRITORY)
    region = municipality.region if municipality is not None else organisation.region
    if region is None:
        raise _refuse(_("The region of the organisation is not known."), Code.UNKNOWN_TERRITORY)
    if period_end < period_start:
        raise _refuse(_("The end of the period must not be earlier than its start."), Code.INVALID_VALUE)
    network = Network.objects.create(
        organisation=organisation,
        region=region,
        municipality=municipality,
        name=name.strip(),
        period_start=period_start,
        period_end=period_end,
        description=description,
    )
    tiers = Tier.objects.bulk_create(
        Tier(network=network, code=item.code, name=item.name, description=item.description, order=position)
        for position, item in enumerate(defaults.tiers())
    )
    if not tiers:
        tiers = [Tier.objects.create(network=network, code="zakladni", name=_("Basic network"), order=0)]
    defaults.create_initial_rules(user=user, network=network)
    version = NetworkVersion.objects.create(network=network, number=1, created_by=user, note=_("Network created"))
    entries = []
    for service in services or ():
        facilities = getattr(service, "network_facilities", None)
        if facilities is None:
            facilities = list(service.facilities.select_related("municipality__orp"))
        entry = _entry_for(service, tier=tiers[0], orp_codes=_orp_codes(facilities))
        entry.version = version
        entries.append(entry)
    NetworkEntry.objects.bulk_create(entries)
    return network


@audit.action
def create_network(
    *,
    user,
    organisation: Organisation,
    name: str,
    period_start: date,
    period_end: date,
    municipality=None,
    description: str = "",
    prefill_from_registry: bool = True,
) -> Network:
    """A new network of ``organisation`` (a regional authority, or a municipality for a local network): tiers from
    the library, the initial rule and parameter sets, and version 1 – every active registry service with a facility
    in the territory, its capacity in the kind's unit, the first tier and the ORPs of its facilities there."""
    if not permissions.can_create_network(Scope.for_user(user), organisation):
        raise PermissionDenied(_("You may not create a network for this organisation."))
    if not name.strip():
        raise _refuse(_("Enter the name of the network."), Code.INVALID_VALUE)
    if organisation.kind == OrganisationKind.MUNICIPALITY:
        municipality = organisation.municipality
    elif municipality is not None and municipality.region_id != organisation.region_id:
        raise _refuse(_("The municipality lies outside the region."), Code.UNKNOWN_TERRITORY)
    network = build_network(
        user=user,
        organisation=organisation,
        name=name,
        period_start=period_start,
        period_end=period_end,
        municipality=municipality,
        description=description,
    )
    if prefill_from_registry:
        version = current_version(network)
        first_tier = network.tiers.order_by("order", "code").first()
        services = list(_territory_services(network))
        capacities = _registry_capacities([s.pk for s in services])
        NetworkEntry.objects.bulk_create(
            _with_version(
                _entry_for(s, tier=first_tier, orp_codes=_orp_codes(s.network_facilities), capacities=capacities),
                version,
            )
            for s in services
        )
    return network


def _with_version(entry: NetworkEntry, version: NetworkVersion) -> NetworkEntry:
    entry.version = version
    return entry


@audit.action
def update_network(
    *, user, network: Network, name: str, period_start: date, period_end: date, description: str = ""
) -> Network:
    _require_manager(user, network)
    if not name.strip():
        raise _refuse(_("Enter the name of the network."), Code.INVALID_VALUE)
    if period_end < period_start:
        raise _refuse(_("The end of the period must not be earlier than its start."), Code.INVALID_VALUE)
    network.name, network.period_start, network.period_end = name.strip(), period_start, period_end
    network.description = description
    network.save(update_fields=["name", "period_start", "period_end", "description", "updated_at"])
    return network


# --- versions ---------------------------------------------------------------------------------------------------


def _check_territory(network: Network, orp_codes: Sequence[int], municipality_codes: Sequence[str]) -> None:
    from qmss.territory.models import Municipality, Orp

    orps = {int(code) for code in orp_codes}
    if orps:
        found = set(
            Orp.objects.filter(ruian_code__in=orps, region_id=network.region_id).values_list("ruian_code", flat=True)
        )
        if found != orps:
            raise _refuse(_("An ORP is not in the network's region."), Code.UNKNOWN_TERRITORY)
    codes = {str(code) for code in municipality_codes}
    if codes:
        found = set(
            Municipality.objects.filter(code__in=codes, region_id=network.region_id).values_list("code", flat=True)
        )
        if found != codes:
            raise _refuse(_("A municipality is not in the network's region."), Code.UNKNOWN_TERRITORY)


def _check_service(network: Network, service_id: int) -> None:
    from qmss.registry.models import Service

    if not Service.objects.filter(_in_territory(network), pk=service_id).exists():
        raise _refuse(_("The service has no facility in the network's territory."), Code.NOT_IN_SCOPE)


def _in_territory(network: Network):
    from django.db.models import Exists, OuterRef

    return Exists(_territory_facilities(network).filter(service=OuterRef("pk")))


def _apply(
    network: Network,
    entries: dict[tuple[int, str], NetworkEntry],
    change: EntryChange,
    tiers: dict[int, Tier],
    first_tier: Tier,
    application: Application | None,
) -> None:
    key = (change.service_id, change.unit)
    old = entries.get(key)
    if change.capacity is None:
        if old is None:
            raise _refuse(_("The service is not in the network in this unit."), Code.INVALID_VALUE)
        del entries[key]
        return
    if change.capacity < 0 or change.capacity > MAX_CAPACITY:
        raise _refuse(_("The capacity must be a number from 0 upwards."), Code.INVALID_VALUE)
    if change.unit not in defaults.units():
        raise _refuse(_("Unknown unit: %(unit)s.") % {"unit": change.unit}, Code.UNKNOWN_UNIT)
    if change.tier_id is not None and change.tier_id not in tiers:
        raise _refuse(_("The tier does not belong to this network."), Code.INVALID_VALUE)
    if change.financing_category and change.financing_category not in {c.code for c in defaults.financing_categories()}:
        raise _refuse(_("Unknown financing category."), Code.INVALID_VALUE)
    if change.orp_codes is not None or change.municipality_codes is not None:
        _check_territory(network, change.orp_codes or (), change.municipality_codes or ())
    if old is None:
        _check_service(network, change.service_id)
        tier_id = change.tier_id or (application.tier_id if application is not None and application.tier_id else None)
        tier = tiers[tier_id] if tier_id else first_tier
        if tier.frozen:
            raise _refuse(
                _("The tier “%(tier)s” is frozen: it takes no new services.") % {"tier": tier.name}, Code.FROZEN_TIER
            )
        entry = NetworkEntry(service_id=change.service_id, unit=change.unit, capacity=change.capacity, tier=tier)
    else:
        entry = old
        tier = tiers[change.tier_id] if change.tier_id is not None else tiers[old.tier_id]
        if tier.frozen and change.capacity > old.capacity:
            raise _refuse(
                _("The tier “%(tier)s” is frozen: capacity cannot grow in it.") % {"tier": tier.name},
                Code.FROZEN_TIER,
            )
        if tier.frozen and tier.pk != old.tier_id:
            raise _refuse(
                _("The tier “%(tier)s” is frozen: it takes no new services.") % {"tier": tier.name}, Code.FROZEN_TIER
            )
        entry.capacity, entry.tier = change.capacity, tier
    if change.orp_codes is not None:
        entry.orp_codes = sorted({int(code) for code in change.orp_codes})
    if change.municipality_codes is not None:
        entry.municipality_codes = sorted({str(code) for code in change.municipality_codes})
    if change.financing_category is not None:
        entry.financing_category = change.financing_category
    if change.note is not None:
        entry.note = change.note.strip()[:500]
    entries[key] = entry


@audit.action
def new_version(
    *,
    user,
    network: Network,
    note: str,
    changes: Sequence[EntryChange],
    application: Application | None = None,
) -> NetworkVersion:
    """The one way a network changes: a new numbered version holding the current entries with ``changes`` applied.
    A frozen tier refuses a new entry and capacity growth (``FROZEN_TIER``)."""
    _require_manager(user, network)
    if not note.strip():
        raise _refuse(_("Say what changed (a note of the version)."), Code.INVALID_VALUE)
    if not changes:
        raise _refuse(_("Nothing to change."), Code.INVALID_VALUE)
    Network.objects.select_for_update().filter(pk=network.pk).first()  # one new version at a time
    previous = current_version(network)
    entries: dict[tuple[int, str], NetworkEntry] = {}
    if previous is not None:
        entries = {
            (e.service_id, e.unit): e for e in NetworkEntry.objects.filter(version=previous).select_related("tier")
        }
    tiers = {tier.pk: tier for tier in Tier.objects.filter(network=network)}
    first_tier = min(tiers.values(), key=lambda t: (t.order, t.code))
    for change in changes:
        _apply(network, entries, change, tiers, first_tier, application)
    version = NetworkVersion.objects.create(
        network=network,
        number=(previous.number if previous else 0) + 1,
        created_by=user,
        note=note.strip()[:500],
        application=application,
    )
    copies = []
    for entry in entries.values():
        entry.pk, entry.id, entry.version = None, None, version
        entry._state.adding = True
        copies.append(entry)
    NetworkEntry.objects.bulk_create(copies)
    return version


# --- tiers ------------------------------------------------------------------------------------------------------


@audit.action
def add_tier(*, user, network: Network, code: str, name: str, description: str = "") -> Tier:
    _require_manager(user, network)
    from django.utils.text import slugify

    code = slugify(code or name)[:40]
    if not code or not name.strip():
        raise _refuse(_("Enter the name and code of the tier."), Code.INVALID_VALUE)
    if Tier.objects.filter(network=network, code=code).exists():
        raise _refuse(_("The network already has a tier with this code."), Code.DUPLICATE)
    last = Tier.objects.filter(network=network).order_by("-order").values_list("order", flat=True).first()
    return Tier.objects.create(
        network=network, code=code, name=name.strip(), description=description, order=(last or 0) + 1
    )


@audit.action
def update_tier(*, user, tier: Tier, name: str, description: str = "", frozen: bool) -> Tier:
    _require_manager(user, tier.network)
    if not name.strip():
        raise _refuse(_("Enter the name of the tier."), Code.INVALID_VALUE)
    tier.name, tier.description, tier.frozen = name.strip(), description, frozen
    tier.save(update_fields=["name", "description", "frozen"])
    return tier


# --- brief ------------------------------------------------------------------------------------------------------


def _brief_values(network: Network, *, kind, orp, unit: str, target_capacity: Decimal) -> None:
    if unit not in defaults.units():
        raise _refuse(_("Unknown unit: %(unit)s.") % {"unit": unit}, Code.UNKNOWN_UNIT)
    if target_capacity < 0 or target_capacity > MAX_CAPACITY:
        raise _refuse(_("The capacity must be a number from 0 upwards."), Code.INVALID_VALUE)
    if orp is not None and orp.region_id != network.region_id:
        raise _refuse(_("An ORP is not in the network's region."), Code.UNKNOWN_TERRITORY)


@audit.action
def save_brief_item(
    *,
    user,
    network: Network,
    kind,
    orp,
    unit: str,
    target_capacity: Decimal,
    justification: str,
    plan_reference: str = "",
    item: BriefItem | None = None,
) -> BriefItem:
    """Create a brief item (``item=None``) or change ``item`` of ``network``."""
    _require_manager(user, network)
    if item is not None and item.network_id != network.pk:
        raise PermissionDenied(_("Only the network's manager may change it."))
    _brief_values(network, kind=kind, orp=orp, unit=unit, target_capacity=target_capacity)
    if not justification.strip():
        raise _refuse(_("Enter the justification."), Code.INVALID_VALUE)
    duplicate = BriefItem.objects.filter(network=network, kind=kind, orp=orp, unit=unit)
    if item is not None:
        duplicate = duplicate.exclude(pk=item.pk)
    if duplicate.exists():
        raise _refuse(_("The brief already has a target of this kind, territory and unit."), Code.DUPLICATE)
    item = item or BriefItem(network=network)
    item.kind, item.orp, item.unit, item.target_capacity = kind, orp, unit, target_capacity
    item.justification, item.plan_reference = justification.strip(), plan_reference.strip()
    item.save()
    return item


@audit.action
def delete_brief_item(*, user, item: BriefItem) -> None:
    _require_manager(user, item.network)
    item.delete()
