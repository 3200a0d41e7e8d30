"""Writes of year-end settlements (vyúčtování). Keyword-only typed arguments, one transaction each
(``@audit.action``), permission-checked inside through :mod:`qmss.financing.permissions`; refusals are
``PermissionDenied`` or ``ValidationError`` with a :class:`~qmss.financing.error_codes.FinancingErrorCode`.

Workflow (the provider's editors file, the programme's manager checks)::

    draft → submitted → accepted
      ↑         ↓ (returned with a note; the provider corrects and submits again)
      └─── returned

A settlement is started for an accepted application of a service the provider organisation still reaches through
its verified registry link. It is pre-filled from the application's budget (costs, own revenues, other public
money) and the compensation the manager awarded (the newest approved calculation's line). Submitting computes the
settlement with :func:`qmss.financing.settlement_engine.settle` and stores the results with the parameters used;
accepting computes and stores them once more.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.scoping import Scope
from qmss.financing import budget, permissions
from qmss.financing import selectors_settlement as selectors
from qmss.financing.error_codes import FinancingErrorCode as Code
from qmss.financing.library import default_rules, own_revenue_codes, public_revenue_codes
from qmss.financing.models import Settlement, SubsidyApplication

State = Settlement.State
MAX_AMOUNT = Decimal("1000000000")  # 1 bn CZK per line of one service's year
MAX_UNITS = Decimal("100000")
MAX_TEXT = 10000
DECISIONS = {"accept": State.ACCEPTED, "return": State.RETURNED}


def _refuse(message: str, code: Code, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code.value)
    return ValidationError({field: error}) if field else error


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _text(value: str, field: str, label: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _refuse(_("Fill in %(field)s.") % {"field": label}, Code.INVALID_VALUE, field)
    if len(text) > MAX_TEXT:
        raise _refuse(
            _("%(field)s is too long (at most %(n)s characters).") % {"field": label, "n": MAX_TEXT},
            Code.INVALID_VALUE,
            field,
        )
    return text


def _decimal(value, field: str, label: str, *, maximum: Decimal) -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, TypeError, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or number > maximum:
        raise _refuse(
            _("%(field)s must be a number from 0 to %(max)s.") % {"field": label, "max": maximum},
            Code.INVALID_VALUE,
            field,
        )
    return number.quantize(Decimal("0.01"))


def _locked(settlement: Settlement) -> Settlement:
    """The settlement re-read under a row lock (two clicks at once make one move)."""
    return (
        Settlement.objects.select_for_update(of=("self",))
        .select_related("application", "application__programme", "application__programme__organisation")
        .get(pk=settlement.pk)
    )


def _is_linked(application: SubsidyApplication) -> bool:
    from qmss.registry.selectors_links import linked_services

    return linked_services(application.organisation).filter(pk=application.service_id).exists()


def _store_results(settlement: Settlement) -> None:
    """Compute with the programme's current parameters; store the results and the parameters used."""
    parameters = selectors.current_parameters(settlement.application.programme)
    awarded = selectors.awarded_line(settlement.application)
    if awarded is not None:
        parameters["awarded_compensation"] = str(awarded.real)
        parameters["awarded_run"] = awarded.run.number
    result = selectors.compute(settlement, parameters)
    settlement.net_cost = result.net_cost
    settlement.reasonable_profit = result.reasonable_profit
    settlement.overcompensation = result.overcompensation
    settlement.carry_over = result.carry_over
    settlement.to_return = result.to_return
    settlement.parameters = parameters


# --- the provider --------------------------------------------------------------------------------------------


@audit.action
def start_settlement(*, user, application: SubsidyApplication) -> Settlement:
    """A draft settlement of an accepted application, pre-filled from its budget and the awarded compensation.
    Only editors of the application's provider organisation, while the service is still linked to it."""
    application = (
        SubsidyApplication.objects.select_for_update(of=("self",))
        .select_related("programme", "organisation", "service")
        .get(pk=application.pk)
    )
    scope = Scope.for_user(user)
    _require(permissions.can_edit_filed(scope, application), _("Only the provider's editors file the settlement."))
    if application.state != SubsidyApplication.State.ACCEPTED:
        raise _refuse(_("A settlement can be started only for an accepted application."), Code.INVALID_STATE)
    if not _is_linked(application):
        raise _refuse(
            _("The service is no longer linked to your organisation in the registry."), Code.NOT_VERIFIED, "service"
        )
    if Settlement.objects.filter(application=application).exists():
        raise _refuse(_("The application already has a settlement."), Code.DUPLICATE)
    revenues = application.revenues or {}
    own = {code: budget.amount(revenues.get(code)) for code in own_revenue_codes()}
    public = {source.code: Decimal(0) for source in default_rules().public_sources}
    awarded = selectors.awarded_line(application)
    public["compensation"] = budget.amount(awarded.real) if awarded is not None else Decimal(0)
    if "other_public" in public:
        public["other_public"] = budget.total(revenues, public_revenue_codes())
    try:
        return Settlement.objects.create(
            application=application,
            organisation=application.organisation,
            units=application.units,
            actual_costs=budget.as_json({k: budget.amount(v) for k, v in (application.costs or {}).items()}),
            actual_revenues=budget.as_json(own),
            public_money=budget.as_json(public),
        )
    except IntegrityError as exc:  # a second click at the same time
        raise _refuse(_("The application already has a settlement."), Code.DUPLICATE) from exc


