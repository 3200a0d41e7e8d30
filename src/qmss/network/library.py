"""The default rules of a network (``libraries/network/network-rules.yaml``), read and checked through the core
library loader :mod:`qmss.core.libraries`, and the small value types every part of the network app shares.

``default_rules()`` is the validated library (cached by the file's mtime). The same checks validate a manager's
new rule set and parameter set (:mod:`qmss.network.checks_rules`): one rule, one place.

Value types (frozen dataclasses with ``Decimal`` numbers): :class:`Criterion` / :class:`Part` (the criteria
tree), :class:`ReferenceCost`, :class:`Demand`, :class:`RuleValues` (a rule set parsed), :class:`Unit`,
:class:`TierDef`, :class:`Benchmark`. Import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from pydantic import BeforeValidator, create_model

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError

RULES_FILE = "network-rules.yaml"
RULES_URN = "urn:qmss:network:rules"
TARGETS = ("65+", "all")
CRITERIA = {
    "quality": ("audit", "inspection", "nonconformities", "minimum_form", "indicators"),
    "availability": ("distance", "orp_coverage", "operation"),
    "need": ("gap", "refused_waiting"),
    "cost": ("reference", "peers"),
}
THRESHOLDS = ("min_quality", "min_total")
PARAMETERS = (
    "distance_full_km",
    "distance_zero_km",
    "nonconformity_major_points",
    "nonconformity_minor_points",
    "cost_ratio_zero",
    "missing_score",
)
MAX_WEIGHT = Decimal("1000")
MAX_POINTS = Decimal("100")
MAX_PARAMETER = Decimal("10000")
MAX_COST = Decimal("100000000")
MAX_EXCLUSION_WEIGHT = Decimal("10")
MAX_PER_1000 = Decimal("1000")


class RulesLibraryError(QmssImportError, ValueError):
    """The network rules library is malformed; the message names file, line and field."""


# --------------------------------------------------------------------------------------------- value types


class _Keyed:
    """Read an attribute as a key too (``tier["code"]``), for callers that treat the items as mappings."""

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)


@dataclass(frozen=True)
class Part(_Keyed):
    name: str
    weight: Decimal


@dataclass(frozen=True)
class Criterion(_Keyed):
    name: str
    weight: Decimal
    parts: dict[str, Part]


@dataclass(frozen=True)
class ReferenceCost(_Keyed):
    unit: str
    value: Decimal


@dataclass(frozen=True)
class Demand(_Keyed):
    name: str
    target: str  # "65+" or "all"
    prevalence: Decimal
    exclusion_weight: Decimal
    unit: str


@dataclass(frozen=True)
class RuleValues:
    """One rule set with its numbers parsed (names of the criteria from the library)."""

    criteria: dict[str, Criterion]
    thresholds: dict[str, Decimal]
    parameters: dict[str, Decimal]
    reference_costs: dict[str, ReferenceCost]
    admission_tests: tuple[AdmissionTest, ...] = ()

    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria.values()), Decimal(0))

    def weight_share(self, criterion: str) -> Decimal:
        """The criterion's weight as a percentage of the total (0 when every weight is 0)."""
        total = self.total_weight()
        return self.criteria[criterion].weight * 100 / total if total else Decimal(0)


@dataclass(frozen=True)
class Unit(_Keyed):
    code: str
    name: str
    capacity_type: str | None


@dataclass(frozen=True)
class TierDef(_Keyed):
    code: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class FinancingCategory(_Keyed):
    code: str
    name: str


@dataclass(frozen=True)
class AdmissionTest(_Keyed):
    code: str
    name: str


@dataclass(frozen=True)
class Benchmark(_Keyed):
    code: str
    name: str
    kinds: tuple[str, ...]
    unit: str
    target: str
    per_1000: Decimal
    source: str
    verified: bool


