"""The compensation calculation (výpočet vyrovnávací platby) – pure, Decimal only, no database.

Per line (a subsidy application of one service):

- ``optimal = units × (usual cost − usual own revenue)``, never below 0;
- ``adjusted = optimal × (1 + band % / 100)`` when the programme's criteria adjustment is enabled and the service
  has a network score (the band whose ``from_score ≤ score < to_score``; the last band includes its upper end);
  otherwise ``adjusted = optimal``;
- ``cap_public_share = max public share × units × usual cost`` (the reference value's share, else the
  programme's ``max_public_share``);
- ``cap_net_cost`` = the application's budgeted public need (net cost − other public money), never below 0;
- ``capped = min(adjusted, the caps)``;
- over all lines: ``coefficient = min(1, budget / Σ capped)`` (6 decimal places, rounded down so that the money
  is never exceeded; 1 when Σ capped is 0);
- ``real = capped × coefficient`` rounded down to whole CZK (so Σ real ≤ budget).

A line without a reference value (``usual_cost`` None) or whose unit differs from the reference value's unit
gets a ``problem`` code (:class:`qmss.financing.error_codes.FinancingErrorCode`) and 0 everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from qmss.financing.error_codes import FinancingErrorCode

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
COEFFICIENT_PLACES = Decimal("0.000001")

NO_REFERENCE_VALUE = FinancingErrorCode.NO_REFERENCE_VALUE.value
UNIT_MISMATCH = FinancingErrorCode.UNIT_MISMATCH.value


@dataclass(frozen=True)
class LineInput:
    """What one line is computed from. ``reference_unit`` is the unit of the reference value (None = no check)."""

    key: object
    units: Decimal
    unit: str
    usual_cost: Decimal | None
    usual_revenue: Decimal | None
    max_public_share: Decimal | None
    public_need: Decimal | None
    score: Decimal | None
    reference_unit: str | None = None


@dataclass(frozen=True)
class LineResult:
    key: object
    optimal: Decimal
    adjustment_percent: Decimal
    adjusted: Decimal
    cap_public_share: Decimal | None
    cap_net_cost: Decimal | None
    capped: Decimal
    real: Decimal
    problem: str = ""


def _decimal(value: Any, default: Decimal | None = None) -> Decimal | None:
    if value is None or value == "":
        return default
    number = Decimal(str(value))
    return number if number.is_finite() else default


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def bands(parameters: Mapping[str, Any]) -> list[tuple[Decimal, Decimal, Decimal]]:
    """The programme's adjustment bands as ``(from_score, to_score, percent)``, in order of ``from_score``."""
    items = []
    for band in parameters.get("adjustment_bands") or []:
        items.append((_decimal(band["from_score"]), _decimal(band["to_score"]), _decimal(band["percent"])))
    return sorted(items)


def adjustment_enabled(parameters: Mapping[str, Any]) -> bool:
    return bool(parameters.get("adjustment_enabled"))


def adjustment_percent(score: Decimal | None, parameters: Mapping[str, Any]) -> Decimal:
    """The criteria adjustment in % for a network score (0 when disabled, without a score or outside every band)."""
    if score is None or not adjustment_enabled(parameters):
        return ZERO
    score = Decimal(score)
    items = bands(parameters)
    for index, (low, high, percent) in enumerate(items):
        last = index == len(items) - 1
        if low <= score < high or (last and score == high):
            return percent
    return ZERO


def _problem(line: LineInput) -> str:
    if line.usual_cost is None or line.usual_revenue is None:
        return NO_REFERENCE_VALUE
    if line.reference_unit is not None and line.reference_unit != line.unit:
        return UNIT_MISMATCH
    return ""


def _line(line: LineInput, parameters: Mapping[str, Any]) -> LineResult:
    problem = _problem(line)
    if problem:
        return LineResult(line.key, ZERO, ZERO, ZERO, None, None, ZERO, ZERO, problem)
    units = Decimal(line.units)
    cost, revenue = Decimal(line.usual_cost), Decimal(line.usual_revenue)
    optimal = _money(max(ZERO, units * (cost - revenue)))
    percent = adjustment_percent(line.score, parameters)
    adjusted = _money(optimal * (ONE + percent / HUNDRED))
    share = line.max_public_share
    if share is None:
        share = _decimal(parameters.get("max_public_share"))
    cap_share = _money(max(ZERO, Decimal(share) * units * cost)) if share is not None else None
    cap_net = _money(max(ZERO, Decimal(line.public_need))) if line.public_need is not None else None
    capped = min(value for value in (adjusted, cap_share, cap_net) if value is not None)
    return LineResult(line.key, optimal, percent, adjusted, cap_share, cap_net, capped, ZERO, "")


def coefficient_for(total_capped: Decimal, budget: Decimal) -> Decimal:
    """``min(1, budget / Σ capped)`` to 6 places, rounded down (1 when nothing is capped above 0)."""
    budget = max(ZERO, Decimal(budget))
    if total_capped <= 0 or budget >= total_capped:
        return ONE.quantize(COEFFICIENT_PLACES)
    return (budget / total_capped).quantize(COEFFICIENT_PLACES, rounding=ROUND_DOWN)


def compute(
    inputs: Sequence[LineInput], *, parameters: Mapping[str, Any], budget: Decimal
) -> tuple[list[LineResult], Decimal]:
    """Every line's figures and the budget coefficient (see the module docstring for the rule)."""
    lines = [_line(line, parameters) for line in inputs]
    total = sum((line.capped for line in lines), ZERO)
    coefficient = coefficient_for(total, budget)
    results = []
    for line in lines:
        real = (line.capped * coefficient).quantize(ONE, rounding=ROUND_DOWN).quantize(CENT)
        results.append(
            LineResult(
                line.key,
                line.optimal,
                line.adjustment_percent,
                line.adjusted,
                line.cap_public_share,
                line.cap_net_cost,
                line.capped,
                real,
                line.problem,
            )
        )
    return results, coefficient
