"""Need versus capacity per ORP for a kind group (reads for the public analysis pages and their export).

Capacity comes from :func:`qmss.network.capacity.capacity_by_orp` (the registry, or a network's current version
with ``?sit=``), the target population and demand from :mod:`qmss.network.demand` – the same two functions the
scoring uses. Only public data: the registry, the territory, the rules library and public networks.

Per ORP: capacity, target population, capacity per 1,000 of it, demand and the demand gap (demand − capacity),
the ratio to the national median (the map's class). Medians are taken over ORPs with a target population; the
national median always comes from the registry (a network covers one region only).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qmss.core.collation import czech_sorted
from qmss.network.capacity import capacity_by_orp
from qmss.network.demand import TARGET_65_PLUS, demand_by_orp, target_population
from qmss.territory.models import Orp, Region

RESIDENTIAL_SENIORS = "residential_seniors"
KIND_PREFIX = "druh-"
THOUSAND = Decimal(1000)
PER_1000_PLACES = Decimal("0.01")
# an ORP is under-covered below 80 % of its demand and over-covered above 120 % (without demand parameters:
# of the national median per 1,000)
UNDER_COVERAGE = Decimal("0.8")
OVER_COVERAGE = Decimal("1.2")
# map classes by the ratio to the national median per 1,000: [0, 0.75), [0.75, 1), [1, 1.25), [1.25, ∞)
CLASS_BOUNDS = (Decimal("0.75"), Decimal(1), Decimal("1.25"))
NO_DATA = 0
CLASS_LABELS = {
    NO_DATA: gettext_lazy("no data (no target population)"),
    1: gettext_lazy("well below the national median (under 75 %)"),
    2: gettext_lazy("below the national median (75–100 %)"),
    3: gettext_lazy("at or above the national median (100–125 %)"),
    4: gettext_lazy("well above the national median (125 % and more)"),
}


@dataclass(frozen=True)
class KindGroup:
    code: str
    name: str
    kinds: tuple[str, ...]
    unit: str
    target: str


@dataclass
class OrpRow:
    orp_id: int
    ruian_code: int
    name: str
    capacity: Decimal
    population: int
    services: int
    per_1000: Decimal | None = None
    demand: Decimal | None = None
    gap: Decimal | None = None  # demand − capacity (positive: missing capacity)
    coverage: Decimal | None = None  # capacity / demand
    benchmark_capacity: Decimal | None = None  # what the first benchmark would give the ORP
    ratio: Decimal | None = None  # per_1000 / national median
    map_class: int = NO_DATA

    @property
    def class_label(self) -> str:
        return str(CLASS_LABELS[self.map_class])


@dataclass(frozen=True)
class BenchmarkRow:
    code: str
    name: str
    per_1000: Decimal
    source: str
    verified: bool
    region_capacity: Decimal  # the benchmark applied to the region's target population
    region_gap: Decimal  # benchmark capacity − capacity


@dataclass
class Analysis:
    region: Region
    group: KindGroup
    unit_name: str
    rows: list[OrpRow]
    region_median: Decimal | None
    national_median: Decimal | None
    region_per_1000: Decimal | None
    total_capacity: Decimal
    total_population: int
    total_demand: Decimal | None
    total_gap: Decimal | None
    benchmarks: list[BenchmarkRow]
    split_note: str
    network: object | None = None
    version: object | None = None
    not_located: int = 0
    split_services: int = 0
    exclusion_missing: bool = False
    demand_by_ratio: bool = False  # under / over decided against the demand (else against the national median)
    under: list[OrpRow] = field(default_factory=list)
    over: list[OrpRow] = field(default_factory=list)


def rules():
    """The default rules library (demand parameters and benchmarks)."""
    from qmss.network.library import default_rules

    return default_rules()


def kind_groups() -> list[KindGroup]:
    """Residential care for seniors (kinds 13 + 14 in beds per 1,000 aged 65+), then one group per kind with demand
    parameters in the rules library."""
    library = rules()
    groups = [
        KindGroup(
            RESIDENTIAL_SENIORS,
            _("Residential care for seniors (homes for seniors and homes with a special regime)"),
            ("13", "14"),
            "luzka",
            TARGET_65_PLUS,
        )
    ]
    for code, demand in library.demand.items():
        groups.append(KindGroup(f"{KIND_PREFIX}{code}", demand.name, (code,), demand.unit, demand.target))
    return groups


def find_group(*, group_code: str = "", kind_code: str = "") -> KindGroup | None:
    """The group named by ``?skupina=`` or ``?druh=`` (the residential senior care group by default)."""
    groups = kind_groups()
    if kind_code:
        return next((g for g in groups if g.kinds == (kind_code,)), None)
    code = group_code or RESIDENTIAL_SENIORS
    return next((g for g in groups if g.code == code), None)


def unit_name(unit: str) -> str:
    found = rules().units.get(unit)
    return found.name if found else unit


def _per_1000(capacity: Decimal, population: int) -> Decimal | None:
    if not population:
        return None
    return (capacity * THOUSAND / population).quantize(PER_1000_PLACES, rounding=ROUND_HALF_UP)


def _median(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return Decimal(statistics.median(present)).quantize(PER_1000_PLACES, rounding=ROUND_HALF_UP)


def _class(ratio: Decimal | None) -> int:
    if ratio is None:
        return NO_DATA
    return 1 + sum(1 for bound in CLASS_BOUNDS if ratio >= bound)


def national_per_1000(group: KindGroup) -> dict[int, Decimal | None]:
    """ORP pk → registry capacity of the group per 1,000 of the target population, for every ORP of the country
    with a target population (five queries)."""
    population = target_population(target=group.target)
    capacity = capacity_by_orp(kind_codes=group.kinds, unit=group.unit)
    return {orp_id: _per_1000(capacity.total(orp_id, group.kinds), people) for orp_id, people in population.items()}


def _demand(region: Region, group: KindGroup) -> tuple[dict[int, Decimal] | None, bool]:
    """ORP pk → demand of the group (the kinds' demands added; they share the unit), and whether the exclusion
    share was missing; None when a kind of the group has no demand parameters."""
    library = rules()
    parameters = [library.demand.get(code) for code in group.kinds]
    if any(p is None or p.unit != group.unit for p in parameters):
        return None, False
    totals: dict[int, Decimal] = {}
    missing = False
    for code, parameter in zip(group.kinds, parameters, strict=True):
        for orp_id, row in demand_by_orp(region_ids=[region.pk], kind_code=code, demand=parameter).items():
            totals[orp_id] = totals.get(orp_id, Decimal(0)) + row.total
            missing = missing or row.exclusion_missing
    return totals, missing


def _benchmarks(group: KindGroup, capacity: Decimal, population: int) -> list[BenchmarkRow]:
    rows = []
    for benchmark in rules().benchmarks:
        if set(benchmark.kinds) != set(group.kinds) or benchmark.unit != group.unit or benchmark.target != group.target:
            continue
        wanted = (Decimal(benchmark.per_1000) * population / THOUSAND).quantize(PER_1000_PLACES)
        rows.append(
            BenchmarkRow(
                code=benchmark.code,
                name=benchmark.name,
                per_1000=Decimal(benchmark.per_1000),
                source=benchmark.source,
                verified=benchmark.verified,
                region_capacity=wanted,
                region_gap=wanted - capacity,
            )
        )
    return rows


def analyse(region: Region, group: KindGroup, *, network=None, version=None) -> Analysis:
    """The need-versus-capacity table of the region's ORPs for the group; capacity from ``version`` (a network's
    version) when given, else from the registry."""
    orps = list(Orp.objects.filter(region=region).defer("boundary").order_by())
    national = national_per_1000(group)
    population = target_population(region_ids=[region.pk], target=group.target)
    capacity = capacity_by_orp(region_ids=[region.pk], kind_codes=group.kinds, unit=group.unit, network_version=version)
    demand, exclusion_missing = _demand(region, group)
    national_median = _median(national.values())
    library_benchmark = None
    rows = []
    for orp in orps:
        people = population.get(orp.pk, 0)
        value = capacity.total(orp.pk, group.kinds)
        row = OrpRow(
            orp_id=orp.pk,
            ruian_code=orp.ruian_code,
            name=orp.name,
            capacity=value,
            population=people,
            services=len(capacity.services.get(orp.pk, ())),
            per_1000=_per_1000(value, people),
        )
        if demand is not None:
            row.demand = demand.get(orp.pk, Decimal(0))
            row.gap = row.demand - value
            row.coverage = (value / row.demand) if row.demand else None
        if row.per_1000 is not None and national_median:
            row.ratio = row.per_1000 / national_median
        row.map_class = _class(row.ratio)
        rows.append(row)
    total_capacity = sum((r.capacity for r in rows), Decimal(0))
    total_population = sum(r.population for r in rows)
    benchmarks = _benchmarks(group, total_capacity, total_population)
    if benchmarks:
        library_benchmark = benchmarks[0]
        for row in rows:
            row.benchmark_capacity = library_benchmark.per_1000 * row.population / THOUSAND
    analysis = Analysis(
        region=region,
        group=group,
        unit_name=unit_name(group.unit),
        rows=czech_sorted(rows, "name"),
        region_median=_median(r.per_1000 for r in rows),
        national_median=national_median,
        region_per_1000=_per_1000(total_capacity, total_population),
        total_capacity=total_capacity,
        total_population=total_population,
        total_demand=None if demand is None else sum((r.demand for r in rows), Decimal(0)),
        total_gap=None,
        benchmarks=benchmarks,
        split_note=capacity.split_note,
        network=network,
        version=version,
        not_located=len(capacity.not_located),
        split_services=len(capacity.split_services),
        exclusion_missing=exclusion_missing,
        demand_by_ratio=demand is not None,
    )
    if analysis.total_demand is not None:
        analysis.total_gap = analysis.total_demand - total_capacity
    for row in analysis.rows:
        measure = row.coverage if demand is not None else row.ratio
        if measure is None:
            continue
        if measure < UNDER_COVERAGE:
            analysis.under.append(row)
        elif measure > OVER_COVERAGE:
            analysis.over.append(row)
    return analysis


def orp_boundaries(region: Region) -> dict[int, dict | None]:
    """ORP pk → its GeoJSON boundary (one query)."""
    return dict(Orp.objects.filter(region=region).values_list("pk", "boundary"))


def regions() -> list[Region]:
    return list(Region.objects.defer("boundary").order_by("code"))


def network_for(pk: int | None):
    """The public network ``pk`` and its current version (None, None when there is none)."""
    if pk is None:
        return None, None
    from qmss.network.selectors_networks import current_version, get_network

    network = get_network(pk)
    if network is None:
        return None, None
    return network, current_version(network)
