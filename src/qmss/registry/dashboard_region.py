"""The registry's sections of the home dashboard for regional authorities, municipalities and the ministry.

* a regional authority: the services registered in its region with their registered capacity by capacity type,
  and the registry changes of the last import that concern the region;
* a municipality: the services in its ORP and in the municipality itself, with capacities;
* the ministry: the national overview – one row per region (services, capacity by type, provider organisations in
  QMSS and whatever higher apps add through the hook ``dashboard_region_columns``), and the national changes of
  the last import.

Higher apps add columns to the ministry's table through the hook ``dashboard_region_columns``:
``fn(region_ids) -> list[RegionColumn]`` (one call for all regions, a constant number of queries).

Capacities are summed per capacity type only (beds and clients are never added together). A service lies in a
territory when one of its facilities does (as in the catalogue's filter); a service with facilities in several
regions counts in each of them and once in the national total. Every function answers for all panels at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, Sum

from qmss.core import hooks
from qmss.core.collation import czech_sorted
from qmss.core.dashboard import Section
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind
from qmss.registry.models import Capacity, Facility, RegistryChange, RegistryImport, Service
from qmss.registry.selectors import active_condition, latest_successful_import
from qmss.territory.models import Orp, Region

SERVICES_ORDER = 10
CHANGES_ORDER = 40
NATIONAL_ORDER = 10
CHANGE_KINDS = (
    RegistryChange.Kind.NEW,
    RegistryChange.Kind.CHANGED,
    RegistryChange.Kind.ENDED,
    RegistryChange.Kind.MISSING,
)


# --- figures ---------------------------------------------------------------------------------------------------


@dataclass
class CapacityTotal:
    """The registered capacity of one capacity type (e.g. "lůžka") summed over services."""

    code: str
    name: str
    unit: str
    order: int
    total: int = 0


@dataclass
class AreaFigures:
    """Registered services of one territory and their capacity by capacity type."""

    services: int = 0
    capacity: list[CapacityTotal] = field(default_factory=list)

    def capacity_of(self, code: str) -> int | None:
        return next((c.total for c in self.capacity if c.code == code), None)


@dataclass
class RegionColumn:
    """A column of the ministry's table contributed by an app: a number per region and the national total."""

    key: str
    label: str
    values: dict[int, int]
    total: int
    order: int = 100
    note: str = ""


def _capacity_rows(services) -> list[dict]:
    """Registered capacity per service and capacity type, for the services of the queryset (one query)."""
    return list(
        Capacity.objects.filter(service_form__service__in=services)
        .values(
            "service_form__service_id",
            "type_code",
            "capacity_type__name",
            "capacity_type__unit",
            "capacity_type__order",
        )
        .annotate(total=Sum("count"))
        .order_by()
    )


def _figures(areas_of: dict[int, set], capacity_rows: list[dict]) -> tuple[dict[object, AreaFigures], AreaFigures]:
    """Figures per area (each service counted once in every area it lies in) and over all services (once)."""
    per_area: dict[object, dict[str, CapacityTotal]] = defaultdict(dict)
    overall: dict[str, CapacityTotal] = {}
    services_in: dict[object, int] = defaultdict(int)
    for areas in areas_of.values():
        for area in areas:
            services_in[area] += 1
    for row in capacity_rows:
        code = row["type_code"]
        template = {
            "code": code,
            "name": row["capacity_type__name"] or code,
            "unit": row["capacity_type__unit"] or "",
            "order": row["capacity_type__order"] if row["capacity_type__order"] is not None else 10**6,
        }
        totals = [overall] + [per_area[area] for area in areas_of.get(row["service_form__service_id"], ())]
        for bucket in totals:
            line = bucket.get(code) or bucket.setdefault(code, CapacityTotal(**template))
            line.total += row["total"] or 0

    def ordered(lines: dict[str, CapacityTotal]) -> list[CapacityTotal]:
        return sorted(lines.values(), key=lambda line: (line.order, line.name))

    result = {
        area: AreaFigures(services=services_in[area], capacity=ordered(per_area.get(area, {})))
        for area in set(services_in) | set(per_area)
    }
    return result, AreaFigures(services=len(areas_of), capacity=ordered(overall))


def region_figures(region_ids, *, on: date | None = None) -> tuple[dict[int, AreaFigures], AreaFigures]:
    """Registered (active) services and capacity per region – two queries for any number of regions – and the
    figures over the distinct services of all these regions (a service spanning regions counted once).

    A facility lies in a region through its own region or its municipality's (as the catalogue filters)."""
    region_ids = list(region_ids)
    in_regions = Q(region_id__in=region_ids) | Q(municipality__region_id__in=region_ids)
    rows = (
        Facility.objects.filter(in_regions, active_condition(on, "service__"))
        .values_list("service_id", "region_id", "municipality__region_id")
        .order_by()
        .distinct()
    )
    wanted = set(region_ids)
    areas_of: dict[int, set] = defaultdict(set)
    for service_id, region_id, municipality_region_id in rows:
        areas_of[service_id].update({region_id, municipality_region_id} & wanted)
    services = Service.objects.active(on).filter(Exists(Facility.objects.filter(in_regions, service=OuterRef("pk"))))
    return _figures(areas_of, _capacity_rows(services))