@dataclass(frozen=True)
class RulesLibrary:
    urn: str
    version: int
    title: str
    source: str
    verified: bool
    tiers: list[TierDef]
    units: dict[str, Unit]
    financing_categories: list[FinancingCategory]
    criteria: dict[str, Criterion]
    thresholds: dict[str, Decimal]
    admission_tests: list[AdmissionTest]
    parameters: dict[str, Decimal]
    reference_costs: dict[str, ReferenceCost]
    demand: dict[str, Demand]
    benchmarks: list[Benchmark]
    checksum: str = field(default="", compare=False)

    def rule_values(self) -> RuleValues:
        return RuleValues(
            criteria=self.criteria,
            thresholds=self.thresholds,
            parameters=self.parameters,
            reference_costs=self.reference_costs,
            admission_tests=tuple(self.admission_tests),
        )

    def criterion_name(self, code: str) -> str:
        criterion = self.criteria.get(code)
        return criterion.name if criterion else code

    def part_name(self, criterion: str, part: str) -> str:
        found = self.criteria.get(criterion)
        return found.parts[part].name if found and part in found.parts else part


# --------------------------------------------------------------------------------------------- numbers


def to_decimal(value: Any, *, minimum: Decimal, maximum: Decimal, places: int) -> Decimal:
    """A bounded number from YAML (int / float) or a form / JSON (Decimal / text); ``ValueError`` with a Czech
    sentence otherwise."""
    if isinstance(value, bool) or value is None:
        raise ValueError(_("must be a number."))
    if isinstance(value, str):
        value = value.strip().replace(",", ".").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if not value or len(value) > 30:
            raise ValueError(_("must be a number."))
    if not isinstance(value, int | float | str | Decimal):
        raise ValueError(_("must be a number."))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(_("must be a number.")) from None
    if not number.is_finite():
        raise ValueError(_("must be a number."))
    if number < minimum or number > maximum:
        raise ValueError(_("must be between {minimum} and {maximum}.").format(minimum=minimum, maximum=maximum))
    if number != round(number, places):
        raise ValueError(_("must have at most {places} decimal places.").format(places=places))
    return number


def _bounded(minimum: Decimal, maximum: Decimal, places: int = 2) -> Any:
    return Annotated[Decimal, BeforeValidator(lambda v: to_decimal(v, minimum=minimum, maximum=maximum, places=places))]


Weight = _bounded(Decimal(0), MAX_WEIGHT)
Points = _bounded(Decimal(0), MAX_POINTS)
Parameter = _bounded(Decimal(0), MAX_PARAMETER)
Cost = _bounded(Decimal(0), MAX_COST)
Prevalence = _bounded(Decimal(0), Decimal(1), 6)
ExclusionWeight = _bounded(Decimal(0), MAX_EXCLUSION_WEIGHT)
PerThousand = _bounded(Decimal(0), MAX_PER_1000)
Target = Literal["65+", "all"]


# --------------------------------------------------------------------------------------------- schema


class TierIn(lib.Schema):
    code: lib.StrictCode
    name: lib.text(200)
    description: lib.text(blank=True) = ""


class UnitIn(lib.Schema):
    code: lib.StrictCode
    name: lib.text(100)
    capacity_type: lib.text(40, nullable=True) = None


class FinancingIn(lib.Schema):
    code: lib.StrictCode
    name: lib.text(200)


class PartIn(lib.Schema):
    name: lib.text(300) = ""
    weight: Weight


def _parts_model(criterion: str) -> type[lib.Schema]:
    fields = dict.fromkeys(CRITERIA[criterion], (PartIn, ...))
    return create_model(f"{criterion.title()}PartsIn", __base__=lib.Schema, **fields)  # type: ignore[call-overload]


def _criterion_model(criterion: str) -> type[lib.Schema]:
    return create_model(  # type: ignore[call-overload]
        f"{criterion.title()}In",
        __base__=lib.Schema,
        name=(lib.text(200), ""),
        weight=(Weight, ...),
        parts=(_parts_model(criterion), ...),
    )


