"""A network that learns: the prevalence of each kind re-estimated from the observed use in a data-collection
round (issue #11, point 8).

**The method** (stated on the page and stored with every proposal):

- Only ORPs where the demand was met tell how large the demand is. An ORP is used for a kind when the kind's
  services located there (the capacity split rule of :mod:`qmss.network.capacity`) all have an approved report
  in the round, none of them has anybody on its waiting list and none refused an applicant for lack of capacity.
  ORPs with a waiting list or refusals, without a service of the kind, with a service without an approved report
  (or without the figure needed), or without target population are left out – each with its reason.
- Observed use is counted in the kind's demand unit: for beds the average number of occupied beds (bed-days ÷
  days of the period), otherwise the number of users. A service's use reaches the ORPs of its facilities by
  the same split rule as its capacity.
- Estimate = Σ use ÷ Σ target population × (1 + exclusion weight × exclusion share) over the ORPs used – the
  inverse of the demand formula of :mod:`qmss.network.demand`, pooled (ORPs weighted by their population).
- Drift = estimate − value in force, and in % of the value in force.

The computation :func:`estimate_kind` is pure (plain numbers in, plain numbers out); :func:`estimate` reads the
data (a constant number of queries per kind).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from qmss.network.library import decimal_text

ZERO = Decimal(0)
PREVALENCE_PLACES = Decimal("0.000001")
PERCENT_PLACES = Decimal("0.1")
BEDS = "luzka"

# Why an ORP is left out of the estimate (codes stored in the proposal's explanation)
REASONS = {
    "waiting": _("people on a waiting list – the demand was not met"),
    "refused": _("applicants refused for lack of capacity – the demand was not met"),
    "no_service": _("no service of the kind – no observed use"),
    "no_report": _("a service of the kind has no approved report in the round"),
    "no_figure": _("a service's report lacks the figure needed (users, or bed-days for beds)"),
    "no_population": _("no target population figures"),
}


@dataclass
class OrpInput:
    """One ORP for one kind: who lives there and what the services located there reported."""

    orp_id: int
    ruian_code: int
    name: str
    population: int
    exclusion_share: Decimal = ZERO
    use: Decimal = ZERO
    waiting: Decimal = ZERO
    refused: Decimal = ZERO
    services: int = 0  # services of the kind located here (wholly or partly)
    unreported: int = 0  # of those, without an approved report
    no_figure: int = 0  # of those, with a report lacking the figure


@dataclass
class KindEstimate:
    kind: str
    name: str
    unit: str
    target: str
    current: Decimal
    exclusion_weight: Decimal
    estimate: Decimal | None = None
    use: Decimal = ZERO
    population: Decimal = ZERO  # Σ target population × exclusion factor of the ORPs used
    used: list[dict] = field(default_factory=list)
    excluded: list[dict] = field(default_factory=list)

    @property
    def drift(self) -> Decimal | None:
        return None if self.estimate is None else self.estimate - self.current

    @property
    def drift_percent(self) -> Decimal | None:
        if self.estimate is None or not self.current:
            return None
        return ((self.estimate - self.current) / self.current * 100).quantize(PERCENT_PLACES)


def exclusion_reason(row: OrpInput) -> str | None:
    """Why the ORP cannot tell the demand (None: it is used)."""
    if row.services == 0:
        return "no_service"
    if row.waiting > 0:
        return "waiting"
    if row.refused > 0:
        return "refused"
    if row.unreported:
        return "no_report"
    if row.no_figure:
        return "no_figure"
    if row.population <= 0:
        return "no_population"
    return None


def estimate_kind(
    *, kind: str, name: str, unit: str, target: str, current: Decimal, exclusion_weight: Decimal, rows: list[OrpInput]
) -> KindEstimate:
    """The pooled estimate over the ORPs that tell the demand (pure)."""
    result = KindEstimate(
        kind=kind, name=name, unit=unit, target=target, current=current, exclusion_weight=exclusion_weight
    )
    for row in sorted(rows, key=lambda r: (r.name, r.ruian_code)):
        reason = exclusion_reason(row)
        item = {
            "orp": row.ruian_code,
            "name": row.name,
            "population": row.population,
            "use": decimal_text(row.use.quantize(Decimal("0.01"))),
        }
        if reason is not None:
            item.update(
                reason=reason,
                waiting=decimal_text(row.waiting),
                refused=decimal_text(row.refused),
                services=row.services,
            )
            result.excluded.append(item)
            continue
        factor = 1 + exclusion_weight * row.exclusion_share
        result.use += row.use
        result.population += row.population * factor
        item["factor"] = decimal_text(factor)
        item["prevalence"] = decimal_text((row.use / row.population).quantize(PREVALENCE_PLACES))
        result.used.append(item)
    if result.used and result.population > 0:
        result.estimate = (result.use / result.population).quantize(PREVALENCE_PLACES)
    return result


def unit_use(unit: str, figures, period_days: int) -> Decimal | None:
    """A service's observed use in the demand unit (None: the report lacks the figure)."""
    if unit == BEDS:
        if figures.bed_days is None:
            return None
        days = figures.period_days or Decimal(period_days)
        return figures.bed_days / days if days else None
    return figures.users


