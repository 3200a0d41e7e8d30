"""The year-end settlement (vyúčtování) of one service's compensation – a pure function of Decimals, no database.

The rule (issue #12, Commission Decision 2012/21/EU art. 5–6 as the financing rules library describes it)::

    net cost          = costs − own revenues              (qmss.financing.budget.net_cost of the actuals)
    reasonable profit = profit rate × costs
    overcompensation  = max(0, public money − (net cost + reasonable profit))
    carry-over        = min(overcompensation, carry-over share × compensation)
    to return         = min(overcompensation − carry-over, compensation)

``public money`` is every public source together (the manager's compensation, state subsidy, municipalities,
other public money); ``compensation`` is the manager's own compensation for the year: the manager reclaims at
most what it paid, and whatever overcompensation is left is shown as overcompensation from other sources.
Every figure is rounded to haléře (2 places, half up) as it is computed, so the stored figures add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SettlementResult:
    net_cost: Decimal
    reasonable_profit: Decimal
    overcompensation: Decimal
    carry_over: Decimal
    to_return: Decimal
    # intermediate figures the explanation shows
    carry_cap: Decimal = ZERO  # carry-over share × compensation
    other_sources: Decimal = ZERO  # overcompensation neither carried over nor returned to the manager


def settle(
    *,
    costs: Decimal,
    own_revenues: Decimal,
    public_money: Decimal,
    compensation: Decimal,
    profit_rate: Decimal,
    carry_share: Decimal,
) -> SettlementResult:
    """Settle one year: ``costs`` (total actual costs), ``own_revenues`` (the provider's own revenues),
    ``public_money`` (all public sources), ``compensation`` (the manager's part of it), ``profit_rate`` and
    ``carry_share`` (shares 0–1 of the programme's parameters). See the module's docstring for the rule."""
    costs, own_revenues = _money(costs), _money(own_revenues)
    public_money, compensation = _money(public_money), _money(compensation)
    net_cost = costs - own_revenues
    reasonable_profit = _money(Decimal(profit_rate) * costs)
    overcompensation = max(ZERO, public_money - (net_cost + reasonable_profit))
    carry_cap = _money(Decimal(carry_share) * compensation)
    carry_over = min(overcompensation, carry_cap)
    to_return = max(ZERO, min(overcompensation - carry_over, compensation))
    return SettlementResult(
        net_cost=net_cost,
        reasonable_profit=reasonable_profit,
        overcompensation=overcompensation,
        carry_over=carry_over,
        to_return=to_return,
        carry_cap=carry_cap,
        other_sources=overcompensation - carry_over - to_return,
    )
