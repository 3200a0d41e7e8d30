"""What an application's proposal and decision record about the scoring: the rule set and parameter set in force
and a JSON snapshot of the application's scores (inputs, points, formula, versions) – so a decision can always
be explained with the rules it used, even after the rules change.
"""

from __future__ import annotations

import importlib

from qmss.network.models import Application, ParameterSet, RuleSet
from qmss.network.selectors_rules import current_parameters, current_rule_set, demand_values, rule_values


def candidate_key(application: Application) -> str:
    return f"a{application.pk}"


def _scoring_modules():
    """The scoring part's modules (inputs, engine, explanation), or None while they are not installed."""
    modules = []
    for name in ("scoring_inputs", "scoring_engine", "scoring_explain"):
        try:
            modules.append(importlib.import_module(f"qmss.network.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"qmss.network.{name}":
                raise
            return None
    return modules


def score_snapshot(application: Application) -> tuple[RuleSet | None, ParameterSet | None, dict]:
    """The rule set and parameter set in force and the application's score snapshot under them (an empty
    snapshot when the network has no rules in force or the scoring is not installed)."""
    network = application.network
    rule_set = current_rule_set(network)
    parameter_set = current_parameters(network)
    modules = _scoring_modules()
    if modules is None or rule_set is None or parameter_set is None:
        return rule_set, parameter_set, {}
    inputs_module, engine, explain = modules
    key = candidate_key(application)
    inputs = inputs_module.cached_inputs(network)
    if key not in inputs.keys:  # filed after the cached inputs were built
        inputs = inputs_module.build_inputs(network=network)
    if key not in inputs.keys:
        return rule_set, parameter_set, {}
    table = engine.score(inputs, rules=rule_values(rule_set), demand=demand_values(parameter_set))
    return rule_set, parameter_set, explain.snapshot(inputs, table, key)
