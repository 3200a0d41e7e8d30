"""Numbers, percentages and dates as people read them on QMSS pages, PDFs and exports: one helper for all.

The rules (the same on the web, in PDFs and in e-mails; XLSX cells keep real numbers and dates, with the matching
number formats in :mod:`qmss.core.cells`):

- **numbers**: the active language's decimal separator and thousands grouping (``12 345,5`` in Czech, grouped
  by a non-breaking space); without ``places`` a decimal is shown without trailing zeros (``1.50`` → ``1,5``);
  with ``places`` it is rounded half up to that many places.
- **percentages**: one rule everywhere — rounded half up to **one decimal place**, a trailing ``,0`` dropped
  (``66,7 %``, ``67 %``, ``100 %``), a non-breaking space before ``%``. A share of nothing (``whole`` 0) is
  empty, never ``0 %`` or ``( %)``.
- **dates**: ``7. 12. 2026`` in Czech (day and month without leading zeros, spaces after the dots);
  ``7 Dec 2026`` in English. Date and time: ``7. 12. 2026 9:05``.
- ``None`` (or an empty text) gives an empty text, so templates can chain ``|default:"–"``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.formats import number_format

EMPTY = ""
PERCENT_PLACES = 1
NBSP = "\u00a0"
DATE_FORMATS = {"cs": "j. n. Y"}
DATETIME_FORMATS = {"cs": "j. n. Y G:i"}
DEFAULT_DATE_FORMAT = "j M Y"
DEFAULT_DATETIME_FORMAT = "j M Y G:i"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _rounded(number: Decimal, places: int) -> Decimal:
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _trimmed(number: Decimal) -> Decimal:
    number = number.normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return number + 0  # -0 → 0


def format_decimal(value: Any) -> str:
    """A decimal without trailing zeros in the active language's format (``Decimal("1.50")`` → ``1,5`` in Czech).

    Text that is not a number is returned as it is.
    """
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return number_format(_trimmed(number), use_l10n=True)


def format_number(value: Any, places: int | None = None, *, grouping: bool = True) -> str:
    """``value`` in the active language's format, grouped by thousands (``12345.5`` → ``12 345,5``).

    ``places`` None: as many decimal places as the value needs (trailing zeros dropped); otherwise rounded half
    up to ``places``. Empty for ``None``; text that is not a number is returned as it is."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if places is None:
        number = _trimmed(number)
        decimal_pos = None
    else:
        number = _rounded(number, places) + 0
        decimal_pos = places
    return number_format(number, decimal_pos=decimal_pos, use_l10n=True, force_grouping=grouping)


def format_percent(
    part: Any = None, whole: Any = None, *, ratio: Any = None, places: int = PERCENT_PLACES, trim: bool = True
) -> str:
    """A percentage by the one rule of QMSS: ``format_percent(2, 3)`` → ``66,7 %``, ``format_percent(ratio=0.5)``
    → ``50 %``. Empty when unknown or when ``whole`` is 0. ``trim=False`` keeps a trailing ``,0``."""
    if ratio is None:
        part_number, whole_number = _decimal(part), _decimal(whole)
        if part_number is None or not whole_number:
            return EMPTY
        share = part_number / whole_number
    else:
        share = _decimal(ratio)
        if share is None:
            return EMPTY
    number = _rounded(share * 100, places) + 0
    if trim:
        number = _trimmed(number)
        text = number_format(number, use_l10n=True, force_grouping=True)
    else:
        text = number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{text}{NBSP}%"


def _language() -> str:
    return (translation.get_language() or "cs").split("-")[0]


def format_date(value: date | datetime | None) -> str:
    """``7. 12. 2026`` in Czech (``7 Dec 2026`` in English); an aware datetime is shown as its local date."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return date_format(value, DATE_FORMATS.get(_language(), DEFAULT_DATE_FORMAT))


def format_datetime(value: datetime | date | None) -> str:
    """``7. 12. 2026 9:05`` in Czech, in local time; a plain date is shown as :func:`format_date` shows it."""
    if value is None or value == "":
        return EMPTY
    if not isinstance(value, datetime):
        return format_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, DATETIME_FORMATS.get(_language(), DEFAULT_DATETIME_FORMAT))


__all__ = ["format_date", "format_datetime", "format_decimal", "format_number", "format_percent"]
