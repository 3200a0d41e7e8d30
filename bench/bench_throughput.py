"""Throughput of the production server: the catalogue page under 16 concurrent clients, vs. ``/healthz``.

The server is the one ``make run`` starts: gunicorn with the repository's ``gunicorn.conf.py`` (same workers and
threads) and the production settings (``qmss.settings``: DEBUG off, WhiteNoise with collected static files),
on a free port of 127.0.0.1, against the benchmark's temporary SQLite database loaded with the territory (real
data when present, else the synthetic one) and the national-scale synthetic registry of ``bench_registry``
(6,733 services). The clients are threads of this process with keep-alive ``http.client`` connections, logged
in as a user of a provider organisation (a session made directly in the database).

Each URL is warmed first (every worker process renders it), then hammered by 16 clients for a fixed time or
a fixed number of requests, whichever ends first; every answer must be 200.

- ``throughput_catalogue``: requests per second of the catalogue's first page (``/registr/``, 50 rows, full
  layout) as a ratio to those of ``/healthz`` on the same server in the same run. Target: at least 0.5x.
- ``throughput_catalogue_p95``: the catalogue's 95th-percentile latency under that load, in ms; the baseline
  shown is the p95 of ``/healthz``. Target: at most 300 ms.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import BenchResult

REPO_ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = REPO_ROOT / "gunicorn.conf.py"
CLIENTS = 16
DURATION = 8.0  # seconds of measurement per URL (at most)
MAX_REQUESTS = {"catalogue": 3000, "healthz": 30000}
WARMUP_REQUESTS = 48  # per URL, spread over the clients so every worker process sees some
START_TIMEOUT = 60.0
CATALOGUE_PATH = "/registr/"
HEALTHZ_PATH = "/healthz"


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[-1] * 1000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare_data() -> bool:
    """Territory, reference data and the synthetic national registry; True when the territory is ours."""
    from bench.bench_registry import SEED, SERVICES, _clear_registry, _load_reference, _load_territory
    from qmss.registry.importer import run_import
    from qmss.registry.synthetic import write_synthetic_registry

    own_territory = _load_territory()
    _load_reference()
    _clear_registry()
    with tempfile.TemporaryDirectory(prefix="qmss-bench-throughput-") as tmp:
        path = Path(tmp) / "rpss-synthetic.json"
        write_synthetic_registry(path, services=SERVICES, seed=SEED)
        run_import(path)
    return own_territory


def _session_cookie() -> str:
    """A logged-in session of a provider organisation's reader, made directly in the database."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend

    from qmss.core.models import Membership, Organisation

    user, _created = get_user_model().objects.get_or_create(username="bench-reader")
    organisation, _created = Organisation.objects.get_or_create(name="Bench provider", kind="provider")
    Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": "reader"})
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _server_env(tmp: Path, port: int) -> dict[str, str]:
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="qmss.settings",
        DATABASE_URL=str(os.environ["DATABASE_URL"]),
        QMSS_VAR_DIR=str(settings.VAR_DIR),
        STATIC_ROOT=str(tmp / "static"),
        QMSS_BIND=f"127.0.0.1:{port}",
        QMSS_ERROR_LOG=str(tmp / "gunicorn.log"),
        # Hashed names as in production, without WhiteNoise's gzip/brotli pass (minutes on a busy machine);
        # the clients fetch only the HTML pages.
        QMSS_STATICFILES_STORAGE="django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
        DEBUG="0",
    )
    env.pop("QMSS_ACCESS_LOG", None)
    return env


def _collectstatic(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "--verbosity", "0"],
        env=env,
        cwd=REPO_ROOT,
        check=True,
    )


def _gunicorn() -> str:
    beside = Path(sys.executable).parent / "gunicorn"
    found = str(beside) if beside.exists() else shutil.which("gunicorn")
    if not found:
        raise RuntimeError("gunicorn is not installed (pip install -e '.[dev]')")
    return found


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> int:
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    return response.status


