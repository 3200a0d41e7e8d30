"""Checks of the personnel standard and the material-technical standard (MTS) of a service.

The checks themselves are pure (:func:`personnel_findings`, :func:`mts_findings`: plain facts in, findings out, no
database). The database side gathers the facts of many services at once (:func:`summaries`) so that a list page
costs the same number of queries for 1 or 50 services; :func:`findings_for` and :func:`check_summary` are the
one-service views of the same path.

- **MTS**: persons in a room = its beds; in a household = the beds of its rooms; in a building = the persons of its
  households; each checked against the library's ``mts`` limits of the service's kind.
- **Personnel**: direct-care FTE per unit of capacity (capacity of the norm's unit from the registry, the rule of
  :func:`qmss.network.units.registry_capacity`) and the direct-care share of all FTE, against the norm that
  :func:`personnel_norm` picks: the staff-mix norms of the reference values in force of the service's region
  authority for the year, else the library's ``personnel`` norm of the kind.

Every finding names its rule, its source and whether the rule is verified, unverified or a manager's own rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core.formatting import format_number
from qmss.financing.library import default_rules

PERSONNEL = "personnel"
MTS = "mts"
STANDARDS = (PERSONNEL, MTS)


@dataclass(frozen=True)
class Finding:
    standard: str  # "personnel" | "mts"
    code: str
    passed: bool
    message: str  # the inputs, the formula and the result (may name the provider's buildings)
    source: str
    verified: bool
    own_rule: bool
    rule: str = ""  # the limit itself, without the provider's names

    @property
    def label(self) -> str:
        return verification_label(verified=self.verified, own_rule=self.own_rule)


def verification_label(*, verified: bool, own_rule: bool) -> str:
    if verified:
        return _("verified")
    if own_rule:
        return _("manager's own rule")
    return _("not verified")


# --- facts ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomFacts:
    name: str
    beds: int


@dataclass(frozen=True)
class HouseholdFacts:
    name: str
    rooms: tuple[RoomFacts, ...] = ()

    @property
    def persons(self) -> int:
        return sum(room.beds for room in self.rooms)


@dataclass(frozen=True)
class BuildingFacts:
    name: str
    households: tuple[HouseholdFacts, ...] = ()

    @property
    def persons(self) -> int:
        return sum(household.persons for household in self.households)


@dataclass(frozen=True)
class PositionFacts:
    fte: Decimal
    direct_care: bool


@dataclass(frozen=True)
class MtsRule:
    max_per_household: int | None
    max_per_building: int | None
    max_per_room: int | None
    source: str
    verified: bool
    own_rule: bool = False


@dataclass(frozen=True)
class PersonnelNorm:
    unit: str
    direct_fte_per_unit: Decimal | None
    direct_share_min: Decimal | None
    source: str
    verified: bool
    own_rule: bool
    origin: str = "library"  # "library" | "reference"


def _n(value, places: int = 2) -> str:
    """A number rounded to at most ``places`` decimals, in the active language (trailing zeros dropped)."""
    return format_number(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# --- pure checks ------------------------------------------------------------------------------------------------


def mts_findings(rule: MtsRule | None, buildings: Sequence[BuildingFacts]) -> list[Finding]:
    """One finding per limit the rule sets (rooms, households, buildings); none without a rule or a building."""
    if rule is None or not buildings:
        return []

    def finding(code: str, limit: int, rule_text: str, items: list[tuple[str, int]], what: str) -> Finding:
        over = [(name, persons) for name, persons in items if persons > limit]
        largest = max((persons for _name, persons in items), default=0)
        if over:
            listed = "; ".join(f"{name}: {persons}" for name, persons in over)
            message = _("%(rule)s – exceeded by %(listed)s.") % {"rule": rule_text, "listed": listed}
        else:
            message = _("%(rule)s – %(what)s checked: %(count)s, the largest has %(largest)s.") % {
                "rule": rule_text,
                "what": what,
                "count": len(items),
                "largest": largest,
            }
        return Finding(MTS, code, not over, message, rule.source, rule.verified, rule.own_rule, rule_text)

    found = []
    if rule.max_per_room is not None:
        rooms = [(f"{b.name} / {h.name} / {r.name}", r.beds) for b in buildings for h in b.households for r in h.rooms]
        text = _("At most %(n)s beds in a room") % {"n": rule.max_per_room}
        found.append(finding("mts_room", rule.max_per_room, text, rooms, _("rooms")))
    if rule.max_per_household is not None:
        households = [(f"{b.name} / {h.name}", h.persons) for b in buildings for h in b.households]
        text = _("At most %(n)s persons (beds of its rooms) in a household") % {"n": rule.max_per_household}
        found.append(finding("mts_household", rule.max_per_household, text, households, _("households")))
    if rule.max_per_building is not None:
        text = _("At most %(n)s persons (beds of its households) in a building") % {"n": rule.max_per_building}
        found.append(
            finding(
                "mts_building", rule.max_per_building, text, [(b.name, b.persons) for b in buildings], _("buildings")
            )
        )
    return found


def personnel_findings(
    norm: PersonnelNorm | None, positions: Sequence[PositionFacts], capacity: Decimal | None
) -> list[Finding]:
    """Direct-care FTE per capacity unit and the direct-care share of all FTE against ``norm``; none without a
    norm or a recorded position."""
    if norm is None or not positions:
        return []
    direct = sum((p.fte for p in positions if p.direct_care), Decimal(0))
    total = sum((p.fte for p in positions), Decimal(0))
    found = []
    if norm.direct_fte_per_unit is not None:
        rule = _("At least %(min)s direct-care FTE per unit (%(unit)s)") % {
            "min": _n(norm.direct_fte_per_unit, 2),
            "unit": norm.unit,
        }
        if not capacity:
            passed = False
            message = _("%(rule)s – the registry holds no capacity in this unit, the ratio cannot be computed.") % {
                "rule": rule
            }
        else:
            ratio = direct / capacity
            passed = ratio >= norm.direct_fte_per_unit
            message = _("%(rule)s – direct-care FTE %(direct)s ÷ capacity %(capacity)s = %(ratio)s.") % {
                "rule": rule,
                "direct": _n(direct),
                "capacity": _n(capacity, 0),
                "ratio": _n(ratio, 3),
            }
        found.append(
            Finding(PERSONNEL, "direct_fte_per_unit", passed, message, norm.source, norm.verified, norm.own_rule, rule)
        )
    if norm.direct_share_min is not None:
        rule = _("Direct care at least %(share)s %% of all FTE") % {"share": _n(norm.direct_share_min * 100, 0)}
        share = direct / total if total else Decimal(0)
        message = _("%(rule)s – direct-care FTE %(direct)s ÷ all FTE %(total)s = %(share)s %%.") % {
            "rule": rule,
            "direct": _n(direct),
            "total": _n(total),
            "share": _n(share * 100, 1),
        }
        found.append(
            Finding(
                PERSONNEL,
                "direct_share",
                share >= norm.direct_share_min,
                message,
                norm.source,
                norm.verified,
                norm.own_rule,
                rule,
            )
        )
    return found


def summarise(findings: Iterable[Finding], recorded: dict[str, bool]) -> dict[str, bool | None]:
    """Per standard: True (all its findings pass), False (one fails), None (nothing recorded or nothing to check)."""
    result: dict[str, bool | None] = {}
    findings = list(findings)
    for standard in STANDARDS:
        own = [f for f in findings if f.standard == standard]
        result[standard] = all(f.passed for f in own) if (own and recorded.get(standard)) else None
    return result


# --- rules of the library ---------------------------------------------------------------------------------------


def mts_rule(kind_code: str | None) -> MtsRule | None:
    found = default_rules().mts.get(str(kind_code)) if kind_code else None
    if found is None:
        return None
    return MtsRule(
        max_per_household=int(found.max_per_household) if found.max_per_household is not None else None,
        max_per_building=int(found.max_per_building) if found.max_per_building is not None else None,
        max_per_room=int(found.max_per_room) if found.max_per_room is not None else None,
        source=found.source,
        verified=found.verified,
    )


def library_norm(kind_code: str | None) -> PersonnelNorm | None:
    found = default_rules().personnel.get(str(kind_code)) if kind_code else None
    if found is None:
        return None
    return PersonnelNorm(
        unit=found.unit,
        direct_fte_per_unit=found.direct_fte_per_unit,
        direct_share_min=found.direct_share_min,
        source=found.source,
        verified=found.verified,
        own_rule=found.own_rule,
    )


# --- the database side ------------------------------------------------------------------------------------------


def current_year() -> int:
    return timezone.localdate().year


def _current_set(organisation, year: int):
    from qmss.financing import reference_values

    return reference_values.current_set(organisation, year)


def _service_facts(service_ids: list[int]) -> dict[int, dict]:
    """Kind, forms and regions of each service (3 queries)."""
    from qmss.registry.models import Facility, Service, ServiceForm

    facts: dict[int, dict] = {
        pk: {"kind": kind, "forms": [], "regions": set()}
        for pk, kind in Service.objects.filter(pk__in=service_ids).values_list("pk", "kind__code")
    }
    for service_id, form in ServiceForm.objects.filter(service_id__in=service_ids).values_list(
        "service_id", "form__code"
    ):
        if form:
            facts[service_id]["forms"].append(form)
    for service_id, region, municipal in Facility.objects.filter(service_id__in=service_ids).values_list(
        "service_id", "region_id", "municipality__region_id"
    ):
        if region or municipal:
            facts[service_id]["regions"].add(region or municipal)
    return facts


def _reference_norms(facts: dict[int, dict], year: int) -> dict[int, PersonnelNorm]:
    """The staff-mix norms of the region authorities' reference values in force, per service (when they set one)."""
    from qmss.core.models import Organisation
    from qmss.core.roles import OrganisationKind
    from qmss.financing import reference_values

    region_ids = {region for f in facts.values() for region in f["regions"]}
    if not region_ids:
        return {}
    authorities = Organisation.objects.filter(kind=OrganisationKind.REGION, region_id__in=region_ids).order_by("pk")
    sets = {}
    for organisation in authorities:
        found = _current_set(organisation, year)
        if found is not None:
            sets.setdefault(organisation.region_id, found)
    if not sets:
        return {}
    norms = {}
    for service_id, fact in facts.items():
        for region in sorted(fact["regions"]):
            reference_set = sets.get(region)
            row = reference_values.value_for_forms(reference_set, fact["kind"], fact["forms"])
            if row is None or (row.direct_fte_per_unit is None and row.direct_share_min is None):
                continue
            norms[service_id] = PersonnelNorm(
                unit=row.unit,
                direct_fte_per_unit=row.direct_fte_per_unit,
                direct_share_min=row.direct_share_min,
                source=f"{reference_set.name} – {reference_set.source}",
                verified=reference_set.verified,
                own_rule=True,
                origin="reference",
            )
            break
    return norms