def estimate(*, network, round_obj, parameter_set) -> list[KindEstimate]:
    """Estimates for every kind of the parameter set from the round's approved reports (reads the data)."""
    from django.utils import timezone

    from qmss.network import selectors_learning
    from qmss.network.capacity import _facility_orps, _shares, capacity_by_orp, part
    from qmss.network.demand import target_population
    from qmss.network.selectors_rules import demand_values
    from qmss.territory.models import Orp
    from qmss.territory.selectors import exclusion_share_by_orp

    region_ids = [network.region_id]
    day = round_obj.period_end or timezone.localdate()
    period_days = (round_obj.period_end - round_obj.period_start).days + 1
    orps = {
        pk: (ruian, name)
        for pk, ruian, name in Orp.objects.filter(region_id__in=region_ids).values_list("pk", "ruian_code", "name")
    }
    shares = exclusion_share_by_orp(list(orps))
    populations: dict[str, dict[int, int]] = {}
    results = []
    for kind, demand in sorted(demand_values(parameter_set).items(), key=lambda item: item[0].zfill(4)):
        if demand.target not in populations:
            populations[demand.target] = target_population(region_ids=region_ids, target=demand.target, on=day)
        population = populations[demand.target]
        figures = selectors_learning.round_figures(round_obj, kind)
        table = capacity_by_orp(region_ids=region_ids, kind_codes=[kind], unit=demand.unit, on=day)
        service_ids = set(figures) | {pk for ids in table.services.values() for pk in ids}
        located = _facility_orps(sorted(service_ids), day) if service_ids else {}
        rows = {
            pk: OrpInput(
                orp_id=pk,
                ruian_code=ruian,
                name=name,
                population=population.get(pk, 0),
                exclusion_share=shares.get(pk, ZERO),
            )  # fmt: skip
            for pk, (ruian, name) in orps.items()
        }
        for service_id in sorted(service_ids):
            service_figures = figures.get(service_id)
            use = None if service_figures is None else unit_use(demand.unit, service_figures, period_days)
            for (orp_id, _region), share in _shares(located.get(service_id, [])).items():
                row = rows.get(orp_id)
                if row is None:  # a facility outside the network's region
                    continue
                row.services += 1
                if service_figures is None:
                    row.unreported += 1
                    continue
                if use is None:
                    row.no_figure += 1
                else:
                    row.use += part(use, share)
                row.waiting += part(service_figures.waiting, share)
                row.refused += part(service_figures.refused, share)
        results.append(
            estimate_kind(
                kind=kind,
                name=demand.name,
                unit=demand.unit,
                target=demand.target,
                current=demand.prevalence,
                exclusion_weight=demand.exclusion_weight,
                rows=list(rows.values()),
            )  # fmt: skip
        )
    return results


def proposal_values(parameter_set, estimates: list[KindEstimate]) -> dict:
    """The parameter set's values with the estimated prevalences (kinds without an estimate keep theirs)."""
    values = {str(kind): dict(raw) for kind, raw in (parameter_set.values or {}).items() if isinstance(raw, dict)}
    for item in estimates:
        if item.estimate is not None and item.kind in values:
            values[item.kind]["prevalence"] = decimal_text(item.estimate)
    return values


def explanation(round_obj, estimates: list[KindEstimate], parameter_set) -> dict:
    """The JSON stored with a proposal: the round, the base parameter set and per kind the ORPs used and left out."""
    kinds = {}
    for item in estimates:
        kinds[item.kind] = {
            "name": item.name,
            "unit": item.unit,
            "target": item.target,
            "current": decimal_text(item.current),
            "estimate": None if item.estimate is None else decimal_text(item.estimate),
            "drift": None if item.drift is None else decimal_text(item.drift),
            "drift_percent": None if item.drift_percent is None else decimal_text(item.drift_percent),
            "exclusion_weight": decimal_text(item.exclusion_weight),
            "use": decimal_text(item.use.quantize(Decimal("0.01"))),
            "population": decimal_text(item.population.quantize(Decimal("0.01"))),
            "used": item.used,
            "excluded": item.excluded,
        }
    return {
        "method": "use_without_waiting_lists",
        "round": {"id": round_obj.pk, "name": round_obj.name, "synthetic": bool(round_obj.synthetic)},
        "based_on": {"id": parameter_set.pk, "version": parameter_set.version},
        "kinds": kinds,
    }


def _number(text) -> Decimal | None:
    try:
        return None if text in (None, "") else Decimal(str(text))
    except ArithmeticError:
        return None


def explanation_kinds(explanation: dict) -> list[dict]:
    """The stored explanation ready for a page: numbers as decimals, reasons in words, kinds in code order."""
    kinds = explanation.get("kinds") if isinstance(explanation, dict) else None
    rows = []
    for code, raw in sorted((kinds or {}).items(), key=lambda item: str(item[0]).zfill(4)):
        if not isinstance(raw, dict):
            continue
        excluded = [
            {**item, "reason_text": str(REASONS.get(item.get("reason"), item.get("reason", "")))}
            for item in raw.get("excluded", [])
            if isinstance(item, dict)
        ]
        rows.append(
            {
                "code": code,
                "name": raw.get("name", code),
                "unit": raw.get("unit", ""),
                "target": raw.get("target", ""),
                "current": _number(raw.get("current")),
                "estimate": _number(raw.get("estimate")),
                "drift": _number(raw.get("drift")),
                "drift_percent": _number(raw.get("drift_percent")),
                "use": _number(raw.get("use")),
                "population": _number(raw.get("population")),
                "used": [item for item in raw.get("used", []) if isinstance(item, dict)],
                "excluded": excluded,
            }
        )
    return rows
