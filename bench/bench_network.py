"""Full rescoring of a network by the scoring engine (:func:`qmss.network.scoring_engine.score`) over prepared
inputs – what every what-if recompute and every ranking page does once the inputs are cached.

- ``network_rescoring_region``: a region of 700 services (four kinds, 1–3 facilities each) over 620
  municipalities in 15 ORPs; target ≤ 100 ms per recompute (ABSOLUTE);
- ``network_rescoring_national``: 6,500 services over 6,258 municipalities in 206 ORPs; target ≤ 1 s.

Each figure is the median of 7 recomputes with other weights each time (the what-if changes them), after one
warm-up call that prepares the inputs (index structures and the distance from every served municipality to the
candidate's nearest facility – they depend on the inputs only and are kept with the cached inputs). The
comment line gives that first, cold call too. The baseline is a bare numpy pass over the same arrays: one
weighted mean per candidate over the served municipalities and the served ORPs (``np.bincount``) plus the
element-wise arithmetic of the candidate arrays – the least work any scoring of these arrays does; the ratio says
what the engine's bookkeeping (no-data marks, ranks, gaps, weights) costs on top.

Data: synthetic inputs built DIRECTLY AS ARRAYS by :func:`qmss.network.testing_scoring.synthetic_inputs` (no
database rows are written, so nothing needs to be rolled back).
"""

from __future__ import annotations

import time
from decimal import Decimal

import numpy as np

from bench.common import BenchResult, timeit

CASES = (
    ("network_rescoring_region", 700, 620, 15, 100.0),
    ("network_rescoring_national", 6500, 6258, 206, 1000.0),
)
WEIGHTS = (None, {"quality": Decimal(50)}, {"need": Decimal(10)}, {"cost.peers": Decimal(0)})


def _bare_pass(inputs) -> float:
    """The same arrays, one pass of plain numpy arithmetic (no rules, no bookkeeping)."""
    n = len(inputs)
    prep = inputs.prepared
    cand, muni = prep["sv_cand"], prep["sv_muni"]
    weights = inputs.muni_pop_65[muni]
    km = np.bincount(cand, weights=weights * prep["sv_km"], minlength=n) / np.maximum(
        np.bincount(cand, weights=weights, minlength=n), 1
    )
    share = inputs.capacity[inputs.so_cand]
    capacity = np.bincount(inputs.so_orp, weights=share, minlength=len(inputs.orp_ids))
    gap = np.bincount(inputs.so_cand, weights=capacity[inputs.so_orp], minlength=n)
    total = (
        np.nan_to_num(inputs.audit_pct)
        + np.nan_to_num(inputs.inspection_pct)
        + np.nan_to_num(inputs.nc_major) * 25
        + np.nan_to_num(inputs.round_costs) / np.maximum(np.nan_to_num(inputs.round_capacity), 1)
        + km
        + gap
    )
    return float(total.sum())


def _case(name: str, services: int, municipalities: int, orps: int, target_ms: float) -> BenchResult:
    from qmss.network.scoring_engine import score
    from qmss.network.testing_scoring import default_rules_values, synthetic_demand, synthetic_inputs

    inputs = synthetic_inputs(services=services, municipalities=municipalities, orps=orps)
    rules, demand = default_rules_values(), synthetic_demand()
    started = time.perf_counter()
    score(inputs, rules=rules, demand=demand)  # prepares the inputs
    cold_ms = (time.perf_counter() - started) * 1000
    turn = iter(range(10**6))

    def recompute():
        score(inputs, rules=rules, demand=demand, weights=WEIGHTS[next(turn) % len(WEIGHTS)])

    value = timeit(recompute, repeat=7) * 1000
    baseline = timeit(lambda: _bare_pass(inputs), repeat=7) * 1000
    print(
        f"# {name}: {services} services, {municipalities} municipalities, {orps} ORPs, "
        f"{len(inputs.sv_cand)} served municipality pairs; first (cold) call {cold_ms:.1f} ms",
        flush=True,
    )
    return BenchResult(
        name=name,
        value=value,
        unit="ms",
        baseline=baseline,
        baseline_unit="ms",
        target_ratio=float("inf"),
        target_text=f"<={target_ms:.0f}ms",
        target_value=target_ms,
    )


def run() -> list[BenchResult]:
    return [_case(*case) for case in CASES]
