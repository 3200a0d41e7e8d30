"""Builders of the allocation part: synthetic problems for tests and the bench (no DB), and the URL-matrix
plug-in.

The allocation pages are addressed by ``programme_pk``, which the applications part's ``matrix_kwargs`` already
gives (tenant A's programme with a submitted application); this part adds no object of its own to the matrix."""

from __future__ import annotations

import numpy as np

from qmss.financing.allocation import Problem

FILTER_VALUES: dict[str, str] = {}


def synthetic_problem(*, services: int = 700, orps: int = 15, kinds: int = 10, seed: int = 12) -> Problem:
    """A region-sized problem: each service of one kind serves 1–3 ORPs, caps 0.2–20 million CZK, 10–200 units,
    need per (ORP, kind) 40–130 % of the units offered there, ~15 % of the services below the quality threshold."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, kinds, services)
    caps = rng.uniform(2e5, 2e7, services).round(0)
    units = rng.uniform(10, 200, services)
    rows, cols, values = [], [], []
    for s in range(services):
        served = rng.choice(orps, int(rng.integers(1, 4)), replace=False)
        for orp in served:
            rows.append(int(orp) * kinds + int(kind[s]))
            cols.append(s)
            values.append(units[s] / len(served))
    from scipy import sparse

    coverage = sparse.csr_matrix((values, (rows, cols)), shape=(orps * kinds, services))
    offered = np.asarray(coverage.sum(axis=1)).reshape(-1)
    need = offered * rng.uniform(0.4, 1.3, orps * kinds)
    return Problem(
        keys=[str(i) for i in range(services)],
        caps=caps,
        eligible=rng.random(services) > 0.15,
        coverage=coverage,
        need=need,
    )


def matrix_kwargs(tenant) -> dict:
    """Nothing of its own: ``programme_pk`` comes from :mod:`qmss.financing.testing_applications`."""
    return {}
