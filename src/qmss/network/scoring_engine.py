"""The scoring engine of a network: four sub-scores (quality, availability, need, cost) and their weighted total
for every candidate (network entry or application) – pure numpy over prepared :class:`ScoringInputs`, no
database. The rules (issue #11 point 5, spec "Scoring rules"):

- every part scores 0–100 points; a part without data scores the rule set's ``missing_score`` and is marked
  (``no_data``); a sub-score is the weighted mean of its parts, the total the weighted mean of the sub-scores
  (``Σ wᵢ·sᵢ / Σ wᵢ``; weights are relative, a weight of 0 leaves the item out);
- quality: audit and inspection = fulfilment % of the latest published audit / inspection; nonconformities =
  100 − major × ``nonconformity_major_points`` − minor × ``nonconformity_minor_points`` (open findings, floor 0);
  minimum form = 100 met / 0 not met; indicators = ``needs_basic_share`` of the latest approved round;
- availability: distance = target-population-weighted mean of the distance (haversine, km) from each served
  municipality to the candidate's nearest facility, 100 points up to ``distance_full_km``, 0 from
  ``distance_zero_km``, linear between; ORP coverage = served ORPs with a facility of the candidate / served
  ORPs × 100; operation = 100 when a form is non-stop, else 50;
- need: gap = 100 × clamp(1 − other capacity / demand) per served ORP, averaged with the ORP's target population
  as weight; the candidate's capacity is split equally among its served ORPs; "other capacity" = capacity in the
  network of the kind (demand unit only) without the candidate's own service; the network = its entries minus
  ``removed`` plus the applications in ``added``; refused_waiting = min(100, 200 × (refused for capacity +
  waiting list) / capacity);
- cost: unit cost = costs / capacity of the latest approved round × 365 / days of its period; reference =
  100 × clamp((r₀ − cost/reference)/(r₀ − 1)) with r₀ = ``cost_ratio_zero``; peers = the same against the
  median unit cost of the kind's services;
- ``passes`` = quality ≥ ``min_quality`` and total ≥ ``min_total``; ``rank_in_kind`` = 1 + the number of
  candidates of the kind with a higher total (ties share a rank).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from qmss.network.types_scoring import TARGET_65_PLUS, ScoringInputs

CRITERIA: dict[str, tuple[str, ...]] = {
    "quality": ("audit", "inspection", "nonconformities", "minimum_form", "indicators"),
    "availability": ("distance", "orp_coverage", "operation"),
    "need": ("gap", "refused_waiting"),
    "cost": ("reference", "peers"),
}
DEFAULT_PARAMETERS = {
    "distance_full_km": 5.0,
    "distance_zero_km": 40.0,
    "nonconformity_major_points": 25.0,
    "nonconformity_minor_points": 10.0,
    "cost_ratio_zero": 1.5,
    "missing_score": 50.0,
}
EARTH_RADIUS_KM = 6371.0088
DAYS_PER_YEAR = 365.0

__all__ = ["CRITERIA", "ScoreTable", "ScoringInputs", "prepare", "score"]


@dataclass
class ScoreTable:
    keys: list[str]
    kind_codes: list[str]
    total: np.ndarray
    sub: dict[str, np.ndarray]
    parts: dict[str, np.ndarray]
    no_data: dict[str, np.ndarray]
    rank_in_kind: np.ndarray
    passes: np.ndarray
    gaps: dict[tuple[int, str], Decimal]
    # what the explanation needs: rows of the inputs, the weights and parameters used, intermediate values
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weights: dict[str, float] = field(default_factory=dict)
    part_weights: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, float] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    values: dict[str, np.ndarray] = field(default_factory=dict)  # per inputs row
    capacity_matrix: np.ndarray | None = None  # ORPs × demand kinds, capacity in the network
    demand_matrix: np.ndarray | None = None
    population_matrix: np.ndarray | None = None
    in_network: np.ndarray | None = None  # per inputs row
    capacity: np.ndarray | None = None  # per inputs row, overrides applied

    def index(self, key: str) -> int:
        return self.keys.index(key)

    def row(self, key: str) -> dict[str, Any]:
        i = self.index(key)
        return {
            "key": key,
            "total": float(self.total[i]),
            "sub": {name: float(values[i]) for name, values in self.sub.items()},
            "parts": {name: float(values[i]) for name, values in self.parts.items()},
            "no_data": {name: bool(values[i]) for name, values in self.no_data.items()},
            "rank": int(self.rank_in_kind[i]),
            "passes": bool(self.passes[i]),
        }


# --------------------------------------------------------------------------------------------- rule values


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _number(value: Any, default: float = np.nan) -> float:
    if value is None or value == "":
        return default
    value = _get(value, "value", value) if not isinstance(value, int | float | Decimal | str) else value
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def criterion_weights(rules: Any, weights: Mapping[str, Any] | None = None) -> tuple[dict, dict]:
    """(criterion → weight, "criterion.part" → weight) from the rule set with ``weights`` overriding."""
    overrides = dict(weights or {})
    top: dict[str, float] = {}
    parts: dict[str, float] = {}
    criteria = _get(rules, "criteria", {}) or {}
    for name in CRITERIA:
        criterion = criteria.get(name)
        top[name] = _number(overrides.get(name, _get(criterion, "weight")), 0.0)
        given = _get(criterion, "parts", {}) or {}
        for part in CRITERIA[name]:
            key = f"{name}.{part}"
            part_weight = given.get(part)
            part_weight = _get(part_weight, "weight", part_weight)
            parts[key] = _number(overrides.get(key, part_weight), 0.0)
    return top, parts


def rule_parameters(rules: Any) -> dict[str, float]:
    given = _get(rules, "parameters", {}) or {}
    return {name: _number(given.get(name), default) for name, default in DEFAULT_PARAMETERS.items()}


def rule_thresholds(rules: Any) -> dict[str, float]:
    given = _get(rules, "thresholds", {}) or {}
    return {name: _number(given.get(name), 0.0) for name in ("min_quality", "min_total")}


def same_demand(a: Any, b: Any) -> bool:
    return all(
        str(_get(a, name, "")) == str(_get(b, name, ""))
        for name in ("target", "prevalence", "exclusion_weight", "unit")
    )


# --------------------------------------------------------------------------------------------- helpers


def prepare(inputs: ScoringInputs) -> dict[str, Any]:
    """Index structures and the distance from each served municipality to the candidate's nearest facility –
    they depend on the inputs only (not on weights, parameters, capacities or what is added or removed), so they
    are computed once per inputs object and kept on it (``inputs.prepared``; cached with the inputs)."""
    if inputs.prepared is not None:
        return inputs.prepared
    n = len(inputs)
    kinds, kind_index = np.unique(np.asarray(inputs.kind_codes, dtype=object).astype(str), return_inverse=True)
    prep = {
        "kinds": [str(k) for k in kinds],
        "kind_index": kind_index.astype(np.int64).reshape(-1),
        "units": np.asarray(inputs.units, dtype=object),
        "keys": np.asarray(inputs.keys, dtype=object),
        "orps_served": np.bincount(inputs.so_cand, minlength=n) if n else np.zeros(0, dtype=np.int64),
    }
    prep["sv_cand"], prep["sv_muni"], prep["sv_km"] = _nearest_km(inputs)
    inputs.prepared = prep
    return prep


def _nearest_km(inputs: ScoringInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(candidate, municipality, km to the candidate's nearest located facility) for every served municipality
    with coordinates of a candidate with a located facility."""
    n = len(inputs)
    located = ~(np.isnan(inputs.fac_lat) | np.isnan(inputs.fac_lon))
    order = np.argsort(inputs.fac_cand[located], kind="stable")
    fac_cand = inputs.fac_cand[located][order]
    fac_lat = np.radians(inputs.fac_lat[located][order])
    fac_lon = np.radians(inputs.fac_lon[located][order])
    counts = np.bincount(fac_cand, minlength=n) if n else np.zeros(0, dtype=np.int64)
    starts = np.cumsum(counts) - counts
    mlat, mlon = np.radians(inputs.muni_lat), np.radians(inputs.muni_lon)
    cand, muni = inputs.sv_cand, inputs.sv_muni
    ok = (counts[cand] > 0) & ~np.isnan(mlat[muni]) & ~np.isnan(mlon[muni]) if len(cand) else np.zeros(0, dtype=bool)
    cand, muni = cand[ok], muni[ok]
    if not len(cand):
        return cand, muni, np.zeros(0)
    rep = counts[cand]
    first = np.cumsum(rep) - rep
    offsets = np.arange(int(rep.sum())) - np.repeat(first, rep)
    facility = np.repeat(starts[cand], rep) + offsets
    distance = haversine_km(
        np.repeat(mlat[muni], rep), np.repeat(mlon[muni], rep), fac_lat[facility], fac_lon[facility]
    )
    return cand, muni, np.minimum.reduceat(distance, first)