def _wait_ready(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"gunicorn exited with {proc.returncode}: {tail}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        with contextlib.suppress(OSError, http.client.HTTPException):
            if _get(conn, HEALTHZ_PATH, "") == 200:
                conn.close()
                return
        conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {START_TIMEOUT:.0f}s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def hammer(
    port: int, path: str | Sequence[str], cookie: str, *, clients: int, max_requests: int, duration: float
) -> LoadResult:
    """``clients`` threads, each with one keep-alive connection, GET ``path`` (or the paths in turn) until the time
    or count ends."""
    paths = [path] if isinstance(path, str) else list(path)
    tickets = itertools.count()  # next() on it is atomic under the GIL: a shared request budget
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    barrier = threading.Barrier(clients + 1)
    deadline_box: list[float] = []

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        own = latencies[index]
        try:
            barrier.wait()
            deadline = deadline_box[0]
            while time.monotonic() < deadline and (ticket := next(tickets)) < max_requests:
                url = paths[ticket % len(paths)]
                started = time.perf_counter()
                status = _get(conn, url, cookie)
                own.append(time.perf_counter() - started)
                if status != 200:
                    failures.append(f"{url} answered {status}")
                    return
        except Exception as exc:  # reported below; the other clients go on
            failures.append(f"{paths[0]}: {exc.__class__.__name__}: {exc}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline_box.append(time.monotonic() + duration)
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join(duration + 120)
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} failed request(s), first: {failures[0]}")
    flat = [latency for own in latencies for latency in own]
    return LoadResult(requests=len(flat), seconds=elapsed, latencies=flat)


def measure(port: int, path: str | Sequence[str], cookie: str, max_requests: int) -> LoadResult:
    hammer(port, path, cookie, clients=CLIENTS, max_requests=WARMUP_REQUESTS, duration=DURATION)
    return hammer(port, path, cookie, clients=CLIENTS, max_requests=max_requests, duration=DURATION)


def run() -> list[BenchResult]:
    from django.db import connections

    from bench.bench_registry import _clear_registry, _remove_territory

    tmp = Path(tempfile.mkdtemp(prefix="qmss-bench-server-"))
    own_territory = False
    proc = None
    try:
        started = time.perf_counter()
        own_territory = _prepare_data()
        cookie = _session_cookie()
        print(f"# throughput: data loaded in {time.perf_counter() - started:.1f}s", flush=True)
        connections.close_all()  # the server's processes have the database to themselves
        port = _free_port()
        env = _server_env(tmp, port)
        started = time.perf_counter()
        _collectstatic(env)
        collected = time.perf_counter() - started
        proc = subprocess.Popen([_gunicorn(), "--config", str(GUNICORN_CONF)], env=env, cwd=REPO_ROOT)
        _wait_ready(proc, port, tmp / "gunicorn.log")
        print(
            f"# throughput: static files collected in {collected:.1f}s, server up in "
            f"{time.perf_counter() - started - collected:.1f}s",
            flush=True,
        )
        try:
            catalogue = measure(port, CATALOGUE_PATH, cookie, MAX_REQUESTS["catalogue"])
            healthz = measure(port, HEALTHZ_PATH, cookie, MAX_REQUESTS["healthz"])
        except RuntimeError:
            log = tmp / "gunicorn.log"
            print("# gunicorn.log (end):", log.read_text(errors="replace")[-3000:] if log.exists() else "", flush=True)
            raise
        print(
            f"# throughput ({CLIENTS} clients): catalogue {catalogue.requests} requests in {catalogue.seconds:.1f}s "
            f"({catalogue.rps:.1f}/s, median {statistics.median(catalogue.latencies) * 1000:.0f} ms), "
            f"/healthz {healthz.requests} in {healthz.seconds:.1f}s ({healthz.rps:.1f}/s)",
            flush=True,
        )
        return [
            BenchResult(
                "throughput_catalogue", catalogue.rps, "rps", healthz.rps, "rps", 0.5, ">=0.5x", higher_is_better=True
            ),
            BenchResult(
                "throughput_catalogue_p95",
                catalogue.p95_ms,
                "ms",
                healthz.p95_ms,
                "ms",
                float("inf"),
                "<=300ms",
                target_value=300.0,
            ),
        ]
    finally:
        if proc is not None:
            _stop(proc)
        _clear_registry()
        if own_territory:
            _remove_territory()
        shutil.rmtree(tmp, ignore_errors=True)