def _fixed_model(name: str, keys: tuple[str, ...], value_type: Any) -> type[lib.Schema]:
    return create_model(name, __base__=lib.Schema, **dict.fromkeys(keys, (value_type, ...)))  # type: ignore


CriteriaIn = create_model(  # type: ignore[call-overload]
    "CriteriaIn", __base__=lib.Schema, **{c: (_criterion_model(c), ...) for c in CRITERIA}
)
ThresholdsIn = _fixed_model("ThresholdsIn", THRESHOLDS, Points)
ParametersIn = _fixed_model("ParametersIn", PARAMETERS, Parameter)


class AdmissionTestIn(lib.Schema):
    code: lib.StrictCode
    name: lib.text(500)


class ReferenceCostIn(lib.Schema):
    unit: lib.StrictCode
    value: Cost


class DemandIn(lib.Schema):
    name: lib.text(200) = ""
    target: Target
    prevalence: Prevalence
    exclusion_weight: ExclusionWeight = Decimal(0)
    unit: lib.StrictCode


class BenchmarkIn(lib.Schema):
    code: lib.StrictCode
    name: lib.text(300)
    kinds: lib.Codes
    unit: lib.StrictCode
    target: Target
    per_1000: PerThousand
    source: lib.text(1000)
    verified: lib.Flag = False


class RuleSetIn(lib.Schema):
    """The part of the rules a rule set holds (library and manager's form alike)."""

    criteria: CriteriaIn  # type: ignore[valid-type]
    thresholds: ThresholdsIn  # type: ignore[valid-type]
    admission_tests: list[AdmissionTestIn] = []
    parameters: ParametersIn  # type: ignore[valid-type]
    reference_costs: dict[str, ReferenceCostIn] = {}


class RulesIn(lib.Envelope):
    verified: lib.Flag = False
    tiers: lib.NonEmptyList[TierIn]
    units: lib.NonEmptyList[UnitIn]
    financing_categories: lib.NonEmptyList[FinancingIn]
    criteria: CriteriaIn  # type: ignore[valid-type]
    thresholds: ThresholdsIn  # type: ignore[valid-type]
    admission_tests: list[AdmissionTestIn] = []
    parameters: ParametersIn  # type: ignore[valid-type]
    reference_costs: dict[str, ReferenceCostIn] = {}
    demand: dict[str, DemandIn]
    benchmarks: list[BenchmarkIn] = []


# --------------------------------------------------------------------------------------------- checks


def weight_problems(criteria: Any) -> list[tuple[tuple[str, ...], str]]:
    """Problems of a validated criteria tree: at least one criterion weight > 0; in a criterion with a weight,
    at least one part with a weight."""
    problems: list[tuple[tuple[str, ...], str]] = []
    if not any(getattr(criteria, c).weight > 0 for c in CRITERIA):
        problems.append((("criteria",), _("at least one criterion must have a weight greater than 0.")))
    for code in CRITERIA:
        criterion = getattr(criteria, code)
        if criterion.weight > 0 and not any(getattr(criterion.parts, p).weight > 0 for p in CRITERIA[code]):
            problems.append(
                ((("criteria", code, "parts")), _("at least one part of a weighted criterion must have a weight."))
            )
    return problems


def parameter_problems(parameters: Any) -> list[tuple[tuple[str, ...], str]]:
    problems: list[tuple[tuple[str, ...], str]] = []
    if parameters.distance_zero_km <= parameters.distance_full_km:
        problems.append((("parameters", "distance_zero_km"), _("must be greater than the distance with full points.")))
    if parameters.cost_ratio_zero <= 1:
        problems.append((("parameters", "cost_ratio_zero"), _("must be greater than 1.")))
    if parameters.missing_score > MAX_POINTS:
        problems.append((("parameters", "missing_score"), _("must be between 0 and 100.")))
    return problems


