"""Tests of the test and benchmark harness itself: the query-budget helper and the BENCH line format."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from qmss.core.models import Membership
from qmss.testing.factories import make_org, make_user
from qmss.testing.queries import assert_constant_queries, count_queries

BENCH_COMMON = Path(__file__).resolve().parent.parent / "bench" / "common.py"
BENCH_LINE = re.compile(
    r"^BENCH (?P<name>\S+) value=(?P<value>\d+(\.\d+)?)(?P<unit>\S*) "
    r"baseline=(?P<baseline>\d+(\.\d+)?)(?P<baseline_unit>\S*) ratio=(?P<ratio>\d+\.\d{2}) "
    r"target=(?P<target>\S+) (?P<verdict>ok|miss)$"
)


@pytest.fixture(scope="module")
def bench_common():
    spec = importlib.util.spec_from_file_location("qmss_bench_common", BENCH_COMMON)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while building the class
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


# --- query budget -------------------------------------------------------------------------------------


@pytest.fixture
def grow_memberships(db):
    org = make_org()

    def grow(n: int) -> None:
        for _ in range(n - Membership.objects.count()):
            make_user(org=org)

    return grow


def _names_n_plus_one() -> list[str]:
    return [m.user.username for m in Membership.objects.order_by("pk")]  # one query per membership


def _names_constant() -> list[str]:
    return [m.user.username for m in Membership.objects.select_related("user").order_by("pk")]


def test_constant_queries_catches_n_plus_one(grow_memberships):
    with pytest.raises(AssertionError, match="query count grows with rows"):
        assert_constant_queries(_names_n_plus_one, grow_memberships, count=Membership.objects, small=1, large=5)


def test_constant_queries_passes_for_joined_query(grow_memberships):
    assert assert_constant_queries(_names_constant, grow_memberships, count=Membership.objects, small=1, large=5) == 1
    assert Membership.objects.count() == 5


def test_constant_queries_enforces_budget(grow_memberships):
    with pytest.raises(AssertionError, match="budget 0"):
        assert_constant_queries(
            _names_constant, grow_memberships, count=Membership.objects, small=1, large=3, max_queries=0
        )


def test_constant_queries_fails_on_a_page_that_does_not_answer(grow_memberships, client):
    """Two 404s make the same few queries whatever the data: they must not pass as a constant page."""
    with pytest.raises(AssertionError, match="status 404, expected 200"):
        assert_constant_queries(
            lambda: client.get("/no-such-page/"), grow_memberships, count=Membership.objects, small=1, large=3
        )


def test_constant_queries_fails_when_grow_adds_nothing(grow_memberships):
    with pytest.raises(AssertionError, match="added no rows"):
        assert_constant_queries(
            _names_constant, lambda n: grow_memberships(1), count=Membership.objects, small=1, large=3
        )


def test_constant_queries_fails_when_the_page_does_not_show_the_rows(grow_memberships):
    """Rows grown somewhere the page does not list (another tenant, another page) prove nothing."""

    def first_only() -> list[str]:
        return [m.user.username for m in Membership.objects.select_related("user").order_by("pk")[:1]]

    with pytest.raises(AssertionError, match="does not show the added rows"):
        assert_constant_queries(first_only, grow_memberships, count=Membership.objects, small=1, large=3)


@pytest.mark.django_db
def test_count_queries_returns_sql():
    n, sql = count_queries(lambda: list(Membership.objects.all()))
    assert n == 1
    assert "membership" in sql[0].lower()


# --- bench printer -----------------------------------------------------------------------------------


def test_bench_line_format_ok(bench_common):
    result = bench_common.BenchResult("territory_import", 2.5, "s", 0.25, "s", 25.0, "<=25x")
    line = bench_common.format_result(result)
    match = BENCH_LINE.match(line)
    assert match, line
    assert match["name"] == "territory_import"
    assert match["value"] == "2.5" and match["unit"] == "s"
    assert match["baseline"] == "0.25" and match["baseline_unit"] == "s"
    assert match["ratio"] == "10.00"
    assert match["target"] == "<=25x"
    assert match["verdict"] == "ok"


def test_bench_line_format_miss_and_small_numbers(bench_common):
    result = bench_common.BenchResult("territory_page", 0.0042, "s", 0.0000123, "s", 20.0, "<=20x")
    line = bench_common.format_result(result)
    match = BENCH_LINE.match(line)
    assert match, line
    assert "e" not in match["value"] + match["baseline"]  # plain decimals, no exponent
    assert match["ratio"] == "341.46"
    assert match["verdict"] == "miss"


def test_bench_ratio_at_target_is_ok(bench_common):
    result = bench_common.BenchResult("x", 3.0, "ms", 0.2, "ms", 15.0, "<=15x")
    assert result.ratio == 15.0
    assert result.ok
    assert bench_common.format_result(result).endswith(" ok")


def test_bench_print_results_one_line_per_figure(bench_common, capsys):
    results = [
        bench_common.BenchResult("a", 1.0, "s", 1.0, "s", 2.0, "<=2x"),
        bench_common.BenchResult("b", 3.0, "s", 1.0, "s", 2.0, "<=2x"),
    ]
    bench_common.print_results(results)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all(BENCH_LINE.match(line) for line in lines)
    assert [line.rsplit(" ", 1)[1] for line in lines] == ["ok", "miss"]


def test_bench_timeit_returns_median(bench_common, monkeypatch):
    ticks = iter([0.0, 1.0, 10.0, 13.0, 20.0, 22.0])  # durations 1, 3, 2 -> median 2
    monkeypatch.setattr(bench_common.time, "perf_counter", lambda: next(ticks))
    calls = []
    assert bench_common.timeit(lambda: calls.append(1), repeat=3) == 2.0
    assert len(calls) == 3
