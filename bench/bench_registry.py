"""Registry import speed and memory on a synthetic national file, against baselines measured in the same run.

The file: ``write_synthetic_registry`` with 6,733 services (>= 18,907 facilities, the national figures of
31 Aug 2026), written to a temporary directory. The territory (real data directory when present, else the
synthetic demo territory) and the reference libraries are loaded first, so codes and places resolve.

- ``registry_import``: the first full import into an empty registry, vs. the bare parse (``json.load`` of the
  file and touching every facility of every record). Target: at most 5x.
- ``registry_reimport``: the same file again (nothing changes, nothing is written). Target: at most 2x.
- ``registry_import_peak_memory``: peak Python memory (tracemalloc) of the first import vs. that of the bare
  ``json.load`` of the same file. Target: at most 1x (the import must not need more than loading the file).

Times are the best of several wall-clock runs (3 first imports, 5 bare parses and re-imports: the runs least
disturbed by other processes); a comment line gives the CPU seconds (user + system of this process) as well,
which shared machines disturb less.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench.common import BenchResult

SERVICES = 6733
MIN_FACILITIES = 18907
SEED = 20260831
REPEAT = 3  # first imports (each needs the registry emptied first)
REPEAT_SHORT = 5  # bare parses and re-imports


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


def _timed(fn: Callable[[], object], cpu: list[float] | None = None) -> float:
    started, started_cpu = time.perf_counter(), time.process_time()
    fn()
    if cpu is not None:
        cpu.append(time.process_time() - started_cpu)
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
        baseline_cpu: list[float] = []
        baseline = min(_timed(lambda: bare_parse(path), baseline_cpu) for _ in range(REPEAT_SHORT))
        baseline_peak = _peak_mb(lambda: bare_parse(path))

        _clear_registry()
        import_peak = _peak_mb(lambda: run_import(path))
        firsts, firsts_cpu = [], []
        for _ in range(REPEAT):
            _clear_registry()
            firsts.append(_timed(lambda: run_import(path), firsts_cpu))
        runs, seconds_cpu = [], []
        seconds = [_timed(lambda: runs.append(run_import(path)), seconds_cpu) for _ in range(REPEAT_SHORT)]
        bare_cpu, first_cpu, second_cpu = min(baseline_cpu), min(firsts_cpu), min(seconds_cpu)
        print(
            f"# registry CPU seconds (best runs): bare parse {bare_cpu:.3f}, "
            f"first import {first_cpu:.3f} ({first_cpu / bare_cpu:.2f}x), "
            f"re-import {second_cpu:.3f} ({second_cpu / bare_cpu:.2f}x)",
            flush=True,
        )
        return [
            BenchResult("registry_import", min(firsts), "s", baseline, "s", 5.0, "<=5x"),
            BenchResult("registry_reimport", min(seconds), "s", baseline, "s", 2.0, "<=2x"),
            BenchResult("registry_import_peak_memory", import_peak, "MB", baseline_peak, "MB", 1.0, "<=1x"),
        ]
    finally:
        _clear_registry()
        if own_territory:
            _remove_territory()
        shutil.rmtree(tmp, ignore_errors=True)