def _check_library(library: lib.Library[RulesIn]) -> None:
    data = library.data
    for key, items in (
        ("tiers", data.tiers),
        ("units", data.units),
        ("financing_categories", data.financing_categories),
    ):
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.code in seen:
                raise library.error((key, index, "code"), _("the code is repeated."))
            seen.add(item.code)
    units = {unit.code for unit in data.units}
    for loc, problem in weight_problems(data.criteria) + parameter_problems(data.parameters):
        raise library.error(loc, problem)
    for kind, cost in data.reference_costs.items():
        if cost.unit not in units:
            raise library.error(("reference_costs", kind, "unit"), _unknown_unit(cost.unit, units))
    for kind, demand in data.demand.items():
        if demand.unit not in units:
            raise library.error(("demand", kind, "unit"), _unknown_unit(demand.unit, units))
    for index, benchmark in enumerate(data.benchmarks):
        if benchmark.unit not in units:
            raise library.error(("benchmarks", index, "unit"), _unknown_unit(benchmark.unit, units))


def _unknown_unit(code: str, units: set[str]) -> str:
    return _("unknown unit “{unit}”; allowed: {units}.").format(unit=code, units=", ".join(sorted(units)))


# --------------------------------------------------------------------------------------------- conversion


def _criteria(data: Any, names: dict[str, Criterion] | None = None) -> dict[str, Criterion]:
    result: dict[str, Criterion] = {}
    for code, part_codes in CRITERIA.items():
        criterion = getattr(data, code)
        known = (names or {}).get(code)
        parts = {}
        for part_code in part_codes:
            part = getattr(criterion.parts, part_code)
            name = part.name or (known.parts[part_code].name if known and part_code in known.parts else part_code)
            parts[part_code] = Part(name=name, weight=part.weight)
        result[code] = Criterion(
            name=criterion.name or (known.name if known else code), weight=criterion.weight, parts=parts
        )
    return result


def _library(library: lib.Library[RulesIn]) -> RulesLibrary:
    data = library.data
    return RulesLibrary(
        urn=data.urn,
        version=data.version,
        title=data.title,
        source=data.source.strip(),
        verified=data.verified,
        tiers=[TierDef(t.code, t.name, t.description) for t in data.tiers],
        units={u.code: Unit(u.code, u.name, u.capacity_type) for u in data.units},
        financing_categories=[FinancingCategory(f.code, f.name) for f in data.financing_categories],
        criteria=_criteria(data.criteria),
        thresholds={key: getattr(data.thresholds, key) for key in THRESHOLDS},
        admission_tests=[AdmissionTest(t.code, t.name) for t in data.admission_tests],
        parameters={key: getattr(data.parameters, key) for key in PARAMETERS},
        reference_costs={k: ReferenceCost(c.unit, c.value) for k, c in data.reference_costs.items()},
        demand={
            k: Demand(
                name=d.name or k,
                target=d.target,
                prevalence=d.prevalence,
                exclusion_weight=d.exclusion_weight,
                unit=d.unit,
            )
            for k, d in data.demand.items()
        },
        benchmarks=[
            Benchmark(b.code, b.name, tuple(b.kinds), b.unit, b.target, b.per_1000, b.source, b.verified)
            for b in data.benchmarks
        ],
        checksum=library.checksum,
    )


# --------------------------------------------------------------------------------------------- loading


def rules_path() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "network" / RULES_FILE


def read_rules(path: Path) -> RulesLibrary:
    """Read and check one rules file; raises :class:`RulesLibraryError` (file, line, field in Czech)."""
    library = lib.read_library(path, RulesIn, label=path.name, error=RulesLibraryError, urn=RULES_URN)
    _check_library(library)
    return _library(library)


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> RulesLibrary:
    return read_rules(Path(path))


def default_rules(path: Path | None = None) -> RulesLibrary:
    """The validated default rules library (read again when the file changes)."""
    path = path or rules_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _cached(str(path), mtime)


def decimal_text(number: Decimal) -> str:
    """A decimal as stored text without exponent or trailing zeros ("30", "0.017")."""
    text_ = format(number.normalize(), "f")
    return text_ if text_ != "-0" else "0"
