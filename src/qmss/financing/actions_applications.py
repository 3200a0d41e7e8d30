"""Writes of programmes and subsidy applications. Keyword-only typed arguments, one transaction each
(``@audit.action``), permission-checked inside through :mod:`qmss.financing.permissions`; refusals are
``PermissionDenied`` or ``ValidationError`` with a :class:`~qmss.financing.error_codes.FinancingErrorCode`.

Programme states (the manager moves them)::

    prepared → open ⇄ closed → decided → settled

Applications (the provider's editors file, the manager reviews)::

    draft → submitted → accepted | rejected
              ↓   ↑ (the provider corrects and submits again)
           returned

A provider submits only while the programme is open and before its deadline. The parameters of a programme are
copied from the financing rules library at creation and may be changed until the programme is decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.scoping import Scope
from qmss.financing import budget, permissions
from qmss.financing import selectors_applications as selectors
from qmss.financing.error_codes import FinancingErrorCode as Code
from qmss.financing.library import default_rules, programme_parameters
from qmss.financing.models import Programme, SubsidyApplication
from qmss.network.models import Network
from qmss.registry.models import Service

ProgState = Programme.State
AppState = SubsidyApplication.State

MAX_BUDGET = Decimal("100000000000")  # 100 bn CZK
MAX_AMOUNT = Decimal("1000000000")  # 1 bn CZK per budget line of one service
MAX_UNITS = Decimal("100000")
MAX_TEXT = 10000
MIN_YEAR, MAX_YEAR = 2000, 2100

PROGRAMME_MOVES: dict[str, tuple[str, ...]] = {
    ProgState.PREPARED: (ProgState.OPEN,),
    ProgState.OPEN: (ProgState.CLOSED,),
    ProgState.CLOSED: (ProgState.OPEN, ProgState.DECIDED),
    ProgState.DECIDED: (ProgState.SETTLED,),
    ProgState.SETTLED: (),
}
EDITABLE_STATES = (AppState.DRAFT, AppState.RETURNED)
DECISIONS = {"accept": AppState.ACCEPTED, "return": AppState.RETURNED, "reject": AppState.REJECTED}
# Parameters a manager may change (the adjustment bands stay as the library has them).
SHARE_PARAMETERS = ("max_public_share", "reasonable_profit_rate", "carry_over_max_share")
SCORE_PARAMETERS = ("quality_threshold",)


def _refuse(message: str, code: Code, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code.value)
    return ValidationError({field: error}) if field else error


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _text(value: str, field: str, label: str, *, required: bool = True, max_length: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _refuse(_("Fill in %(field)s.") % {"field": label}, Code.INVALID_VALUE, field)
    if len(text) > max_length:
        raise _refuse(
            _("%(field)s is too long (at most %(n)s characters).") % {"field": label, "n": max_length},
            Code.INVALID_VALUE,
            field,
        )
    return text


def _decimal(value, field: str, label: str, *, maximum: Decimal, positive: bool = False) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or (positive and number == 0) or number > maximum:
        message = (
            _("%(field)s must be a positive number of at most %(max)s.")
            if positive
            else _("%(field)s must be a number from 0 to %(max)s.")
        )
        raise _refuse(message % {"field": label, "max": maximum}, Code.INVALID_VALUE, field)
    return number.quantize(Decimal("0.01"))


def _locked_programme(programme: Programme) -> Programme:
    return Programme.objects.select_for_update().select_related("organisation", "network").get(pk=programme.pk)


def _locked_application(application: SubsidyApplication) -> SubsidyApplication:
    return (
        SubsidyApplication.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "programme__network", "service", "organisation")
        .get(pk=application.pk)
    )


# --- programmes ----------------------------------------------------------------------------------------------


def _check_programme_terms(*, name: str, year: int, budget_value, deadline: date | None, description: str) -> dict:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise _refuse(
            _("Enter a year from %(a)s to %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}, Code.INVALID_VALUE, "year"
        )
    if deadline is not None and not date(MIN_YEAR, 1, 1) <= deadline <= date(MAX_YEAR, 12, 31):
        raise _refuse(_("Enter a real deadline."), Code.INVALID_VALUE, "deadline")
    return {
        "name": _text(name, "name", _("the name"), max_length=300),
        "budget": _decimal(budget_value, "budget", _("The budget"), maximum=MAX_BUDGET, positive=True),
        "deadline": deadline,
        "description": _text(description, "description", _("the description"), required=False),
    }


@audit.action
def create_programme(
    *,
    user,
    organisation,
    network: Network,
    year: int,
    name: str,
    budget: Decimal,
    deadline: date | None = None,
    description: str = "",
) -> Programme:
    """A programme in preparation for ``network`` (managed by ``organisation``) with the library's parameters and
    the manager's reference values in force for the year."""
    from qmss.financing.reference_values import current_set

    scope = Scope.for_user(user)
    _require(permissions.can_manage_organisation(scope, organisation), _("You do not manage this organisation."))
    if network.organisation_id != organisation.pk:
        raise _refuse(_("The network is not managed by this organisation."), Code.NOT_IN_SCOPE, "network")
    terms = _check_programme_terms(
        name=name, year=year, budget_value=budget, deadline=deadline, description=description
    )
    if Programme.objects.filter(network=network, year=year, name=terms["name"]).exists():
        raise _refuse(_("The network already has a programme of this name for the year."), Code.DUPLICATE, "name")
    return Programme.objects.create(
        organisation=organisation,
        network=network,
        year=year,
        parameters=programme_parameters(),
        reference_set=current_set(organisation, year),
        **terms,
    )