def _norms(facts: dict[int, dict], year: int) -> dict[int, PersonnelNorm | None]:
    reference = _reference_norms(facts, year)
    return {pk: reference.get(pk) or library_norm(fact["kind"]) for pk, fact in facts.items()}


def personnel_norm(service, year: int | None = None) -> PersonnelNorm | None:
    """THE rule of which personnel norm applies to ``service`` in ``year``: the staff-mix norms of the reference
    values in force of the service's region authority (the form's row, else the kind's), else the library's."""
    year = year or current_year()
    return _norms(_service_facts([service.pk]), year)[service.pk]


def capacities(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Decimal | None]:
    """Registry capacity of each (service pk, unit) in one query – the rule of
    :func:`qmss.network.units.registry_capacity` (None: the unit is not filled from the registry)."""
    from qmss.network.library import default_rules as network_rules
    from qmss.registry.models import Capacity

    units = network_rules().units
    pairs = list(pairs)
    result: dict[tuple[int, str], Decimal | None] = {}
    wanted: dict[str, set[int]] = defaultdict(set)
    for service_id, unit in pairs:
        found = units.get(unit)
        if found is None or not found.capacity_type:
            result[(service_id, unit)] = None
        else:
            result[(service_id, unit)] = Decimal(0)
            wanted[found.capacity_type].add(service_id)
    if not wanted:
        return result
    condition = Q(pk__in=[])
    for code, service_ids in wanted.items():
        condition |= Q(service_form__service_id__in=service_ids) & (
            Q(capacity_type__code=code)
            | Q(capacity_type__isnull=True, type_code__in=[code])
            | Q(capacity_type__isnull=True, type_code__endswith=f"/{code}")
        )
    rows = (
        Capacity.objects.filter(condition)
        .values("service_form__service_id", "capacity_type__code", "type_code")
        .annotate(total=Sum("count"))
    )
    for row in rows:
        code = row["capacity_type__code"] or (row["type_code"] or "").rsplit("/", 1)[-1]
        for unit_code, unit in units.items():
            key = (row["service_form__service_id"], unit_code)
            if unit.capacity_type == code and key in result and result[key] is not None:
                result[key] += Decimal(row["total"] or 0)
    return result


