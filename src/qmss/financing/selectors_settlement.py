"""Reads of year-end settlements (vyúčtování), every one scoped by the user's :class:`Scope`, and the explanation of
a settlement's figures (the page, the PDF and the XLSX show the same).

Who sees a settlement (:func:`qmss.financing.permissions.can_see_filed`): members of the provider organisation
that files it and members of the programme's manager organisation; superusers. Another provider never learns that
it exists (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from qmss.core.collation import czech_sorted
from qmss.core.formatting import format_number
from qmss.core.roles import Perm
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.financing import budget
from qmss.financing.library import default_rules, own_revenue_codes, programme_parameters
from qmss.financing.models import Programme, Settlement, SubsidyApplication
from qmss.financing.settlement_engine import SettlementResult, settle

State = Settlement.State
PROVIDER_OPEN = (State.DRAFT, State.RETURNED)
EDITABLE = (State.DRAFT, State.RETURNED)
RELATED = (
    "application",
    "application__programme",
    "application__programme__organisation",
    "application__service",
    "organisation",
)


# --- visibility ----------------------------------------------------------------------------------------------


def visible_settlements(scope: Scope) -> QuerySet[Settlement]:
    if scope.is_superuser:
        return Settlement.objects.all()
    if not scope.is_authenticated:
        return Settlement.objects.none()
    organisations = scope.organisation_ids(Perm.VIEW)
    return Settlement.objects.filter(
        Q(organisation_id__in=organisations) | Q(application__programme__organisation_id__in=organisations)
    )


def get_settlement(scope: Scope, settlement_pk) -> Settlement:
    qs = visible_settlements(scope).select_related(*RELATED, "submitted_by", "checked_by")
    return get_object_or_404_scoped(qs, pk=settlement_pk)


def visible_applications(scope: Scope) -> QuerySet[SubsidyApplication]:
    """Applications whose settlement the user could see (its provider's members, the programme's manager side)."""
    if scope.is_superuser:
        return SubsidyApplication.objects.all()
    if not scope.is_authenticated:
        return SubsidyApplication.objects.none()
    organisations = scope.organisation_ids(Perm.VIEW)
    return SubsidyApplication.objects.filter(
        Q(organisation_id__in=organisations) | Q(programme__organisation_id__in=organisations)
    )


def get_application(scope: Scope, subsidy_pk) -> SubsidyApplication:
    qs = visible_applications(scope).select_related("programme", "programme__organisation", "service", "organisation")
    return get_object_or_404_scoped(qs, pk=subsidy_pk)


def existing_settlement(application: SubsidyApplication) -> Settlement | None:
    return Settlement.objects.filter(application=application).first()


# --- the list ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementFilters:
    programme: int | None = None
    state: str = ""

    @classmethod
    def from_data(cls, data) -> SettlementFilters:
        programme = data.get("program") or ""
        state = data.get("stav") or ""
        return cls(
            programme=int(programme) if programme.isdigit() and len(programme) < 12 else None,
            state=state if state in State.values else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.programme or self.state)


def settlement_list(scope: Scope, filters: SettlementFilters | None = None) -> QuerySet[Settlement]:
    filters = filters or SettlementFilters()
    qs = visible_settlements(scope)
    if filters.programme:
        qs = qs.filter(application__programme_id=filters.programme)
    if filters.state:
        qs = qs.filter(state=filters.state)
    return qs.select_related(*RELATED).order_by("-application__programme__year", "-created_at", "-pk")


def filter_programmes(scope: Scope) -> list[Programme]:
    """Programmes of the settlements the user sees (the choices of the list's programme filter)."""
    ids = visible_settlements(scope).values("application__programme_id")
    return czech_sorted(Programme.objects.filter(pk__in=ids), "name")


def startable_applications(scope: Scope) -> list[SubsidyApplication]:
    """Accepted applications of the organisations whose editor the user is, for services still linked to them,
    without a settlement yet – where the user may start one."""
    from qmss.registry.selectors_links import services_of_organisations

    organisations = scope.organisation_ids(Perm.EDIT)
    if not organisations:
        return []
    qs = SubsidyApplication.objects.filter(
        organisation_id__in=organisations,
        state=SubsidyApplication.State.ACCEPTED,
        settlement__isnull=True,
        service__in=services_of_organisations(organisations),
    ).select_related("programme", "service", "organisation")
    return czech_sorted(qs, "service.name")


def managed_programmes(scope: Scope) -> list[Programme]:
    """Programmes of the organisations whose financing the user manages (the programme-wide export)."""
    from qmss.financing.permissions import manager_organisation_ids

    qs = Programme.objects.all() if scope.is_superuser else None
    if qs is None:
        ids = manager_organisation_ids(scope)
        if not ids:
            return []
        qs = Programme.objects.filter(organisation_id__in=ids)
    qs = qs.filter(applications__settlement__isnull=False).distinct()
    return czech_sorted(qs.order_by("-year"), "name")


def programme_settlements(programme: Programme) -> list[Settlement]:
    """Every settlement of a programme (the manager's export), by service name in Czech order."""
    qs = Settlement.objects.filter(application__programme=programme).select_related(*RELATED)
    return czech_sorted(qs, "application.service.name")


# --- the dashboard ---------------------------------------------------------------------------------------------


def provider_open(organisation_ids) -> dict[int, list[Settlement]]:
    """Drafts and returned settlements per provider organisation (one query)."""
    result: dict[int, list[Settlement]] = {}
    qs = (
        Settlement.objects.filter(organisation_id__in=list(organisation_ids), state__in=PROVIDER_OPEN)
        .select_related("application__service", "application__programme")
        .order_by("-state", "-updated_at")
    )
    for settlement in qs:
        result.setdefault(settlement.organisation_id, []).append(settlement)
    return result


def manager_waiting(organisation_ids) -> dict[int, int]:
    """Submitted settlements waiting for the check, counted per manager organisation (one query)."""
    rows = (
        Settlement.objects.filter(
            application__programme__organisation_id__in=list(organisation_ids), state=State.SUBMITTED
        )
        .values("application__programme__organisation_id")
        .annotate(n=Count("pk"))
    )
    return {row["application__programme__organisation_id"]: row["n"] for row in rows}


# --- parameters and the computation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    code: str
    label: str
    value: Decimal
    library_value: Decimal
    source: str  # where the programme took it from
    library_source: str  # what the library cites for it
    verified: bool

    @property
    def changed(self) -> bool:
        return self.value != self.library_value


def _decimal(value, default: Decimal) -> Decimal:
    number = budget.amount(value)
    return number if value not in (None, "") else default


def current_parameters(programme: Programme) -> dict:
    """The settlement parameters a settlement submitted now uses: the programme's (copied from the financing
    rules library when the programme was created; its manager may change them), with the library's source."""
    defaults = programme_parameters()
    params = programme.parameters or {}
    rules = default_rules().settlement
    return {
        "reasonable_profit_rate": str(params.get("reasonable_profit_rate", defaults["reasonable_profit_rate"])),
        "carry_over_max_share": str(params.get("carry_over_max_share", defaults["carry_over_max_share"])),
        "source": str(params.get("source") or defaults["source"]),
        "library_source": rules.source,
        "verified": bool(rules.verified),
        "library_profit_rate": defaults["reasonable_profit_rate"],
        "library_carry_share": defaults["carry_over_max_share"],
    }


def parameter_rows(parameters: dict) -> list[Parameter]:
    def row(code: str, label: str, library_key: str) -> Parameter:
        return Parameter(
            code=code,
            label=label,
            value=_decimal(parameters.get(code), Decimal(0)),
            library_value=_decimal(parameters.get(library_key), Decimal(0)),
            source=parameters.get("source", ""),
            library_source=parameters.get("library_source", ""),
            verified=bool(parameters.get("verified")),
        )

    return [
        row("reasonable_profit_rate", _("Reasonable profit rate (share of the costs)"), "library_profit_rate"),
        row("carry_over_max_share", _("Carry-over share (of the compensation)"), "library_carry_share"),
    ]


def parameters_of(settlement: Settlement) -> dict:
    """The parameters stored at submission (a submitted or checked settlement), else the programme's now."""
    if settlement.state not in EDITABLE and settlement.parameters.get("reasonable_profit_rate") is not None:
        return settlement.parameters
    return current_parameters(settlement.application.programme)


@dataclass(frozen=True)
class Inputs:
    costs: Decimal
    own_revenues: Decimal
    public_money: Decimal
    compensation: Decimal


def inputs_of(settlement: Settlement) -> Inputs:
    return Inputs(
        costs=budget.total(settlement.actual_costs),
        own_revenues=budget.own_revenue(settlement.actual_revenues),
        public_money=budget.total(settlement.public_money),
        compensation=budget.amount((settlement.public_money or {}).get("compensation")),
    )


def compute(settlement: Settlement, parameters: dict | None = None) -> SettlementResult:
    """The engine's result for the settlement's figures and ``parameters`` (default :func:`parameters_of`)."""
    parameters = parameters or parameters_of(settlement)
    inputs = inputs_of(settlement)
    return settle(
        costs=inputs.costs,
        own_revenues=inputs.own_revenues,
        public_money=inputs.public_money,
        compensation=inputs.compensation,
        profit_rate=_decimal(parameters.get("reasonable_profit_rate"), Decimal(0)),
        carry_share=_decimal(parameters.get("carry_over_max_share"), Decimal(0)),
    )


# --- the explanation -------------------------------------------------------------------------------------------


def money(value) -> str:
    return f"{format_number(value, 2)} Kč"


def share(value) -> str:
    return f"{format_number(Decimal(value) * 100)} %"


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    value: Decimal
    formula: str  # the rule in words with the inputs (Czech through gettext)


@dataclass
class Explanation:
    settlement: Settlement
    costs: list[Line]
    revenues: list[Line]
    public: list[Line]
    figures: list[Figure]
    parameters: list[Parameter]
    result: SettlementResult
    preview: bool  # computed from the programme's current parameters (not stored yet)
    awarded: object | None = None  # the approved compensation line
    compensation_differs: bool = False
    notes: list[str] = field(default_factory=list)

    def figure(self, code: str) -> Figure:
        return next(f for f in self.figures if f.code == code)


def budget_lines(settlement: Settlement) -> tuple[list[Line], list[Line], list[Line]]:
    rules = default_rules()
    own = set(own_revenue_codes(rules))
    costs = [Line(c.code, c.name, budget.amount(settlement.actual_costs.get(c.code))) for c in rules.cost_categories]
    revenues = [
        Line(c.code, c.name, budget.amount(settlement.actual_revenues.get(c.code)))
        for c in rules.revenue_categories
        if c.code in own
    ]
    public = [Line(c.code, c.name, budget.amount(settlement.public_money.get(c.code))) for c in rules.public_sources]
    return costs, revenues, public


def awarded_line(application: SubsidyApplication):
    """The line of the newest approved compensation calculation for the application (the compensation part's
    :func:`qmss.financing.selectors_compensation.awarded_line`), None when none is approved."""
    from qmss.financing.selectors_compensation import awarded_line as compensation_awarded_line

    return compensation_awarded_line(application)


def _sum_formula(lines: list[Line]) -> str:
    return " + ".join(f"{line.label} {money(line.amount)}" for line in lines) or "0 Kč"


def explain(settlement: Settlement, *, with_awarded: bool = True) -> Explanation:
    """Every figure of the settlement with its formula and inputs, and the parameters with their source
    (``with_awarded``: also the awarded compensation line, two queries)."""
    parameters = parameters_of(settlement)
    preview = settlement.state in EDITABLE
    result = compute(settlement, parameters)
    inputs = inputs_of(settlement)
    costs, revenues, public = budget_lines(settlement)
    rows = parameter_rows(parameters)
    rate, carry = rows[0].value, rows[1].value
    allowed = result.net_cost + result.reasonable_profit
    figures = [
        Figure("costs", _("Actual costs"), inputs.costs, _sum_formula(costs)),
        Figure("own_revenues", _("Own revenues"), inputs.own_revenues, _sum_formula(revenues)),
        Figure("public_money", _("Public money received"), inputs.public_money, _sum_formula(public)),
        Figure(
            "net_cost",
            _("Net cost"),
            result.net_cost,
            _("costs %(costs)s − own revenues %(own)s")
            % {"costs": money(inputs.costs), "own": money(inputs.own_revenues)},
        ),
        Figure(
            "reasonable_profit",
            _("Reasonable profit"),
            result.reasonable_profit,
            _("profit rate %(rate)s × costs %(costs)s") % {"rate": share(rate), "costs": money(inputs.costs)},
        ),
        Figure(
            "allowed",
            _("Public money allowed"),
            allowed,
            _("net cost %(net)s + reasonable profit %(profit)s")
            % {"net": money(result.net_cost), "profit": money(result.reasonable_profit)},
        ),
        Figure(
            "overcompensation",
            _("Overcompensation"),
            result.overcompensation,
            _("the larger of 0 and public money %(public)s − allowed %(allowed)s")
            % {"public": money(inputs.public_money), "allowed": money(allowed)},
        ),
        Figure(
            "carry_over",
            _("Carried over to the next year"),
            result.carry_over,
            _("the smaller of overcompensation %(over)s and share %(share)s × compensation %(comp)s = %(cap)s")
            % {
                "over": money(result.overcompensation),
                "share": share(carry),
                "comp": money(inputs.compensation),
                "cap": money(result.carry_cap),
            },
        ),
        Figure(
            "to_return",
            _("To return to the manager"),
            result.to_return,
            _("the smaller of overcompensation %(over)s − carried over %(carry)s and compensation %(comp)s")
            % {
                "over": money(result.overcompensation),
                "carry": money(result.carry_over),
                "comp": money(inputs.compensation),
            },
        ),
    ]
    if result.other_sources:
        figures.append(
            Figure(
                "other_sources",
                _("Overcompensation from other public sources"),
                result.other_sources,
                _("overcompensation %(over)s − carried over %(carry)s − returned %(ret)s (for the other sources)")
                % {
                    "over": money(result.overcompensation),
                    "carry": money(result.carry_over),
                    "ret": money(result.to_return),
                },
            )
        )
    awarded = awarded_line(settlement.application) if with_awarded else None
    differs = awarded is not None and budget.amount(awarded.real) != inputs.compensation
    return Explanation(
        settlement=settlement,
        costs=costs,
        revenues=revenues,
        public=public,
        figures=figures,
        parameters=rows,
        result=result,
        preview=preview,
        awarded=awarded,
        compensation_differs=differs,
    )