def clean_parameters(programme: Programme, values: Mapping[str, object]) -> dict:
    """The programme's parameters with the manager's changes (shares 0–1, the threshold 0–100, the adjustment on or
    off); keys not given keep their value."""
    parameters = dict(programme.parameters or programme_parameters())
    labels = parameter_labels()
    for key in SHARE_PARAMETERS + SCORE_PARAMETERS:
        if key not in values or values[key] is None:
            continue
        maximum = Decimal(1) if key in SHARE_PARAMETERS else Decimal(100)
        number = _decimal(values[key], key, labels[key], maximum=maximum)
        parameters[key] = format(number.normalize(), "f")
    if "adjustment_enabled" in values and values["adjustment_enabled"] is not None:
        parameters["adjustment_enabled"] = bool(values["adjustment_enabled"])
    return parameters


def parameter_labels() -> dict[str, str]:
    return {
        "max_public_share": _("Maximum public share of the usual cost"),
        "adjustment_enabled": _("Adjustment by the network score"),
        "quality_threshold": _("Quality threshold of the optimiser (points)"),
        "reasonable_profit_rate": _("Reasonable profit (share of the costs)"),
        "carry_over_max_share": _("Carry-over (share of the compensation)"),
    }


@audit.action
def update_programme(
    *,
    user,
    programme: Programme,
    name: str,
    budget: Decimal,
    deadline: date | None = None,
    description: str = "",
    parameters: Mapping[str, object] | None = None,
) -> Programme:
    """Change the terms of a programme; the parameters only while it is not decided."""
    programme = _locked_programme(programme)
    scope = Scope.for_user(user)
    _require(permissions.can_manage_programme(scope, programme), _("You do not manage this programme."))
    if programme.state in (ProgState.DECIDED, ProgState.SETTLED):
        raise _refuse(_("A decided programme can no longer be changed."), Code.INVALID_STATE)
    terms = _check_programme_terms(
        name=name, year=programme.year, budget_value=budget, deadline=deadline, description=description
    )
    clash = Programme.objects.filter(network=programme.network, year=programme.year, name=terms["name"])
    if clash.exclude(pk=programme.pk).exists():
        raise _refuse(_("The network already has a programme of this name for the year."), Code.DUPLICATE, "name")
    for key, value in terms.items():
        setattr(programme, key, value)
    if parameters is not None:
        programme.parameters = clean_parameters(programme, parameters)
    programme.save()
    return programme


