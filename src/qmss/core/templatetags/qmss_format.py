"""Template filters for numbers, percentages and dates, by the rules of :mod:`qmss.core.formatting`.

``{% load qmss_format %}`` then::

    {{ value|number }}            12 345,5        {{ value|number:1 }}    66,7
    {{ share|percent }}           66,7 %          (a ratio: 0.667)
    {{ part|percent_of:whole }}   66,7 %          (empty when whole is 0)
    {{ day|cz_date }}             7. 12. 2026     {{ moment|cz_datetime }}  7. 12. 2026 9:05

Each gives an empty text for ``None`` so that ``|default:"–"`` can follow.
"""

from __future__ import annotations

from django import template

from qmss.core.formatting import format_date, format_datetime, format_number, format_percent

register = template.Library()


@register.filter
def number(value, places=None):
    return format_number(value, None if places in (None, "") else int(places))


@register.filter
def percent(share, places=None):
    return format_percent(ratio=share, **({} if places in (None, "") else {"places": int(places)}))


@register.filter
def percent_of(part, whole):
    return format_percent(part, whole)


@register.filter
def cz_date(value):
    return format_date(value)


@register.filter
def cz_datetime(value):
    return format_datetime(value)
