"""Shared pieces of the benchmarks: the result record, the one-line printer and a median timer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BenchResult:
    """One measured figure compared with a baseline measured in the same run on the same machine.

    ``target_ratio`` is the largest acceptable value/baseline; ``target_text`` says it for humans ("<=25x").
    With ``higher_is_better`` it is the smallest acceptable ratio instead (throughput: ">=0.5x"). With
    ``target_value`` the target is an absolute limit on the value itself (a latency: "<=300ms"), and the ratio is
    only shown.
    """

    name: str
    value: float
    unit: str
    baseline: float
    baseline_unit: str
    target_ratio: float
    target_text: str
    higher_is_better: bool = False
    target_value: float | None = None

    @property
    def ratio(self) -> float:
        if self.baseline == 0:
            return float("inf")
        return round(self.value / self.baseline, 2)

    @property
    def ok(self) -> bool:
        if self.target_value is not None:
            return self.value >= self.target_value if self.higher_is_better else self.value <= self.target_value
        if self.higher_is_better:
            return self.ratio >= self.target_ratio
        return self.ratio <= self.target_ratio


def format_number(value: float) -> str:
    """A short plain decimal (no exponent): 12.35, 0.004213, 1234."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:.1f}"
    text = f"{value:.4g}"
    if "e" in text:
        text = f"{value:.9f}".rstrip("0").rstrip(".")
    return text


def format_result(result: BenchResult) -> str:
    ratio = "inf" if result.ratio == float("inf") else f"{result.ratio:.2f}"
    return (
        f"BENCH {result.name} value={format_number(result.value)}{result.unit} "
        f"baseline={format_number(result.baseline)}{result.baseline_unit} ratio={ratio} "
        f"target={result.target_text} {'ok' if result.ok else 'miss'}"
    )


def print_results(results: list[BenchResult]) -> None:
    for result in results:
        print(format_result(result), flush=True)


def timeit(fn: Callable[[], object], repeat: int = 5) -> float:
    """Call ``fn`` ``repeat`` times; return the median wall-clock duration in seconds."""
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)
