"""Template filters for territory figures."""

from django import template

from qmss.core.formatting import format_percent

register = template.Library()


@register.filter
def percent(share, decimals: int = 1) -> str:
    """0.2134 → "21,3 %" (the one percentage rule of :mod:`qmss.core.formatting`); empty when unknown."""
    return format_percent(ratio=share, places=int(decimals))
