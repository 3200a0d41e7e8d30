"""Reads of the what-if part: the scoring model of a network (rules, demand, cached inputs, the baseline table),
a what-if evaluated against it, the rows of one kind for the pages, and the network's saved scenarios.

The scoring itself is H4's: :func:`qmss.network.scoring_inputs.cached_inputs` and the pure
:func:`qmss.network.scoring_engine.score`; the rules and demand come from :mod:`qmss.network.selectors_rules`.
A what-if request reads a constant number of rows whatever the number of candidates (labels of the shown kind
in two queries, ORP names in one).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.urls import NoReverseMatch, reverse

from qmss.core.collation import czech_sorted
from qmss.core.scoping import Scope
from qmss.network import permissions
from qmss.network.forms_whatif import Known, WhatIf
from qmss.network.models import Application, Network, NetworkEntry, Scenario

CRITERIA = ("quality", "availability", "need", "cost")
BASELINE_TIMEOUT = 3600


@dataclass
class ScoringModel:
    """Everything a what-if of ``network`` is computed from; ``baseline`` is the table without changes."""

    network: Network
    rule_set: Any
    parameter_set: Any
    rules: Any
    demand: dict
    inputs: Any
    baseline: Any
    known: Known
    labels: dict[str, str]
    kind_names: dict[str, str]
    criteria: list[dict] = field(default_factory=list)


def get_network(scope: Scope, network_pk: int) -> Network:
    """The network whose working material the user may see (404 otherwise: its existence is public, the work not)."""
    network = Network.objects.select_related("organisation", "region").filter(pk=network_pk).first()
    if network is None or not permissions.can_see_work(scope, network):
        raise Http404
    return network


def get_scenario(scope: Scope, scenario_pk: int) -> Scenario:
    scenario = (
        Scenario.objects.select_related("network__organisation", "network__region", "created_by")
        .filter(pk=scenario_pk)
        .first()
    )
    if scenario is None or not permissions.can_see_work(scope, scenario.network):
        raise Http404
    return scenario


def network_scenarios(network: Network):
    return Scenario.objects.filter(network=network).select_related("created_by").order_by("-created_at", "-pk")


def scenario_in_network(network: Network, pk) -> Scenario | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Scenario.objects.filter(network=network, pk=pk).first()


def _kind_names(codes: Iterable[str]) -> dict[str, str]:
    from qmss.registry.models import ServiceKind

    codes = set(codes)
    names = dict(ServiceKind.objects.filter(code__in=codes).values_list("code", "name"))
    return {code: names.get(code, code) for code in codes}


def _kind_order(code: str) -> tuple[int, str]:
    return (int(code), code) if code.isdigit() else (10**6, code)


def cached_inputs(network: Network):
    """H4's cached scoring inputs of the network (one place, so tests can give their own)."""
    from qmss.network import scoring_inputs

    return scoring_inputs.cached_inputs(network)


def _baseline(network, rule_set, parameter_set, inputs, rules, demand):
    """The table without changes, cached beside the inputs it was computed from (their build time identifies
    them; published rule sets and parameter sets are never edited, a change is a new one)."""
    from qmss.network import scoring_engine
    from qmss.registry.cache import page_cache

    built = (getattr(inputs, "meta", None) or {}).get("built_at")
    if not built:
        return scoring_engine.score(inputs, rules=rules, demand=demand)
    key = f"network:whatif-baseline:{network.pk}:{rule_set.pk}:{parameter_set.pk}:{built}"
    cache = page_cache()
    table = cache.get(key)
    if table is None:
        table = scoring_engine.score(inputs, rules=rules, demand=demand)
        cache.set(key, table, BASELINE_TIMEOUT)
    return table


