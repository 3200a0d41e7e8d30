"""The production server's configuration (gunicorn.conf.py, make run / make dev) and the throughput figures."""

from __future__ import annotations

import importlib.util
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_COMMON = REPO_ROOT / "bench" / "common.py"


def _config(monkeypatch, tmp_path, **env) -> dict:
    for name in ("QMSS_PORT", "QMSS_BIND", "QMSS_WORKERS", "QMSS_THREADS", "QMSS_ACCESS_LOG", "QMSS_ERROR_LOG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("QMSS_VAR_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py"))


def test_gunicorn_serves_the_wsgi_app_on_localhost_with_several_workers(monkeypatch, tmp_path):
    config = _config(monkeypatch, tmp_path, QMSS_PORT="8123")
    assert config["wsgi_app"] == "qmss.wsgi:application"
    assert config["bind"] == ["127.0.0.1:8123"]
    assert config["workers"] >= 2 and config["threads"] >= 1
    assert config["worker_class"] == "gthread"


def test_gunicorn_access_log_off_and_error_log_in_var(monkeypatch, tmp_path):
    config = _config(monkeypatch, tmp_path)
    assert config["accesslog"] is None
    assert config["errorlog"] == str(tmp_path / "gunicorn.log")
    assert config["bind"] == ["127.0.0.1:8000"]


def test_gunicorn_options_from_the_environment(monkeypatch, tmp_path):
    config = _config(monkeypatch, tmp_path, QMSS_BIND="127.0.0.1:9000", QMSS_WORKERS="5", QMSS_ACCESS_LOG="-")
    assert config["bind"] == ["127.0.0.1:9000"]
    assert config["workers"] == 5
    assert config["accesslog"] == "-"


def _make_dry_run(target: str) -> str:
    # -o: never (re)install into the virtual environment, even if pyproject.toml is newer.
    result = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", target],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.skipif(subprocess.run(["which", "make"], capture_output=True).returncode != 0, reason="no make")
def test_make_run_uses_gunicorn_and_make_dev_runserver():
    run = _make_dry_run("run")
    assert "gunicorn --config gunicorn.conf.py" in run
    assert "db_worker" in run
    assert "runserver" not in run
    dev = _make_dry_run("dev")
    assert "runserver 127.0.0.1:" in dev
    assert "db_worker" in dev


@pytest.fixture(scope="module")
def bench_common():
    spec = importlib.util.spec_from_file_location("qmss_bench_common_server", BENCH_COMMON)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_bench_throughput_ratio_is_higher_is_better(bench_common):
    good = bench_common.BenchResult("t", 60.0, "rps", 100.0, "rps", 0.5, ">=0.5x", higher_is_better=True)
    bad = bench_common.BenchResult("t", 40.0, "rps", 100.0, "rps", 0.5, ">=0.5x", higher_is_better=True)
    assert good.ok and not bad.ok
    assert bench_common.format_result(good) == "BENCH t value=60rps baseline=100.0rps ratio=0.60 target=>=0.5x ok"
    assert bench_common.format_result(bad).endswith(" miss")


def test_bench_absolute_latency_target(bench_common):
    fast = bench_common.BenchResult("p95", 250.0, "ms", 5.0, "ms", float("inf"), "<=300ms", target_value=300.0)
    slow = bench_common.BenchResult("p95", 301.0, "ms", 500.0, "ms", float("inf"), "<=300ms", target_value=300.0)
    assert fast.ok  # the ratio to the baseline (50x) does not matter
    assert not slow.ok  # even though the ratio is below 1
    assert bench_common.format_result(fast).endswith("ratio=50.00 target=<=300ms ok")
