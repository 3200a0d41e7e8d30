"""Reads of programmes and subsidy applications, every one scoped by the user's :class:`Scope`.

Who sees what (the rules themselves live in :mod:`qmss.financing.permissions`):

- a programme: members of the manager organisation (any state), and members of a provider organisation whose
  verified-linked service is in the network's current version (once the programme is no longer in preparation);
- an application: members of its provider organisation and of the programme's manager organisation. A provider
  never learns that another provider's application exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope
from qmss.financing import budget, permissions
from qmss.financing.models import Programme, Settlement, SubsidyApplication
from qmss.network.models import Network, NetworkEntry, NetworkVersion
from qmss.registry.models import Service
from qmss.registry.selectors_links import services_of_organisations

AppState = SubsidyApplication.State
ProgState = Programme.State
MAX_FILTER_ID = 2**31 - 1


# --- the network's current version ---------------------------------------------------------------------------


def _current_version_ids(network_ids=None) -> QuerySet:
    """Ids of the current (highest numbered) version of each network (of ``network_ids`` when given)."""
    newest = NetworkVersion.objects.filter(network=OuterRef("network")).order_by("-number").values("pk")[:1]
    versions = NetworkVersion.objects.all()
    if network_ids is not None:
        versions = versions.filter(network_id__in=list(network_ids))
    return versions.filter(pk=Subquery(newest)).values("pk")


def current_entry(network: Network, service: Service) -> NetworkEntry | None:
    """The service's entry in the network's current version (None when it is not in it)."""
    version = NetworkVersion.objects.filter(network=network).order_by("-number").first()
    if version is None:
        return None
    return NetworkEntry.objects.filter(version=version, service=service).order_by("pk").first()


# --- who files -----------------------------------------------------------------------------------------------


def filing_organisations(scope: Scope) -> list[Organisation]:
    """Provider organisations whose applications the user may file (its editors)."""
    ids = list(scope.organisation_ids(Perm.EDIT))
    organisations = Organisation.objects.filter(pk__in=ids, kind=OrganisationKind.PROVIDER).order_by("name", "pk")
    return [o for o in organisations if permissions.can_file_application(scope, o)]


def filing_services(organisation_ids, programme: Programme) -> QuerySet[Service]:
    """Services of the organisations' verified links that are in the programme network's current version and have
    no application in the programme yet."""
    in_network = NetworkEntry.objects.filter(version__in=_current_version_ids([programme.network_id])).values(
        "service_id"
    )
    taken = SubsidyApplication.objects.filter(programme=programme).values("service_id")
    return (
        services_of_organisations(organisation_ids)
        .filter(pk__in=in_network)
        .exclude(pk__in=taken)
        .select_related("kind")
        .order_by("name_sort", "portal_id")
        .distinct()
    )


def provider_network_ids(scope: Scope) -> set[int]:
    """Networks whose current version holds a service of one of the user's provider organisations."""
    org_ids = [
        pk
        for pk, kind in Organisation.objects.filter(pk__in=list(scope.organisation_ids(Perm.VIEW))).values_list(
            "pk", "kind"
        )
        if kind == OrganisationKind.PROVIDER
    ]
    if not org_ids:
        return set()
    services = services_of_organisations(org_ids).values("pk")
    return set(
        NetworkEntry.objects.filter(version__in=_current_version_ids(), service__in=services).values_list(
            "version__network_id", flat=True
        )
    )


# --- programmes ----------------------------------------------------------------------------------------------


def _programme_condition(scope: Scope) -> Q | None:
    if scope.is_superuser:
        return None
    condition = Q(organisation_id__in=list(scope.organisation_ids(Perm.VIEW)))
    networks = provider_network_ids(scope)
    if networks:
        condition |= Q(network_id__in=networks) & ~Q(state=ProgState.PREPARED)
    return condition


