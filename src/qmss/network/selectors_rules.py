"""Reads of a network's rules: the rule set and parameter set in force, their values parsed into
:class:`qmss.network.library.RuleValues` / :class:`Demand`, and the version histories with the number of
decisions that used each version.

The rule sets that are published and the parameter set in force are public (the rules page); drafts, proposed
and older parameter sets are the manager's working material (``permissions.can_see_work``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from qmss.core.scoping import Scope
from qmss.network import permissions
from qmss.network.library import (
    CRITERIA,
    PARAMETERS,
    THRESHOLDS,
    AdmissionTest,
    Criterion,
    Demand,
    Part,
    ReferenceCost,
    RuleValues,
    default_rules,
)
from qmss.network.models import Application, Network, ParameterSet, RuleSet


def _decimal(value: Any, default: Decimal = Decimal(0)) -> Decimal:
    if value is None or isinstance(value, bool):
        return default
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return default
    return number if number.is_finite() else default


# --------------------------------------------------------------------------------------------- in force


def current_rule_set(network: Network) -> RuleSet | None:
    """The newest published rule set of the network."""
    return RuleSet.objects.filter(network=network, published_at__isnull=False).order_by("-version").first()


def current_parameters(network: Network) -> ParameterSet | None:
    """The parameter set in force (state current; the newest if ever several)."""
    return ParameterSet.objects.filter(network=network, state=ParameterSet.State.CURRENT).order_by("-version").first()


def rule_values(rule_set: RuleSet) -> RuleValues:
    """The rule set's numbers as decimals, names of criteria and parts from the library; a value missing in the
    stored JSON takes the library's (weights: 0)."""
    library = default_rules()
    stored = rule_set.criteria if isinstance(rule_set.criteria, dict) else {}
    criteria: dict[str, Criterion] = {}
    for code, part_codes in CRITERIA.items():
        raw = stored.get(code) if isinstance(stored.get(code), dict) else {}
        raw_parts = raw.get("parts") if isinstance(raw.get("parts"), dict) else {}
        parts = {}
        for part in part_codes:
            value = raw_parts.get(part)
            if isinstance(value, dict):
                value = value.get("weight")
            parts[part] = Part(name=library.part_name(code, part), weight=_decimal(value))
        criteria[code] = Criterion(name=library.criterion_name(code), weight=_decimal(raw.get("weight")), parts=parts)
    thresholds_raw = rule_set.thresholds if isinstance(rule_set.thresholds, dict) else {}
    parameters_raw = rule_set.parameters if isinstance(rule_set.parameters, dict) else {}
    costs_raw = rule_set.reference_costs if isinstance(rule_set.reference_costs, dict) else {}
    tests_raw = rule_set.admission_tests if isinstance(rule_set.admission_tests, list) else []
    return RuleValues(
        criteria=criteria,
        thresholds={key: _decimal(thresholds_raw.get(key), library.thresholds[key]) for key in THRESHOLDS},
        parameters={key: _decimal(parameters_raw.get(key), library.parameters[key]) for key in PARAMETERS},
        reference_costs={
            str(kind): ReferenceCost(unit=str(cost.get("unit", "")), value=_decimal(cost.get("value")))
            for kind, cost in costs_raw.items()
            if isinstance(cost, dict)
        },
        admission_tests=tuple(
            AdmissionTest(code=str(test.get("code", "")), name=str(test.get("name", "")))
            for test in tests_raw
            if isinstance(test, dict)
        ),
    )


def demand_values(parameter_set: ParameterSet | None, *, names: dict[str, str] | None = None) -> dict[str, Demand]:
    """Demand parameters per kind code (names from the library, else ``names`` or the registry's kind name)."""
    if parameter_set is None:
        return {}
    library = default_rules()
    values = parameter_set.values if isinstance(parameter_set.values, dict) else {}
    if names is None:
        names = kind_names([str(k) for k in values if str(k) not in library.demand])
    result: dict[str, Demand] = {}
    for kind, raw in values.items():
        if not isinstance(raw, dict):
            continue
        kind = str(kind)
        known = library.demand.get(kind)
        result[kind] = Demand(
            name=known.name if known else names.get(kind, kind),
            target=str(raw.get("target", "all")),
            prevalence=_decimal(raw.get("prevalence")),
            exclusion_weight=_decimal(raw.get("exclusion_weight")),
            unit=str(raw.get("unit") or (known.unit if known else "klienti")),
        )
    return result


def kind_names(codes: list[str]) -> dict[str, str]:
    """Registry names of kinds of service by code (one query; none for an empty list)."""
    if not codes:
        return {}
    from qmss.registry.models import ServiceKind

    return dict(ServiceKind.objects.filter(code__in=codes).values_list("code", "name"))