def load(network: Network) -> ScoringModel | None:
    """The scoring model of the network, or None when it has no published rules or no current parameters."""
    from qmss.network import selectors_rules

    rule_set = selectors_rules.current_rule_set(network)
    parameter_set = selectors_rules.current_parameters(network)
    if rule_set is None or parameter_set is None:
        return None
    rules = selectors_rules.rule_values(rule_set)
    demand = selectors_rules.demand_values(parameter_set)
    inputs = cached_inputs(network)
    baseline = _baseline(network, rule_set, parameter_set, inputs, rules, demand)
    weights: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    criteria = []
    for code, criterion in rules.criteria.items():
        weights[code] = Decimal(criterion.weight)
        labels[code] = criterion.name
        parts = []
        for part_code, part in criterion.parts.items():
            key = f"{code}.{part_code}"
            weights[key] = Decimal(part.weight)
            labels[key] = f"{criterion.name} – {part.name}"
            parts.append({"key": key, "name": part.name, "weight": Decimal(part.weight)})
        criteria.append({"key": code, "name": criterion.name, "weight": Decimal(criterion.weight), "parts": parts})
    keys = list(inputs.keys)
    kinds = tuple(sorted(set(inputs.kind_codes), key=_kind_order))
    capacities = {
        key: Decimal(repr(float(value)))
        for key, value in zip(keys, inputs.capacity, strict=False)
        if math.isfinite(value)
    }
    known = Known(
        weights=weights,
        candidates=dict(zip(keys, inputs.kind_codes, strict=False)),
        kinds=kinds,
        capacities=capacities,
        criteria=tuple(rules.criteria),
    )
    return ScoringModel(
        network=network,
        rule_set=rule_set,
        parameter_set=parameter_set,
        rules=rules,
        demand=demand,
        inputs=inputs,
        baseline=baseline,
        known=known,
        labels=labels,
        kind_names=_kind_names(kinds),
        criteria=criteria,
    )


def evaluate(model: ScoringModel, whatif: WhatIf):
    """The score table of the what-if (the baseline itself when nothing changes)."""
    from qmss.network import scoring_engine

    if whatif.is_baseline:
        return model.baseline
    return scoring_engine.score(
        model.inputs,
        rules=model.rules,
        demand=model.demand,
        weights=dict(whatif.weights) or None,
        removed=frozenset(whatif.removed),
        added=frozenset(whatif.added),
        capacity=dict(whatif.capacity) or None,
    )


# --- rows of one kind ------------------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    name: str
    provider: str
    type_label: str
    is_entry: bool
    unit: str
    capacity: Decimal | None  # the what-if's
    base_capacity: Decimal | None
    rank: int | None
    base_rank: int | None
    total: float | None
    base_total: float | None
    sub: dict[str, float | None]
    no_data: list[str]
    passes: bool
    base_passes: bool
    removed: bool = False
    added: bool = False
    explain_url: str = ""

    @property
    def move(self) -> int | None:
        """Places up (positive) or down (negative) against the baseline; None when not ranked in one of them."""
        if self.rank is None or self.base_rank is None:
            return None
        return self.base_rank - self.rank

    @property
    def move_down(self) -> int:
        return -self.move if self.move and self.move < 0 else 0

    @property
    def total_change(self) -> float | None:
        if self.total is None or self.base_total is None:
            return None
        return round(self.total - self.base_total, 1)

    @property
    def subs(self) -> list[tuple[str, float | None, bool]]:
        return [(c, self.sub.get(c), c in self.no_data) for c in CRITERIA]

    @property
    def capacity_changed(self) -> bool:
        return self.capacity != self.base_capacity


@dataclass
class GapRow:
    orp_id: int
    name: str
    base: Decimal | None
    value: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.base is None or self.value is None:
            return None
        return self.value - self.base


@dataclass
class KindView:
    kind: str
    kind_name: str
    rows: list[Row]  # ranked, best first
    removed_rows: list[Row]
    inputs: list[Row]  # every candidate of the kind, by name (the form's table)
    gaps: list[GapRow]
    unit: str = ""

    @property
    def moved(self) -> int:
        return sum(1 for row in self.rows if row.move)

    @property
    def pass_changes(self) -> int:
        return sum(1 for row in self.rows if row.passes != row.base_passes)


