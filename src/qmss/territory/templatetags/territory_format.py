"""Template filters for territory figures."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(share, decimals: int = 1) -> str:
    """0.2134 → "21.3 %" (localised decimal separator); empty when unknown."""
    if share is None or share == "":
        return ""
    return f"{number_format(float(share) * 100, decimal_pos=int(decimals))}\u00a0%"
