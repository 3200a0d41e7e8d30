"""Capacity of service kinds per ORP – from the registry or from a network version: the one place that decides
where a service's capacity counts (scoring, what-if and the analysis all read it here).

**The split rule** (shown on the analysis page as :data:`SPLIT_RULE`): a service whose active facilities lie in
one ORP counts there in full; a service with active facilities in several ORPs is split equally among its
facilities (each located facility carries the same share, so an ORP with two of the service's three facilities
gets two thirds); a service without any located active facility is listed as "not located" and not counted. A
network entry that names the ORPs it serves (``orp_codes``) is split equally among those ORPs instead. Beds and
clients are never added: a table holds one unit (the registry capacity type of that unit).

Queries: three for the registry (capacities, facilities, the unit's capacity type is a join), three for a network
version (entries, facilities, ORP codes) – whatever the number of services.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.registry.models import Capacity, Facility, Service
from qmss.territory.models import Orp

# Until the rules part's ``qmss.network.units`` lands: the registry capacity type of each network unit that has
# one (``libraries/network/network-rules.yaml`` → units).
_FALLBACK_CAPACITY_TYPES = {"luzka": "luzka", "klienti": "klient"}


def split_rule_text() -> str:
    """The split rule in the active language (stated on every page and export that shows capacity per ORP)."""
    return _(
        "A service whose active facilities lie in one ORP counts there in full. A service with active facilities "
        "in several ORPs is split equally among its facilities: each located facility carries the same share of "
        "the capacity, and an ORP receives the shares of the facilities in it. A service without a located "
        "facility is listed as not located and is not counted. A network entry that names the ORPs it serves is "
        "split equally among those ORPs. Beds and clients are never added together: each table has one unit."
    )


@dataclass
class CapacityTable:
    """Capacity per (ORP pk, kind code) in one unit; ``services``: ORP pk → ids of the services counted there."""

    values: dict[tuple[int, str], Decimal]
    services: dict[int, list[int]]
    split_note: str
    unit: str = ""
    not_located: list[int] = field(default_factory=list)  # service ids with capacity but no located facility
    split_services: list[int] = field(default_factory=list)  # service ids split over several ORPs

    def total(self, orp_id: int, kind_codes: Iterable[str]) -> Decimal:
        return sum((self.values.get((orp_id, code), Decimal(0)) for code in kind_codes), Decimal(0))


def capacity_type_code(unit: str) -> str | None:
    """The registry capacity type code that fills the network unit (None: the unit has none)."""
    try:
        from qmss.network.units import units as rule_units
    except ImportError:
        return _FALLBACK_CAPACITY_TYPES.get(unit)
    found = rule_units().get(unit)
    return found.capacity_type if found is not None else None


def _active_facilities(day: date) -> Q:
    return (Q(date_from__isnull=True) | Q(date_from__lte=day)) & (Q(date_to__isnull=True) | Q(date_to__gte=day))


def _facility_orps(service_ids, day: date) -> dict[int, list[tuple[int, int]]]:
    """Service id → [(ORP pk, region pk)] – one item per located active facility (one query)."""
    rows = (
        Facility.objects.filter(_active_facilities(day), service_id__in=service_ids, municipality__isnull=False)
        .order_by()
        .values_list("service_id", "municipality__orp_id", "municipality__orp__region_id")
    )
    located: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for service_id, orp_id, region_id in rows:
        located[service_id].append((orp_id, region_id))
    return located


def _shares(places: Sequence[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """Equal shares per place: (ORP, region) → (places there, all places); a part is ``value × n / size``."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for place in places:
        counts[place] += 1
    return {place: (n, len(places)) for place, n in counts.items()}


def part(value: Decimal, share: tuple[int, int]) -> Decimal:
    """``value`` × n / size (multiplied first: 30 × 1 / 3 is exactly 10)."""
    n, size = share
    return value if n == size else value * n / size


