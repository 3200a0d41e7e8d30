"""The arrays the scoring engine works on (:class:`ScoringInputs`), built from the database by
:mod:`qmss.network.scoring_inputs` or by hand in tests and benches. Pure data – no Django imports.

Candidates are the network version's entries (``e<entry pk>``) and the applications (``a<application pk>``), one
row each. Ragged relations are flat index arrays ("pairs"):

- served municipalities: ``sv_cand[i]`` serves ``sv_muni[i]`` (its ``municipality_codes``, else every municipality
  of its ``orp_codes``);
- served ORPs: ``so_cand[i]`` serves ``so_orp[i]`` (its ``orp_codes``, else the ORPs of its municipalities);
- facilities: ``fac_cand[i]`` has a located facility at ``fac_lat[i]``, ``fac_lon[i]`` in ORP ``fac_orp[i]``
  (-1 unknown).

A missing number is ``nan``. Demand per ORP and kind comes from :func:`qmss.network.demand.demand_by_orp`
(``demand_*`` arrays of shape ``(orps, kinds)``) with the parameters in ``demand_used``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

TARGET_65_PLUS = "65+"


@dataclass
class ScoringInputs:
    # candidates (n)
    keys: list[str]
    service_ids: np.ndarray  # int64
    kind_codes: list[str]
    units: list[str]
    capacity: np.ndarray  # float
    is_entry: np.ndarray  # bool
    # territory: municipalities (m) and ORPs (o)
    orp_ids: np.ndarray  # int64, ORP pks
    muni_codes: list[str]
    muni_lat: np.ndarray
    muni_lon: np.ndarray
    muni_orp: np.ndarray  # index into orp_ids
    muni_pop_all: np.ndarray
    muni_pop_65: np.ndarray
    # pairs
    sv_cand: np.ndarray
    sv_muni: np.ndarray
    so_cand: np.ndarray
    so_orp: np.ndarray
    fac_cand: np.ndarray
    fac_lat: np.ndarray
    fac_lon: np.ndarray
    fac_orp: np.ndarray
    # registry: 1 any form non-stop, 0 none, nan unknown
    continuous: np.ndarray
    # quality (nan = no data)
    audit_pct: np.ndarray
    inspection_pct: np.ndarray
    nc_major: np.ndarray
    nc_minor: np.ndarray
    minimum_form: np.ndarray  # 1 met, 0 not met, nan no minimum form / no card
    indicator_basic: np.ndarray  # needs_basic_share, 0–100
    # the service's own figures of the latest approved round
    round_refused: np.ndarray
    round_waiting: np.ndarray
    round_costs: np.ndarray
    round_capacity: np.ndarray
    round_days: np.ndarray
    # demand (o × kinds), kinds in the order of ``demand_kinds``
    demand_kinds: list[str] = field(default_factory=list)
    demand_population: np.ndarray | None = None
    demand_share: np.ndarray | None = None  # exclusion share per ORP and kind
    demand_refused: np.ndarray | None = None
    demand_waiting: np.ndarray | None = None
    demand_total: np.ndarray | None = None
    demand_used: dict[str, Any] = field(default_factory=dict)  # kind code → Demand the totals were built with
    orp_pop_all: np.ndarray | None = None  # per ORP, for a changed target population
    orp_pop_65: np.ndarray | None = None
    # what the pages and the explanation show (not used by the engine)
    labels: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    # index structures and the nearest-facility distances: they depend on the inputs only, so the engine computes
    # them once per inputs object (``scoring_engine.prepare``) and every recompute reuses them
    prepared: dict[str, Any] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def index(self, key: str) -> int:
        index = self.meta.get("_index")
        if index is None:
            index = self.meta["_index"] = {k: i for i, k in enumerate(self.keys)}
        return index[key]


def empty_float(n: int) -> np.ndarray:
    return np.full(n, np.nan, dtype=float)


def int_array(values) -> np.ndarray:
    return np.asarray(list(values), dtype=np.int64)


def float_array(values) -> np.ndarray:
    return np.asarray([np.nan if v is None else float(v) for v in values], dtype=float)