def _number(array, i: int) -> float | None:
    if array is None:
        return None
    value = float(array[i])
    return round(value, 1) if math.isfinite(value) else None


def _rank(array, i: int) -> int | None:
    value = float(array[i])
    return int(value) if math.isfinite(value) and value > 0 else None


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    value = float(value)
    return Decimal(repr(round(value, 2))) if math.isfinite(value) else None


def _explain_url(network: Network) -> str:
    """The explanation page's URL with ``{key}`` for the candidate key (reversed once, not per row)."""
    try:
        url = reverse("network:explain", kwargs={"network_pk": network.pk, "candidate_key": "KEY0"})
    except NoReverseMatch:
        return ""
    return url.replace("KEY0", "{key}")


def candidate_labels(keys: Iterable[str]) -> dict[str, dict]:
    """Name, provider and type of each candidate (two queries whatever their number)."""
    entry_pks = [int(k[1:]) for k in keys if k.startswith("e") and k[1:].isdigit()]
    application_pks = [int(k[1:]) for k in keys if k.startswith("a") and k[1:].isdigit()]
    labels = {}
    if entry_pks:
        entries = NetworkEntry.objects.filter(pk__in=entry_pks).values_list(
            "pk", "service__name", "service__provider__name", "tier__name", "unit"
        )
        for pk, name, provider, tier, unit in entries:
            labels[f"e{pk}"] = {"name": name, "provider": provider, "type": tier, "unit": unit}
    if application_pks:
        kinds = dict(Application.Kind.choices)
        applications = Application.objects.filter(pk__in=application_pks).values_list(
            "pk", "service__name", "service__provider__name", "kind", "unit"
        )
        for pk, name, provider, kind, unit in applications:
            labels[f"a{pk}"] = {"name": name, "provider": provider, "type": str(kinds.get(kind, kind)), "unit": unit}
    return labels


def _input_labels(inputs, keys: list[str], index: dict[str, int]) -> dict[str, dict]:
    """Labels the scoring inputs carry (``scoring_inputs.build_inputs`` puts name, provider, tier, unit and the
    kind of application there), so a recompute reads no candidate rows."""
    labels = {}
    all_labels = getattr(inputs, "labels", None) or []
    kinds = dict(Application.Kind.choices)
    for key in keys:
        i = index[key]
        label = all_labels[i] if i < len(all_labels) else None
        if not label or "service_id" not in label:
            continue
        if key.startswith("a"):
            kind = label.get("application_kind", "")
            type_label = str(kinds.get(kind, kind))
        else:
            type_label = label.get("tier", "")
        labels[key] = {
            "name": label.get("name", ""),
            "provider": label.get("provider", ""),
            "type": type_label,
            "unit": label.get("unit", ""),
        }
    return labels


