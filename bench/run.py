"""Run every bench/bench_*.py against a throw-away SQLite database and print one BENCH line per figure.

Usage: python bench/run.py [--strict] [--keep] [MODULE ...]   (MODULE: e.g. territory or bench_territory)

Each module exposes ``run() -> list[BenchResult]``. Exit status: 1 when a module raised (or, with --strict,
when a figure missed its target), else 0.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent


def _setup_django(tmp: Path) -> None:
    # Everything must be in the environment before Django reads the settings.
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["QMSS_VAR_DIR"] = str(tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qmss.settings_test")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _modules(selected: list[str]) -> list[str]:
    names = sorted(path.stem for path in BENCH_DIR.glob("bench_*.py"))
    if selected:
        wanted = {name if name.startswith("bench_") else f"bench_{name}" for name in selected}
        unknown = wanted - set(names)
        if unknown:
            raise SystemExit(f"unknown benchmark module(s): {', '.join(sorted(unknown))}")
        names = [name for name in names if name in wanted]
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="run only these bench modules")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its target")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and database")
    args = parser.parse_args(argv)

    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    names = _modules(args.modules)
    tmp = Path(tempfile.mkdtemp(prefix="qmss-bench-"))
    failed = missed = 0
    try:
        _setup_django(tmp)
        from bench.common import print_results

        for name in names:
            started = time.perf_counter()
            try:
                module = importlib.import_module(f"bench.{name}")
                results = module.run()
            except Exception as exc:  # report and go on with the other modules
                failed += 1
                traceback.print_exc()
                short = name.removeprefix("bench_")
                print(f"BENCH {short} error: {exc.__class__.__name__}: {exc}", flush=True)
                continue
            print_results(results)
            missed += sum(not result.ok for result in results)
            print(f"# {name}: {len(results)} figure(s) in {time.perf_counter() - started:.1f}s", flush=True)
    finally:
        if args.keep:
            print(f"# kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if failed or (args.strict and missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
