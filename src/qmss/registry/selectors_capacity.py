"""Reads for capacity the region can use: totals of registered capacity per kind and unit, the services of one
ORP or municipality (for the territory pages), and the catalogue's territory choices (ORPs of a region,
municipalities by name).

Totals add up the capacities of **distinct services** matching the filter (the territory condition is an EXISTS
over the facilities, so a service with places in two regions is counted once nationally), grouped by capacity
type: beds and clients are never added together. A capacity is registered per service and delivery form, not
per place: a service with places in several territories counts in full in each of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, Sum
from django.utils.translation import gettext as _

from qmss.core.collation import czech_sorted
from qmss.registry import units
from qmss.registry.models import Capacity, CapacityType, Facility, Service, ServiceKind
from qmss.registry.selectors import (
    ServiceFilters,
    decorate_rows,
    filter_services,
    is_active_annotation,
    row_prefetches,
)
from qmss.territory.models import Municipality, Orp, search_key

SUGGESTION_LIMIT = 20
SUGGESTION_MIN_LENGTH = 2
# "Lhota (okres Kladno)"; municipality names have no parentheses, district names may ("Okres X (ukázka)")
QUALIFIED_NAME = re.compile(r"^(?P<name>[^()]*?)\s*\((?P<district>.*)\)\s*$")


@dataclass
class UnitTotal:
    """The sum of one capacity type (``capacity_type`` None: a registry code QMSS does not know)."""

    count: int
    capacity_type: CapacityType | None
    type_code: str

    @property
    def label(self) -> str:
        return units.capacity_label(self.count, self.capacity_type, fallback=self.type_code)


@dataclass
class KindTotal:
    name: str
    section: str
    services: int = 0
    units: list[UnitTotal] = field(default_factory=list)


@dataclass
class CapacityTotals:
    kinds: list[KindTotal]
    units: list[UnitTotal]
    services: int

    def __bool__(self) -> bool:
        return self.services > 0


def _unit_order(total: UnitTotal) -> tuple:
    ctype = total.capacity_type
    return (0, ctype.order, ctype.code) if ctype else (1, 0, total.type_code)


def capacity_totals(filters: ServiceFilters, *, on: date | None = None) -> CapacityTotals:
    """Registered capacity of the services matching ``filters``, per kind and capacity type (four queries)."""
    services = filter_services(filters, on=on)
    service_counts = list(services.order_by().values("kind_id", "kind_code").annotate(n=Count("pk")))
    rows = list(
        Capacity.objects.filter(service_form__service__in=services.values("pk"))
        .order_by()
        .values("service_form__service__kind_id", "service_form__service__kind_code", "capacity_type_id", "type_code")
        .annotate(total=Sum("count"))
    )
    kind_ids = {row["kind_id"] for row in service_counts if row["kind_id"]}
    kinds = {kind.pk: kind for kind in ServiceKind.objects.filter(pk__in=kind_ids).only("name", "section", "code")}
    type_ids = {row["capacity_type_id"] for row in rows if row["capacity_type_id"]}
    types = {ctype.pk: ctype for ctype in CapacityType.objects.filter(pk__in=type_ids)} if type_ids else {}

    per_kind: dict[tuple, KindTotal] = {}
    for row in service_counts:
        kind = kinds.get(row["kind_id"])
        key = (row["kind_id"], "" if kind else row["kind_code"])
        total = per_kind.setdefault(
            key, KindTotal(name=kind.name if kind else row["kind_code"], section=kind.section if kind else "")
        )
        total.services += row["n"]
    overall: dict[tuple, UnitTotal] = {}
    kind_units: dict[tuple, dict[tuple, UnitTotal]] = {}
    for row in rows:
        kind_id = row["service_form__service__kind_id"]
        kind_key = (kind_id, "" if kind_id in kinds else row["service_form__service__kind_code"])
        ctype = types.get(row["capacity_type_id"])
        unit_key = (row["capacity_type_id"], "" if ctype else row["type_code"])
        for bucket in (overall, kind_units.setdefault(kind_key, {})):
            current = bucket.get(unit_key)
            if current is None:
                bucket[unit_key] = UnitTotal(row["total"] or 0, ctype, units.type_code_of_text(row["type_code"]))
            else:
                current.count += row["total"] or 0
    for key, total in per_kind.items():
        total.units = sorted(kind_units.get(key, {}).values(), key=_unit_order)
    return CapacityTotals(
        kinds=czech_sorted(per_kind.values(), "name"),
        units=sorted(overall.values(), key=_unit_order),
        services=sum(total.services for total in per_kind.values()),
    )


# --- services of a place (ORP and municipality pages) ------------------------------------------------------------


def place_filters(*, orp=None, municipality=None) -> ServiceFilters:
    """Registered services (today) with a place in the ORP or the municipality."""
    if municipality is not None:
        return ServiceFilters(municipality=municipality.code)
    return ServiceFilters(orp=orp.ruian_code)


def place_service_ids(filters: ServiceFilters, *, on: date | None = None) -> list[int]:
    """Ids of the matching services in Czech order of their names (one query)."""
    return list(filter_services(filters, on=on).order_by("name_sort", "portal_id").values_list("pk", flat=True))


def place_rows(ids: list[int], filters: ServiceFilters, *, on: date | None = None) -> list[Service]:
    """The services ``ids`` (in that order) with forms, capacities and – as ``place_facilities`` – their
    facilities in the place of ``filters``."""
    if not ids:
        return []
    if filters.municipality:
        here = Q(municipality_code=filters.municipality) | Q(municipality__code=filters.municipality)
    else:
        here = Q(municipality__orp__ruian_code=filters.orp)
    facilities = Facility.objects.filter(here).select_related("municipality").order_by("position", "pk")
    services = (
        Service.objects.filter(pk__in=ids)
        .defer("snapshot")
        .select_related("provider", "kind")
        .annotate(is_active=is_active_annotation(on))
        .prefetch_related(*row_prefetches(), Prefetch("facilities", queryset=facilities, to_attr="place_facilities"))
    )
    by_pk = {service.pk: service for service in services}
    return decorate_rows(by_pk[pk] for pk in ids if pk in by_pk)


# --- the catalogue's territory choices ------------------------------------------------------------------------------


def orp_choices(region_code: str = "") -> list[tuple[int, str]]:
    """(RÚIAN code, name) of the ORPs of the region (all ORPs without one), in Czech order."""
    qs = Orp.objects.all()
    if region_code:
        qs = qs.filter(region__code=region_code)
    return czech_sorted(qs.values_list("ruian_code", "name"), key=lambda row: row[1])


def municipality_suggestions(query: str, *, region_code: str = "", orp=None) -> list[Municipality]:
    """At most 20 municipalities whose name contains ``query`` (case and diacritics ignored), names that start
    with it first, each group in Czech order; within the region or ORP when given."""
    key = search_key(query or "")
    if len(key) < SUGGESTION_MIN_LENGTH:
        return []
    qs = Municipality.objects.filter(search_name__contains=key)
    if region_code:
        qs = qs.filter(region__code=region_code)
    if orp:
        qs = qs.filter(orp__ruian_code=orp)
    starts = list(qs.filter(search_name__startswith=key).select_related("district")[:SUGGESTION_LIMIT])
    rest = []
    if len(starts) < SUGGESTION_LIMIT:
        rest = list(
            qs.exclude(search_name__startswith=key).select_related("district")[: SUGGESTION_LIMIT - len(starts)]
        )
    return czech_sorted(starts, "name") + czech_sorted(rest, "name")


def suggestion_value(municipality: Municipality) -> str:
    """What the filter box holds for a suggestion: "Lhota (okres Kladno)" – the name and its district (which
    :func:`municipality_codes_named` reads back)."""
    district = municipality.district.name if municipality.district_id else ""
    if not district:
        return municipality.name
    return "{name} ({district})".format(name=municipality.name, district=_("district %(name)s") % {"name": district})


def _names_district(given: str, district: str) -> bool:
    return given == district or given.endswith(" " + district)


def municipality_codes_named(text: str, *, region_code: str = "", orp=None) -> list[str]:
    """Codes of the municipalities the filter text names: a six-digit code, "Name (District)" as suggested,
    or a bare name (case and diacritics ignored; every municipality of that name, within the region or ORP)."""
    text = (text or "").strip()
    if text.isdigit():
        return list(Municipality.objects.filter(code=text).values_list("code", flat=True))
    match = QUALIFIED_NAME.match(text)
    name, district = (match["name"], match["district"]) if match else (text, "")
    key = search_key(name)
    if not key:
        return []
    qs = Municipality.objects.filter(search_name=key)
    if region_code:
        qs = qs.filter(region__code=region_code)
    if orp:
        qs = qs.filter(orp__ruian_code=orp)
    rows = list(qs.values_list("code", "district__name"))
    if district:  # "okres Kladno" (as suggested, in any language) or just "Kladno"
        given = search_key(district)
        rows = [row for row in rows if row[1] and _names_district(given, search_key(row[1]))]
    return sorted(code for code, _district in rows)