def kind_view(model: ScoringModel, whatif: WhatIf, table) -> KindView:
    kind = whatif.kind
    base = model.baseline
    base_index = {k: i for i, k in enumerate(base.keys)}
    index = {k: i for i, k in enumerate(table.keys)}
    inputs_index = {k: i for i, k in enumerate(model.inputs.keys)}
    keys = [k for k, code in model.known.candidates.items() if code == kind]
    labels = _input_labels(model.inputs, keys, inputs_index)
    explain = _explain_url(model.network)
    if len(labels) < len(keys):
        labels.update(candidate_labels([k for k in keys if k not in labels]))
    rows = []
    for key in keys:
        i, b, n = index.get(key), base_index.get(key), inputs_index[key]
        label = labels.get(key, {"name": key, "provider": "", "type": "", "unit": ""})
        base_capacity = _decimal(model.inputs.capacity[n])
        removed = key in whatif.removed
        row = Row(
            key=key,
            name=label["name"] or key,
            provider=label["provider"] or "",
            type_label=label["type"] or "",
            is_entry=key.startswith("e"),
            unit=label["unit"] or model.inputs.units[n],
            capacity=whatif.capacity.get(key, base_capacity),
            base_capacity=base_capacity,
            rank=None if removed or i is None else _rank(table.rank_in_kind, i),
            base_rank=None if b is None else _rank(base.rank_in_kind, b),
            total=None if i is None else _number(table.total, i),
            base_total=None if b is None else _number(base.total, b),
            sub={c: (None if i is None else _number(table.sub.get(c), i)) for c in CRITERIA},
            no_data=[c for c in CRITERIA if i is not None and c in table.no_data and bool(table.no_data[c][i])],
            passes=bool(i is not None and table.passes[i]),
            base_passes=bool(b is not None and base.passes[b]),
            removed=removed,
            added=key in whatif.added,
            explain_url=explain.format(key=key) if explain else "",
        )
        rows.append(row)
    ranked = sorted((r for r in rows if r.rank is not None), key=lambda r: (r.rank, r.name))
    unranked = czech_sorted((r for r in rows if r.rank is None), key=lambda r: r.name)
    return KindView(
        kind=kind,
        kind_name=model.kind_names.get(kind, kind),
        rows=ranked,
        removed_rows=unranked,
        inputs=czech_sorted(rows, key=lambda r: (r.name, r.provider)),
        gaps=gap_rows(kind, [base.gaps, table.gaps]),
        unit=next((r.unit for r in rows), ""),
    )


def gap_rows(kind: str, tables: list[Mapping]) -> list[GapRow]:
    """ORP gaps of ``kind`` of the first two tables (base and changed), ORPs by Czech name (one query)."""
    from qmss.territory.models import Orp

    orp_ids = {orp for gaps in tables for (orp, code) in gaps if code == kind}
    names = dict(Orp.objects.filter(pk__in=orp_ids).values_list("pk", "name"))
    rows = [
        GapRow(
            orp_id=orp,
            name=names.get(orp, str(orp)),
            base=_decimal(tables[0].get((orp, kind))),
            value=_decimal(tables[-1].get((orp, kind))),
        )
        for orp in orp_ids
    ]
    return czech_sorted(rows, key=lambda r: r.name)


# --- comparing two scenarios -----------------------------------------------------------------------------------


@dataclass
class CompareRow:
    key: str
    name: str
    provider: str
    type_label: str
    a: Row | None
    b: Row | None

    @property
    def difference(self) -> int | None:
        """Places B ranks above A (positive) or below (negative); None when one of them does not rank it."""
        if self.a is None or self.b is None or self.a.rank is None or self.b.rank is None:
            return None
        return self.a.rank - self.b.rank

    @property
    def lower(self) -> int:
        return -self.difference if self.difference and self.difference < 0 else 0

    @property
    def passes_differ(self) -> bool:
        return self.a is not None and self.b is not None and self.a.passes != self.b.passes


def compare(model: ScoringModel, kind: str, first: WhatIf, second: WhatIf) -> tuple[list[CompareRow], list[GapRow]]:
    """Rows of ``kind`` under two what-ifs side by side (ranked by the first) and the ORP gaps of both."""
    table_a, table_b = evaluate(model, first), evaluate(model, second)
    view_a = kind_view(model, WhatIf(kind, first.weights, first.removed, first.added, first.capacity), table_a)
    view_b = kind_view(model, WhatIf(kind, second.weights, second.removed, second.added, second.capacity), table_b)
    rows_b = {r.key: r for r in (*view_b.rows, *view_b.removed_rows)}
    rows = []
    for row in (*view_a.rows, *view_a.removed_rows):
        rows.append(CompareRow(row.key, row.name, row.provider, row.type_label, row, rows_b.get(row.key)))
    return rows, gap_rows(kind, [table_a.gaps, table_b.gaps])
