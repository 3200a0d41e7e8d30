"""Writes of data-collection rounds and submissions. Keyword-only typed arguments, one transaction each
(``@audit.action``), permission-checked inside; refusals are ``ValidationError`` with a code from
:class:`qmss.needs.error_codes.NeedsErrorCode`.

Workflow of a submission: draft → submitted (provider) → approved, or returned with a comment (region) →
corrected by the provider (state "returned" while being corrected) → submitted again.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.formatting import format_number
from qmss.core.scoping import Scope
from qmss.needs.error_codes import NeedsErrorCode as Code
from qmss.needs.layout import TOTAL, ElementSpec, applies, form_layout
from qmss.needs.models import Submission, SubmissionValue
from qmss.needs.selectors_rounds import can_fill, is_provider_member

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

MAX_ABS = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
Cell = tuple[str, str]


def _errors(errors: list[ValidationError]) -> ValidationError:
    """One ValidationError carrying every cell error; ``.code`` is the first error's code."""
    error = ValidationError(errors)
    error.code = errors[0].code
    return error


def cell_label(spec: ElementSpec, category: str) -> str:
    if category == TOTAL:
        return spec.name
    names = dict(spec.categories)
    return f"{spec.name} – {names.get(category, category)}"


def check_cell(spec: ElementSpec | None, code: str, category: str, value: Decimal | None) -> ValidationError | None:
    """The error of one cell (unknown element or category, locked, not a number, out of range), or None."""
    params = {"element": code, "category": category}
    if spec is None or category not in spec.category_codes:
        return ValidationError(
            _("The form has no field “%(element)s” (category “%(category)s”).") % params,
            code=Code.UNKNOWN_ELEMENT.value,
            params=params,
        )
    label = cell_label(spec, category)
    if spec.locked:
        return ValidationError(
            _("“%(label)s” is pre-filled and cannot be changed.") % {"label": label},
            code=Code.INVALID_VALUE.value,
            params=params,
        )
    if value is None:
        return None
    try:
        number = Decimal(value)
        finite = number.is_finite()
    except (InvalidOperation, TypeError, ValueError):
        finite = False
    if not finite:
        return ValidationError(
            _("“%(label)s” must be a number.") % {"label": label}, code=Code.INVALID_VALUE.value, params=params
        )
    if spec.whole_numbers and number != number.to_integral_value():
        return ValidationError(
            _("“%(label)s” must be a whole number.") % {"label": label}, code=Code.INVALID_VALUE.value, params=params
        )
    if number != number.quantize(Decimal("0.01")):
        return ValidationError(
            _("“%(label)s” may have at most two decimal places.") % {"label": label},
            code=Code.INVALID_VALUE.value,
            params=params,
        )
    low = spec.min_value if spec.min_value is not None else Decimal(0)
    high = spec.max_value if spec.max_value is not None else MAX_ABS
    if number < low:
        return ValidationError(
            _("“%(label)s” must be at least %(min)s.") % {"label": label, "min": format_number(low)},
            code=Code.INVALID_VALUE.value,
            params=params,
        )
    if number > high:
        return ValidationError(
            _("“%(label)s” must be at most %(max)s.") % {"label": label, "max": format_number(high)},
            code=Code.INVALID_VALUE.value,
            params=params,
        )
    return None


@audit.action
def save_values(
    *,
    user: AbstractBaseUser,
    submission: Submission,
    values: Mapping[Cell, Decimal | None],
    source: str = "web",
) -> None:
    """Store the given cells of a submission, all or nothing; ``None`` deletes a cell.

    Only an editor of the organisation verified as the service's provider (or a superuser) may write, while the
    round is open and the submission is being filled in or corrected. Locked (pre-filled) and unknown cells, cells
    of elements that do not apply to the service's forms, and values out of range are refused.
    """
    scope = Scope.for_user(user)
    submission = Submission.objects.select_for_update().select_related("round", "service").get(pk=submission.pk)
    if not (scope.is_superuser or is_provider_member(scope, submission, "edit")):
        raise PermissionDenied
    if not can_fill(scope, submission):
        raise ValidationError(
            _("The report can no longer be changed (it has been submitted or the round is closed)."),
            code=Code.INVALID_STATE.value,
        )
    layout = form_layout(submission.round)
    errors: list[ValidationError] = []
    cleaned: dict[Cell, Decimal | None] = {}
    for (code, category), value in values.items():
        spec = layout.get(code)
        if spec is not None and not applies(spec, submission):
            spec = None
        error = check_cell(spec, code, category or TOTAL, value)
        if error is not None:
            errors.append(error)
            continue
        cleaned[(code, category or TOTAL)] = None if value is None else Decimal(value).quantize(Decimal("0.01"))
    if errors:
        raise _errors(errors)
    if not cleaned:
        return
    element_ids = {spec.code: spec.element_id for spec in layout.elements}
    existing = {
        (row.element_id, row.category): row
        for row in SubmissionValue.objects.filter(
            submission=submission, element_id__in={element_ids[c] for c, _cat in cleaned}
        )
    }
    to_create, to_update, to_delete = [], [], []
    for (code, category), value in cleaned.items():
        row = existing.get((element_ids[code], category))
        if value is None:
            if row is not None:
                to_delete.append(row.pk)
        elif row is None:
            to_create.append(
                SubmissionValue(submission=submission, element_id=element_ids[code], category=category, value=value)
            )
        elif row.value != value:
            row.value = value
            to_update.append(row)
    if to_delete:
        SubmissionValue.objects.filter(pk__in=to_delete).delete()
    if to_create:
        SubmissionValue.objects.bulk_create(to_create)
    if to_update:
        SubmissionValue.objects.bulk_update(to_update, ["value"])
    now = timezone.now()
    submission.last_saved_at = now
    submission.last_saved_by = user
    if submission.started_at is None:
        submission.started_at = now
    submission.save(update_fields=["last_saved_at", "last_saved_by", "started_at"])


def store_prefill(submission: Submission, prefill: Mapping[Cell, Decimal]) -> None:
    """Write the pre-filled (locked) cells of a submission, replacing the previous pre-fill (no permission check:
    called by the actions that open a round and submit)."""
    layout = form_layout(submission.round)
    prefilled = [spec for spec in layout.elements if spec.prefill]
    SubmissionValue.objects.filter(
        submission=submission, element_id__in=[spec.element_id for spec in prefilled]
    ).delete()
    ids = {spec.code: spec.element_id for spec in prefilled}
    SubmissionValue.objects.bulk_create(
        SubmissionValue(submission=submission, element_id=ids[code], category=category, value=value)
        for (code, category), value in prefill.items()
        if code in ids
    )
