"""Numbers as people read them on QMSS pages: one helper, used by history pages and pass-rule texts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format


def format_decimal(value: Any) -> str:
    """A decimal without trailing zeros in the active language's format (``Decimal("1.50")`` → ``1,5`` in Czech).

    Text that is not a number is returned as it is.
    """
    try:
        number = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return number_format(number, use_l10n=True)
