"""What an application's proposal and decision record about the scoring: the rule set and parameter set in force
and a JSON snapshot of the application's scores (inputs, points, formula, versions) – so a decision can always
be explained with the rules it used, even after the rules change.
"""

from __future__ import annotations

from qmss.network.models import Application, ParameterSet, RuleSet
from qmss.network.scoring_engine import score
from qmss.network.scoring_explain import snapshot
from qmss.network.scoring_inputs import build_inputs, cached_inputs
from qmss.network.selectors_rules import current_parameters, current_rule_set, demand_values, rule_values


def candidate_key(application: Application) -> str:
    return f"a{application.pk}"


def score_snapshot(application: Application) -> tuple[RuleSet | None, ParameterSet | None, dict]:
    """The rule set and parameter set in force and the application's score snapshot under them (an empty
    snapshot when the network has no rules in force)."""
    network = application.network
    rule_set = current_rule_set(network)
    parameter_set = current_parameters(network)
    if rule_set is None or parameter_set is None:
        return rule_set, parameter_set, {}
    key = candidate_key(application)
    inputs = cached_inputs(network)
    if key not in inputs.keys:  # a closed application (the cached inputs hold the open ones)
        inputs = build_inputs(network=network, applications=[application])
    table = score(inputs, rules=rule_values(rule_set), demand=demand_values(parameter_set))
    return rule_set, parameter_set, snapshot(inputs, table, key)