def next_programme_states(scope: Scope, programme: Programme) -> tuple[str, ...]:
    if not permissions.can_manage_programme(scope, programme):
        return ()
    return PROGRAMME_MOVES.get(programme.state, ())


@audit.action
def change_programme_state(*, user, programme: Programme, state: str) -> Programme:
    """Move a programme along ``PROGRAMME_MOVES``; deciding needs no application waiting for the review."""
    programme = _locked_programme(programme)
    scope = Scope.for_user(user)
    _require(permissions.can_manage_programme(scope, programme), _("You do not manage this programme."))
    if state not in PROGRAMME_MOVES.get(programme.state, ()):
        raise _refuse(_("The programme cannot move to this state now."), Code.INVALID_STATE, "state")
    if state == ProgState.DECIDED and programme.applications.filter(state=AppState.SUBMITTED).exists():
        raise _refuse(
            _("Review every submitted application before the programme is decided."), Code.INVALID_STATE, "state"
        )
    programme.state = state
    programme.save(update_fields=["state", "updated_at"])
    return programme


# --- applications --------------------------------------------------------------------------------------------


def accepts_applications(programme: Programme, today: date | None = None) -> bool:
    """Whether the programme takes applications now (open and the deadline not passed)."""
    today = today or timezone.localdate()
    return programme.state == ProgState.OPEN and (programme.deadline is None or today <= programme.deadline)


def _provider_of(scope: Scope, service: Service):
    """The user's provider organisation verified as the service's provider (None when there is none)."""
    for organisation in selectors.filing_organisations(scope):
        if selectors.services_of_organisations([organisation.pk]).filter(pk=service.pk).exists():
            return organisation
    return None


@audit.action
def start_application(*, user, programme: Programme, service: Service) -> SubsidyApplication:
    """A draft application of the user's provider organisation for ``service`` (linked by a verified registry link
    and in the network's current version), pre-filled from the service's latest accepted settlement, else its
    latest application; ``prefilled_from`` says which."""
    scope = Scope.for_user(user)
    organisation = _provider_of(scope, service)
    _require(organisation is not None, _("Only editors of the service's verified provider file its applications."))
    if not accepts_applications(programme):
        raise _refuse(_("The programme does not accept applications now."), Code.INVALID_STATE)
    entry = selectors.current_entry(programme.network, service)
    if entry is None:
        raise _refuse(_("The service is not in the network's current version."), Code.NOT_IN_SCOPE, "service")
    if SubsidyApplication.objects.filter(programme=programme, service=service).exists():
        raise _refuse(_("The service already has an application in this programme."), Code.DUPLICATE, "service")
    filled = selectors.prefill(service, exclude_programme=programme)
    try:
        return SubsidyApplication.objects.create(
            programme=programme,
            service=service,
            organisation=organisation,
            units=filled.units if filled.units is not None else entry.capacity,
            unit=entry.unit,
            costs=budget.as_json({k: budget.amount(v) for k, v in filled.costs.items()}),
            revenues=budget.as_json({k: budget.amount(v) for k, v in filled.revenues.items()}),
            prefilled_from=filled.source[:300],
        )
    except IntegrityError as exc:  # a second click at the same time
        raise _refuse(
            _("The service already has an application in this programme."), Code.DUPLICATE, "service"
        ) from exc


def _amounts(values: Mapping[str, object], codes: list[str], prefix: str) -> dict[str, Decimal]:
    labels = {c.code: c.name for c in default_rules().cost_categories}
    labels |= {c.code: c.name for c in default_rules().revenue_categories}
    return {
        code: _decimal(values.get(code) or 0, f"{prefix}{code}", labels[code], maximum=MAX_AMOUNT) for code in codes
    }