def national_figures(*, on: date | None = None) -> AreaFigures:
    """Every registered (active) service once, with capacity by type – two queries."""
    services = Service.objects.active(on)
    figures = AreaFigures(services=services.count())
    _per_area, overall = _figures({}, _capacity_rows(services))
    figures.capacity = overall.capacity
    return figures


def local_figures(orp_ids, municipality_ids, *, on: date | None = None) -> dict[tuple[str, int], AreaFigures]:
    """Services and capacity per ORP (``("orp", pk)``) and per municipality (``("municipality", pk)``) – two
    queries for any number of them."""
    orp_ids, municipality_ids = list(orp_ids), list(municipality_ids)
    condition = Q(municipality__orp_id__in=orp_ids) | Q(municipality_id__in=municipality_ids)
    rows = (
        Facility.objects.filter(condition, active_condition(on, "service__"))
        .values_list("service_id", "municipality_id", "municipality__orp_id")
        .order_by()
        .distinct()
    )
    areas_of: dict[int, set] = defaultdict(set)
    for service_id, municipality_id, orp_id in rows:
        if orp_id in orp_ids:
            areas_of[service_id].add(("orp", orp_id))
        if municipality_id in municipality_ids:
            areas_of[service_id].add(("municipality", municipality_id))
    services = Service.objects.active(on).filter(Exists(Facility.objects.filter(condition, service=OuterRef("pk"))))
    per_area, _overall = _figures(areas_of, _capacity_rows(services))
    return per_area


