"""Registry import speed and memory on a synthetic national file, against baselines measured in the same run.

The file: ``write_synthetic_registry`` with 6,733 services (>= 18,907 facilities, the national figures of
31 Aug 2026), written to a temporary directory. The territory (real data directory when present, else the
synthetic demo territory) and the reference libraries are loaded first, so codes and places resolve.

- ``registry_import``: the first full import into an empty registry, vs. the bare parse (``json.load`` of the
  file and touching every facility of every record). Target: at most 5x.
- ``registry_reimport``: the same file again (nothing changes, nothing is written). Target: at most 2x.
- ``registry_import_peak_memory``: peak Python memory (tracemalloc) of the first import vs. that of the bare
  ``json.load`` of the same file. Target: at most 1x (the import must not need more than loading the file).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench.common import BenchResult, timeit

SERVICES = 6733
MIN_FACILITIES = 18907
SEED = 20260831
REPEAT = 3


def bare_parse(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        document = json.load(handle)
    facilities = 0
    for item in document["polozky"]:
        for _facility in item["zarizeni"]:
            facilities += 1
    return facilities


def _peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _registry_models() -> list:
    from qmss.registry.models import (
        Capacity,
        Facility,
        Provider,
        RegistryChange,
        RegistryImport,
        Service,
        ServiceForm,
    )

    return [RegistryChange, RegistryImport, Capacity, ServiceForm, Facility, Service.target_groups.through, Service,
            Provider]  # fmt: skip


def _clear_registry() -> None:
    """Empty the registry tables (children first) – raw deletes, this is a throw-away benchmark database."""
    for model in _registry_models():
        model.objects.all()._raw_delete(model.objects.db)


def _load_territory() -> bool:
    """Load the territory unless present; return True when this module loaded it (and must remove it)."""
    from django.conf import settings

    from qmss.territory.models import Municipality

    if Municipality.objects.exists():
        return False
    data_dir = settings.QMSS_DATA_DIR
    with contextlib.redirect_stdout(io.StringIO()):
        if data_dir and Path(data_dir).is_dir():
            from qmss.territory.importer import import_territory

            import_territory(Path(data_dir))
        else:
            from qmss.territory.synthetic import build_synthetic_territory

            build_synthetic_territory()
    return True


def _remove_territory() -> None:
    from qmss.territory.models import District, Municipality, Orp, Population, Region, TerritoryImport

    for model in (TerritoryImport, Population, Municipality, Orp, District, Region):
        model.objects.all().delete()


def _load_reference() -> None:
    with contextlib.suppress(ImportError):
        from qmss.registry.reference import load_reference

        load_reference()


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run() -> list[BenchResult]:
    from qmss.registry.importer import run_import
    from qmss.registry.synthetic import write_synthetic_registry

    tmp = Path(tempfile.mkdtemp(prefix="qmss-bench-registry-"))
    own_territory = False
    try:
        own_territory = _load_territory()
        _load_reference()
        path = tmp / "rpss-synthetic.json"
        stats = write_synthetic_registry(path, services=SERVICES, seed=SEED)
        if stats["facilities"] < MIN_FACILITIES:
            raise RuntimeError(f"the synthetic file has only {stats['facilities']} facilities")
        print(
            f"# registry file: {stats['services']} services, {stats['facilities']} facilities, "
            f"{stats['bytes'] / 2**20:.1f} MB ({stats['source']})",
            flush=True,
        )
        baseline = timeit(lambda: bare_parse(path), repeat=REPEAT)
        baseline_peak = _peak_mb(lambda: bare_parse(path))

        _clear_registry()
        import_peak = _peak_mb(lambda: run_import(path))
        firsts = []
        for _ in range(REPEAT):
            _clear_registry()
            firsts.append(_timed(lambda: run_import(path)))
        runs = []
        seconds = [_timed(lambda: runs.append(run_import(path))) for _ in range(REPEAT)]
        counts = runs[-1].counts
        if counts["new"] or counts["changed"] or counts["unchanged"] != stats["services"]:
            raise RuntimeError(f"the re-import was not a no-op: {counts}")
        return [
            BenchResult("registry_import", statistics.median(firsts), "s", baseline, "s", 5.0, "<=5x"),
            BenchResult("registry_reimport", statistics.median(seconds), "s", baseline, "s", 2.0, "<=2x"),
            BenchResult("registry_import_peak_memory", import_peak, "MB", baseline_peak, "MB", 1.0, "<=1x"),
        ]
    finally:
        _clear_registry()
        if own_territory:
            _remove_territory()
        shutil.rmtree(tmp, ignore_errors=True)