def known_kind_codes() -> set[str]:
    """Kinds a rule or parameter set may name: the registry's kinds and the library's demand kinds."""
    from qmss.registry.models import ServiceKind

    return set(ServiceKind.objects.values_list("code", flat=True)) | set(default_rules().demand)


# --------------------------------------------------------------------------------------------- histories


def _used(field: str) -> Coalesce:
    used = (
        Application.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(used, output_field=IntegerField()), Value(0))


def rule_set_history(network: Network, scope: Scope | None = None) -> QuerySet[RuleSet]:
    """The network's rule sets, newest first, with ``used_count`` (decisions that used them); drafts only for
    those who see the manager's work."""
    qs = RuleSet.objects.filter(network=network).select_related("created_by").annotate(used_count=_used("rule_set"))
    if scope is None or not permissions.can_see_work(scope, network):
        qs = qs.filter(published_at__isnull=False)
    return qs.order_by("-version")


def parameter_set_history(network: Network) -> QuerySet[ParameterSet]:
    """Every parameter set of the network, newest first, with ``used_count`` (working material)."""
    return (
        ParameterSet.objects.filter(network=network)
        .select_related("created_by", "decided_by", "round")
        .annotate(used_count=_used("parameter_set"))
        .order_by("-version")
    )


def used_count(rule_set: RuleSet) -> int:
    return Application.objects.filter(rule_set=rule_set).count()


def is_used_rule_set(rule_set: RuleSet) -> bool:
    return rule_set.pk is not None and Application.objects.filter(rule_set_id=rule_set.pk).exists()


def is_used_parameter_set(parameter_set: ParameterSet) -> bool:
    return parameter_set.pk is not None and Application.objects.filter(parameter_set_id=parameter_set.pk).exists()


def visible_rule_set(network: Network, version: int | None, scope: Scope) -> RuleSet | None:
    """The rule set shown on the rules page: ``version`` if given (a draft only for the manager's team), else the
    one in force."""
    if version is None:
        return current_rule_set(network)
    qs = RuleSet.objects.filter(network=network, version=version)
    if not permissions.can_see_work(scope, network):
        qs = qs.filter(published_at__isnull=False)
    return qs.first()


def next_rule_set_version(network: Network) -> int:
    return (RuleSet.objects.filter(network=network).aggregate(n=Max("version"))["n"] or 0) + 1


def get_rule_set(pk: int) -> RuleSet | None:
    return RuleSet.objects.select_related("network__organisation").filter(pk=pk).first()


def offered_kinds(codes) -> dict[str, str]:
    """Kinds shown in the forms: the given codes and the library's demand kinds, by code, with their names."""
    library = default_rules()
    all_codes = {str(code) for code in codes} | set(library.demand)
    names = kind_names(sorted(all_codes - set(library.demand)))
    ordered = sorted(all_codes, key=lambda code: (not code.isdigit(), int(code) if code.isdigit() else 0, code))
    return {code: library.demand[code].name if code in library.demand else names.get(code, code) for code in ordered}


def criteria_rows(values: RuleValues) -> list[dict[str, Any]]:
    """The criteria tree for the rules page: each criterion's weight and share of the total (%), each part's
    weight, share within its criterion and share of the total score."""
    total = values.total_weight()
    rows = []
    for code, criterion in values.criteria.items():
        share = criterion.weight / total if total else Decimal(0)
        part_total = sum((part.weight for part in criterion.parts.values()), Decimal(0))
        parts = [
            {
                "code": part_code,
                "name": part.name,
                "weight": part.weight,
                "share": part.weight / part_total if part_total else Decimal(0),
                "total_share": share * part.weight / part_total if part_total else Decimal(0),
            }
            for part_code, part in criterion.parts.items()
        ]
        rows.append({"code": code, "name": criterion.name, "weight": criterion.weight, "share": share, "parts": parts})
    return rows


def _kind_order(code: str) -> tuple[bool, int, str]:
    return (not code.isdigit(), int(code) if code.isdigit() else 0, code)


def demand_rows(demand: dict[str, Demand], target_labels: dict[str, str]) -> list[dict[str, Any]]:
    """Demand parameters for a table, by kind code: ``kind``, ``demand``, ``target`` (label), ``unit`` (name)."""
    units = default_rules().units
    return [
        {
            "kind": kind,
            "demand": d,
            "target": target_labels.get(d.target, d.target),
            "unit": units[d.unit].name if d.unit in units else d.unit,
        }
        for kind, d in sorted(demand.items(), key=lambda item: _kind_order(item[0]))
    ]
