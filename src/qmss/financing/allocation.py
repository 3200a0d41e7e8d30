"""Budget allocation of a programme (pure numpy / scipy, no Django): proportional scaling next to an optimiser that
maximises the need covered under the network's need model.

The problem (:class:`Problem`): ``n`` services with their caps (the compensation after the caps, CZK), whether
each may be funded by the optimiser (network quality score ≥ the programme's threshold and a cap > 0), and ``G``
need groups (an ORP × a kind of service) with the need of each group and a coverage matrix (``G × n``): the units
of need of a group a service covers when it receives its whole cap.

- :func:`proportional` – the compensation rule: every service gets ``cap × min(1, budget / Σ caps)`` (eligible or
  not – the compensation rule knows no quality threshold).
- :func:`optimise` – a linear programme solved by HiGHS (``scipy.optimize.linprog(method="highs")``)::

      maximise   Σ_g covered_g
      subject to covered_g ≤ need_g                               (a group cannot be covered beyond its need)
                 covered_g ≤ Σ_s coverage[g, s] · x_s / cap_s     (need is covered in proportion to the money)
                 Σ_s x_s ≤ budget
                 0 ≤ x_s ≤ cap_s,   x_s = 0 for a service that is not eligible

  Solved in the funded fractions ``y_s = x_s / cap_s ∈ [0, 1]`` and with the budget row divided by a scale (the
  largest cap), so every coefficient is of order one for the solver; ``x = y · cap``.

**Shadow price.** linprog minimises, so the objective handed to it is ``−Σ covered``. Its
``res.ineqlin.marginals[i]`` is the derivative of that minimised objective with respect to the right-hand side
of inequality ``i`` – for a ``≤`` row of a minimisation it is ≤ 0. The budget row is stored divided by the scale
``S``, so its right-hand side is ``budget / S``. Hence

    d(covered need) / d(budget) = −marginal_budget / S     (≥ 0: units of need per one more koruna)

which is what :attr:`Allocation.shadow_price` holds. It is 0 when the budget is not binding (money is left over
because every eligible service is at its cap or every need it serves is covered). At a breakpoint (the budget
exactly where one more service would start to be funded) the dual is one of the two one-sided rates.

Both methods return floats rounded only by the solver; :func:`floor_to_crowns` makes whole CZK (rounded down,
so no cap and no budget is exceeded) and recomputes the covered need.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

STATUS_OPTIMAL = "optimal"
STATUS_PROPORTIONAL = "proportional"
STATUS_EMPTY = "empty"  # no service or no money: nothing to allocate
STATUS_FAILED = "failed"  # the solver did not find an optimum (never expected: x = 0 is always feasible)


@dataclass
class Problem:
    keys: list[str]
    caps: np.ndarray  # per service, CZK (capped compensation), ≥ 0
    eligible: np.ndarray  # per service, bool
    coverage: np.ndarray | sparse.spmatrix  # need groups × services: units of need covered at the full cap
    need: np.ndarray  # per group, units of need

    def __post_init__(self) -> None:
        self.caps = np.maximum(np.asarray(self.caps, dtype=float).reshape(-1), 0.0)
        self.eligible = np.asarray(self.eligible, dtype=bool).reshape(-1) & (self.caps > 0)
        self.need = np.maximum(np.asarray(self.need, dtype=float).reshape(-1), 0.0)
        n, g = len(self.caps), len(self.need)
        if len(self.keys) != n or len(self.eligible) != n:
            raise ValueError("keys, caps and eligible must have one value per service")
        self.coverage = sparse.csr_matrix(self.coverage, dtype=float) if g and n else sparse.csr_matrix((g, n))
        if self.coverage.shape != (g, n):
            raise ValueError(f"coverage must be groups × services ({g} × {n}), not {self.coverage.shape}")

    @property
    def size(self) -> int:
        return len(self.caps)


@dataclass
class Allocation:
    x: np.ndarray  # per service, CZK
    covered_need: float  # Σ_g min(need_g, covered by x) – units of need
    total: float  # Σ x
    shadow_price: float | None  # units of need per one more CZK of budget (the optimiser only)
    status: str


def covered_by_group(problem: Problem, x: np.ndarray) -> np.ndarray:
    """Per need group: the need covered by the amounts ``x`` (never more than the group's need)."""
    fractions = np.divide(x, problem.caps, out=np.zeros_like(problem.caps), where=problem.caps > 0)
    offered = problem.coverage @ np.minimum(fractions, 1.0)
    return np.minimum(problem.need, np.asarray(offered).reshape(-1))


def covered_need(problem: Problem, x: np.ndarray) -> float:
    return float(covered_by_group(problem, x).sum()) if len(problem.need) else 0.0


def _check_budget(budget: float) -> float:
    budget = float(budget)
    if not np.isfinite(budget) or budget < 0:
        raise ValueError("the budget must be a finite number ≥ 0")
    return budget


def proportional(problem: Problem, budget: float) -> Allocation:
    """Every service's cap × min(1, budget / Σ caps)."""
    budget = _check_budget(budget)
    total_caps = float(problem.caps.sum())
    coefficient = 1.0 if total_caps <= budget else budget / total_caps
    x = problem.caps * coefficient
    if x.sum() > budget:  # floating point: never above the budget
        x = x * (budget / x.sum())
    return Allocation(x, covered_need(problem, x), float(x.sum()), None, STATUS_PROPORTIONAL)


def optimise(problem: Problem, budget: float) -> Allocation:
    """Maximise covered need under the budget, the caps and the eligibility (HiGHS); see the module docstring."""
    budget = _check_budget(budget)
    n, g = problem.size, len(problem.need)
    if n == 0 or g == 0 or budget == 0 or not problem.eligible.any():
        return Allocation(np.zeros(n), 0.0, 0.0, 0.0, STATUS_EMPTY)
    caps = problem.caps
    scale = float(caps.max())
    # variables: y (n funded fractions), then covered (g); linprog minimises −Σ covered
    objective = np.concatenate([np.zeros(n), -np.ones(g)])
    groups = sparse.hstack([-problem.coverage, sparse.identity(g, format="csr")], format="csr")
    budget_row = sparse.csr_matrix(np.concatenate([caps / scale, np.zeros(g)]).reshape(1, -1))
    a_ub = sparse.vstack([groups, budget_row], format="csr")
    b_ub = np.concatenate([np.zeros(g), [budget / scale]])
    bounds = np.column_stack([np.zeros(n + g), np.concatenate([np.where(problem.eligible, 1.0, 0.0), problem.need])])
    res = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if res.status != 0 or res.x is None:
        return Allocation(np.zeros(n), 0.0, 0.0, None, f"{STATUS_FAILED}: {res.message}")
    y = np.clip(res.x[:n], 0.0, 1.0)
    x = np.where(problem.eligible, y * caps, 0.0)
    x = np.minimum(x, caps)
    if x.sum() > budget:  # the solver's tolerance: scale back inside the budget
        x = x * (budget / x.sum())
    # the sign: marginals are d(minimised objective)/d(rhs) ≤ 0; covered need is its negative; rhs = budget / S
    shadow = max(0.0, -float(res.ineqlin.marginals[g]) / scale)
    return Allocation(x, covered_need(problem, x), float(x.sum()), shadow, STATUS_OPTIMAL)


def floor_to_crowns(problem: Problem, allocation: Allocation) -> Allocation:
    """The same allocation in whole CZK, rounded down (so it stays within every cap and the budget)."""
    x = np.floor(allocation.x + 1e-6)
    x = np.minimum(x, np.floor(problem.caps))
    excess = int(x.sum() - np.floor(allocation.total + 1e-9))
    for i in np.argsort(-x, kind="stable")[: max(0, excess)]:  # only when the tolerance above rounded a crown up
        x[i] -= 1.0
    return Allocation(x, covered_need(problem, x), float(x.sum()), allocation.shadow_price, allocation.status)
