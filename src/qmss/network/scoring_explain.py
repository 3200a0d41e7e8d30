"""Why a candidate has its points: per criterion the points, weight, parts with their inputs (label, value,
source), the formula in words and the rule-set and parameter-set versions (:func:`explain`); the same as a
JSON-safe dict stored on an application at its decision (:func:`snapshot`). Pure – reads only the inputs and the
score table."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qmss.network.scoring_engine import CRITERIA, ScoreTable
from qmss.network.types_scoring import ScoringInputs


def criterion_names() -> dict[str, str]:
    return {
        # the four criteria of a network's rules (kvalita, dostupnost, potřebnost, nákladovost)
        "quality": pgettext("network criterion", "Quality"),
        "availability": pgettext("network criterion", "Availability"),
        "need": pgettext("network criterion", "Need"),
        "cost": pgettext("network criterion", "Cost"),
    }


def part_names() -> dict[str, str]:
    return {
        "quality.audit": _("Latest published audit"),
        "quality.inspection": _("Latest published inspection"),
        "quality.nonconformities": _("Open nonconformities"),
        "quality.minimum_form": _("Minimum form of the service met"),
        "quality.indicators": _("Needs addressed by a basic activity (data collection)"),
        "availability.distance": _("Distance of residents to the nearest facility"),
        "availability.orp_coverage": _("Coverage of the served ORPs"),
        "availability.operation": _("Non-stop operation"),
        "need.gap": _("Unmet demand in the served ORPs"),
        "need.refused_waiting": _("Refused for capacity and waiting lists"),
        "cost.reference": _("Unit cost against the reference value"),
        "cost.peers": _("Unit cost against the kind's median"),
    }


@dataclass
class Input:
    label: str
    value: str
    source: str = ""


@dataclass
class PartExplanation:
    key: str
    name: str
    points: float
    weight: float
    no_data: bool
    formula: str
    inputs: list[Input] = field(default_factory=list)


@dataclass
class CriterionExplanation:
    key: str
    name: str
    points: float
    weight: float
    weight_share: float  # % of the total weight
    no_data: bool
    parts: list[PartExplanation] = field(default_factory=list)


@dataclass
class Explanation:
    key: str
    name: str
    provider: str
    kind_code: str
    total: float
    rank: int
    passes: bool
    criteria: list[CriterionExplanation]
    thresholds: dict[str, float]
    parameters: dict[str, float]
    rule_set_version: int | None
    parameter_set_version: int | None
    network_version: int | None
    total_formula: str
    missing_score: float


def _num(value: float | None, places: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{places}f}".replace(",", "\u00a0").replace(".", ",")
    return text


def _source(data: dict[str, Any]) -> str:
    if not data:
        return _("no data")
    if "title" in data:
        return _("%(title)s, published %(date)s") % {"title": data["title"], "date": data.get("published") or "–"}
    if "name" in data:
        return _("data-collection round %(name)s") % {"name": data["name"]}
    if "minimum_form_version" in data:
        return _("minimum form version %(version)s, service card %(year)s") % {
            "version": data["minimum_form_version"],
            "year": data["card_year"],
        }
    return ""


def _part_inputs(inputs: ScoringInputs, table: ScoreTable, i: int, key: str) -> tuple[list[Input], str]:
    """The inputs and the formula (in words) of one part for the inputs row ``i``."""
    p = table.parameters
    src = inputs.sources[i] if inputs.sources else {}
    v = table.values
    if key == "quality.audit":
        return [Input(_("fulfilment"), f"{_num(inputs.audit_pct[i])} %", _source(src.get("audit", {})))], _(
            "points = fulfilment % of the criteria of the latest published audit"
        )
    if key == "quality.inspection":
        return [Input(_("fulfilment"), f"{_num(inputs.inspection_pct[i])} %", _source(src.get("inspection", {})))], _(
            "points = fulfilment % of the criteria of the latest published inspection"
        )
    if key == "quality.nonconformities":
        return [
            Input(_("open major nonconformities"), _num(inputs.nc_major[i], 0)),
            Input(_("open minor nonconformities"), _num(inputs.nc_minor[i], 0)),
        ], _("points = 100 − major × %(major)s − minor × %(minor)s (at least 0)") % {
            "major": _num(p["nonconformity_major_points"], 0),
            "minor": _num(p["nonconformity_minor_points"], 0),
        }
    if key == "quality.minimum_form":
        met = inputs.minimum_form[i]
        value = "–" if math.isnan(met) else (_("met") if met else _("not met"))
        return [Input(_("minimum form"), value, _source(src.get("minimum_form", {})))], _(
            "100 points when the service card addresses every need of the minimum form by a basic activity, else 0"
        )
    if key == "quality.indicators":
        return [Input(_("share of needs addressed by a basic activity"), f"{_num(inputs.indicator_basic[i])} %",
                      _source(src.get("round", {})))], _("points = the indicator's value (0–100 %)")  # fmt: skip
    if key == "availability.distance":
        return [
            Input(_("population-weighted mean distance"), f"{_num(v['distance_km'][i])} km"),
            Input(_("located facilities"), str(src.get("n_facilities", "–"))),
        ], _("100 points up to %(full)s km, 0 from %(zero)s km, linear in between") % {
            "full": _num(p["distance_full_km"], 0),
            "zero": _num(p["distance_zero_km"], 0),
        }
    if key == "availability.orp_coverage":
        served = int((inputs.so_cand == i).sum())
        return [Input(_("served ORPs with a facility"), f"{_num(v['orps_covered'][i], 0)} / {served}")], _(
            "points = served ORPs with a facility of the service / served ORPs × 100"
        )
    if key == "availability.operation":
        flag = inputs.continuous[i]
        value = "–" if math.isnan(flag) else (_("yes") if flag else _("no"))
        return [Input(_("non-stop operation (registry)"), value)], _("100 points for non-stop operation, else 50")
    if key == "need.gap":
        return [
            Input(_("demand in the served ORPs (weighted mean)"), _num(v["demand"][i])),
            Input(_("capacity of the others there (weighted mean)"), _num(v["other_capacity"][i])),
        ], _(
            "per served ORP 100 × (1 − capacity of the others / demand), at least 0; averaged with the ORP's target "
            "population as weight; demand = target population × prevalence × (1 + exclusion weight × exclusion "
            "share) + refused for capacity + waiting lists"
        )
    if key == "need.refused_waiting":
        return [
            Input(_("refused for capacity + waiting list"), _num(v["pressure"][i], 0), _source(src.get("round", {}))),
            Input(_("capacity"), _num(table.capacity[i])),
        ], _("points = 200 × (refused + waiting) / capacity, at most 100")
    if key == "cost.reference":
        return [
            Input(_("unit cost per year"), f"{_num(v['unit_cost'][i], 0)} Kč", _source(src.get("round", {}))),
            Input(_("reference value"), f"{_num(v['reference_cost'][i], 0)} Kč"),
        ], _("100 points at or below the reference, 0 from %(ratio)s × the reference, linear in between") % {
            "ratio": _num(p["cost_ratio_zero"], 2)
        }
    if key == "cost.peers":
        return [
            Input(_("unit cost per year"), f"{_num(v['unit_cost'][i], 0)} Kč"),
            Input(_("median of the kind"), f"{_num(v['peer_median'][i], 0)} Kč"),
        ], _("100 points at or below the median, 0 from %(ratio)s × the median, linear in between") % {
            "ratio": _num(p["cost_ratio_zero"], 2)
        }
    return [], ""


def explain(inputs: ScoringInputs, table: ScoreTable, key: str) -> Explanation:
    """The explanation of ``key``'s points (``KeyError`` when the key is not in the table)."""
    t = table.index(key)
    i = int(table.rows[t])
    names, parts = criterion_names(), part_names()
    total_weight = sum(w for w in table.weights.values() if w > 0) or 1.0
    criteria = []
    for criterion, part_codes in CRITERIA.items():
        weight = table.weights.get(criterion, 0.0)
        item = CriterionExplanation(
            key=criterion,
            name=names[criterion],
            points=float(table.sub[criterion][t]),
            weight=weight,
            weight_share=100 * max(weight, 0) / total_weight,
            no_data=bool(table.no_data[criterion][t]),
        )
        for code in part_codes:
            part_key = f"{criterion}.{code}"
            values, formula = _part_inputs(inputs, table, i, part_key)
            item.parts.append(
                PartExplanation(
                    key=part_key,
                    name=parts[part_key],
                    points=float(table.parts[part_key][t]),
                    weight=table.part_weights.get(part_key, 0.0),
                    no_data=bool(table.no_data[part_key][t]),
                    formula=formula,
                    inputs=values,
                )
            )
        criteria.append(item)
    label = inputs.labels[i] if inputs.labels else {}
    return Explanation(
        key=key,
        name=str(label.get("name", key)),
        provider=str(label.get("provider", "")),
        kind_code=inputs.kind_codes[i],
        total=float(table.total[t]),
        rank=int(table.rank_in_kind[t]),
        passes=bool(table.passes[t]),
        criteria=criteria,
        thresholds=dict(table.thresholds),
        parameters=dict(table.parameters),
        rule_set_version=inputs.meta.get("rule_set_version"),
        parameter_set_version=inputs.meta.get("parameter_set_version"),
        network_version=inputs.meta.get("version_number"),
        total_formula=_(
            "total = Σ (weight × points of the criterion) / Σ weights; a criterion = Σ (weight × points of the part) "
            "/ Σ weights of its parts; a part without data counts %(missing)s points"
        )
        % {"missing": _num(table.parameters.get("missing_score"), 0)},
        missing_score=table.parameters.get("missing_score", 50.0),
    )


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 4)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def snapshot(inputs: ScoringInputs, table: ScoreTable, key: str) -> dict:
    """The explanation as JSON-safe data (numbers rounded to 4 places, no NaN), with the ids of the rule set and
    parameter set it used."""
    data = asdict(explain(inputs, table, key))
    data["rule_set"] = inputs.meta.get("rule_set")
    data["parameter_set"] = inputs.meta.get("parameter_set")
    data["built_at"] = inputs.meta.get("built_at")
    return _json_safe(data)
