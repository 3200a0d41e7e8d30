"""Every database read the scoring needs, turned into the engine's arrays (:class:`ScoringInputs`).

``build_inputs`` reads in a constant number of queries however many candidates there are (the demand adds a
constant number per kind with demand parameters): entries of the version, the applications, the territory
(ORPs, municipalities with coordinates and their latest population), located facilities and forms of the services,
the quality and round data (:mod:`qmss.network.quality_scoring`) and the demand per ORP of each kind
(:func:`qmss.network.demand.demand_by_orp` – the one demand rule). ``cached_inputs`` keeps the result under a key
that changes with everything it reads: the network, its current version, rule and parameter sets, the
applications, the registry data version, the assessments, findings, improvement actions and rounds.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

import numpy as np
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from qmss.network.models import Application, Network, NetworkEntry, NetworkVersion
from qmss.network.scoring_engine import prepare
from qmss.network.types_scoring import ScoringInputs, float_array, int_array

OPEN_STATES = (
    Application.State.SUBMITTED,
    Application.State.FORMAL_CHECK,
    Application.State.EVALUATION,
    Application.State.PROPOSAL,
)
CACHE_TIMEOUT = 6 * 3600


def open_applications(network: Network):
    return Application.objects.filter(network=network, state__in=OPEN_STATES)


def _candidates(version: NetworkVersion | None, applications) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if version is not None:
        for entry in (
            NetworkEntry.objects.filter(version=version)
            .select_related("service__kind", "service__provider", "tier")
            .order_by("pk")
        ):
            rows.append({"key": f"e{entry.pk}", "obj": entry, "entry": True})
    for application in applications.select_related(
        "service__kind", "service__provider", "organisation", "tier"
    ).order_by("pk"):
        rows.append({"key": f"a{application.pk}", "obj": application, "entry": False})
    for row in rows:
        obj = row["obj"]
        service = obj.service
        row["service"] = service
        row["kind"] = service.kind.code if service.kind_id else service.kind_code.rsplit("/", 1)[-1]
        row["orp_codes"] = [int(c) for c in (obj.orp_codes or []) if str(c).isdigit()]
        row["municipality_codes"] = [str(c) for c in (obj.municipality_codes or [])]
        row["label"] = {
            "name": service.name or str(service),
            "provider": service.provider.name if service.provider_id else "",
            "service_id": service.pk,
            "portal_id": service.portal_id,
            "unit": obj.unit,
            "application_kind": "" if row["entry"] else obj.kind,
            "state": "" if row["entry"] else obj.state,
            "organisation_id": None if row["entry"] else obj.organisation_id,
            "tier": getattr(getattr(obj, "tier", None), "name", "") or "",
        }
    return rows


def _territory(network: Network, rows: list[dict[str, Any]]):
    """ORPs (of the network's region and every served ORP) and their municipalities with the latest population."""
    from qmss.territory.models import Municipality, Orp, Population

    orp_codes = {code for row in rows for code in row["orp_codes"]}
    muni_codes = {code for row in rows for code in row["municipality_codes"]}
    orps = list(
        Orp.objects.filter(
            Q(region_id=network.region_id) | Q(ruian_code__in=orp_codes) | Q(municipalities__code__in=muni_codes)
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", "ruian_code", "region_id")
    )
    orp_ids = [pk for pk, _code, _region in orps]
    latest = Population.objects.filter(municipality=OuterRef("pk")).order_by("-reference_date")
    municipalities = list(
        Municipality.objects.filter(orp_id__in=orp_ids)
        .annotate(pop_all=Subquery(latest.values("total")[:1]), pop_65=Subquery(latest.values("age_65_plus")[:1]))
        .order_by("pk")
        .values_list("pk", "code", "latitude", "longitude", "orp_id", "pop_all", "pop_65")
    )
    return orps, municipalities


def _registry(service_ids: list[int]):
    """Located facilities (active today) and delivery forms of the services – two queries."""
    from qmss.registry.models import Facility, ServiceForm

    day = timezone.localdate()
    active = (Q(date_from__isnull=True) | Q(date_from__lte=day)) & (Q(date_to__isnull=True) | Q(date_to__gte=day))
    facilities = list(
        Facility.objects.filter(active, service_id__in=service_ids)
        .order_by("service_id", "position", "pk")
        .values_list("service_id", "latitude", "longitude", "municipality__orp_id")
    )
    forms: dict[int, list[str]] = defaultdict(list)
    continuous: dict[int, list[bool | None]] = defaultdict(list)
    for service_id, code, flag in ServiceForm.objects.filter(service_id__in=service_ids).values_list(
        "service_id", "form_code", "continuous"
    ):
        forms[service_id].append(code.rsplit("/", 1)[-1])
        continuous[service_id].append(flag)
    return facilities, forms, continuous


def _continuous(flags: list[bool | None]) -> float | None:
    if any(flag is True for flag in flags):
        return 1.0
    if any(flag is False for flag in flags):
        return 0.0
    return None


def _demand(network: Network, orp_ids: list[int], orp_regions: set[int], kinds: set[str]):
    """Demand rows per kind with demand parameters in force (``demand.demand_by_orp``)."""
    from qmss.network import demand as demand_module
    from qmss.network.selectors_rules import current_parameters, demand_values

    parameter_set = current_parameters(network)
    params = demand_values(parameter_set) if parameter_set is not None else {}
    kinds_used = [kind for kind in sorted(kinds) if kind in params]
    n_orps, n_kinds = len(orp_ids), len(kinds_used)
    position = {pk: i for i, pk in enumerate(orp_ids)}
    arrays = {name: np.zeros((n_orps, n_kinds)) for name in ("population", "share", "refused", "waiting", "total")}
    arrays["total"][:] = np.nan
    rounds = {}
    for j, kind in enumerate(kinds_used):
        for orp_id, row in demand_module.demand_by_orp(
            region_ids=sorted(orp_regions), kind_code=kind, demand=params[kind]
        ).items():
            i = position.get(orp_id)
            if i is None:
                continue
            arrays["population"][i, j] = row.population
            arrays["share"][i, j] = float(row.exclusion_share)
            arrays["refused"][i, j] = float(row.refused)
            arrays["waiting"][i, j] = float(row.waiting)
            arrays["total"][i, j] = float(row.total)
            rounds[kind] = row.round_id
    populations = {}
    for target in (demand_module.TARGET_ALL, demand_module.TARGET_65_PLUS):
        people = demand_module.target_population(orp_ids=orp_ids, target=target)
        populations[target] = np.array([people.get(pk, 0) for pk in orp_ids], dtype=float)
    return kinds_used, arrays, {k: params[k] for k in kinds_used}, populations, parameter_set, rounds


def build_inputs(*, network: Network, version: NetworkVersion | None = None, applications=None) -> ScoringInputs:
    """The scoring inputs of the network: the version's entries (default: the current version) and
    ``applications`` (default: the network's open applications)."""
    from qmss.network.quality_scoring import service_quality
    from qmss.network.selectors_networks import current_version
    from qmss.network.selectors_rules import current_rule_set

    version = version if version is not None else current_version(network)
    applications = open_applications(network) if applications is None else applications
    if isinstance(applications, list | tuple):
        applications = Application.objects.filter(pk__in=[a.pk for a in applications])
    rows = _candidates(version, applications)
    services = {row["service"].pk: row["service"] for row in rows}
    orps, municipalities = _territory(network, rows)
    orp_ids = [pk for pk, _code, _region in orps]
    orp_index = {pk: i for i, pk in enumerate(orp_ids)}
    orp_by_code = {code: i for i, (_pk, code, _region) in enumerate(orps)}
    muni_index = {code: i for i, (_pk, code, *_rest) in enumerate(municipalities)}
    munis_of_orp: dict[int, list[int]] = defaultdict(list)
    for i, (_pk, _code, _lat, _lon, orp_id, *_pop) in enumerate(municipalities):
        munis_of_orp[orp_index[orp_id]].append(i)
    facilities, forms, continuous = _registry(list(services))
    facilities_of: dict[int, list[tuple]] = defaultdict(list)
    for service_id, lat, lon, orp_id in facilities:
        facilities_of[service_id].append((lat, lon, orp_index.get(orp_id, -1) if orp_id else -1))
    quality, round_used = service_quality(region_id=network.region_id, services=services, forms=forms)

    sv_cand, sv_muni, so_cand, so_orp, fac = [], [], [], [], []
    for c, row in enumerate(rows):
        served_orps = [orp_by_code[code] for code in row["orp_codes"] if code in orp_by_code]
        served_munis = [muni_index[code] for code in row["municipality_codes"] if code in muni_index]
        if not served_orps:
            served_orps = sorted({municipalities[m][4] and orp_index[municipalities[m][4]] for m in served_munis})
        if not served_munis:
            served_munis = [m for o in served_orps for m in munis_of_orp[o]]
        so_cand += [c] * len(served_orps)
        so_orp += served_orps
        sv_cand += [c] * len(served_munis)
        sv_muni += served_munis
        for lat, lon, o in facilities_of[row["service"].pk]:
            fac.append((c, lat, lon, o))
    kinds_used, demand_arrays, demand_used, populations, parameter_set, demand_rounds = _demand(
        network, orp_ids, {region for _pk, _code, region in orps}, {row["kind"] for row in rows}
    )
    rule_set = current_rule_set(network)
    q = [quality[row["service"].pk] for row in rows]
    inputs = ScoringInputs(
        keys=[row["key"] for row in rows],
        service_ids=int_array(row["service"].pk for row in rows),
        kind_codes=[row["kind"] for row in rows],
        units=[row["obj"].unit for row in rows],
        capacity=float_array(row["obj"].capacity for row in rows),
        is_entry=np.array([row["entry"] for row in rows], dtype=bool),
        orp_ids=int_array(orp_ids),
        muni_codes=[m[1] for m in municipalities],
        muni_lat=float_array(m[2] for m in municipalities),
        muni_lon=float_array(m[3] for m in municipalities),
        muni_orp=int_array(orp_index[m[4]] for m in municipalities),
        muni_pop_all=float_array(m[5] for m in municipalities),
        muni_pop_65=float_array(m[6] for m in municipalities),
        sv_cand=int_array(sv_cand),
        sv_muni=int_array(sv_muni),
        so_cand=int_array(so_cand),
        so_orp=int_array(so_orp),
        fac_cand=int_array(f[0] for f in fac),
        fac_lat=float_array(f[1] for f in fac),
        fac_lon=float_array(f[2] for f in fac),
        fac_orp=int_array(f[3] for f in fac),
        continuous=float_array(_continuous(continuous.get(row["service"].pk, [])) for row in rows),
        audit_pct=float_array(x.audit for x in q),
        inspection_pct=float_array(x.inspection for x in q),
        nc_major=float_array(x.major for x in q),
        nc_minor=float_array(x.minor for x in q),
        minimum_form=float_array(None if x.minimum is None else float(x.minimum) for x in q),
        indicator_basic=float_array(x.indicator for x in q),
        round_refused=float_array(x.refused for x in q),
        round_waiting=float_array(x.waiting for x in q),
        round_costs=float_array(x.costs for x in q),
        round_capacity=float_array(x.round_capacity for x in q),
        round_days=float_array(x.round_days for x in q),
        demand_kinds=kinds_used,
        demand_population=demand_arrays["population"],
        demand_share=demand_arrays["share"],
        demand_refused=demand_arrays["refused"],
        demand_waiting=demand_arrays["waiting"],
        demand_total=demand_arrays["total"],
        demand_used=demand_used,
        orp_pop_all=populations["all"],
        orp_pop_65=populations["65+"],
        labels=[row["label"] for row in rows],
        sources=[
            {
                "audit": x.audit_source,
                "inspection": x.inspection_source,
                "minimum_form": x.minimum_source,
                "round": x.round_source,
                "n_facilities": len(facilities_of[row["service"].pk]),
                "orp_codes": row["orp_codes"],
                "municipality_codes": row["municipality_codes"],
            }
            for row, x in zip(rows, q, strict=True)
        ],
        meta={
            "network": network.pk,
            "version": version.pk if version else None,
            "version_number": version.number if version else None,
            "rule_set": rule_set.pk if rule_set else None,
            "rule_set_version": rule_set.version if rule_set else None,
            "parameter_set": parameter_set.pk if parameter_set else None,
            "parameter_set_version": parameter_set.version if parameter_set else None,
            "round": round_used,
            "demand_rounds": demand_rounds,
            "orp_codes": [code for _pk, code, _region in orps],
            "built_at": timezone.now().isoformat(),
        },
    )
    prepare(inputs)
    return inputs


# --------------------------------------------------------------------------------------------- cache


def _stamp(network: Network) -> str:
    """Everything the inputs read, as one fingerprint (a handful of aggregate queries)."""
    from qmss.assessments.models import Assessment, Finding
    from qmss.improvement.models import Action
    from qmss.needs.models import MinimumForm, ServiceCard, Submission
    from qmss.network.selectors_networks import current_version
    from qmss.network.selectors_rules import current_parameters, current_rule_set
    from qmss.registry.cache import current_version as registry_version

    version = current_version(network)
    rule_set = current_rule_set(network)
    parameter_set = current_parameters(network)
    applications = Application.objects.filter(network=network).aggregate(n=Count("pk"), last=Max("updated_at"))
    parts = [
        network.pk,
        version.pk if version else None,
        rule_set.pk if rule_set else None,
        parameter_set.pk if parameter_set else None,
        applications["n"],
        applications["last"],
        registry_version(),
        Assessment.objects.aggregate(last=Max("updated_at"), n=Count("pk")),
        Finding.objects.aggregate(last=Max("updated_at"), n=Count("pk")),
        Action.objects.aggregate(last=Max("updated_at")),
        Submission.objects.aggregate(last=Max("decided_at"), n=Count("pk")),
        ServiceCard.objects.aggregate(last=Max("updated_at"), n=Count("pk")),
        MinimumForm.objects.aggregate(last=Max("pk")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def cached_inputs(network: Network) -> ScoringInputs:
    """:func:`build_inputs` of the network's current version and open applications, cached until anything it
    reads changes."""
    from qmss.registry.cache import page_cache

    cache = page_cache()
    key = f"network:scoring-inputs:{network.pk}:{_stamp(network)}"
    inputs = cache.get(key)
    if inputs is None:
        inputs = build_inputs(network=network)
        cache.set(key, inputs, CACHE_TIMEOUT)
    return inputs
