"""The allocation problem of a programme read from the database, and the side-by-side comparison the page and the
export show.

:func:`build_problem` (a handful of queries, plus the network's scoring and a few per kind of service for demand):

- **services** – the programme's applications with a compensation line: the newest compensation run's lines
  (``capped``: the compensation after the caps); while the programme has no run, the caps are computed by the
  compensation engine from :func:`qmss.financing.compensation_inputs.collect` (nothing is stored);
- **eligibility** – the service's network *quality* sub-score (the scores under the network's rules in force,
  :func:`qmss.network.selectors_scoring.load`; a network entry's score wins over an application's) is at least the
  programme's parameter ``quality_threshold``, and its cap is above 0; a service without a score is not eligible;
- **need groups** – (ORP, kind of service) of the ORPs the services serve; the need of a group is the demand of
  :func:`qmss.network.demand.demand_by_orp` under the network's parameter set in force;
- **coverage** – a service fully funded covers its application's units, split equally over the ORPs of its entry
  in the network's current version (else the ORPs of its facilities in the network's territory).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

import numpy as np
from scipy import sparse

from qmss.financing import allocation
from qmss.financing.models import Programme
from qmss.network.defaults_networks import unit_names

ZERO = Decimal(0)
ONE = Decimal(1)
MILLION = 1_000_000
BUDGET_MAX = Decimal("999999999999")  # the programme's budget field: 14 digits, 2 places

REASON_BELOW_THRESHOLD = "below_threshold"
REASON_NO_SCORE = "no_score"
REASON_NO_CAP = "no_cap"
REASON_NO_ORP = "no_orp"
REASON_CAP_REACHED = "cap_reached"
REASON_NEED_COVERED = "need_covered"
REASON_UNCOVERED_NEED = "uncovered_need"


@dataclass
class Labels:
    """What the page shows next to the numbers: per service (in the problem's order) and per need group."""

    services: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    threshold: Decimal = ZERO
    run: Any = None  # the compensation run the caps come from (None: computed now, not stored)
    parameter_set: Any = None
    scores_available: bool = False


def quality_threshold(programme: Programme) -> Decimal:
    from qmss.financing.library import programme_parameters

    raw = (programme.parameters or {}).get("quality_threshold")
    if raw in (None, ""):
        raw = programme_parameters()["quality_threshold"]
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return ZERO
    return value if value.is_finite() else ZERO


def _caps(programme: Programme, budget: Decimal):
    """[(application, cap, line or None)] and the run used."""
    from qmss.financing import compensation_engine, compensation_inputs
    from qmss.financing.selectors_compensation import latest_run

    run = latest_run(programme)
    if run is not None:
        lines = run.lines.select_related(
            "application__service__kind", "application__service__provider", "application__organisation"
        ).order_by("application__service__name_sort", "application_id")
        return [(line.application, Decimal(line.capped), line) for line in lines], run
    collected = compensation_inputs.collect(programme)
    results, _coefficient = compensation_engine.compute(
        collected.lines, parameters=programme.parameters or {}, budget=budget
    )
    capped = {result.key: result.capped for result in results}
    return [(application, capped.get(application.pk, ZERO), None) for application in collected.applications], None


def _quality_by_service(network) -> tuple[dict[int, float], bool]:
    from qmss.network.selectors_scoring import load

    model = load(network)
    if model is None:
        return {}, False
    table, inputs = model.table, model.inputs
    quality = table.sub.get("quality")
    if quality is None:
        return {}, True
    result: dict[int, float] = {}
    from_entry: set[int] = set()
    for t, key in enumerate(table.keys):
        service_id = int(inputs.service_ids[int(table.rows[t])])
        if service_id in from_entry:
            continue
        value = float(quality[t])
        if np.isfinite(value):
            result[service_id] = value
            if key.startswith("e"):
                from_entry.add(service_id)
    return result, True


def _orps_by_service(programme: Programme, service_ids: list[int]) -> dict[int, list]:
    """service pk → its ORPs (objects): the ORPs of its entry in the network's current version, else those of
    its facilities in the network's territory."""
    from qmss.network.models import NetworkEntry
    from qmss.network.selectors_networks import current_version, territory_facilities
    from qmss.territory.models import Orp

    version = current_version(programme.network)
    codes: dict[int, list[int]] = {}
    if version is not None:
        pairs = NetworkEntry.objects.filter(version=version, service_id__in=service_ids).values_list(
            "service_id", "orp_codes"
        )
        for service_id, orp_codes in pairs:
            codes.setdefault(service_id, [])
            codes[service_id] += [int(c) for c in (orp_codes or []) if str(c).isdigit()]
    missing = [pk for pk in service_ids if not codes.get(pk)]
    if missing:  # one query for all of them (the rule of selectors_networks.service_orp_codes)
        located = territory_facilities(programme.network).filter(service_id__in=missing, municipality__isnull=False)
        for service_id, code in located.values_list("service_id", "municipality__orp__ruian_code"):
            codes.setdefault(service_id, []).append(code)
    all_codes = {code for values in codes.values() for code in values}
    orps = {orp.ruian_code: orp for orp in Orp.objects.filter(ruian_code__in=all_codes)}
    return {pk: [orps[c] for c in sorted(set(values)) if c in orps] for pk, values in codes.items()}


def _demand(programme: Programme, kinds: set[str]):
    """(parameter set, {kind code: {ORP pk: demand total}})."""
    from qmss.network.demand import demand_by_orp
    from qmss.network.selectors_rules import current_parameters, demand_values

    parameter_set = current_parameters(programme.network)
    demand = demand_values(parameter_set)
    result: dict[str, dict[int, Decimal]] = {}
    for kind in sorted(kinds):
        if kind not in demand:
            continue
        rows = demand_by_orp(region_ids=[programme.network.region_id], kind_code=kind, demand=demand[kind])
        result[kind] = {orp_id: row.total for orp_id, row in rows.items()}
    return parameter_set, result


def build_problem(programme: Programme, budget: Decimal | None = None) -> tuple[allocation.Problem, Labels]:
    """The programme's allocation problem (see the module docstring) and its labels."""
    budget = programme.budget if budget is None else budget
    rows, run = _caps(programme, budget)
    threshold = quality_threshold(programme)
    quality, scores_available = _quality_by_service(programme.network)
    service_ids = [application.service_id for application, _cap, _line in rows]
    orps = _orps_by_service(programme, service_ids)
    kinds = {application.service.kind.code for application, _cap, _line in rows if application.service.kind_id}
    parameter_set, demand = _demand(programme, kinds)

    groups: dict[tuple[int, str], int] = {}
    group_labels: list[dict[str, Any]] = []
    entries: dict[tuple[int, int], float] = defaultdict(float)
    labels = Labels(threshold=threshold, run=run, parameter_set=parameter_set, scores_available=scores_available)
    unit_label = unit_names()
    caps, eligible = [], []
    for s, (application, cap, line) in enumerate(rows):
        service = application.service
        kind = service.kind.code if service.kind_id else ""
        score = quality.get(service.pk)
        service_orps = orps.get(service.pk, [])
        in_groups = []
        if service_orps and kind in demand:
            share = float(application.units) / len(service_orps)
            for orp in service_orps:
                key = (orp.pk, kind)
                if key not in groups:
                    groups[key] = len(group_labels)
                    group_labels.append(
                        {"orp": orp.name, "orp_code": orp.ruian_code, "kind": kind,
                         "kind_name": service.kind.name, "need": float(demand[kind].get(orp.pk, ZERO))}
                    )  # fmt: skip
                entries[(groups[key], s)] += share
                in_groups.append(groups[key])
        ok = score is not None and Decimal(str(round(score, 2))) >= threshold and cap > 0
        caps.append(float(cap))
        eligible.append(ok)
        labels.services.append(
            {
                "application": application,
                "application_pk": application.pk,
                "service": service.name or str(service),
                "provider": service.provider.name if service.provider_id else "",
                "kind": kind,
                "kind_name": service.kind.name if service.kind_id else "",
                "orps": [orp.name for orp in service_orps],
                "groups": in_groups,
                "units": application.units,
                "unit": unit_label.get(application.unit, application.unit),
                "quality": score,
                "cap": Decimal(cap),
                "line_pk": line.pk if line is not None else None,
            }
        )
    matrix = sparse.coo_matrix(
        (list(entries.values()), ([g for g, _s in entries], [s for _g, s in entries])),
        shape=(len(group_labels), len(rows)),
    ).tocsr()
    problem = allocation.Problem(
        keys=[str(application.pk) for application, _cap, _line in rows],
        caps=np.array(caps, dtype=float),
        eligible=np.array(eligible, dtype=bool),
        coverage=matrix,
        need=np.array([group["need"] for group in group_labels], dtype=float),
    )
    labels.groups = group_labels
    return problem, labels


# --------------------------------------------------------------------------------------------- comparison


def parse_budget(raw: str | None) -> Decimal | None:
    """``?rozpocet=`` as CZK (spaces and a decimal comma allowed); None when it is not a number in 0–BUDGET_MAX."""
    text = "".join((raw or "").split()).replace(",", ".")
    if not text or len(text) > 20:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > BUDGET_MAX:
        return None
    return value.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _crowns(value: float) -> Decimal:
    return Decimal(int(value))


@dataclass
class Comparison:
    budget: Decimal
    rows: list[dict[str, Any]]
    proportional: allocation.Allocation
    optimised: allocation.Allocation
    total_need: float
    total_caps: Decimal
    eligible_count: int
    shadow_price: float | None  # units of need per CZK
    group_rows: list[dict[str, Any]]


def _reason(problem, s: int, x: float, covered: np.ndarray, label: dict) -> str:
    if problem.caps[s] <= 0:
        return REASON_NO_CAP
    if not problem.eligible[s]:
        return REASON_NO_SCORE if label["quality"] is None else REASON_BELOW_THRESHOLD
    if not label["groups"]:
        return REASON_NO_ORP
    if x >= problem.caps[s] - 0.5:
        return REASON_CAP_REACHED
    need = problem.need[label["groups"]]
    if np.all(covered[label["groups"]] >= need - 1e-6):
        return REASON_NEED_COVERED
    return REASON_UNCOVERED_NEED


def compare(problem: allocation.Problem, labels: Labels, budget: Decimal) -> Comparison:
    """Both methods in whole CZK (rounded down) with the differences and the reason of each service's amount."""
    scaled = allocation.floor_to_crowns(problem, allocation.proportional(problem, float(budget)))
    optimum = allocation.floor_to_crowns(problem, allocation.optimise(problem, float(budget)))
    covered_opt = allocation.covered_by_group(problem, optimum.x)
    covered_prop = allocation.covered_by_group(problem, scaled.x)
    coverage = problem.coverage.tocsc()
    rows = []
    for s, label in enumerate(labels.services):
        prop, opt = _crowns(scaled.x[s]), _crowns(optimum.x[s])
        column = coverage.getcol(s)
        full = float(column.sum())
        rows.append(
            {
                **label,
                "eligible": bool(problem.eligible[s]),
                "proportional": prop,
                "optimised": opt,
                "difference": opt - prop,
                "change": "gain" if opt > prop else ("loss" if opt < prop else "same"),
                "reason": _reason(problem, s, float(optimum.x[s]), covered_opt, label),
                "need_units": full,
                "need_per_million": full / problem.caps[s] * MILLION if problem.caps[s] > 0 else None,
            }
        )
    group_rows = [
        {**group, "covered_proportional": float(covered_prop[g]), "covered_optimised": float(covered_opt[g])}
        for g, group in enumerate(labels.groups)
    ]
    return Comparison(
        budget=budget,
        rows=rows,
        proportional=scaled,
        optimised=optimum,
        total_need=float(problem.need.sum()),
        total_caps=sum((label["cap"] for label in labels.services), ZERO),
        eligible_count=int(problem.eligible.sum()),
        shadow_price=optimum.shadow_price,
        group_rows=group_rows,
    )


# --------------------------------------------------------------------------------------------- texts


def reason_text(code: str) -> str:
    from django.utils.translation import gettext as _

    return {
        REASON_BELOW_THRESHOLD: _("Its quality score is below the programme's threshold: the optimiser gives nothing."),
        REASON_NO_SCORE: _("It has no quality score in the network: the optimiser gives nothing."),
        REASON_NO_CAP: _("Its compensation after the caps is 0."),
        REASON_NO_ORP: _("It serves no ORP with a known need: it covers no need in the model."),
        REASON_CAP_REACHED: _("Its ORPs have uncovered need: it receives its whole cap."),
        REASON_NEED_COVERED: _("The need in its ORPs is already covered (by it or by other services)."),
        REASON_UNCOVERED_NEED: _(
            "Its ORPs have uncovered need, but other services cover more need per koruna; it receives what is left."
        ),
    }.get(code, code)


def change_text(change: str) -> str:
    from django.utils.translation import gettext as _

    return {"gain": _("gains"), "loss": _("loses"), "same": _("no change")}.get(change, change)


def formulation() -> list[str]:
    """The linear programme in plain words (one sentence per item)."""
    from django.utils.translation import gettext as _

    return [
        _(
            "Need groups are pairs of an ORP and a kind of service; the need of a group is the demand of the network's "
            "need model under the parameters in force."
        ),
        _(
            "A service fully funded (its whole compensation after the caps) covers the units of its application, "
            "split equally over the ORPs it serves; funded partly, it covers the same share of them."
        ),
        _("The optimiser looks for the amounts that cover the most need in total, where:"),
        _("the need covered in a group is never more than the need of the group,"),
        _("no service receives more than its compensation after the caps,"),
        _("the amounts add up to at most the budget,"),
        _("a service whose network quality score is below the programme's threshold receives nothing."),
        _(
            "It is a linear programme solved exactly by the HiGHS solver. Proportional scaling gives every service "
            "its compensation after the caps × min(1, budget / sum of the caps), whatever its quality."
        ),
    ]