def provider_organisations_per_region(region_ids) -> dict[int, int]:
    """Provider organisations in QMSS seated in each region (one query)."""
    rows = (
        Organisation.objects.filter(kind=OrganisationKind.PROVIDER, region_id__in=list(region_ids))
        .values("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
        .order_by()
    )
    return dict(rows)


def provider_organisations_total() -> int:
    return Organisation.objects.filter(kind=OrganisationKind.PROVIDER).count()


@dataclass
class RegionChanges:
    """Services of a region that the last import added, changed, ended or no longer found (distinct services)."""

    new: int = 0
    changed: int = 0
    ended: int = 0
    missing: int = 0

    @property
    def any(self) -> bool:
        return bool(self.new or self.changed or self.ended or self.missing)


def region_changes(registry_import: RegistryImport | None, region_ids) -> dict[int, RegionChanges]:
    """Changes of ``registry_import`` per region, each service counted once per kind of change (one query)."""
    if registry_import is None:
        return {}
    region_ids = list(region_ids)
    rows = (
        RegistryChange.objects.filter(registry_import=registry_import, kind__in=CHANGE_KINDS, service__isnull=False)
        .filter(
            Q(service__facilities__region_id__in=region_ids)
            | Q(service__facilities__municipality__region_id__in=region_ids)
        )
        .values_list(
            "kind", "service_id", "service__facilities__region_id", "service__facilities__municipality__region_id"
        )
        .order_by()
        .distinct()
    )
    wanted = set(region_ids)
    seen: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for kind, service_id, region_id, municipality_region_id in rows:
        for region in {region_id, municipality_region_id} & wanted:
            seen[region][kind].add(service_id)
    return {
        region: RegionChanges(**{kind: len(services) for kind, services in kinds.items()})
        for region, kinds in seen.items()
    }


def import_totals(registry_import: RegistryImport | None) -> RegionChanges | None:
    """The national counts the import recorded (new, changed and ended services, services no longer listed)."""
    if registry_import is None:
        return None
    counts = registry_import.counts or {}
    return RegionChanges(
        new=counts.get("new", 0),
        changed=counts.get("changed", 0),
        ended=counts.get("ended", 0),
        missing=counts.get("missing", 0),
    )


def all_regions() -> list[Region]:
    """Every region, in Czech alphabetical order (without the boundaries)."""
    return czech_sorted(Region.objects.defer("boundary"), "name")


# --- sections --------------------------------------------------------------------------------------------------


def _panels_of(panels, kind: str) -> list:
    return [panel for panel in panels if panel.membership.organisation.kind == kind]


@dataclass
class NationalRow:
    region: Region
    figures: AreaFigures
    providers: int
    columns: list[tuple[RegionColumn, int]]
    capacity_cells: list[int] = field(default_factory=list)


def _region_sections(panels) -> list[Section]:
    regional = [p for p in _panels_of(panels, OrganisationKind.REGION) if p.membership.organisation.region_id]
    if not regional:
        return []
    region_ids = {p.membership.organisation.region_id for p in regional}
    per_region, _overall = region_figures(region_ids)
    providers = provider_organisations_per_region(region_ids)
    last_import = latest_successful_import()
    changes = region_changes(last_import, region_ids)
    totals = import_totals(last_import)
    sections = []
    for panel in regional:
        org = panel.membership.organisation
        sections.append(
            Section(
                key="registry-region-services",
                template="registry/dashboard/region_services.html",
                membership_id=panel.membership.pk,
                order=SERVICES_ORDER,
                context={
                    "region": org.region,
                    "figures": per_region.get(org.region_id, AreaFigures()),
                    "providers": providers.get(org.region_id, 0),
                },
            )
        )
        sections.append(
            Section(
                key="registry-region-changes",
                template="registry/dashboard/region_changes.html",
                membership_id=panel.membership.pk,
                order=CHANGES_ORDER,
                context={
                    "region": org.region,
                    "registry_import": last_import,
                    "changes": changes.get(org.region_id, RegionChanges()),
                    "national": totals,
                },
            )
        )
    return sections


def _municipality_sections(panels) -> list[Section]:
    municipal = _panels_of(panels, OrganisationKind.MUNICIPALITY)
    local = [p for p in municipal if p.membership.organisation.municipality_id]
    unlinked = [p for p in municipal if not p.membership.organisation.municipality_id]
    sections = [
        Section(
            key="registry-municipality-services",
            template="registry/dashboard/region_municipality.html",
            membership_id=panel.membership.pk,
            order=SERVICES_ORDER,
            context={"municipality": None},
        )
        for panel in unlinked
    ]
    if not local:
        return sections
    municipality_ids = {p.membership.organisation.municipality_id for p in local}
    orp_ids = {p.membership.organisation.municipality.orp_id for p in local}
    figures = local_figures(orp_ids, municipality_ids)
    orps = {
        orp.pk: orp
        for orp in Orp.objects.select_related("region").defer("boundary", "region__boundary").filter(pk__in=orp_ids)
    }
    for panel in local:
        municipality = panel.membership.organisation.municipality
        sections.append(
            Section(
                key="registry-municipality-services",
                template="registry/dashboard/region_municipality.html",
                membership_id=panel.membership.pk,
                order=SERVICES_ORDER,
                context={
                    "municipality": municipality,
                    "orp": orps.get(municipality.orp_id),
                    "orp_figures": figures.get(("orp", municipality.orp_id), AreaFigures()),
                    "municipality_figures": figures.get(("municipality", municipality.pk), AreaFigures()),
                },
            )
        )
    return sections


def _ministry_sections(panels) -> list[Section]:
    ministry = _panels_of(panels, OrganisationKind.MINISTRY)
    if not ministry:
        return []
    regions = all_regions()
    region_ids = [region.pk for region in regions]
    per_region, in_regions = region_figures(region_ids)
    national = national_figures()
    providers = provider_organisations_per_region(region_ids)
    columns: list[RegionColumn] = []
    for contributed in hooks.call_all("dashboard_region_columns", region_ids):
        columns.extend(contributed or [])
    columns.sort(key=lambda column: (column.order, column.key))
    # the capacity types shown as columns: every type registered anywhere, in the library's order
    capacity_types = national.capacity
    rows = [
        NationalRow(
            region=region,
            figures=per_region.get(region.pk, AreaFigures()),
            providers=providers.get(region.pk, 0),
            columns=[(column, column.values.get(region.pk, 0)) for column in columns],
            capacity_cells=[
                per_region.get(region.pk, AreaFigures()).capacity_of(ctype.code) or 0 for ctype in capacity_types
            ],
        )
        for region in regions
    ]
    last_import = latest_successful_import()
    context = {
        "rows": rows,
        "national": national,
        "capacity_types": capacity_types,
        "columns": columns,
        "providers_total": provider_organisations_total(),
        # in the national total but in no region: no facility with a region or a matched municipality
        "without_region": max(0, national.services - in_regions.services),
        "registry_import": last_import,
        "import_totals": import_totals(last_import),
    }
    return [
        Section(
            key="registry-national",
            template="registry/dashboard/region_national.html",
            membership_id=panel.membership.pk,
            order=NATIONAL_ORDER,
            context=context,
        )
        for panel in ministry
    ]


def dashboard_sections(request, scope, panels) -> list[Section]:
    """The core hook ``dashboard_sections``: the registry's sections for region, municipality and ministry panels.

    Registry data is public (no personal data), so no tenant scoping applies; only the panels' own territory is
    shown. A constant number of queries for any number of panels."""
    return _region_sections(panels) + _municipality_sections(panels) + _ministry_sections(panels)


__all__ = [
    "AreaFigures",
    "CapacityTotal",
    "RegionColumn",
    "dashboard_sections",
    "local_figures",
    "national_figures",
    "region_figures",
]
