"""The one place that reads and sums budget figures (application budgets and settlement actuals).

Amounts are stored as JSON maps ``{category code: "decimal text"}``; codes come from the financing rules library.
- ``total(amounts)``: the sum.
- ``own_revenue(revenues)``: the revenues that are the provider's own (not public money).
- ``net_cost(costs, revenues)``: costs − own revenues – the cost the public must cover.
- ``public_need(costs, revenues)``: net cost − public money the budget already expects from other sources
  (the cap a compensation may not exceed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from qmss.financing.library import default_rules, own_revenue_codes, public_revenue_codes

ZERO = Decimal(0)
MAX_AMOUNT = Decimal("100000000000")  # 100 bn CZK – no service budget is larger


def amount(value) -> Decimal:
    """A stored amount as a Decimal (missing or malformed → 0; the forms validate what is stored)."""
    if value is None or value == "":
        return ZERO
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return ZERO
    return number if number.is_finite() else ZERO


def total(amounts: Mapping[str, object] | None, codes: Iterable[str] | None = None) -> Decimal:
    amounts = amounts or {}
    keys = amounts.keys() if codes is None else codes
    return sum((amount(amounts.get(code)) for code in keys), ZERO)


def own_revenue(revenues: Mapping[str, object] | None) -> Decimal:
    return total(revenues, own_revenue_codes())


def public_revenue(revenues: Mapping[str, object] | None) -> Decimal:
    return total(revenues, public_revenue_codes())


def net_cost(costs: Mapping[str, object] | None, revenues: Mapping[str, object] | None) -> Decimal:
    return total(costs) - own_revenue(revenues)


def public_need(costs: Mapping[str, object] | None, revenues: Mapping[str, object] | None) -> Decimal:
    return net_cost(costs, revenues) - public_revenue(revenues)


def as_json(values: Mapping[str, Decimal]) -> dict[str, str]:
    """Amounts to store (decimal text, known codes only, zeros kept)."""
    from qmss.network.library import decimal_text

    rules = default_rules()
    known = {c.code for c in rules.cost_categories} | {c.code for c in rules.revenue_categories}
    known |= {c.code for c in rules.public_sources}
    return {code: decimal_text(Decimal(value)) for code, value in values.items() if code in known}
