"""Reads behind the scoring pages: the network's score table under the rules in force, the ranking of one kind,
one candidate's explanation and the applications competing for the same gap (same kind, overlapping ORPs).

Who may see what is decided here with :mod:`qmss.network.permissions`: the ranking and the comparison are the
manager's working material (``can_see_work``); the explanation of an application is also open to the members of
the provider organisation that filed it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.urls import reverse

from qmss.core.roles import Perm
from qmss.core.scoping import Scope
from qmss.network import permissions
from qmss.network.models import Application, Network
from qmss.network.scoring_engine import CRITERIA, ScoreTable
from qmss.network.types_scoring import ScoringInputs


@dataclass
class Model:
    network: Network
    inputs: ScoringInputs
    table: ScoreTable
    rule_set: Any
    parameter_set: Any
    rules: Any
    demand: dict
    kind_names: dict[str, str]


def load(network: Network) -> Model | None:
    """The network's scores under the rule set and parameter set in force (None when either is missing)."""
    from qmss.network import scoring_engine, scoring_inputs, selectors_rules

    rule_set = selectors_rules.current_rule_set(network)
    parameter_set = selectors_rules.current_parameters(network)
    if rule_set is None or parameter_set is None:
        return None
    rules = selectors_rules.rule_values(rule_set)
    demand = selectors_rules.demand_values(parameter_set)
    inputs = scoring_inputs.cached_inputs(network)
    table = scoring_engine.score(inputs, rules=rules, demand=demand)
    names = selectors_rules.kind_names(sorted(set(inputs.kind_codes)))
    return Model(network, inputs, table, rule_set, parameter_set, rules, demand, names)


def kind_order(code: str) -> tuple[int, str]:
    return (int(code), code) if code.isdigit() else (10**6, code)


def kinds(model: Model) -> list[tuple[str, str]]:
    return [(code, model.kind_names.get(code, code)) for code in sorted(set(model.table.kind_codes), key=kind_order)]


def may_see_explanation(scope: Scope, network: Network, key: str) -> bool:
    """The manager's members always; for an application (``a<pk>``) also the provider organisation that filed it."""
    if permissions.can_see_work(scope, network):
        return True
    if not key.startswith("a") or not key[1:].isdigit() or not scope.is_authenticated:
        return False
    organisation_ids = scope.organisation_ids(Perm.VIEW)
    return Application.objects.filter(pk=int(key[1:]), network=network, organisation_id__in=organisation_ids).exists()


def explain_url(network: Network, key: str) -> str:
    return reverse("network:explain", kwargs={"network_pk": network.pk, "candidate_key": key})


@dataclass
class Row:
    key: str
    name: str
    provider: str
    is_entry: bool
    type_label: str
    unit: str
    capacity: float
    rank: int
    total: float
    subs: list[tuple[str, float, bool]]
    passes: bool
    below_quality: bool
    below_total: bool
    no_data: list[str] = field(default_factory=list)
    explain_url: str = ""
    competitors: int = 0
    compare_url: str = ""


def _served(inputs: ScoringInputs) -> dict[int, set[int]]:
    served: dict[int, set[int]] = {}
    for c, o in zip(inputs.so_cand.tolist(), inputs.so_orp.tolist(), strict=True):
        served.setdefault(c, set()).add(o)
    return served


def competitors(model: Model, key: str) -> list[str]:
    """Other applications of the same kind whose served ORPs overlap ``key``'s (the same gap)."""
    inputs, table = model.inputs, model.table
    if key not in table.keys:
        return []
    served = _served(inputs)
    i = inputs.index(key)
    mine = served.get(i, set())
    return [
        other
        for other in table.keys
        if other != key
        and other.startswith("a")
        and inputs.kind_codes[inputs.index(other)] == inputs.kind_codes[i]
        and served.get(inputs.index(other), set()) & mine
    ]


def _row(model: Model, t: int, served: dict[int, set[int]], applications: dict[str, list[int]]) -> Row:
    inputs, table = model.inputs, model.table
    i = int(table.rows[t])
    key = table.keys[t]
    label = inputs.labels[i] if inputs.labels else {}
    thresholds = table.thresholds
    is_entry = bool(inputs.is_entry[i])
    row = Row(
        key=key,
        name=str(label.get("name", key)),
        provider=str(label.get("provider", "")),
        is_entry=is_entry,
        type_label=str(label.get("tier", "")) if is_entry else str(label.get("application_kind", "")),
        unit=inputs.units[i],
        capacity=float(inputs.capacity[i]),
        rank=int(table.rank_in_kind[t]),
        total=float(table.total[t]),
        subs=[(name, float(table.sub[name][t]), bool(table.no_data[name][t])) for name in CRITERIA],
        passes=bool(table.passes[t]),
        below_quality=bool(table.sub["quality"][t] < thresholds.get("min_quality", 0)),
        below_total=bool(table.total[t] < thresholds.get("min_total", 0)),
        no_data=[name for name, flags in table.no_data.items() if "." in name and bool(flags[t])],
        explain_url=explain_url(model.network, key),
    )
    if not is_entry:
        mine = served.get(i, set())
        others = [
            k
            for k in applications.get(inputs.kind_codes[i], [])
            if k != key and served.get(inputs.index(k), set()) & mine
        ]
        row.competitors = len(others)
        if others:
            query = "&".join(f"klic={k}" for k in [key, *others])
            row.compare_url = reverse("network:compare", kwargs={"network_pk": model.network.pk}) + "?" + query
    return row


def ranking(model: Model, kind: str) -> list[Row]:
    """The candidates of ``kind`` in the order of their rank (then total, then name)."""
    table = model.table
    served = _served(model.inputs)
    applications: dict[str, list[str]] = {}
    for key, code in zip(table.keys, table.kind_codes, strict=True):
        if key.startswith("a"):
            applications.setdefault(code, []).append(key)
    rows = [_row(model, t, served, applications) for t in np.flatnonzero(np.asarray(table.kind_codes) == kind)]
    rows.sort(key=lambda r: (r.rank, -r.total, r.name, r.key))
    return rows


def compared(model: Model, keys: list[str]) -> list[Row]:
    """The rows of the given application keys (unknown keys and entries left out), best first."""
    table = model.table
    served = _served(model.inputs)
    wanted = [k for k in dict.fromkeys(keys) if k in table.keys and k.startswith("a")]
    if len(wanted) == 1:
        wanted += competitors(model, wanted[0])
    rows = [_row(model, table.index(k), served, {}) for k in wanted]
    rows.sort(key=lambda r: (-r.total, r.name, r.key))
    return rows


def gaps_of(model: Model, kind: str) -> list[dict[str, Any]]:
    """The kind's gaps per ORP (demand − capacity in the network), with the ORPs' names – one query."""
    from qmss.territory.models import Orp

    items = {orp_id: gap for (orp_id, code), gap in model.table.gaps.items() if code == kind}
    names = dict(Orp.objects.filter(pk__in=list(items)).values_list("pk", "name"))
    rows = [{"orp": names.get(orp_id, str(orp_id)), "gap": gap} for orp_id, gap in items.items()]
    from qmss.core.collation import czech_sorted

    return czech_sorted(rows, key=lambda r: r["orp"])
