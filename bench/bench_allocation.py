"""The budget allocation optimiser (issue #12: ``allocation`` for 700 services, target ≤ 1 s, ABSOLUTE).

- ``allocation``: :func:`qmss.financing.allocation.optimise` (the HiGHS linear programme through scipy) on a
  synthetic region of 700 services in 15 ORPs × 10 kinds of service (150 need groups, each service serving 1–3
  ORPs; :func:`qmss.financing.testing_allocation.synthetic_problem`), with a budget of 60 % of the caps. Median of 7
  runs after a warm-up. The baseline is the proportional method (``proportional``) on the same problem and budget,
  median of 21; the ratio is only shown. The comment line gives the need each method covers.
"""

from __future__ import annotations

from bench.common import BenchResult, timeit

SERVICES = 700
TARGET_MS = 1000.0


def run() -> list[BenchResult]:
    from qmss.financing.allocation import optimise, proportional
    from qmss.financing.testing_allocation import synthetic_problem

    problem = synthetic_problem(services=SERVICES)
    budget = float(problem.caps.sum()) * 0.6
    optimum = optimise(problem, budget)  # warm-up (imports, HiGHS)
    scaled = proportional(problem, budget)
    if optimum.status != "optimal" or optimum.covered_need < scaled.covered_need - 1e-6:
        raise RuntimeError(f"the optimiser failed: {optimum.status}")
    value = timeit(lambda: optimise(problem, budget), repeat=7)
    baseline = timeit(lambda: proportional(problem, budget), repeat=21)
    print(
        f"# allocation: {SERVICES} services, {len(problem.need)} need groups, budget {budget:,.0f} CZK; covered need "
        f"optimised {optimum.covered_need:.1f} vs proportional {scaled.covered_need:.1f} units; shadow price "
        f"{optimum.shadow_price * 1e6:.3f} units per million CZK; absolute target {TARGET_MS:g} ms",
        flush=True,
    )
    return [
        BenchResult("allocation", value * 1000, "ms", baseline * 1000, "ms", TARGET_MS, "<=1s", target_value=TARGET_MS)
    ]