def _mean_by(cand: np.ndarray, values: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Weighted mean of ``values`` per candidate (unweighted when the weights add up to 0; nan without values)."""
    ok = ~np.isnan(values)
    cand, values, weights = cand[ok], values[ok], weights[ok]
    weights = np.where(np.isnan(weights), 0.0, weights)
    count = np.bincount(cand, minlength=n)
    wsum = np.bincount(cand, weights=weights, minlength=n)
    wval = np.bincount(cand, weights=weights * values, minlength=n)
    plain = np.bincount(cand, weights=values, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(wsum > 0, wval / wsum, np.where(count > 0, plain / np.maximum(count, 1), np.nan))


def _linear(value: np.ndarray, full: float, zero: float) -> np.ndarray:
    """100 up to ``full``, 0 from ``zero``, linear in between (nan stays nan)."""
    if zero <= full:
        return np.where(np.isnan(value), np.nan, np.where(value <= full, 100.0, 0.0))
    return 100.0 * np.clip((zero - value) / (zero - full), 0.0, 1.0)


def _ratio_score(ratio: np.ndarray, ratio_zero: float) -> np.ndarray:
    """100 at a ratio of 1 or less, 0 at ``ratio_zero`` or more, linear in between."""
    if ratio_zero <= 1:
        return np.where(np.isnan(ratio), np.nan, np.where(ratio <= 1, 100.0, 0.0))
    return 100.0 * np.clip((ratio_zero - ratio) / (ratio_zero - 1.0), 0.0, 1.0)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between points given in radians."""
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


# --------------------------------------------------------------------------------------------- parts


def _quality(inputs: ScoringInputs, p: dict[str, float]) -> dict[str, np.ndarray]:
    major, minor = inputs.nc_major, inputs.nc_minor
    known = ~(np.isnan(major) & np.isnan(minor))
    lost = (
        np.nan_to_num(major) * p["nonconformity_major_points"] + np.nan_to_num(minor) * p["nonconformity_minor_points"]
    )
    return {
        "audit": inputs.audit_pct.astype(float),
        "inspection": inputs.inspection_pct.astype(float),
        "nonconformities": np.where(known, np.maximum(100.0 - lost, 0.0), np.nan),
        "minimum_form": inputs.minimum_form * 100.0,
        "indicators": inputs.indicator_basic.astype(float),
    }


def _distance_km(inputs: ScoringInputs, prep: dict, target65: np.ndarray) -> np.ndarray:
    cand, muni = prep["sv_cand"], prep["sv_muni"]
    weights = np.where(target65[cand], inputs.muni_pop_65[muni], inputs.muni_pop_all[muni])
    return _mean_by(cand, prep["sv_km"], weights, len(inputs))


def _availability(inputs: ScoringInputs, prep: dict, p: dict[str, float], target65: np.ndarray) -> tuple[dict, dict]:
    n = len(inputs)
    km = _distance_km(inputs, prep, target65)
    n_orps = max(len(inputs.orp_ids), 1)
    with_orp = inputs.fac_orp >= 0
    facility_keys = np.unique(inputs.fac_cand[with_orp] * n_orps + inputs.fac_orp[with_orp])
    covered = np.isin(inputs.so_cand * n_orps + inputs.so_orp, facility_keys).astype(float)
    served = prep["orps_served"]
    with np.errstate(invalid="ignore", divide="ignore"):
        in_reach = np.bincount(inputs.so_cand, weights=covered, minlength=n)
        coverage = np.where(served > 0, in_reach / served * 100, np.nan)
    operation = np.where(inputs.continuous == 1, 100.0, np.where(inputs.continuous == 0, 50.0, np.nan))
    parts = {
        "distance": _linear(km, p["distance_full_km"], p["distance_zero_km"]),
        "orp_coverage": coverage,
        "operation": operation,
    }
    return parts, {"distance_km": km, "orps_covered": in_reach}


def _demand_matrix(inputs: ScoringInputs, demand: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(demand, target population) per ORP × demand kind with the parameters given (the totals of
    ``demand_by_orp`` when the parameters are the ones the inputs were built with)."""
    n_orps, n_kinds = len(inputs.orp_ids), len(inputs.demand_kinds)
    total = np.full((n_orps, n_kinds), np.nan)
    people = np.zeros((n_orps, n_kinds))
    for j, kind in enumerate(inputs.demand_kinds):
        params = demand.get(kind)
        if params is None:
            continue
        used = inputs.demand_used.get(kind)
        if used is not None and same_demand(params, used):
            total[:, j] = inputs.demand_total[:, j]
            people[:, j] = inputs.demand_population[:, j]
            continue
        pop = inputs.orp_pop_65 if _get(params, "target") == TARGET_65_PLUS else inputs.orp_pop_all
        pop = np.zeros(n_orps) if pop is None else np.nan_to_num(pop)
        factor = 1.0 + _number(_get(params, "exclusion_weight"), 0.0) * inputs.demand_share[:, j]
        total[:, j] = (
            pop * _number(_get(params, "prevalence"), 0.0) * factor
            + inputs.demand_refused[:, j]
            + inputs.demand_waiting[:, j]
        )
        people[:, j] = pop
    return total, people


def _need(
    inputs: ScoringInputs, prep: dict, demand: Mapping[str, Any], capacity: np.ndarray, in_network: np.ndarray
) -> tuple[dict, dict, np.ndarray, np.ndarray, np.ndarray]:
    n = len(inputs)
    n_orps, n_kinds = len(inputs.orp_ids), len(inputs.demand_kinds)
    position = {kind: j for j, kind in enumerate(inputs.demand_kinds) if demand.get(kind) is not None}
    kind_of = np.array([position.get(code, -1) for code in prep["kinds"]], dtype=np.int64)[prep["kind_index"]]
    if n_kinds and n:
        demand_units = np.array([str(_get(demand.get(kind), "unit", "")) for kind in inputs.demand_kinds], dtype=object)
        unit_ok = (kind_of >= 0) & (prep["units"] == demand_units[np.maximum(kind_of, 0)])
    else:
        unit_ok = np.zeros(n, dtype=bool)
    total, people = _demand_matrix(inputs, demand)
    cand, orp = inputs.so_cand, inputs.so_orp
    served = prep["orps_served"]
    share = capacity[cand] / np.maximum(served[cand], 1)
    counts = in_network[cand] & unit_ok[cand]
    cells = n_orps * max(n_kinds, 1)
    flat = orp * max(n_kinds, 1) + np.maximum(kind_of[cand], 0)
    cap = np.bincount(flat[counts], weights=share[counts], minlength=cells).reshape(n_orps, max(n_kinds, 1))
    # the candidate's own service (its entry, or the entry an application changes) is not "other" capacity
    own_keys = inputs.service_ids[cand] * cells + flat
    unique, inverse = np.unique(own_keys[counts], return_inverse=True)
    sums = np.bincount(inverse, weights=share[counts]) if len(unique) else np.zeros(0)
    where = np.searchsorted(unique, own_keys)
    hit = where < len(unique)
    hit[hit] = unique[where[hit]] == own_keys[hit]
    own = np.where(hit, sums[np.minimum(where, max(len(unique) - 1, 0))] if len(unique) else 0.0, 0.0)
    valid = (kind_of[cand] >= 0) & unit_ok[cand]
    k = np.maximum(kind_of[cand], 0)
    other = cap[orp, k] - own if n_kinds else np.zeros(len(cand))
    wanted = total[orp, k] if n_kinds else np.full(len(cand), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.where(wanted > 0, 100.0 * np.clip(1.0 - other / wanted, 0.0, 1.0), np.where(wanted == 0, 0.0, np.nan))
    gap = np.where(valid, gap, np.nan)
    weights = people[orp, k] if n_kinds else np.zeros(len(cand))
    gap_score = _mean_by(cand, gap, weights, n)
    pressure = np.nan_to_num(inputs.round_refused) + np.nan_to_num(inputs.round_waiting)
    known = ~(np.isnan(inputs.round_refused) & np.isnan(inputs.round_waiting))
    with np.errstate(invalid="ignore", divide="ignore"):
        refused = np.where(known & (capacity > 0), np.minimum(100.0, 200.0 * pressure / capacity), np.nan)
    values = {
        "other_capacity": _mean_by(cand, np.where(valid, other, np.nan), weights, n),
        "demand": _mean_by(cand, np.where(valid, wanted, np.nan), weights, n),
        "pressure": np.where(known, pressure, np.nan),
    }
    return {"gap": gap_score, "refused_waiting": refused}, values, cap, total, people


def _cost(inputs: ScoringInputs, prep: dict, rules: Any, p: dict[str, float], keep: np.ndarray) -> tuple[dict, dict]:
    n = len(inputs)
    days = np.where(np.isnan(inputs.round_days) | (inputs.round_days <= 0), DAYS_PER_YEAR, inputs.round_days)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit_cost = np.where(
            inputs.round_capacity > 0, inputs.round_costs / inputs.round_capacity * DAYS_PER_YEAR / days, np.nan
        )
    references = _get(rules, "reference_costs", {}) or {}
    ref_value = np.full(n, np.nan)
    median = np.full(n, np.nan)
    kind_index = prep["kind_index"]
    for j, code in enumerate(prep["kinds"]):
        rows = kind_index == j
        reference = references.get(code)
        if reference is not None:
            unit = str(_get(reference, "unit", "") or "")
            matches = rows & ((prep["units"] == unit) if unit else True)
            ref_value[matches] = _number(_get(reference, "value"))
        known = rows & keep & ~np.isnan(unit_cost)
        if known.any():
            _ids, first = np.unique(inputs.service_ids[known], return_index=True)
            median[rows] = float(np.median(unit_cost[known][first]))
    with np.errstate(invalid="ignore", divide="ignore"):
        parts = {
            "reference": _ratio_score(np.where(ref_value > 0, unit_cost / ref_value, np.nan), p["cost_ratio_zero"]),
            "peers": _ratio_score(np.where(median > 0, unit_cost / median, np.nan), p["cost_ratio_zero"]),
        }
    return parts, {"unit_cost": unit_cost, "reference_cost": ref_value, "peer_median": median}


# --------------------------------------------------------------------------------------------- score


def _weighted(items: dict[str, np.ndarray], weights: dict[str, float], n: int, missing: float) -> np.ndarray:
    total_weight = sum(w for w in weights.values() if w > 0)
    if total_weight <= 0:
        return np.full(n, missing)
    result = np.zeros(n)
    for name, weight in weights.items():
        if weight > 0:
            result += weight * items[name]
    return result / total_weight


def _ranks(total: np.ndarray, kind_index: np.ndarray) -> np.ndarray:
    ranks = np.zeros(len(total), dtype=np.int64)
    rounded = np.round(total, 6)
    for kind in np.unique(kind_index):
        rows = np.flatnonzero(kind_index == kind)
        descending = -np.sort(rounded[rows])[::-1]
        ranks[rows] = 1 + np.searchsorted(descending, -rounded[rows], side="left")
    return ranks


def score(
    inputs: ScoringInputs,
    *,
    rules: Any,
    demand: Mapping[str, Any],
    weights: Mapping[str, Any] | None = None,
    removed=frozenset(),
    added=frozenset(),
    capacity: Mapping[str, Any] | None = None,
) -> ScoreTable:
    """Score every candidate of ``inputs`` not in ``removed`` (see the module docstring for the rules)."""
    n = len(inputs)
    prep = prepare(inputs)
    p = rule_parameters(rules)
    top, part_weights = criterion_weights(rules, weights)
    thresholds = rule_thresholds(rules)
    keys = prep["keys"]
    keep = ~np.isin(keys, list(removed)) if removed else np.ones(n, dtype=bool)
    in_network = keep & (inputs.is_entry | (np.isin(keys, list(added)) if added else False))
    cap = inputs.capacity.astype(float).copy()
    for key, value in (capacity or {}).items():
        try:
            cap[inputs.index(key)] = _number(value, 0.0)
        except KeyError:
            continue
    targets = {code: _get(demand.get(code), "target") == TARGET_65_PLUS for code in prep["kinds"] if demand.get(code)}
    target65 = np.array([targets.get(code, False) for code in prep["kinds"]], dtype=bool)[prep["kind_index"]]

    raw: dict[str, dict[str, np.ndarray]] = {"quality": _quality(inputs, p)}
    raw["availability"], values = _availability(inputs, prep, p, target65)
    raw["need"], need_values, cap_matrix, demand_matrix, people = _need(inputs, prep, demand, cap, in_network)
    raw["cost"], cost_values = _cost(inputs, prep, rules, p, keep)
    values.update(need_values)
    values.update(cost_values)

    missing = p["missing_score"]
    parts: dict[str, np.ndarray] = {}
    no_data: dict[str, np.ndarray] = {}
    sub: dict[str, np.ndarray] = {}
    for criterion, names in CRITERIA.items():
        filled = {}
        for name in names:
            key = f"{criterion}.{name}"
            values_ = raw[criterion][name]
            no_data[key] = np.isnan(values_)
            filled[name] = np.where(no_data[key], missing, values_)
            parts[key] = filled[name]
        local = {name: part_weights[f"{criterion}.{name}"] for name in names}
        sub[criterion] = _weighted(filled, local, n, missing)
        no_data[criterion] = np.logical_and.reduce([no_data[f"{criterion}.{name}"] for name in names])
    total = _weighted(sub, top, n, missing)

    rows = np.flatnonzero(keep)
    table_total = total[rows]
    passes = (sub["quality"][rows] >= thresholds["min_quality"]) & (table_total >= thresholds["min_total"])
    gaps: dict[tuple[int, str], Decimal] = {}
    if len(inputs.demand_kinds):
        known = ~np.isnan(demand_matrix) & ((demand_matrix > 0) | (cap_matrix > 0))
        for o, j in zip(*np.nonzero(known), strict=True):
            gap = demand_matrix[o, j] - cap_matrix[o, j]
            gaps[(int(inputs.orp_ids[o]), inputs.demand_kinds[j])] = Decimal(f"{gap:.2f}")
    return ScoreTable(
        keys=[inputs.keys[i] for i in rows],
        kind_codes=[inputs.kind_codes[i] for i in rows],
        total=table_total,
        sub={name: v[rows] for name, v in sub.items()},
        parts={name: v[rows] for name, v in parts.items()},
        no_data={name: v[rows] for name, v in no_data.items()},
        rank_in_kind=_ranks(table_total, prep["kind_index"][rows]),
        passes=passes,
        gaps=gaps,
        rows=rows,
        weights=top,
        part_weights=part_weights,
        parameters=p,
        thresholds=thresholds,
        values=values,
        capacity_matrix=cap_matrix,
        demand_matrix=demand_matrix,
        population_matrix=people,
        in_network=in_network,
        capacity=cap,
    )
