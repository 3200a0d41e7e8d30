"""The what-if request end to end for a region (issue #11: target ≤ 250 ms, ABSOLUTE).

- ``network_whatif``: an htmx POST of the what-if form (``/sit/co-kdyby/<network>/``) through Django's test client
  as the region's network manager – a kind of ~200 candidates shown, three weights changed, one entry removed,
  one application added and a capacity changed: the view reads the rules and parameters, takes the scoring inputs
  from the cache (their change stamp is a handful of aggregate queries), runs the engine twice (the rules'
  baseline and the what-if) and renders the ranking, the ORP gaps and the form of the kind. Median of 11 requests
  after a warm-up, next to the median of 21 ``/healthz`` requests measured in the same run; the ratio is only
  shown. The comment line gives the response size, the query count and the plain (non-htmx) POST too.

Data: a region with 15 ORPs, a network of 700 services (entries bulk-created in version 1 of a network built by
``testing_networks.make_network`` with the library's rules) and 20 open applications. The scoring inputs are
H4's synthetic arrays (:func:`qmss.network.testing_scoring.synthetic_inputs`, 700 services over 620
municipalities) re-keyed to the network's real entries and applications, with their labels, stored under the key
``scoring_inputs.cached_inputs`` looks up – the warmed cache a person meets after the first visit. Everything
happens in one transaction that is rolled back, and the cache entry is deleted.
"""

from __future__ import annotations

import os
import statistics
import time

from bench.common import BenchResult, timeit

SERVICES = 700
APPLICATIONS = 20
MUNICIPALITIES = 620
ORPS = 15
TARGET_MS = 250.0


