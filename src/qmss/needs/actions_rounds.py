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
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope
from qmss.core.validation import validate_date_range
from qmss.needs import validation
from qmss.needs.error_codes import NeedsErrorCode as Code
from qmss.needs.layout import TOTAL, ElementSpec, applies, form_layout, prefill_many
from qmss.needs.models import CollectionRound, Submission, SubmissionComment, SubmissionValue
from qmss.needs.selectors_rounds import (
    can_fill,
    can_manage_round,
    is_provider_member,
    registry_facts,
    round_services,
    submission_values,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

MAX_ABS = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
Cell = tuple[str, str]


def _errors(errors: list[ValidationError]) -> ValidationError:
    """One ValidationError carrying every cell error; ``.code`` is the first error's code."""
    error = ValidationError(errors)
    error.code = errors[0].code
    return error


def _cell_error(message: str, code: str, cell: tuple[str, str]) -> ValidationError:
    """A cell's error; ``.cell`` names the (element code, category) it belongs to (no params: the message is final
    text and may contain "%")."""
    error = ValidationError(message, code=code)
    error.cell = cell
    return error


def _rule_error(message: str, code: str, rule: str) -> ValidationError:
    error = ValidationError(message, code=code)
    error.rule = rule
    return error


def cell_label(spec: ElementSpec, category: str) -> str:
    if category == TOTAL:
        return spec.name
    names = dict(spec.categories)
    return f"{spec.name} – {names.get(category, category)}"


def check_cell(spec: ElementSpec | None, code: str, category: str, value: Decimal | None) -> ValidationError | None:
    """The error of one cell (unknown element or category, locked, not a number, out of range), or None."""
    params = {"element": code, "category": category}

    def error(message: str, code: str) -> ValidationError:
        return _cell_error(message, code, (params["element"], params["category"]))

    if spec is None or category not in spec.category_codes:
        return error(
            _("The form has no field “%(element)s” (category “%(category)s”).") % params, Code.UNKNOWN_ELEMENT.value
        )
    label = cell_label(spec, category)
    if spec.locked:
        return error(_("“%(label)s” is pre-filled and cannot be changed.") % {"label": label}, Code.INVALID_VALUE.value)
    if value is None:
        return None
    try:
        number = Decimal(value)
        finite = number.is_finite()
    except (InvalidOperation, TypeError, ValueError):
        finite = False
    if not finite:
        return error(_("“%(label)s” must be a number.") % {"label": label}, Code.INVALID_VALUE.value)
    low = spec.min_value if spec.min_value is not None else Decimal(0)
    high = min(spec.max_value, MAX_ABS) if spec.max_value is not None else MAX_ABS
    if number < low:
        return error(
            _("“%(label)s” must be at least %(min)s.") % {"label": label, "min": format_number(low)},
            Code.INVALID_VALUE.value,
        )
    if number > high:
        return error(
            _("“%(label)s” must be at most %(max)s.") % {"label": label, "max": format_number(high)},
            Code.INVALID_VALUE.value,
        )
    if spec.whole_numbers and number != number.to_integral_value():
        return error(_("“%(label)s” must be a whole number.") % {"label": label}, Code.INVALID_VALUE.value)
    if number != number.quantize(Decimal("0.01")):
        return error(_("“%(label)s” may have at most two decimal places.") % {"label": label}, Code.INVALID_VALUE.value)
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
    if not (scope.is_superuser or is_provider_member(scope, submission, Perm.EDIT)):
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


# --- rounds -------------------------------------------------------------------------------------------------------

ROUND_FIELDS = ("name", "period_start", "period_end", "deadline", "instructions", "reminder_days")
SCOPE_FIELDS = ("kind_codes", "form_keys", "orp_codes")


def _current_versions():
    """The newest published collection template and needs taxonomy."""
    from qmss.needs.library import current_taxonomy, current_template

    template, taxonomy = current_template(), current_taxonomy()
    if template is None:
        raise ValidationError(_("No collection form template has been published yet."), code=Code.NO_TEMPLATE.value)
    if taxonomy is None:
        raise ValidationError(_("No needs taxonomy has been published yet."), code=Code.NO_TAXONOMY.value)
    return template, taxonomy


def _check_dates(period_start, period_end, deadline) -> None:
    validate_date_range(period_start, period_end)
    if deadline < period_start:
        raise ValidationError(
            {
                "deadline": ValidationError(
                    _("The deadline cannot be before the start of the period."), code="date_range"
                )
            }
        )


@audit.action
def create_round(
    *,
    user: AbstractBaseUser,
    organisation: Organisation,
    name: str,
    period_start,
    period_end,
    deadline,
    instructions: str = "",
    reminder_days: int = 7,
    kind_codes: list[str] | tuple = (),
    form_keys: list[str] | tuple = (),
    orp_codes: list[str] | tuple = (),
) -> CollectionRound:
    """A round in preparation of a regional authority for its region, on the current template and taxonomy."""
    scope = Scope.for_user(user)
    if organisation.kind != OrganisationKind.REGION or organisation.region_id is None:
        raise PermissionDenied
    if not scope.has_perm(Perm.EDIT, organisation.pk):
        raise PermissionDenied
    _check_dates(period_start, period_end, deadline)
    template, taxonomy = _current_versions()
    return CollectionRound.objects.create(
        organisation=organisation,
        region_id=organisation.region_id,
        name=name,
        period_start=period_start,
        period_end=period_end,
        deadline=deadline,
        instructions=instructions,
        reminder_days=reminder_days,
        kind_codes=sorted(kind_codes),
        form_keys=sorted(form_keys),
        orp_codes=sorted(str(code) for code in orp_codes),
        template=template,
        taxonomy=taxonomy,
        created_by=user,
    )


def _require_manager(user, round: CollectionRound) -> Scope:
    scope = Scope.for_user(user)
    if not can_manage_round(scope, round):
        raise PermissionDenied
    return scope


@audit.action
def update_round(
    *,
    user: AbstractBaseUser,
    round: CollectionRound,
    name: str,
    period_start,
    period_end,
    deadline,
    instructions: str = "",
    reminder_days: int = 7,
    kind_codes: list[str] | tuple = (),
    form_keys: list[str] | tuple = (),
    orp_codes: list[str] | tuple = (),
) -> CollectionRound:
    """Change a round: everything while in preparation; once open only the name, deadline, instructions and
    reminder days (the period and scope made the submissions); a closed round is not changed."""
    _require_manager(user, round)
    round = CollectionRound.objects.select_for_update().get(pk=round.pk)
    if round.state == CollectionRound.State.CLOSED:
        raise ValidationError(_("A closed round cannot be changed."), code=Code.INVALID_STATE.value)
    if round.state == CollectionRound.State.OPEN:
        changed_scope = (
            period_start != round.period_start
            or period_end != round.period_end
            or sorted(kind_codes) != sorted(round.kind_codes)
            or sorted(form_keys) != sorted(round.form_keys)
            or sorted(str(c) for c in orp_codes) != sorted(str(c) for c in round.orp_codes)
        )
        if changed_scope:
            raise ValidationError(
                _("The period and the services in scope of an open round cannot be changed."),
                code=Code.INVALID_STATE.value,
            )
    _check_dates(period_start, period_end, deadline)
    round.name, round.deadline, round.instructions, round.reminder_days = name, deadline, instructions, reminder_days
    round.period_start, round.period_end = period_start, period_end
    round.kind_codes, round.form_keys = sorted(kind_codes), sorted(form_keys)
    round.orp_codes = sorted(str(code) for code in orp_codes)
    round.save()
    return round


@audit.action
def open_round(*, user: AbstractBaseUser, round: CollectionRound) -> int:
    """Open a round in preparation: one submission per service in scope, with the registry facts snapshot and the
    pre-filled cells. Returns the number of submissions."""
    _require_manager(user, round)
    round = CollectionRound.objects.select_for_update().get(pk=round.pk)
    if round.state != CollectionRound.State.DRAFT:
        raise ValidationError(_("Only a round in preparation can be opened."), code=Code.INVALID_STATE.value)
    services = list(round_services(round))
    if not services:
        raise ValidationError(_("No service is in the scope of the round."), code=Code.NOT_IN_SCOPE.value)
    facts = registry_facts(services)
    submissions = Submission.objects.bulk_create(
        Submission(round=round, service=service, registry_facts=facts[service.pk]) for service in services
    )
    submissions = list(Submission.objects.filter(round=round).select_related("round"))
    for submission in submissions:
        submission.round = round
    layout = form_layout(round)
    ids = {spec.code: spec.element_id for spec in layout.elements}
    rows = [
        SubmissionValue(submission_id=pk, element_id=ids[code], category=category, value=value)
        for pk, cells in prefill_many(submissions).items()
        for (code, category), value in cells.items()
    ]
    SubmissionValue.objects.bulk_create(rows, batch_size=2000)
    round.state = CollectionRound.State.OPEN
    round.opened_at = timezone.now()
    round.save(update_fields=["state", "opened_at"])
    return len(submissions)


@audit.action
def close_round(*, user: AbstractBaseUser, round: CollectionRound) -> CollectionRound:
    """Close an open round: providers can no longer change or submit; the region still decides."""
    _require_manager(user, round)
    round = CollectionRound.objects.select_for_update().get(pk=round.pk)
    if round.state != CollectionRound.State.OPEN:
        raise ValidationError(_("Only an open round can be closed."), code=Code.INVALID_STATE.value)
    round.state = CollectionRound.State.CLOSED
    round.closed_at = timezone.now()
    round.save(update_fields=["state", "closed_at"])
    return round


# --- the workflow of a submission ---------------------------------------------------------------------------------


def _locked_submission(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("round", "service").get(pk=submission.pk)


@audit.action
def submit(
    *, user: AbstractBaseUser, submission: Submission, warning_comments: Mapping[str, str] | None = None
) -> Submission:
    """Submit a report: required values filled, no blocking rule failing, a comment on each failing warning."""
    scope = Scope.for_user(user)
    submission = _locked_submission(submission)
    if not (scope.is_superuser or is_provider_member(scope, submission, Perm.EDIT)):
        raise PermissionDenied
    if not can_fill(scope, submission):
        raise ValidationError(_("The report cannot be submitted now."), code=Code.INVALID_STATE.value)
    store_prefill(submission, prefill_many([submission]).get(submission.pk, {}))
    values = submission_values(submission)
    missing = validation.missing_required(submission, values)
    if missing:
        labels = ", ".join(label for _code, _cat, label in missing[:10])
        more = len(missing) - 10
        message = _("Fill in the required values: %(labels)s.") % {"labels": labels}
        if more > 0:
            message += " " + _("(and %(count)s more)") % {"count": more}
        raise ValidationError(message, code=Code.REQUIRED_MISSING.value)
    results = validation.check(submission, values)
    blocking = validation.blocking_failures(results)
    if blocking:
        raise _errors([_rule_error(r.message, Code.BLOCKING_RULE.value, r.rule.code) for r in blocking])
    comments = {code: (text or "").strip() for code, text in (warning_comments or {}).items()}
    warnings = validation.warning_failures(results)
    unexplained = [r for r in warnings if not comments.get(r.rule.code)]
    if unexplained:
        raise _errors(
            [
                _rule_error(
                    _("Explain the warning: %(message)s") % {"message": r.message},
                    Code.WARNING_NEEDS_COMMENT.value,
                    r.rule.code,
                )
                for r in unexplained
            ]
        )
    now = timezone.now()
    submission.warning_comments = {r.rule.code: comments[r.rule.code][:2000] for r in warnings}
    submission.state = Submission.State.SUBMITTED
    submission.submitted_at, submission.submitted_by = now, user
    submission.decided_at, submission.decided_by = None, None
    submission.save(
        update_fields=["warning_comments", "state", "submitted_at", "submitted_by", "decided_at", "decided_by"]
    )
    return submission


def _require_region(user, submission: Submission) -> None:
    if not can_manage_round(Scope.for_user(user), submission.round):
        raise PermissionDenied


@audit.action
def approve(*, user: AbstractBaseUser, submission: Submission, note: str = "") -> Submission:
    """The region approves a submitted report (an optional note goes to the comments)."""
    submission = _locked_submission(submission)
    _require_region(user, submission)
    if submission.state != Submission.State.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be approved."), code=Code.INVALID_STATE.value)
    submission.state = Submission.State.APPROVED
    submission.decided_at, submission.decided_by = timezone.now(), user
    submission.save(update_fields=["state", "decided_at", "decided_by"])
    if note.strip():
        SubmissionComment.objects.create(
            submission=submission, kind=SubmissionComment.Kind.APPROVAL, text=note.strip(), author=user
        )
    return submission


@audit.action
def return_submission(*, user: AbstractBaseUser, submission: Submission, comment: str) -> Submission:
    """The region returns a submitted (or approved) report for correction; a comment is required."""
    submission = _locked_submission(submission)
    _require_region(user, submission)
    if submission.state not in (Submission.State.SUBMITTED, Submission.State.APPROVED):
        raise ValidationError(_("Only a submitted report can be returned."), code=Code.INVALID_STATE.value)
    if submission.round.state != CollectionRound.State.OPEN:
        raise ValidationError(
            _("A report of a closed round cannot be returned (the provider could not correct it)."),
            code=Code.INVALID_STATE.value,
        )
    if not (comment or "").strip():
        raise ValidationError(
            {"comment": ValidationError(_("Say what the provider should correct."), code=Code.COMMENT_REQUIRED.value)}
        )
    submission.state = Submission.State.RETURNED
    submission.decided_at, submission.decided_by = timezone.now(), user
    submission.save(update_fields=["state", "decided_at", "decided_by"])
    SubmissionComment.objects.create(
        submission=submission, kind=SubmissionComment.Kind.RETURN, text=comment.strip(), author=user
    )
    return submission


@audit.action
def reply(*, user: AbstractBaseUser, submission: Submission, text: str) -> SubmissionComment:
    """The provider answers in the comments of its report (editors of the verified provider organisation)."""
    scope = Scope.for_user(user)
    if not (scope.is_superuser or is_provider_member(scope, submission, Perm.EDIT)):
        raise PermissionDenied
    if not (text or "").strip():
        raise ValidationError({"text": ValidationError(_("Write the reply."), code=Code.COMMENT_REQUIRED.value)})
    return SubmissionComment.objects.create(
        submission=submission, kind=SubmissionComment.Kind.REPLY, text=text.strip()[:5000], author=user
    )
