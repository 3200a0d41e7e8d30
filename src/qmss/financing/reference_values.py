"""Reference values in force: the newest set of a manager and year, and a kind × form's value in a set (the
form's own row, else the kind's any-form row). Used by programmes, compensation and the standards checks."""

from __future__ import annotations

from qmss.financing.models import ReferenceValue, ReferenceValueSet

_CACHE = "_reference_values_by_key"


def current_set(organisation, year: int) -> ReferenceValueSet | None:
    """The set in force of ``organisation`` for ``year``: the highest version; None when there is none."""
    organisation_id = getattr(organisation, "pk", organisation)
    return ReferenceValueSet.objects.filter(organisation_id=organisation_id, year=year).order_by("-version").first()


def values_by_key(reference_set: ReferenceValueSet) -> dict[tuple[str, str | None], ReferenceValue]:
    """The set's values by (kind code, form code or None); read once per set object (cached on it)."""
    cached = getattr(reference_set, _CACHE, None)
    if cached is None:
        values = ReferenceValue.objects.filter(reference_set=reference_set).select_related("kind", "form")
        cached = {(value.kind.code, value.form.code if value.form_id else None): value for value in values}
        setattr(reference_set, _CACHE, cached)
    return cached


def value_for(reference_set: ReferenceValueSet | None, kind_code: str, form_code: str | None) -> ReferenceValue | None:
    """The value of ``kind_code`` in ``form_code``: the form's row, else the kind's any-form row, else None."""
    if reference_set is None:
        return None
    values = values_by_key(reference_set)
    kind_code = str(kind_code)
    if form_code:
        found = values.get((kind_code, str(form_code)))
        if found is not None:
            return found
    return values.get((kind_code, None))


def value_for_forms(
    reference_set: ReferenceValueSet | None, kind_code: str | None, form_codes
) -> ReferenceValue | None:
    """The value for a service with several delivery forms: the first of its forms (by code) that has its own row,
    else the kind's any-form row – the same rule as :func:`value_for`, applied to a list of forms."""
    if reference_set is None or not kind_code:
        return None
    for form_code in sorted({str(code) for code in form_codes if code}):
        found = values_by_key(reference_set).get((str(kind_code), form_code))
        if found is not None:
            return found
    return value_for(reference_set, kind_code, None)