def _build():
    import numpy as np

    from qmss.core.roles import OrganisationKind, Role
    from qmss.network.models import Application, NetworkEntry
    from qmss.network.selectors_networks import current_version
    from qmss.network.testing_networks import make_network
    from qmss.network.testing_scoring import synthetic_inputs
    from qmss.registry.models import Provider, Service
    from qmss.registry.testing import make_kind
    from qmss.testing.factories import make_municipality, make_org, make_region, make_user

    started = time.perf_counter()
    region = make_region("CZ098", "Kraj co-kdyby")
    municipalities = [make_municipality(region, name=f"Obec co-kdyby {i}") for i in range(ORPS)]
    region_org = make_org(OrganisationKind.REGION, "Krajský úřad co-kdyby", region=region)
    provider_org = make_org(OrganisationKind.PROVIDER, "Poskytovatel co-kdyby", region=region)
    user = make_user("bench-co-kdyby", org=region_org, role=Role.NETWORK_MANAGER)
    network = make_network(region_org, name="Síť co-kdyby")
    version = current_version(network)
    tier = network.tiers.order_by("order").first()

    total = SERVICES + APPLICATIONS
    inputs = synthetic_inputs(services=total, municipalities=MUNICIPALITIES, orps=ORPS, seed=5)
    kinds = {code: make_kind(code) for code in set(inputs.kind_codes)}
    providers = Provider.objects.bulk_create(
        [
            Provider(ico=f"{76000000 + i:08d}", name=f"Poskytovatel {i}", search_name=f"poskytovatel {i}")
            for i in range(80)
        ]
    )
    services = Service.objects.bulk_create(
        [
            Service(
                portal_id=8_000_000 + i,
                identifier=f"{7000000 + i:07d}",
                provider=providers[i % len(providers)],
                kind=kinds[code],
                kind_code=f"DruhSocialniSluzby/{code}",
                name=f"Služba {i:04d}",
                name_sort=f"sluzba {i:04d}",
                snapshot={},
                fingerprint=f"w{i:063d}",
            )  # fmt: skip
            for i, code in enumerate(inputs.kind_codes)
        ]
    )
    entries = NetworkEntry.objects.bulk_create(
        [
            NetworkEntry(version=version, service=s, capacity=inputs.capacity[i], unit=inputs.units[i], tier=tier)
            for i, s in enumerate(services[:SERVICES])
        ]
    )
    applications = Application.objects.bulk_create(
        [
            Application(
                network=network,
                organisation=provider_org,
                kind="A",
                state=Application.State.SUBMITTED,
                service=s,
                capacity=inputs.capacity[SERVICES + i],
                unit=inputs.units[SERVICES + i],
                justification="Potřeba",
            )  # fmt: skip
            for i, s in enumerate(services[SERVICES:])
        ]
    )
    # re-key the synthetic arrays to the real candidates (entries first, then applications)
    inputs.keys = [f"e{e.pk}" for e in entries] + [f"a{a.pk}" for a in applications]
    inputs.service_ids = np.array([s.pk for s in services], dtype=np.int64)
    inputs.is_entry = np.array([True] * SERVICES + [False] * APPLICATIONS)
    inputs.orp_ids = np.array([m.orp_id for m in municipalities], dtype=np.int64)
    inputs.labels = [
        {
            "name": s.name,
            "provider": providers[i % len(providers)].name,
            "service_id": s.pk,
            "portal_id": s.portal_id,
            "unit": inputs.units[i],
            "application_kind": "" if i < SERVICES else "A",
            "state": "" if i < SERVICES else "submitted",
            "organisation_id": None,
            "tier": tier.name,
        }  # fmt: skip
        for i, s in enumerate(services)
    ]
    inputs.sources = [{} for _s in services]
    inputs.meta = {"network": network.pk, "built_at": f"bench-{time.time()}"}
    print(
        f"# network_whatif: {SERVICES} entries + {APPLICATIONS} applications, {MUNICIPALITIES} municipalities in "
        f"{ORPS} ORPs, built in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    return network, user, inputs


def _warm_cache(network, inputs) -> str:
    from qmss.network import scoring_inputs
    from qmss.network.scoring_engine import prepare
    from qmss.registry.cache import page_cache

    prepare(inputs)  # as build_inputs does before caching (index structures and distances kept with the inputs)
    key = f"network:scoring-inputs:{network.pk}:{scoring_inputs._stamp(network)}"
    page_cache().set(key, inputs, 3600)
    if scoring_inputs.cached_inputs(network) is None or len(scoring_inputs.cached_inputs(network)) != len(inputs):
        raise RuntimeError("the warmed inputs are not what cached_inputs returns")
    return key


def _figure(network, user, inputs) -> BenchResult:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    url = reverse("network:whatif", kwargs={"network_pk": network.pk})
    counts = {code: inputs.kind_codes.count(code) for code in set(inputs.kind_codes)}
    kind = max(counts, key=counts.get)
    keys = [k for k, code in zip(inputs.keys, inputs.kind_codes, strict=True) if code == kind]
    entry = next(k for k in keys if k.startswith("e"))
    other = next(k for k in keys if k.startswith("e") and k != entry)
    application = next((k for k in keys if k.startswith("a")), None)
    data = {"druh": kind, "vaha-quality": "10", "vaha-need": "50", "vaha-cost.peers": "0", "odebrat": entry,
            f"kapacita-{other}": "5"}  # fmt: skip
    if application:
        data["pridat"] = application
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    client.post(url, data, HTTP_HX_REQUEST="true")  # warm-up (templates, translations, prepared inputs)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.post(url, data, HTTP_HX_REQUEST="true")
    if response.status_code != 200 or b"whatif-ranking-title" not in response.content:
        raise RuntimeError(f"{url} answered HTTP {response.status_code} without a ranking")
    if b"error-summary" in response.content:
        raise RuntimeError("the what-if form was refused")
    if client.get("/healthz").status_code != 200:
        raise RuntimeError("/healthz did not answer 200")
    baseline = timeit(lambda: client.get("/healthz"), repeat=21)
    walls = []
    for _ in range(11):
        start = time.perf_counter()
        client.post(url, data, HTTP_HX_REQUEST="true")
        walls.append(time.perf_counter() - start)
    value = statistics.median(walls)
    plain = timeit(lambda: client.post(url, data), repeat=3)
    print(
        f"# network_whatif: kind {kind} ({len(keys)} candidates), {len(response.content) // 1024} KiB, "
        f"{len(queries)} queries; median of 11 {value * 1000:.0f} ms (min {min(walls) * 1000:.0f}, max "
        f"{max(walls) * 1000:.0f}); plain POST (whole page) median of 3 {plain * 1000:.0f} ms; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; absolute target {TARGET_MS:g} ms",
        flush=True,
    )
    return BenchResult(
        "network_whatif", value * 1000, "ms", baseline * 1000, "ms", TARGET_MS, f"<={TARGET_MS:g}ms",
        target_value=TARGET_MS,
    )  # fmt: skip


def run() -> list[BenchResult]:
    from django.db import transaction

    from qmss.registry.cache import page_cache

    key = None
    with transaction.atomic():
        try:
            network, user, inputs = _build()
            key = _warm_cache(network, inputs)
            results = [_figure(network, user, inputs)]
        finally:
            transaction.set_rollback(True)
            if key:
                page_cache().delete(key)
    return results