def _amounts(values: Mapping[str, object], categories, prefix: str) -> dict[str, Decimal]:
    return {c.code: _decimal(values.get(c.code), f"{prefix}{c.code}", c.name, maximum=MAX_AMOUNT) for c in categories}


@audit.action
def update_settlement(
    *,
    user,
    settlement: Settlement,
    units: Decimal | None,
    actual_costs: Mapping[str, object],
    actual_revenues: Mapping[str, object],
    public_money: Mapping[str, object],
    note: str = "",
) -> Settlement:
    """Change a draft or returned settlement: actual units, costs by the library's cost categories, own revenues
    by its own-revenue categories, public money by its public sources (0 – 1 bn CZK each)."""
    settlement = _locked(settlement)
    scope = Scope.for_user(user)
    _require(permissions.can_edit_filed(scope, settlement), _("Only the provider's editors change the settlement."))
    if settlement.state not in selectors.EDITABLE:
        raise _refuse(_("Only a draft or a returned settlement can be changed."), Code.INVALID_STATE)
    rules = default_rules()
    own = set(own_revenue_codes(rules))
    settlement.units = None if units in (None, "") else _decimal(units, "units", _("The units"), maximum=MAX_UNITS)
    costs = _amounts(actual_costs, rules.cost_categories, "cost_")
    revenues = _amounts(actual_revenues, [c for c in rules.revenue_categories if c.code in own], "revenue_")
    public = _amounts(public_money, rules.public_sources, "public_")
    settlement.actual_costs = budget.as_json(costs)
    settlement.actual_revenues = budget.as_json(revenues)
    settlement.public_money = budget.as_json(public)
    settlement.note = _text(note, "note", _("the note"))
    settlement.save()
    return settlement


@audit.action
def submit_settlement(*, user, settlement: Settlement) -> Settlement:
    """Submit a draft or returned settlement: compute it and store the results with the parameters used."""
    settlement = _locked(settlement)
    scope = Scope.for_user(user)
    _require(permissions.can_edit_filed(scope, settlement), _("Only the provider's editors submit the settlement."))
    if settlement.state not in selectors.EDITABLE:
        raise _refuse(_("Only a draft or a returned settlement can be submitted."), Code.INVALID_STATE)
    if not budget.total(settlement.actual_costs) and not budget.total(settlement.public_money):
        raise _refuse(_("Fill in the actual costs and the public money received."), Code.INVALID_VALUE)
    _store_results(settlement)
    settlement.state = State.SUBMITTED
    settlement.submitted_at = timezone.now()
    settlement.submitted_by = user
    settlement.save()
    return settlement


# --- the manager ---------------------------------------------------------------------------------------------


@audit.action
def check_settlement(*, user, settlement: Settlement, decision: str, note: str = "") -> Settlement:
    """The programme's manager accepts a submitted settlement (computed and stored once more) or returns it to the
    provider with a note saying what to correct."""
    settlement = _locked(settlement)
    scope = Scope.for_user(user)
    _require(
        permissions.can_manage_programme(scope, settlement.application.programme),
        _("Only the programme's manager checks the settlement."),
    )
    if settlement.state != State.SUBMITTED:
        raise _refuse(_("Only a submitted settlement can be checked."), Code.INVALID_STATE)
    if decision not in DECISIONS:
        raise _refuse(_("Choose whether to accept the settlement or return it."), Code.INVALID_VALUE, "decision")
    note = _text(note, "note", _("the note"), required=decision == "return")
    if decision == "accept":
        _store_results(settlement)
    settlement.state = DECISIONS[decision]
    settlement.reviewer_note = note
    settlement.checked_at = timezone.now()
    settlement.checked_by = user
    settlement.save()
    return settlement