def _add(values, services, capacity: Decimal, kind: str, service_id: int, shares, region_ids: set[int] | None) -> None:
    for (orp_id, region_id), share in shares.items():
        if region_ids is not None and region_id not in region_ids:
            continue
        key = (orp_id, kind)
        values[key] = values.get(key, Decimal(0)) + part(capacity, share)
        if service_id not in services[orp_id]:
            services[orp_id].append(service_id)


def capacity_by_orp(
    *,
    region_ids: Iterable[int] | None = None,
    kind_codes: Iterable[str],
    unit: str,
    on: date | None = None,
    network_version=None,
) -> CapacityTable:
    """Capacity of ``kind_codes`` in ``unit`` per ORP (of ``region_ids`` when given): registry capacities of the
    services active ``on`` (default today), or the entries of ``network_version`` in that unit."""
    day = on or timezone.localdate()
    kinds = sorted({str(code) for code in kind_codes})
    regions = None if region_ids is None else {int(pk) for pk in region_ids}
    if network_version is not None:
        return _from_network(network_version, kinds, unit, day, regions)
    values: dict[tuple[int, str], Decimal] = {}
    services: dict[int, list[int]] = defaultdict(list)
    type_code = capacity_type_code(unit)
    table = CapacityTable(values=values, services=services, split_note=split_rule_text(), unit=unit)
    if type_code is None:
        return table
    candidates = Service.objects.active(day).filter(kind__code__in=kinds)
    if regions is not None:
        candidates = candidates.filter(
            pk__in=Facility.objects.filter(_active_facilities(day), municipality__orp__region_id__in=regions)
            .order_by()
            .values("service_id")
        )
    rows = (
        Capacity.objects.filter(service_form__service__in=candidates.order_by().values("pk"))
        .filter(Q(capacity_type__code=type_code) | Q(capacity_type__isnull=True, type_code__endswith=f"/{type_code}"))
        .order_by()
        .values_list("service_form__service_id", "service_form__service__kind__code")
        .annotate(total=Sum("count"))
    )
    capacities = {service_id: (kind, Decimal(total or 0)) for service_id, kind, total in rows}
    located = _facility_orps(list(capacities), day)
    for service_id, (kind, capacity) in sorted(capacities.items()):
        places = located.get(service_id)
        if not places:
            table.not_located.append(service_id)
            continue
        shares = _shares(places)
        if len({orp for orp, _region in shares}) > 1:
            table.split_services.append(service_id)
        _add(values, services, capacity, kind, service_id, shares, regions)
    table.services = dict(services)
    return table


def _from_network(version, kinds: list[str], unit: str, day: date, regions: set[int] | None) -> CapacityTable:
    from qmss.network.models import NetworkEntry

    values: dict[tuple[int, str], Decimal] = {}
    services: dict[int, list[int]] = defaultdict(list)
    table = CapacityTable(values=values, services=services, split_note=split_rule_text(), unit=unit)
    entries = list(
        NetworkEntry.objects.filter(version=version, unit=unit, service__kind__code__in=kinds)
        .order_by("service_id")
        .values_list("service_id", "service__kind__code", "capacity", "orp_codes")
    )
    codes = {int(code) for *_rest, orp_codes in entries for code in (orp_codes or []) if str(code).isdigit()}
    rows = Orp.objects.filter(ruian_code__in=codes).values_list("pk", "ruian_code", "region_id")
    orps = {ruian: (pk, region_id) for pk, ruian, region_id in rows}
    unnamed = [service_id for service_id, _kind, _capacity, orp_codes in entries if not orp_codes]
    located = _facility_orps(unnamed, day) if unnamed else {}
    for service_id, kind, capacity, orp_codes in entries:
        if orp_codes:
            places = [orps[int(code)] for code in dict.fromkeys(orp_codes) if str(code).isdigit() and int(code) in orps]
        else:
            places = located.get(service_id, [])
        if not places:
            table.not_located.append(service_id)
            continue
        shares = _shares(places)
        if len(shares) > 1:
            table.split_services.append(service_id)
        _add(values, services, Decimal(capacity), kind, service_id, shares, regions)
    table.services = dict(services)
    return table
