"""Shared validation rules used by models, forms and actions of every app (one rule, one message).

:func:`validate_date_range` is THE date-range rule of QMSS: every period people enter (an assessment's assessed
period, a development plan's period, an action's deadline inside its plan's period …) is checked by it – in the
model's ``clean()``, in the form's ``clean()`` and in the action, so the web, the API and commands refuse the same
ranges with the same Czech message on the same field.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

try:  # the shared date format (helper "czech" adds it to core.formatting)
    from qmss.core.formatting import format_date
except ImportError:  # pragma: no cover - until core.formatting has it
    from django.utils.formats import date_format

    def format_date(value) -> str:
        return date_format(value, "SHORT_DATE_FORMAT") if value else ""


__all__ = ["DATE_RANGE_CODE", "DATE_OUTSIDE_RANGE_CODE", "validate_date_range", "validate_date_within"]

DATE_RANGE_CODE = "date_range"
DATE_OUTSIDE_RANGE_CODE = "date_outside_range"


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def validate_date_range(
    start: date | datetime | None,
    end: date | datetime | None,
    *,
    start_field: str = "period_start",
    end_field: str = "period_end",
) -> None:
    """Refuse a range that ends before it starts: a ``ValidationError`` on ``end_field`` (code ``date_range``).

    An open end (either date None) is accepted; a range of one day (start == end) is accepted. ``start_field``
    names the field the message refers to (kept for callers that show errors per field)."""
    start_day, end_day = _day(start), _day(end)
    if start_day is None or end_day is None or end_day >= start_day:
        return
    message = _("The end (%(end)s) cannot be before the start (%(start)s).") % {
        "end": format_date(end_day),
        "start": format_date(start_day),
    }
    raise ValidationError({end_field: ValidationError(message, code=DATE_RANGE_CODE)})


def validate_date_within(
    value: date | datetime | None,
    start: date | datetime | None,
    end: date | datetime | None,
    *,
    field: str,
) -> None:
    """Refuse a date outside ``start`` … ``end`` (either bound may be open): a ``ValidationError`` on ``field``
    (code ``date_outside_range``), naming the range. An empty ``value`` is accepted."""
    day, start_day, end_day = _day(value), _day(start), _day(end)
    if day is None:
        return
    if (start_day is None or day >= start_day) and (end_day is None or day <= end_day):
        return
    message = _("The date %(date)s lies outside the period %(start)s – %(end)s.") % {
        "date": format_date(day),
        "start": format_date(start_day) or "…",
        "end": format_date(end_day) or "…",
    }
    raise ValidationError({field: ValidationError(message, code=DATE_OUTSIDE_RANGE_CODE)})
