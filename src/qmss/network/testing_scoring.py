"""Builders of the scoring part for tests, benches and the URL × role matrix.

- :func:`hand_inputs` – :class:`ScoringInputs` from a few plain dicts (unit tests with hand-computed numbers);
- :func:`synthetic_inputs` – a synthetic region or country directly as arrays (benches; no database);
- :func:`demand_params` – a ``Demand``-like value;
- :func:`matrix_kwargs` – tenant A's network with an application for the URL × role matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from qmss.network.types_scoring import ScoringInputs, float_array, int_array


@dataclass(frozen=True)
class DemandParams:
    name: str = ""
    target: str = "65+"
    prevalence: Decimal = Decimal("0.01")
    exclusion_weight: Decimal = Decimal(0)
    unit: str = "luzka"


def demand_params(**kwargs) -> DemandParams:
    values = {k: Decimal(str(v)) if k in ("prevalence", "exclusion_weight") else v for k, v in kwargs.items()}
    return DemandParams(**values)


@dataclass(frozen=True)
class Rules:
    """A ``RuleValues``-like value for tests (the engine reads ``criteria``, ``thresholds``, ``parameters``,
    ``reference_costs``)."""

    criteria: dict
    thresholds: dict
    parameters: dict
    reference_costs: dict


def default_rules_values() -> Rules:
    """The numbers of ``libraries/network/network-rules.yaml`` as plain dicts."""
    criteria = {
        "quality": {
            "weight": 30,
            "parts": {"audit": 30, "inspection": 30, "nonconformities": 20, "minimum_form": 10, "indicators": 10},
        },
        "availability": {"weight": 25, "parts": {"distance": 60, "orp_coverage": 25, "operation": 15}},
        "need": {"weight": 30, "parts": {"gap": 70, "refused_waiting": 30}},
        "cost": {"weight": 15, "parts": {"reference": 60, "peers": 40}},
    }
    return Rules(
        criteria=criteria,
        thresholds={"min_quality": 40, "min_total": 50},
        parameters={
            "distance_full_km": 5,
            "distance_zero_km": 40,
            "nonconformity_major_points": 25,
            "nonconformity_minor_points": 10,
            "cost_ratio_zero": 1.5,
            "missing_score": 50,
        },
        reference_costs={"13": {"unit": "luzka", "value": 620000}, "4": {"unit": "klienti", "value": 38000}},
    )


CANDIDATE_NUMBERS = (
    ("continuous", None),
    ("audit", None),
    ("inspection", None),
    ("major", None),
    ("minor", None),
    ("minimum", None),
    ("indicator", None),
    ("refused", None),
    ("waiting", None),
    ("costs", None),
    ("round_capacity", None),
    ("days", None),
)


def hand_inputs(
    *,
    candidates: list[dict[str, Any]],
    municipalities: list[tuple] = (),
    orp_ids: list[int] = (1,),
    demand: dict[str, dict[str, Any]] | None = None,
) -> ScoringInputs:
    """Inputs from plain values.

    ``candidates``: dicts with ``key``, ``service``, ``kind``, ``capacity`` and optionally ``unit`` ("luzka"),
    ``entry`` (True), ``munis`` (municipality indexes served), ``orps`` (ORP indexes served), ``facilities``
    ([(lat, lon, orp index)]), ``continuous`` (1/0), ``audit``, ``inspection``, ``major``, ``minor``,
    ``minimum`` (1/0), ``indicator``, ``refused``, ``waiting``, ``costs``, ``round_capacity``, ``days``.
    ``municipalities``: (lat, lon, orp index, population all, population 65+).
    ``demand``: kind → {"params": DemandParams, "population": [per ORP], "total": [...], "refused": [...],
    "waiting": [...], "share": [...]} (refused / waiting / share default 0).
    """
    n_orps = len(orp_ids)
    sv_cand, sv_muni, so_cand, so_orp, facilities = [], [], [], [], []
    for i, c in enumerate(candidates):
        for m in c.get("munis", ()):
            sv_cand.append(i)
            sv_muni.append(m)
        for o in c.get("orps", ()):
            so_cand.append(i)
            so_orp.append(o)
        for lat, lon, o in c.get("facilities", ()):
            facilities.append((i, lat, lon, o))
    demand = demand or {}
    kinds = list(demand)

    def matrix(name: str) -> np.ndarray:
        out = np.zeros((n_orps, len(kinds)))
        for j, kind in enumerate(kinds):
            out[:, j] = demand[kind].get(name, [0] * n_orps)
        return out

    municipalities = list(municipalities)
    pop_all = np.zeros(n_orps)
    pop_65 = np.zeros(n_orps)
    for _lat, _lon, o, people, seniors in municipalities:
        pop_all[o] += people
        pop_65[o] += seniors
    return ScoringInputs(
        keys=[c["key"] for c in candidates],
        service_ids=int_array(c["service"] for c in candidates),
        kind_codes=[str(c["kind"]) for c in candidates],
        units=[c.get("unit", "luzka") for c in candidates],
        capacity=float_array(c["capacity"] for c in candidates),
        is_entry=np.array([c.get("entry", True) for c in candidates], dtype=bool),
        orp_ids=int_array(orp_ids),
        muni_codes=[str(500000 + i) for i in range(len(municipalities))],
        muni_lat=float_array(m[0] for m in municipalities),
        muni_lon=float_array(m[1] for m in municipalities),
        muni_orp=int_array(m[2] for m in municipalities),
        muni_pop_all=float_array(m[3] for m in municipalities),
        muni_pop_65=float_array(m[4] for m in municipalities),
        sv_cand=int_array(sv_cand),
        sv_muni=int_array(sv_muni),
        so_cand=int_array(so_cand),
        so_orp=int_array(so_orp),
        fac_cand=int_array(f[0] for f in facilities),
        fac_lat=float_array(f[1] for f in facilities),
        fac_lon=float_array(f[2] for f in facilities),
        fac_orp=int_array(f[3] for f in facilities),
        continuous=float_array(c.get("continuous") for c in candidates),
        audit_pct=float_array(c.get("audit") for c in candidates),
        inspection_pct=float_array(c.get("inspection") for c in candidates),
        nc_major=float_array(c.get("major") for c in candidates),
        nc_minor=float_array(c.get("minor") for c in candidates),
        minimum_form=float_array(c.get("minimum") for c in candidates),
        indicator_basic=float_array(c.get("indicator") for c in candidates),
        round_refused=float_array(c.get("refused") for c in candidates),
        round_waiting=float_array(c.get("waiting") for c in candidates),
        round_costs=float_array(c.get("costs") for c in candidates),
        round_capacity=float_array(c.get("round_capacity") for c in candidates),
        round_days=float_array(c.get("days") for c in candidates),
        demand_kinds=kinds,
        demand_population=matrix("population"),
        demand_share=matrix("share"),
        demand_refused=matrix("refused"),
        demand_waiting=matrix("waiting"),
        demand_total=matrix("total"),
        demand_used={kind: demand[kind]["params"] for kind in kinds},
        orp_pop_all=pop_all,
        orp_pop_65=pop_65,
        labels=[{"name": c["key"]} for c in candidates],
        sources=[{} for _c in candidates],
    )


# kind, unit, target, prevalence, share of services, capacity range
SYNTHETIC_KINDS = (
    ("13", "luzka", "65+", 0.017, 0.30, (20, 150)),
    ("14", "luzka", "65+", 0.009, 0.15, (20, 120)),
    ("4", "klienti", "65+", 0.045, 0.35, (30, 300)),
    ("3", "klienti", "all", 0.001, 0.20, (10, 80)),
)


def synthetic_demand() -> dict[str, DemandParams]:
    return {
        kind: demand_params(target=target, prevalence=prevalence, unit=unit)
        for kind, unit, target, prevalence, _share, _range in SYNTHETIC_KINDS
    }


def synthetic_inputs(*, services: int, municipalities: int, orps: int, seed: int = 11) -> ScoringInputs:
    """A synthetic territory (municipalities scattered in a 150 × 100 km box, grouped into ORPs) with ``services``
    entries of four kinds, 1–3 facilities each, serving their facilities' ORPs (a tenth serve 3 ORPs), data of
    every kind with about a fifth missing – built directly as arrays, no database."""
    rng = np.random.default_rng(seed)
    lat = 49.0 + rng.random(municipalities) * 0.9
    lon = 15.0 + rng.random(municipalities) * 2.0
    muni_orp = np.sort(rng.integers(0, orps, municipalities))
    muni_orp[:orps] = np.arange(orps)  # every ORP has a municipality
    muni_orp.sort()
    pop_all = np.round(rng.lognormal(6.5, 1.1, municipalities))
    pop_65 = np.round(pop_all * rng.uniform(0.15, 0.25, municipalities))
    shares = np.array([k[4] for k in SYNTHETIC_KINDS])
    kind_of = rng.choice(len(SYNTHETIC_KINDS), services, p=shares / shares.sum())
    kinds = [SYNTHETIC_KINDS[k][0] for k in kind_of]
    units = [SYNTHETIC_KINDS[k][1] for k in kind_of]
    low = np.array([SYNTHETIC_KINDS[k][5][0] for k in kind_of])
    high = np.array([SYNTHETIC_KINDS[k][5][1] for k in kind_of])
    capacity = np.round(low + rng.random(services) * (high - low))
    n_fac = rng.integers(1, 4, services)
    fac_cand = np.repeat(np.arange(services), n_fac)
    fac_muni = rng.integers(0, municipalities, len(fac_cand))
    fac_orp = muni_orp[fac_muni]
    so_pairs = set(zip(fac_cand.tolist(), fac_orp.tolist(), strict=True))
    wide = rng.random(services) < 0.1
    for c in np.flatnonzero(wide):
        for o in rng.integers(0, orps, 2):
            so_pairs.add((int(c), int(o)))
    so = np.array(sorted(so_pairs), dtype=np.int64)
    so_cand, so_orp = so[:, 0], so[:, 1]
    munis_of_orp = [np.flatnonzero(muni_orp == o) for o in range(orps)]
    sizes = np.array([len(munis_of_orp[o]) for o in so_orp])
    sv_cand = np.repeat(so_cand, sizes)
    sv_muni = np.concatenate([munis_of_orp[o] for o in so_orp]) if len(so_orp) else np.zeros(0, dtype=np.int64)

    def maybe(values: np.ndarray, missing: float = 0.2) -> np.ndarray:
        return np.where(rng.random(services) < missing, np.nan, values)

    demand = synthetic_demand()
    orp_pop_all = np.bincount(muni_orp, weights=pop_all, minlength=orps)
    orp_pop_65 = np.bincount(muni_orp, weights=pop_65, minlength=orps)
    kind_codes = list(demand)
    population = np.column_stack([orp_pop_65 if demand[k].target == "65+" else orp_pop_all for k in kind_codes])
    refused = rng.integers(0, 20, (orps, len(kind_codes))).astype(float)
    waiting = rng.integers(0, 40, (orps, len(kind_codes))).astype(float)
    prevalence = np.array([float(demand[k].prevalence) for k in kind_codes])
    total = population * prevalence + refused + waiting
    round_capacity = maybe(capacity)
    return ScoringInputs(
        keys=[f"e{i + 1}" for i in range(services)],
        service_ids=np.arange(1, services + 1, dtype=np.int64),
        kind_codes=kinds,
        units=units,
        capacity=capacity,
        is_entry=np.ones(services, dtype=bool),
        orp_ids=np.arange(1, orps + 1, dtype=np.int64),
        muni_codes=[str(500000 + i) for i in range(municipalities)],
        muni_lat=lat,
        muni_lon=lon,
        muni_orp=muni_orp,
        muni_pop_all=pop_all,
        muni_pop_65=pop_65,
        sv_cand=sv_cand,
        sv_muni=sv_muni,
        so_cand=so_cand,
        so_orp=so_orp,
        fac_cand=fac_cand,
        fac_lat=lat[fac_muni] + rng.normal(0, 0.005, len(fac_cand)),
        fac_lon=lon[fac_muni] + rng.normal(0, 0.005, len(fac_cand)),
        fac_orp=fac_orp,
        continuous=maybe((rng.random(services) < 0.4).astype(float)),
        audit_pct=maybe(rng.uniform(40, 100, services), 0.5),
        inspection_pct=maybe(rng.uniform(40, 100, services), 0.4),
        nc_major=maybe(rng.integers(0, 3, services).astype(float)),
        nc_minor=maybe(rng.integers(0, 5, services).astype(float)),
        minimum_form=maybe((rng.random(services) < 0.8).astype(float), 0.3),
        indicator_basic=maybe(rng.uniform(30, 100, services)),
        round_refused=maybe(rng.integers(0, 15, services).astype(float)),
        round_waiting=maybe(rng.integers(0, 30, services).astype(float)),
        round_costs=maybe(capacity * rng.uniform(20000, 700000, services)),
        round_capacity=round_capacity,
        round_days=np.where(np.isnan(round_capacity), np.nan, 365.0),
        demand_kinds=kind_codes,
        demand_population=population,
        demand_share=np.zeros((orps, len(kind_codes))),
        demand_refused=refused,
        demand_waiting=waiting,
        demand_total=total,
        demand_used=dict(demand),
        orp_pop_all=orp_pop_all,
        orp_pop_65=orp_pop_65,
    )


# --------------------------------------------------------------------------------------------- URL × role matrix

FILTER_VALUES = {"klic": "candidate_key"}


def matrix_kwargs(tenant) -> dict:
    """An application to tenant A's network (the one the networks part built when there is one) as the candidate
    key of the explanation and comparison. Registry services are public, so the service's name carries no secret;
    the pages show the managing organisation's name (a secret of A) to the manager's members only."""
    from qmss.core.roles import OrganisationKind
    from qmss.network.models import Network
    from qmss.network.testing_applications import make_application, provider_service
    from qmss.network.testing_networks import make_network

    secret = tenant.orgs[OrganisationKind.PROVIDER].name
    region_org = tenant.orgs[OrganisationKind.REGION]
    network = Network.objects.filter(organisation=region_org).order_by("pk").first()
    if network is None:
        network = make_network(region_org, name="Síť kraje")
    service = provider_service(tenant, name="Hodnocená služba")
    application = make_application(network, service, capacity=12, justification=f"Zdůvodnění {secret}")
    return {"candidate_key": f"a{application.pk}"}