def visible_programmes(scope: Scope) -> QuerySet[Programme]:
    programmes = Programme.objects.select_related("organisation", "network")
    condition = _programme_condition(scope)
    return programmes if condition is None else programmes.filter(condition)


@dataclass(frozen=True)
class ProgrammeFilters:
    state: str = ""
    year: int | None = None

    @classmethod
    def from_data(cls, data) -> ProgrammeFilters:
        state = data.get("stav", "")
        state = state if state in ProgState.values else ""
        year = data.get("rok", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
        return cls(state=state, year=year)

    @property
    def active(self) -> bool:
        return bool(self.state or self.year)


def programme_list(scope: Scope, filters: ProgrammeFilters) -> QuerySet[Programme]:
    programmes = visible_programmes(scope)
    if filters.state:
        programmes = programmes.filter(state=filters.state)
    if filters.year:
        programmes = programmes.filter(year=filters.year)
    return programmes.order_by("-year", "name", "pk")


def get_programme(scope: Scope, pk: int) -> Programme:
    programme = visible_programmes(scope).select_related("reference_set").filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def manageable_networks(scope: Scope) -> list[Network]:
    """Networks whose manager organisation's financing the user manages (choices of a new programme)."""
    from qmss.core.collation import czech_sorted

    networks = Network.objects.select_related("organisation")
    if not scope.is_superuser:
        networks = networks.filter(organisation_id__in=list(permissions.manager_organisation_ids(scope)))
    return czech_sorted(networks, "name")


def programme_counts(programme: Programme) -> list[tuple[str, str, int]]:
    """(state, label, count) of the programme's applications, in the workflow's order (the manager's view)."""
    rows = SubsidyApplication.objects.filter(programme=programme).values("state").annotate(n=Count("pk"))
    counts = {row["state"]: row["n"] for row in rows}
    return [(state, label, counts[state]) for state, label in AppState.choices if state in counts]


def programme_applications(programme: Programme) -> list[SubsidyApplication]:
    """Every application of the programme (the manager side), with service and provider, and its ``net_cost`` and
    ``public_need`` (:mod:`qmss.financing.budget`)."""
    applications = list(
        SubsidyApplication.objects.filter(programme=programme)
        .select_related("service__kind", "organisation")
        .order_by("service__name_sort", "pk")
    )
    for application in applications:
        application.net_cost = budget.net_cost(application.costs, application.revenues)
        application.public_need = budget.public_need(application.costs, application.revenues)
    return applications


# --- applications --------------------------------------------------------------------------------------------


def visible_applications(scope: Scope) -> QuerySet[SubsidyApplication]:
    applications = SubsidyApplication.objects.select_related(
        "programme__organisation", "programme__network", "service__kind", "organisation"
    )
    if scope.is_superuser:
        return applications
    ids = list(scope.organisation_ids(Perm.VIEW))
    return applications.filter(Q(organisation_id__in=ids) | Q(programme__organisation_id__in=ids))


@dataclass(frozen=True)
class ApplicationFilters:
    programme: int | None = None
    state: str = ""

    @classmethod
    def from_data(cls, data) -> ApplicationFilters:
        programme = data.get("program", "")
        programme = int(programme) if programme.isdigit() and int(programme) <= MAX_FILTER_ID else None
        state = data.get("stav", "")
        return cls(programme=programme, state=state if state in AppState.values else "")

    @property
    def active(self) -> bool:
        return bool(self.programme or self.state)


def application_list(scope: Scope, filters: ApplicationFilters) -> QuerySet[SubsidyApplication]:
    applications = visible_applications(scope)
    if filters.programme:
        applications = applications.filter(programme_id=filters.programme)
    if filters.state:
        applications = applications.filter(state=filters.state)
    return applications.order_by("-programme__year", "programme__name", "service__name_sort", "pk")


def filter_programmes(scope: Scope) -> list[Programme]:
    """Programmes of the user's visible applications (choices of the list's filter)."""
    ids = visible_applications(scope).values("programme_id")
    return list(Programme.objects.filter(pk__in=ids).order_by("-year", "name", "pk"))


def get_application(scope: Scope, pk: int) -> SubsidyApplication:
    application = visible_applications(scope).filter(pk=pk).first()
    if application is None or not permissions.can_see_filed(scope, application):
        raise Http404
    return application


# --- pre-fill ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prefill:
    units: Decimal | None
    costs: dict
    revenues: dict
    source: str  # what it came from (stored in ``prefilled_from``); empty when nothing was found


def prefill(service: Service, *, exclude_programme: Programme | None = None) -> Prefill:
    """The figures a new application starts from: the service's latest accepted settlement's actuals, else its
    latest application (of another programme), else nothing."""
    from django.utils.translation import gettext as _

    settlement = (
        Settlement.objects.filter(application__service=service, state=Settlement.State.ACCEPTED)
        .select_related("application__programme")
        .order_by("-application__programme__year", "-checked_at", "-pk")
        .first()
    )
    if settlement is not None:
        programme = settlement.application.programme
        return Prefill(
            units=settlement.units,
            costs=dict(settlement.actual_costs or {}),
            revenues=dict(settlement.actual_revenues or {}),
            source=_("the accepted settlement of %(programme)s (actual figures)") % {"programme": programme},
        )
    applications = SubsidyApplication.objects.filter(service=service).select_related("programme")
    if exclude_programme is not None:
        applications = applications.exclude(programme=exclude_programme)
    application = applications.order_by("-programme__year", "-created_at", "-pk").first()
    if application is not None:
        return Prefill(
            units=application.units,
            costs=dict(application.costs or {}),
            revenues=dict(application.revenues or {}),
            source=_("the application in %(programme)s (budgeted figures)") % {"programme": application.programme},
        )
    return Prefill(units=None, costs={}, revenues={}, source="")


# --- budget sums ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetRow:
    code: str
    name: str
    amount: Decimal
    public: bool = False


def budget_rows(application: SubsidyApplication) -> dict:
    """Cost and revenue rows in the library's order with labels, and the sums of :mod:`qmss.financing.budget`."""
    from qmss.financing.library import default_rules

    rules = default_rules()
    costs = [BudgetRow(c.code, c.name, budget.amount(application.costs.get(c.code))) for c in rules.cost_categories]
    revenues = [
        BudgetRow(c.code, c.name, budget.amount(application.revenues.get(c.code)), c.public)
        for c in rules.revenue_categories
    ]
    return {
        "costs": costs,
        "revenues": revenues,
        "total_cost": budget.total(application.costs, [c.code for c in rules.cost_categories]),
        "own_revenue": budget.own_revenue(application.revenues),
        "public_revenue": budget.public_revenue(application.revenues),
        "net_cost": budget.net_cost(application.costs, application.revenues),
        "public_need": budget.public_need(application.costs, application.revenues),
    }


# --- the dashboard -------------------------------------------------------------------------------------------


def provider_counts(organisation_ids) -> dict[int, dict[str, int]]:
    """Drafts and returned applications per provider organisation."""
    rows = (
        SubsidyApplication.objects.filter(
            organisation_id__in=list(organisation_ids), state__in=(AppState.DRAFT, AppState.RETURNED)
        )
        .values("organisation_id", "state")
        .annotate(n=Count("pk"))
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row["organisation_id"], {})[row["state"]] = row["n"]
    return result


def manager_waiting(organisation_ids) -> dict[int, int]:
    """Submitted applications waiting for the review, per manager organisation."""
    rows = (
        SubsidyApplication.objects.filter(
            programme__organisation_id__in=list(organisation_ids), state=AppState.SUBMITTED
        )
        .values("programme__organisation_id")
        .annotate(n=Count("pk"))
    )
    return {row["programme__organisation_id"]: row["n"] for row in rows}
