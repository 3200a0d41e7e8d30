"""Reads of networks, their versions, entries, tiers and the brief. Who is in a network is public, so the lists
are not narrowed by the scope; the scope decides only what a user may change (``qmss.network.permissions``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum

from qmss.core.collation import sort_key
from qmss.core.scoping import Scope
from qmss.network.models import BriefItem, Network, NetworkEntry, NetworkVersion, Tier

# the fields of an entry a version may change, in the order a diff lists them
DIFF_FIELDS = ("capacity", "tier", "orp_codes", "municipality_codes", "financing_category", "note")


def visible_networks(scope: Scope | None = None) -> QuerySet[Network]:
    """Every network (who is in a network is public), with its manager, region and the current version number."""
    return (
        Network.objects.select_related("organisation", "region", "municipality")
        .annotate(current_number=Max("versions__number"))
        .order_by("-period_start", "name")
    )


def get_network(pk: int) -> Network | None:
    return Network.objects.select_related("organisation", "region", "municipality").filter(pk=pk).first()


def current_version(network: Network) -> NetworkVersion | None:
    return NetworkVersion.objects.filter(network=network).order_by("-number").first()


def get_version(network: Network, number: int | None) -> NetworkVersion | None:
    """Version ``number`` of the network; the current one for None."""
    if number is None:
        return current_version(network)
    return NetworkVersion.objects.filter(network=network, number=number).first()


def versions(network: Network) -> QuerySet[NetworkVersion]:
    """The versions, newest first, with who made them and how many entries they hold."""
    return (
        NetworkVersion.objects.filter(network=network)
        .select_related("created_by", "application")
        .annotate(entry_count=Count("entries"))
        .order_by("-number")
    )


def tiers(network: Network) -> list[Tier]:
    return list(Tier.objects.filter(network=network).order_by("order", "code"))


def version_entries(version: NetworkVersion | None) -> QuerySet[NetworkEntry]:
    """The entries of a version with service, provider, kind and tier selected (none for no version)."""
    if version is None:
        return NetworkEntry.objects.none()
    return (
        NetworkEntry.objects.filter(version=version)
        .select_related("service__provider", "service__kind", "tier")
        .order_by("tier__order", "tier__code", "service__name_sort", "unit", "pk")
    )


def version_kinds(version: NetworkVersion | None) -> list:
    """The kinds of the services in a version (for the kind filter), in the registry's order."""
    from qmss.registry.models import ServiceKind

    if version is None:
        return []
    return list(
        ServiceKind.objects.filter(services__network_entries__version=version).distinct().order_by("order", "code")
    )


def filter_entries(
    entries: QuerySet[NetworkEntry], *, kind: str = "", orp: int | None = None, tier: str = ""
) -> QuerySet[NetworkEntry]:
    if kind:
        entries = entries.filter(service__kind__code=kind)
    if orp is not None:  # JSON containment is not portable (SQLite): the ids are picked in Python, one query
        rows = entries.order_by().values_list("pk", "orp_codes")
        entries = entries.filter(pk__in=[pk for pk, codes in rows if orp in {int(code) for code in codes or []}])
    if tier:
        entries = entries.filter(tier__code=tier)
    return entries


def totals_by_unit(entries: QuerySet[NetworkEntry]) -> list[dict]:
    """Capacity summed per unit (beds and clients are never added together), with the count of entries."""
    rows = entries.order_by().values("unit").annotate(total=Sum("capacity"), count=Count("pk")).order_by("unit")
    return list(rows)


def get_entry(network: Network, version: NetworkVersion | None, pk: int) -> NetworkEntry | None:
    if version is None:
        return None
    return version_entries(version).filter(pk=pk).first()


def territory_facilities(network: Network):
    """Registry facilities in the network's territory (its municipality for a municipality's network)."""
    from qmss.registry.models import Facility

    if network.municipality_id:
        return Facility.objects.filter(
            Q(municipality_id=network.municipality_id) | Q(municipality_code=network.municipality.code)
        )
    return Facility.objects.filter(Q(region_id=network.region_id) | Q(municipality__region_id=network.region_id))


def entry_services_in_territory(
    network: Network,
    *,
    query: str = "",
    limit: int = 50,
    service_id: int | None = None,
    exclude_version: NetworkVersion | None = None,
):
    """Active registry services with a facility in the network's territory, for choosing a new entry: one
    (``service_id``), or those matching ``query`` (name, identifier or provider), without the services of
    ``exclude_version``."""
    from django.db.models import Exists, OuterRef

    from qmss.registry.models import Service
    from qmss.registry.selectors import provider_match

    services = (
        Service.objects.active()
        .select_related("provider", "kind")
        .defer("snapshot")
        .filter(Exists(territory_facilities(network).filter(service=OuterRef("pk"))))
    )
    if service_id is not None:
        return services.filter(pk=service_id)
    if exclude_version is not None:
        services = services.exclude(network_entries__version=exclude_version)
    text = query.strip()
    if text:
        services = services.filter(Q(name__icontains=text) | Q(identifier="".join(text.split())) | provider_match(text))
    return services.order_by("name_sort", "pk")[:limit]


