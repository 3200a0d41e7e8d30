"""The allocation engine (pure, no DB): the optimiser against brute force, caps and budget never broken, at least
the need proportional scaling covers, ineligible services get nothing, the shadow price's sign and size."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse

from qmss.financing.allocation import (
    STATUS_EMPTY,
    STATUS_OPTIMAL,
    Problem,
    covered_need,
    floor_to_crowns,
    optimise,
    proportional,
)

TOL = 1e-6


def _problem(caps, coverage, need, eligible=None):
    n = len(caps)
    return Problem(
        keys=[f"s{i}" for i in range(n)],
        caps=np.array(caps, dtype=float),
        eligible=np.ones(n, dtype=bool) if eligible is None else np.array(eligible),
        coverage=np.array(coverage, dtype=float),
        need=np.array(need, dtype=float),
    )


def _random_problem(rng, n, groups, *, integer=False, one_group=False):
    caps = rng.integers(1, 5, n).astype(float) if integer else rng.uniform(1e4, 5e6, n)
    coverage = np.zeros((groups, n))
    for s in range(n):
        count = 1 if one_group else int(rng.integers(1, min(3, groups) + 1))
        for g in rng.choice(groups, count, replace=False):
            # integer instances: a whole number of units of need per CZK of cap (1–3), so vertices lie on 1/6 grid
            coverage[g, s] = caps[s] * rng.integers(1, 4) if integer else rng.uniform(1, 60)
    if integer:
        need = rng.integers(1, 12, groups).astype(float)
    else:
        need = coverage.sum(axis=1) * rng.uniform(0.1, 1.3, groups)
    eligible = rng.random(n) > 0.2
    return _problem(caps, coverage, need, eligible)


def _grid_optimum(problem, budget, step):
    """Brute force: every allocation on the grid of ``step`` CZK within the caps and the budget."""
    axes = [
        np.arange(0, cap + step / 2, step) if ok else np.zeros(1)
        for cap, ok in zip(problem.caps, problem.eligible, strict=True)
    ]
    grid = np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(axes), -1)
    grid = grid[:, grid.sum(axis=0) <= budget + 1e-9]
    offered = problem.coverage.toarray() @ (grid / problem.caps[:, None])
    return float(np.minimum(offered, problem.need[:, None]).sum(axis=0).max())


def _vertex_optimum(problem, budget):
    """Brute force: every basic solution of the LP (all choices of n + G active constraints) – the LP optimum is one."""
    n, g = problem.size, len(problem.need)
    cov = problem.coverage.toarray()
    upper = np.where(problem.eligible, problem.caps, 0.0)
    rows, rhs = [], []
    for s in range(n):  # x_s ≤ cap, −x_s ≤ 0
        unit = np.zeros(n + g)
        unit[s] = 1
        rows += [unit, -unit]
        rhs += [upper[s], 0.0]
    for k in range(g):  # c_g ≤ need, −c_g ≤ 0, c_g − Σ cov/cap · x ≤ 0
        unit = np.zeros(n + g)
        unit[n + k] = 1
        link = unit.copy()
        link[:n] = -cov[k] / problem.caps
        rows += [unit, -unit, link]
        rhs += [problem.need[k], 0.0, 0.0]
    rows.append(np.concatenate([np.ones(n), np.zeros(g)]))
    rhs.append(budget)
    a, b = np.array(rows), np.array(rhs)
    best = 0.0
    for active in itertools.combinations(range(len(rows)), n + g):
        sub = a[list(active)]
        if abs(np.linalg.det(sub)) < 1e-9:
            continue
        z = np.linalg.solve(sub, b[list(active)])
        if np.all(a @ z <= b + 1e-7):
            best = max(best, float(z[n:].sum()))
    return best


def _assert_feasible(problem, result, budget):
    assert np.all(result.x >= -TOL)
    assert np.all(result.x <= problem.caps + TOL)
    assert result.x.sum() <= budget + TOL
    assert np.all(result.x[~problem.eligible] == 0)


# --- brute force ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_optimum_equals_grid_brute_force(seed):
    """Integer caps and needs, each service in one group with 1–3 units of need per CZK: the optimum lies on the
    grid of 1/6 CZK, so searching the whole grid finds it."""
    rng = np.random.default_rng(seed)
    problem = _random_problem(rng, n=int(rng.integers(3, 5)), groups=2, integer=True, one_group=True)
    budget = float(rng.integers(1, int(problem.caps.sum()) + 2))
    result = optimise(problem, budget)
    assert result.status == STATUS_OPTIMAL
    assert result.covered_need == pytest.approx(_grid_optimum(problem, budget, 1 / 6), abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_optimum_equals_vertex_brute_force(seed):
    """Services in several groups with real-valued coverage: the best of all basic solutions."""
    rng = np.random.default_rng(100 + seed)
    problem = _random_problem(rng, n=3, groups=2)
    budget = float(problem.caps.sum() * rng.uniform(0.2, 0.9))
    result = optimise(problem, budget)
    assert result.covered_need == pytest.approx(_vertex_optimum(problem, budget), rel=1e-6, abs=1e-6)


def test_hand_example():
    # one ORP needs 10 units; A covers 10 for 100 CZK, B covers 10 for 400 CZK; budget 100 → all to A
    problem = _problem([100, 400], [[10, 10]], [10])
    result = optimise(problem, 100)
    assert result.x == pytest.approx([100, 0])
    assert result.covered_need == pytest.approx(10)
    assert proportional(problem, 100).covered_need == pytest.approx(10 * 20 / 100 + 10 * 80 / 400)


# --- feasibility and comparison --------------------------------------------------------------------------


def test_never_breaks_a_cap_or_the_budget_and_ineligible_get_nothing():
    rng = np.random.default_rng(7)
    for _ in range(60):
        problem = _random_problem(rng, n=int(rng.integers(1, 40)), groups=int(rng.integers(1, 8)))
        budget = float(problem.caps.sum() * rng.uniform(0, 1.3))
        for result in (optimise(problem, budget), floor_to_crowns(problem, optimise(problem, budget))):
            _assert_feasible(problem, result, budget)
        scaled = proportional(problem, budget)
        assert scaled.x.sum() <= budget + TOL
        assert np.all(scaled.x <= problem.caps + TOL)


@pytest.mark.parametrize("seed", range(6))
def test_covers_at_least_as_much_need_as_proportional(seed):
    """Proportional scaling restricted to the eligible services is feasible for the LP, so the optimum ≥ it; and
    with every service eligible, ≥ proportional itself."""
    rng = np.random.default_rng(200 + seed)
    problem = _random_problem(rng, n=int(rng.integers(20, 120)), groups=int(rng.integers(3, 30)))
    problem.eligible[:] = problem.caps > 0
    budget = float(problem.caps.sum() * rng.uniform(0.1, 0.95))
    optimum, scaled = optimise(problem, budget), proportional(problem, budget)
    assert optimum.covered_need >= scaled.covered_need - 1e-6
    assert optimum.covered_need > 0


def test_ineligible_services_get_zero_even_when_they_are_the_only_cover():
    problem = _problem([100, 100], [[50, 0], [0, 50]], [50, 50], eligible=[False, True])
    result = optimise(problem, 1000)
    assert result.x[0] == 0
    assert result.x[1] == pytest.approx(100)
    assert proportional(problem, 1000).x[0] == pytest.approx(100)  # proportional knows no threshold


def test_zero_cap_is_never_eligible():
    problem = _problem([0, 100], [[5, 5]], [10], eligible=[True, True])
    assert not problem.eligible[0]
    assert optimise(problem, 1000).x[0] == 0


# --- shadow price -------------------------------------------------------------------------------------------


def test_shadow_price_is_the_marginal_need_per_crown():
    # A: 10 units for 100 CZK (0.1/CZK), B: 10 units for 400 CZK (0.025/CZK), separate ORPs
    problem = _problem([100, 400], [[10, 0], [0, 10]], [10, 10])
    assert optimise(problem, 50).shadow_price == pytest.approx(0.1)  # A not full: next crown to A
    assert optimise(problem, 300).shadow_price == pytest.approx(0.025)  # A full: next crown to B
    assert optimise(problem, 1000).shadow_price == pytest.approx(0.0)  # money left over


def test_shadow_price_matches_a_finite_difference():
    rng = np.random.default_rng(11)
    problem = _random_problem(rng, n=30, groups=6)
    budget = float(problem.caps.sum() * 0.37)
    step = budget * 1e-4
    slope = (optimise(problem, budget + step).covered_need - optimise(problem, budget).covered_need) / step
    assert optimise(problem, budget).shadow_price == pytest.approx(slope, rel=1e-3, abs=1e-12)


# --- edges ---------------------------------------------------------------------------------------------------


def test_empty_and_zero_budget():
    empty = Problem(keys=[], caps=np.zeros(0), eligible=np.zeros(0, bool), coverage=np.zeros((0, 0)), need=[])
    assert optimise(empty, 100).status == STATUS_EMPTY
    problem = _problem([100], [[10]], [10])
    assert optimise(problem, 0).total == 0
    assert proportional(problem, 0).total == 0
    with pytest.raises(ValueError):
        optimise(problem, -1)
    with pytest.raises(ValueError):
        proportional(problem, float("nan"))


def test_sparse_coverage_and_floor_to_crowns():
    problem = _problem([100.5, 200.7], [[10, 0], [0, 20]], [10, 20])
    problem_sparse = Problem(
        problem.keys, problem.caps, problem.eligible, sparse.csr_matrix(problem.coverage), problem.need
    )
    result = optimise(problem_sparse, 150.9)
    floored = floor_to_crowns(problem_sparse, result)
    assert np.all(floored.x == np.floor(floored.x))
    assert floored.total <= 150
    assert floored.covered_need == pytest.approx(covered_need(problem_sparse, floored.x))


def test_bad_shapes_refused():
    with pytest.raises(ValueError):
        Problem(keys=["a"], caps=[1, 2], eligible=[True, True], coverage=np.zeros((1, 2)), need=[1])
    with pytest.raises(ValueError):
        Problem(keys=["a", "b"], caps=[1, 2], eligible=[True, True], coverage=np.zeros((2, 2)), need=[1])