@audit.action
def update_application(
    *,
    user,
    application: SubsidyApplication,
    units: Decimal,
    costs: Mapping[str, object],
    revenues: Mapping[str, object],
    requested: Decimal,
    note: str = "",
) -> SubsidyApplication:
    """Change a draft or returned application: capacity in the network entry's unit (> 0), budget lines by the
    library's categories (0 – 1 bn CZK each), the requested amount (not above the public need)."""
    application = _locked_application(application)
    scope = Scope.for_user(user)
    _require(permissions.can_edit_filed(scope, application), _("Only the provider's editors change the application."))
    if application.state not in EDITABLE_STATES:
        raise _refuse(_("Only a draft or a returned application can be changed."), Code.INVALID_STATE)
    rules = default_rules()
    units = _decimal(units, "units", _("The capacity"), maximum=MAX_UNITS, positive=True)
    cost_values = _amounts(costs, [c.code for c in rules.cost_categories], "cost_")
    revenue_values = _amounts(revenues, [c.code for c in rules.revenue_categories], "revenue_")
    requested = _decimal(requested, "requested", _("The requested amount"), maximum=MAX_AMOUNT)
    if budget.own_revenue(revenue_values) > budget.total(cost_values):
        raise _refuse(_("Own revenues cannot exceed the costs."), Code.INVALID_VALUE)
    if requested > max(budget.public_need(cost_values, revenue_values), Decimal(0)):
        raise _refuse(
            _("The requested amount cannot exceed the public need (net cost − other public money)."),
            Code.INVALID_VALUE,
            "requested",
        )
    application.units = units
    application.costs = budget.as_json(cost_values)
    application.revenues = budget.as_json(revenue_values)
    application.requested = requested
    application.note = _text(note, "note", _("the note"), required=False)
    application.save()
    return application


@audit.action
def submit_application(*, user, application: SubsidyApplication) -> SubsidyApplication:
    """Submit a draft or returned application while its programme is open and before the deadline."""
    application = _locked_application(application)
    scope = Scope.for_user(user)
    _require(permissions.can_edit_filed(scope, application), _("Only the provider's editors submit the application."))
    if application.state not in EDITABLE_STATES:
        raise _refuse(_("Only a draft or a returned application can be submitted."), Code.INVALID_STATE)
    if not accepts_applications(application.programme):
        raise _refuse(
            _("The programme does not accept applications now (it is not open or the deadline has passed)."),
            Code.INVALID_STATE,
        )
    if application.units <= 0 or budget.total(application.costs) <= 0:
        raise _refuse(_("Fill in the capacity and the costs before submitting."), Code.INVALID_VALUE)
    application.state = AppState.SUBMITTED
    application.submitted_at = timezone.now()
    application.submitted_by = user
    application.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
    return application


@audit.action
def review_application(*, user, application: SubsidyApplication, decision: str, reason: str = "") -> SubsidyApplication:
    """The manager accepts a submitted application, returns it for correction or rejects it (both with a reason)."""
    application = _locked_application(application)
    scope = Scope.for_user(user)
    _require(permissions.can_manage_programme(scope, application.programme), _("Only the programme's manager reviews."))
    if decision not in DECISIONS:
        raise _refuse(_("Choose a decision."), Code.INVALID_VALUE, "decision")
    if application.state != AppState.SUBMITTED:
        raise _refuse(_("Only a submitted application can be reviewed."), Code.INVALID_STATE)
    if application.programme.state not in (ProgState.OPEN, ProgState.CLOSED):
        raise _refuse(_("The programme has been decided; its applications can no longer change."), Code.INVALID_STATE)
    reason = _text(reason, "reason", _("the reason"), required=decision != "accept")
    application.state = DECISIONS[decision]
    application.decision_reason = reason
    application.decided_at = timezone.now()
    application.decided_by = user
    application.save(update_fields=["state", "decision_reason", "decided_at", "decided_by", "updated_at"])
    return application
