"""Checks of a manager's rule set and parameter set by the rules library's own schema and checks
(:mod:`qmss.network.library`): one rule for the file and the forms. Each returns the values in the stored JSON
shape (numbers as text) or the problems as (dotted field, Czech sentence)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from qmss.network.library import (
    CRITERIA,
    PARAMETERS,
    TARGETS,
    THRESHOLDS,
    DemandIn,
    RuleSetIn,
    _unknown_unit,
    decimal_text,
    default_rules,
    parameter_problems,
    weight_problems,
)

Problems = list[tuple[str, str]]  # (dotted field, Czech sentence)


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if not str(part).startswith("function-"))


def _pydantic_problems(exc: Any) -> Problems:
    problems = []
    for error in exc.errors(include_url=False):
        cause = (error.get("ctx") or {}).get("error")
        if error["type"] == "value_error" and cause is not None:
            problem = str(cause)
        elif error["type"] == "missing":
            problem = _("a value is required.")
        elif error["type"] == "extra_forbidden":
            problem = _("unknown key.")
        elif error["type"] == "literal_error":
            problem = _("must be one of: {choices}.").format(choices=", ".join(TARGETS))
        else:
            problem = _("invalid value.")
        problems.append((_dotted(tuple(error["loc"])), problem))
    return problems


def _as_part(value: Any) -> Any:
    return value if isinstance(value, dict) else {"weight": value}


def _criteria_input(criteria: Any) -> Any:
    """The stored shape (``{"quality": {"weight": "30", "parts": {"audit": "30"}}}``) as the schema's input."""
    if not isinstance(criteria, dict):
        return criteria
    result = {}
    for code, criterion in criteria.items():
        if isinstance(criterion, dict):
            criterion = {key: value for key, value in criterion.items() if key in ("name", "weight", "parts")}
            parts = criterion.get("parts")
            if isinstance(parts, dict):
                criterion["parts"] = {key: _as_part(value) for key, value in parts.items()}
        result[code] = criterion
    return result


def check_rule_values(
    *, criteria: Any, thresholds: Any, admission_tests: Any, reference_costs: Any, parameters: Any, kinds: set[str]
) -> tuple[dict[str, Any] | None, Problems]:
    """Check a rule set (the library's schema and checks; reference kinds among ``kinds``, units known).

    Returns (the values in the stored JSON shape – numbers as text, None on problems) and the problems."""
    from pydantic import ValidationError

    try:
        data = RuleSetIn.model_validate(
            {
                "criteria": _criteria_input(criteria),
                "thresholds": thresholds,
                "admission_tests": admission_tests or [],
                "reference_costs": reference_costs or {},
                "parameters": parameters,
            }
        )
    except ValidationError as exc:
        return None, _pydantic_problems(exc)
    problems: Problems = [(_dotted(loc), problem) for loc, problem in weight_problems(data.criteria)]
    problems += [(_dotted(loc), problem) for loc, problem in parameter_problems(data.parameters)]
    known_units = set(default_rules().units)
    for kind, cost in data.reference_costs.items():
        if kind not in kinds:
            problems.append((f"reference_costs.{kind}", _("unknown kind of service “{kind}”.").format(kind=kind)))
        if cost.unit not in known_units:
            problems.append((f"reference_costs.{kind}.unit", _unknown_unit(cost.unit, known_units)))
    codes = [test.code for test in data.admission_tests]
    if len(set(codes)) != len(codes):
        problems.append(("admission_tests", _("the code is repeated.")))
    if problems:
        return None, problems
    stored = {
        "criteria": {
            code: {
                "weight": decimal_text(getattr(data.criteria, code).weight),
                "parts": {
                    part: decimal_text(getattr(getattr(data.criteria, code).parts, part).weight) for part in part_codes
                },
            }
            for code, part_codes in CRITERIA.items()
        },
        "thresholds": {key: decimal_text(getattr(data.thresholds, key)) for key in THRESHOLDS},
        "admission_tests": [{"code": t.code, "name": t.name} for t in data.admission_tests],
        "reference_costs": {
            k: {"unit": c.unit, "value": decimal_text(c.value)} for k, c in data.reference_costs.items()
        },
        "parameters": {key: decimal_text(getattr(data.parameters, key)) for key in PARAMETERS},
    }
    return stored, []


def check_demand_values(values: Any, *, kinds: set[str]) -> tuple[dict[str, Any] | None, Problems]:
    """Check demand parameters per kind (the library's schema; kinds among ``kinds``, units known); returns the
    stored JSON shape (numbers as text) or None and the problems."""
    from pydantic import TypeAdapter, ValidationError

    if not isinstance(values, dict) or not values:
        return None, [("values", _("give the parameters of at least one kind of service."))]
    try:
        data = TypeAdapter(dict[str, DemandIn]).validate_python(
            {str(k): {f: v for f, v in (d or {}).items() if f != "name"} for k, d in values.items()}
            if all(isinstance(d, dict | type(None)) for d in values.values())
            else values
        )
    except ValidationError as exc:
        return None, _pydantic_problems(exc)
    known_units = set(default_rules().units)
    problems: Problems = []
    for kind, demand in data.items():
        if kind not in kinds:
            problems.append((kind, _("unknown kind of service “{kind}”.").format(kind=kind)))
        if demand.unit not in known_units:
            problems.append((f"{kind}.unit", _unknown_unit(demand.unit, known_units)))
    if problems:
        return None, problems
    stored = {
        kind: {
            "target": d.target,
            "prevalence": decimal_text(d.prevalence),
            "exclusion_weight": decimal_text(d.exclusion_weight),
            "unit": d.unit,
        }
        for kind, d in data.items()
    }
    return stored, []