def service_orp_codes(network: Network, service) -> list[int]:
    """RÚIAN codes of the ORPs of the service's facilities in the network's territory."""
    codes = territory_facilities(network).filter(service=service, municipality__isnull=False)
    return sorted(set(codes.values_list("municipality__orp__ruian_code", flat=True)))


# --- diff ---------------------------------------------------------------------------------------------------


@dataclass
class Change:
    old: NetworkEntry
    new: NetworkEntry
    fields: list[str]


@dataclass
class Diff:
    added: list[NetworkEntry] = field(default_factory=list)
    removed: list[NetworkEntry] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _changed_fields(old: NetworkEntry, new: NetworkEntry) -> list[str]:
    names = []
    for name in DIFF_FIELDS:
        if name == "tier":
            if old.tier_id != new.tier_id:
                names.append(name)
        elif name in ("orp_codes", "municipality_codes"):
            if sorted(map(str, getattr(old, name) or [])) != sorted(map(str, getattr(new, name) or [])):
                names.append(name)
        elif getattr(old, name) != getattr(new, name):
            names.append(name)
    return names


def _entry_sort(entry: NetworkEntry):
    return (sort_key(entry.service.name), entry.unit, entry.service_id)


def diff(old: NetworkVersion, new: NetworkVersion) -> Diff:
    """What changed between two versions: entries added, removed and changed (with the names of the changed
    fields, see ``DIFF_FIELDS``). An entry is a service in a unit."""
    before = {(e.service_id, e.unit): e for e in version_entries(old)}
    after = {(e.service_id, e.unit): e for e in version_entries(new)}
    result = Diff()
    for key, entry in after.items():
        if key not in before:
            result.added.append(entry)
        else:
            fields = _changed_fields(before[key], entry)
            if fields:
                result.changed.append(Change(old=before[key], new=entry, fields=fields))
    result.removed = [entry for key, entry in before.items() if key not in after]
    result.added.sort(key=_entry_sort)
    result.removed.sort(key=_entry_sort)
    result.changed.sort(key=lambda change: _entry_sort(change.new))
    return result


# --- brief ----------------------------------------------------------------------------------------------------


@dataclass
class Gap:
    item: BriefItem
    in_network: Decimal
    gap: Decimal


def brief_items(network: Network) -> QuerySet[BriefItem]:
    return (
        BriefItem.objects.filter(network=network)
        .select_related("kind", "orp")
        .order_by("kind__order", "kind__code", "orp__name", "unit")
    )


def brief_gaps(network: Network, version: NetworkVersion | None = None) -> list[Gap]:
    """For each brief item, the capacity the network holds (entries of the item's kind and unit; in an ORP item
    only entries serving that ORP, an entry serving several ORPs split equally among them) and the gap
    (target − capacity; negative = more than the target)."""
    version = version or current_version(network)
    rows = []
    if version is not None:
        rows = list(
            NetworkEntry.objects.filter(version=version)
            .order_by()
            .values_list("service__kind__code", "unit", "capacity", "orp_codes")
        )
    whole: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    per_orp: dict[tuple[str, str, int], Decimal] = defaultdict(Decimal)
    for kind_code, unit, capacity, orp_codes in rows:
        whole[(kind_code, unit)] += capacity
        codes = [int(code) for code in (orp_codes or [])]
        for code in codes:
            per_orp[(kind_code, unit, code)] += capacity / len(codes)
    gaps = []
    for item in brief_items(network):
        if item.orp_id is None:
            held = whole[(item.kind.code, item.unit)]
        else:
            held = per_orp[(item.kind.code, item.unit, item.orp.ruian_code)]
        held = held.quantize(Decimal("0.01"))
        gaps.append(Gap(item=item, in_network=held, gap=item.target_capacity - held))
    return gaps


def network_orps(network: Network):
    """The ORPs of the network's territory (of its municipality for a local network), by name."""
    from qmss.territory.models import Orp

    orps = Orp.objects.filter(region_id=network.region_id)
    if network.municipality_id:
        orps = orps.filter(municipalities=network.municipality_id)
    return sorted(orps, key=lambda orp: sort_key(orp.name))


def municipality_choices(network: Network) -> list[tuple[str, list[tuple[str, str]]]]:
    """The municipalities of the network's territory grouped by ORP (for a select), by Czech names."""
    from qmss.territory.models import Municipality

    rows = (
        Municipality.objects.filter(region_id=network.region_id).select_related("orp").only("code", "name", "orp__name")
    )
    if network.municipality_id:
        rows = rows.filter(pk=network.municipality_id)
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for municipality in rows:
        groups[municipality.orp.name].append((municipality.code, municipality.name))
    return [
        (orp, sorted(items, key=lambda item: sort_key(item[1])))
        for orp, items in sorted(groups.items(), key=lambda group: sort_key(group[0]))
    ]


__all__ = [
    "Change",
    "Diff",
    "Gap",
    "brief_gaps",
    "current_version",
    "diff",
    "get_network",
    "version_entries",
    "visible_networks",
]
