"""Throughput and latency of the public finder (``/najit-sluzbu/``) under 16 anonymous clients, vs. ``/healthz``.

The same server as ``bench_throughput`` (gunicorn with the repository's ``gunicorn.conf.py`` and production
settings, the national-scale synthetic registry of ``bench_registry``) – its helpers are imported, not copied.
The clients are anonymous (no cookie) and cycle over many different finder URLs: a municipality each (spread
over the whole country), with a need filter (when the situations part provides needs) or a form / target group
filter on some, so no two consecutive requests ask the same page.

- ``finder_throughput``: requests per second of the finder as a ratio to ``/healthz`` on the same server in the
  same run. Target: at least 0.6x.
- ``finder_p95``: the finder's 95th-percentile latency under that load in ms; the baseline is ``/healthz``'s p95.
  Target: at most 150 ms.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.bench_throughput import (
    CLIENTS,
    GUNICORN_CONF,
    HEALTHZ_PATH,
    MAX_REQUESTS,
    REPO_ROOT,
    _collectstatic,
    _free_port,
    _gunicorn,
    _prepare_data,
    _server_env,
    _stop,
    _wait_ready,
    measure,
)
from bench.common import BenchResult

FINDER_PATH = "/najit-sluzbu/"
FINDER_MAX_REQUESTS = 4000
MUNICIPALITIES = 600  # distinct places the clients cycle over


def finder_paths() -> list[str]:
    """Finder URLs over many municipalities (every n-th of those with coordinates, so the whole country), with a
    need, a form or a target group on some of them."""
    from qmss.portal import forms_finder
    from qmss.registry.models import DeliveryForm, TargetGroup
    from qmss.territory.models import Municipality

    codes = list(Municipality.objects.filter(latitude__isnull=False).order_by("code").values_list("code", flat=True))
    step = max(1, len(codes) // MUNICIPALITIES)
    codes = codes[::step][:MUNICIPALITIES]
    needs = [code for _area, items in forms_finder.need_choices() for code, _name in items]
    forms = list(DeliveryForm.objects.values_list("code", flat=True))
    groups = list(TargetGroup.objects.values_list("code", flat=True))
    paths = []
    for i, code in enumerate(codes):
        params = [("obec", code)]
        if needs and i % 2 == 0:
            params.append(("potreba", needs[i % len(needs)]))
        elif forms and i % 4 == 1:
            params.append(("forma", forms[i % len(forms)]))
        elif groups and i % 4 == 3:
            params.append(("skupina", groups[i % len(groups)]))
        paths.append(f"{FINDER_PATH}?{urlencode(params)}")
    return paths


def run() -> list[BenchResult]:
    from django.db import connections

    from bench.bench_registry import _clear_registry, _remove_territory

    tmp = Path(tempfile.mkdtemp(prefix="qmss-bench-finder-"))
    own_territory = False
    proc = None
    try:
        started = time.perf_counter()
        own_territory = _prepare_data()
        paths = finder_paths()
        print(f"# finder: data loaded in {time.perf_counter() - started:.1f}s, {len(paths)} URLs", flush=True)
        connections.close_all()  # the server's processes have the database to themselves
        port = _free_port()
        env = _server_env(tmp, port)
        _collectstatic(env)
        proc = subprocess.Popen([_gunicorn(), "--config", str(GUNICORN_CONF)], env=env, cwd=REPO_ROOT)
        _wait_ready(proc, port, tmp / "gunicorn.log")
        try:
            finder = measure(port, paths, "", FINDER_MAX_REQUESTS)
            healthz = measure(port, HEALTHZ_PATH, "", MAX_REQUESTS["healthz"])
        except RuntimeError:
            log = tmp / "gunicorn.log"
            print("# gunicorn.log (end):", log.read_text(errors="replace")[-3000:] if log.exists() else "", flush=True)
            raise
        print(
            f"# finder ({CLIENTS} anonymous clients, {len(paths)} URLs): {finder.requests} requests in "
            f"{finder.seconds:.1f}s ({finder.rps:.1f}/s, median {statistics.median(finder.latencies) * 1000:.0f} ms), "
            f"/healthz {healthz.requests} in {healthz.seconds:.1f}s ({healthz.rps:.1f}/s)",
            flush=True,
        )
        return [
            BenchResult(
                "finder_throughput", finder.rps, "rps", healthz.rps, "rps", 0.6, ">=0.6x", higher_is_better=True
            ),
            BenchResult(
                "finder_p95",
                finder.p95_ms,
                "ms",
                healthz.p95_ms,
                "ms",
                float("inf"),
                "<=150ms",
                target_value=150.0,
            ),
        ]
    finally:
        if proc is not None:
            _stop(proc)
        _clear_registry()
        if own_territory:
            _remove_territory()
        shutil.rmtree(tmp, ignore_errors=True)
