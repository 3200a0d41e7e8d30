"""Counts of registered capacity as people read them: "1 lůžko", "3 lůžka", "40 lůžek", "1 234 klientů".

The unit's word forms are reference data (``libraries/registry/capacity-types.yaml``: ``unit_one`` after 1,
``unit_few`` after 2–4, ``unit`` after 0 and 5 or more), because they are Czech words of the registry's code list,
not interface text. :func:`capacity_label` is the one place that picks the form; pages, exports (text columns)
and PDFs use it. A capacity type without the forms (an item added from the MPSV code list) uses ``unit`` for every
count, and a capacity without a known type shows its registry code.
"""

from __future__ import annotations

from django.utils.formats import number_format

ONE, FEW, MANY = "one", "few", "many"


def czech_plural_category(value: int) -> str:
    """Czech plural rule for whole numbers: 1 → one; 2, 3, 4 → few; 0 and 5 or more → many."""
    number = abs(int(value))
    if number == 1:
        return ONE
    if 2 <= number <= 4:
        return FEW
    return MANY


def unit_for(value: int, capacity_type, fallback: str = "") -> str:
    """The unit word for ``value`` of ``capacity_type`` (a ``CapacityType`` or None, then ``fallback``)."""
    if capacity_type is None:
        return fallback
    many = capacity_type.unit or capacity_type.name or fallback
    category = czech_plural_category(value)
    if category == ONE:
        return capacity_type.unit_one or many
    if category == FEW:
        return capacity_type.unit_few or many
    return many


def format_count(value: int) -> str:
    """A whole number with the active language's thousands separator ("1 234" in Czech)."""
    return number_format(int(value), decimal_pos=0, use_l10n=True, force_grouping=True)


def capacity_label(value: int, capacity_type, *, fallback: str = "") -> str:
    """ "1 lůžko", "2 lůžka", "5 lůžek", "1 234 klientů": the count and its unit in the right plural form.

    ``capacity_type`` is a ``CapacityType`` (or None: ``fallback``, e.g. the registry's type code, is shown)."""
    unit = unit_for(value, capacity_type, fallback)
    return f"{format_count(value)} {unit}".strip()


def type_code_of_text(type_code: str) -> str:
    """A registry capacity type without its prefix ("TypKapacitySocialniSluzby/luzka" → "luzka")."""
    return (type_code or "").rsplit("/", 1)[-1]