@dataclass
class ServiceCheck:
    """What the checks found for one service."""

    findings: list[Finding] = field(default_factory=list)
    recorded: dict[str, bool] = field(default_factory=dict)
    norm: PersonnelNorm | None = None
    mts_rule: MtsRule | None = None
    capacity: Decimal | None = None

    @property
    def summary(self) -> dict[str, bool | None]:
        return summarise(self.findings, self.recorded)


def check_services(service_ids: Iterable[int], year: int | None = None) -> dict[int, ServiceCheck]:
    """The checks of many services with a constant number of queries."""
    from qmss.financing.models import Building, StaffPosition

    service_ids = list(dict.fromkeys(service_ids))
    if not service_ids:
        return {}
    year = year or current_year()
    facts = _service_facts(service_ids)
    norms = _norms(facts, year)
    positions: dict[int, list[PositionFacts]] = defaultdict(list)
    for service_id, fte, direct in StaffPosition.objects.filter(service_id__in=service_ids).values_list(
        "service_id", "fte", "direct_care"
    ):
        positions[service_id].append(PositionFacts(fte=fte, direct_care=direct))
    buildings: dict[int, list[BuildingFacts]] = defaultdict(list)
    for building in Building.objects.filter(service_id__in=service_ids).prefetch_related("households__rooms"):
        households = tuple(
            HouseholdFacts(h.name, tuple(RoomFacts(r.name, r.beds) for r in h.rooms.all()))
            for h in building.households.all()
        )
        buildings[building.service_id].append(BuildingFacts(building.name, households))
    caps = capacities((pk, norm.unit) for pk, norm in norms.items() if norm is not None)
    result = {}
    for pk, fact in facts.items():
        norm = norms.get(pk)
        capacity = caps.get((pk, norm.unit)) if norm is not None else None
        rule = mts_rule(fact["kind"])
        result[pk] = ServiceCheck(
            findings=personnel_findings(norm, positions[pk], capacity) + mts_findings(rule, buildings[pk]),
            recorded={PERSONNEL: bool(positions[pk]), MTS: bool(buildings[pk])},
            norm=norm,
            mts_rule=rule,
            capacity=capacity,
        )
    return result


def findings_for(service, year: int | None = None) -> list[Finding]:
    """The findings of ``service`` (empty when nothing is recorded)."""
    return check_services([service.pk], year)[service.pk].findings


def check_summary(service, year: int | None = None) -> dict[str, bool | None]:
    """Per standard: passed, failed, or None (no record, or no rule for the kind)."""
    return check_services([service.pk], year)[service.pk].summary
