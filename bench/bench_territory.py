"""Territory import and page speed, each against a baseline measured on the same machine in the same run.

- ``territory_import``: first ``import_territory(data_dir)`` into an empty database, vs. a bare
  ``csv.DictReader`` pass over the CSV files the importer reads (the import also parses ~4 MB of GeoJSON
  boundaries and writes ~37,800 rows). Target: at most 40x.
- ``territory_reimport``: the same import again (nothing new to write). Target: at most 15x.
- ``territory_page``: the municipality list of the ORP with the most municipalities through Django's test
  client (111 rows, full layout), vs. a trivial ``/healthz`` request. Target: at most 80x.
"""

from __future__ import annotations

import contextlib
import csv
import io
import statistics
import time
from pathlib import Path

from bench.common import BenchResult, timeit

CSV_FILES = ("obce_65plus_2023.csv", "pocet_obyvatel_obce_2020_2024.csv", "orp_kody_prevodnik.csv")
ORP_PAGE_URL_NAMES = ("territory:orp_municipalities", "territory:orp")


def find_csv_files(data_dir: Path) -> list[Path]:
    found = []
    for name in CSV_FILES:
        matches = sorted(data_dir.rglob(name))
        if not matches:
            raise FileNotFoundError(f"{name} not found under {data_dir}")
        found.append(matches[0])
    return found


def bare_read(paths: list[Path]) -> int:
    rows = 0
    for path in paths:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for _row in csv.DictReader(handle):
                rows += 1
    return rows


def _timed_import(data_dir: Path) -> float:
    from qmss.territory.importer import import_territory

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # keep the BENCH lines the only output
        import_territory(data_dir)
    return time.perf_counter() - started


def _orp_page_url(orp) -> str:
    from django.urls import NoReverseMatch, reverse

    for name in ORP_PAGE_URL_NAMES:
        try:
            return reverse(name, kwargs={"orp_code": orp.ruian_code})
        except NoReverseMatch:
            continue
    return orp.get_absolute_url()


def _page_figure() -> BenchResult:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from qmss.territory.models import Orp

    orp = Orp.objects.annotate(n=Count("municipalities")).order_by("-n", "name").first()
    if orp is None:
        raise RuntimeError("no ORP after the import")
    url = _orp_page_url(orp)
    client = Client(HTTP_HOST="localhost")
    response = client.get(url)
    if response.status_code == 302:  # the page wants a login: measure it as a superuser sees it
        user, _ = get_user_model().objects.get_or_create(
            username="bench", defaults={"is_superuser": True, "is_staff": True}
        )
        client.force_login(user)
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered HTTP {response.status_code}")
    health = client.get("/healthz")
    if health.status_code != 200:
        raise RuntimeError(f"/healthz answered HTTP {health.status_code}")

    baseline = timeit(lambda: client.get("/healthz"), repeat=21)
    value = timeit(lambda: client.get(url), repeat=11)
    print(f"# territory_page: {url} ({orp.name}, {orp.n} municipalities, {len(response.content)} bytes)")
    return BenchResult("territory_page", value, "s", baseline, "s", 80.0, "<=80x")


def run() -> list[BenchResult]:
    from django.conf import settings

    data_dir = settings.QMSS_DATA_DIR
    if not data_dir or not Path(data_dir).is_dir():
        print("BENCH territory skipped: no QMSS_DATA_DIR", flush=True)
        return []
    data_dir = Path(data_dir)
    paths = find_csv_files(data_dir)
    rows = bare_read(paths)
    baseline = timeit(lambda: bare_read(paths), repeat=5)
    print(f"# territory baseline: csv.DictReader over {rows} rows in {len(paths)} files")

    first = _timed_import(data_dir)
    # A re-import changes nothing, so it can be repeated: the median of three is steadier than one run.
    second = statistics.median(_timed_import(data_dir) for _ in range(3))
    return [
        BenchResult("territory_import", first, "s", baseline, "s", 40.0, "<=40x"),
        BenchResult("territory_reimport", second, "s", baseline, "s", 15.0, "<=15x"),
        _page_figure(),
    ]
