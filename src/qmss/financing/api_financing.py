"""Financing API (``/api/v1/financing/``), read only and paginated.

- Reference value sets and their values are published data: everybody may read them. As on the network pages, the
  manager is given by its kind and territory, not by its name.
- Everything else needs a logged-in user (anonymous visitors get 403) and is scoped exactly as the pages are:
  programmes whose manager side the user is on; subsidy applications and settlements of the user's provider
  organisations or of programmes whose manager side the user is on (the applications and settlement parts'
  selectors); compensation lines of those programmes, or the provider's own lines; the standards' findings of a
  service for its provider and the network managers of its region (``permissions.can_see_service_standards``).

No ``from __future__ import annotations`` here: ninja's pagination wrapper resolves ``Query[...]`` at import time."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Subquery
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from qmss.core.scoping import get_scope
from qmss.financing import permissions
from qmss.financing import selectors_index as selectors
from qmss.financing.models import CompensationLine, CompensationRun, ReferenceValue

router = Router(tags=["financing"])

PAGE_SIZE = 100
MAX_ID = 2**31 - 1


def _scope(request):
    """The user's scope; 403 for anonymous visitors (only reference values are public)."""
    scope = get_scope(request)
    if not scope.is_authenticated:
        raise HttpError(403, _("Log in to use this part of the API."))
    return scope


# --- schemas -----------------------------------------------------------------------------------------------------


class ReferenceSetOut(Schema):
    id: int
    year: int
    version: int
    name: str
    manager_kind: str = Field(alias="organisation.kind", description="Kind of the manager: region / municipality")
    region: str | None = Field(None, description="NUTS 3 code of the manager's region")
    region_name: str | None = None
    municipality_name: str | None = None
    source: str
    verified: bool = Field(description="Verified against the source")
    value_count: int
    synthetic: bool = Field(alias="is_demo", description="Synthetic demo data")
    created_at: datetime

    @staticmethod
    def resolve_region(obj) -> str | None:
        return obj.organisation.region.code if obj.organisation.region_id else None

    @staticmethod
    def resolve_region_name(obj) -> str | None:
        return obj.organisation.region.name if obj.organisation.region_id else None

    @staticmethod
    def resolve_municipality_name(obj) -> str | None:
        return obj.organisation.municipality.name if obj.organisation.municipality_id else None


class ReferenceValueOut(Schema):
    kind: str = Field(alias="kind.code", description="Service kind code")
    kind_name: str = Field(alias="kind.name")
    form: str | None = Field(None, description="Delivery form code; empty = every form of the kind")
    unit: str = Field(description="Unit code of the network rules library")
    usual_cost: Decimal = Field(description="CZK per unit and year")
    usual_revenue: Decimal = Field(description="Usual own revenue, CZK per unit and year")
    max_public_share: Decimal = Field(description="Share of the usual cost, 0–1")
    direct_fte_per_unit: Decimal | None = None
    direct_share_min: Decimal | None = None

    @staticmethod
    def resolve_form(obj) -> str | None:
        return obj.form.code if obj.form_id else None


class ProgrammeOut(Schema):
    id: int
    name: str
    year: int
    state: str
    state_name: str
    budget: Decimal = Field(description="CZK")
    deadline: date | None = None
    manager: str = Field(alias="organisation.name", description="The manager organisation (its members see it)")
    network_id: int
    network: str = Field(alias="network.name")
    reference_set_id: int | None = None
    application_count: int
    synthetic: bool = Field(alias="is_demo")

    @staticmethod
    def resolve_state_name(obj) -> str:
        return str(obj.get_state_display())


class ApplicationOut(Schema):
    id: int
    programme_id: int
    programme: str = Field(alias="programme.name")
    year: int = Field(alias="programme.year")
    portal_id: int = Field(alias="service.portal_id", description="The service's id in the registry portal")
    service: str = Field(alias="service.name")
    provider: str = Field(alias="organisation.name", description="The provider organisation")
    state: str
    state_name: str
    units: Decimal
    unit: str
    requested: Decimal = Field(description="CZK")
    awarded: Decimal | None = Field(None, description="Compensation of the newest approved calculation, CZK")
    synthetic: bool = Field(alias="is_demo")

    @staticmethod
    def resolve_state_name(obj) -> str:
        return str(obj.get_state_display())


class LineOut(Schema):
    id: int
    programme_id: int = Field(alias="run.programme_id")
    run: int = Field(alias="run.number", description="Number of the calculation within the programme")
    run_state: str = Field(alias="run.state", description="draft / approved")
    application_id: int
    portal_id: int = Field(alias="service.portal_id")
    service: str = Field(alias="service.name")
    provider: str = Field(alias="application.organisation.name")
    units: Decimal
    unit: str
    usual_cost: Decimal | None = None
    usual_revenue: Decimal | None = None
    max_public_share: Decimal | None = None
    optimal: Decimal = Field(description="units × (usual cost − usual own revenue)")
    adjustment_percent: Decimal
    adjusted: Decimal
    cap_public_share: Decimal | None = None
    cap_net_cost: Decimal | None = None
    capped: Decimal
    coefficient: Decimal = Field(alias="run.coefficient", description="Budget coefficient of the calculation")
    real: Decimal = Field(description="The compensation, CZK")
    problem: str = Field(description="Why a line has no amount (an error code); empty when it has one")


class SettlementOut(Schema):
    id: int
    application_id: int
    programme_id: int = Field(alias="application.programme_id")
    year: int = Field(alias="application.programme.year")
    portal_id: int = Field(alias="application.service.portal_id")
    service: str = Field(alias="application.service.name")
    provider: str = Field(alias="organisation.name")
    state: str
    state_name: str
    net_cost: Decimal | None = None
    reasonable_profit: Decimal | None = None
    overcompensation: Decimal | None = None
    carry_over: Decimal | None = None
    to_return: Decimal | None = None
    synthetic: bool = Field(alias="is_demo")

    @staticmethod
    def resolve_state_name(obj) -> str:
        return str(obj.get_state_display())


class FindingOut(Schema):
    standard: str = Field(description="personnel / mts")
    code: str
    passed: bool
    message: str
    source: str
    verified: bool
    own_rule: bool = Field(description="A manager's own rule (no public source)")


class StandardsOut(Schema):
    portal_id: int
    service: str
    provider: str | None = Field(None, description="The verified provider organisation")
    personnel: bool | None = Field(None, description="Passes the personnel standard; null: nothing recorded")
    mts: bool | None = Field(None, description="Passes the material-technical standard; null: nothing recorded")
    findings: list[FindingOut]


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


class FilingQuery(Schema):
    programme: int | None = Field(None, ge=1, le=MAX_ID, description="Only this programme")
    state: str | None = Field(None, max_length=20, description="Only this state")


class LineQuery(Schema):
    programme: int | None = Field(None, ge=1, le=MAX_ID, description="Only this programme")
    run: int | None = Field(None, ge=1, le=MAX_ID, description="Only this calculation number (with programme)")


# --- reference values (public) -----------------------------------------------------------------------------------


@router.get("reference-sets", response=list[ReferenceSetOut], summary="Reference value sets (public)")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_reference_sets(request, query: Query[YearQuery]):
    sets = selectors.reference_sets().annotate(value_count=Count("values"))
    return sets.filter(year=query.year) if query.year else sets


@router.get(
    "reference-sets/{reference_set_pk}/values",
    response=list[ReferenceValueOut],
    summary="Values of one reference value set (public)",
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_reference_values(request, reference_set_pk: int):
    if not selectors.reference_sets().filter(pk=reference_set_pk).exists():
        raise HttpError(404, _("No such set of reference values."))
    return (
        ReferenceValue.objects.filter(reference_set_id=reference_set_pk)
        .select_related("kind", "form")
        .order_by("kind__code", "form__code", "pk")
    )


# --- programmes, applications, lines, settlements (logged in, scoped) ----------------------------------------------


@router.get("programmes", response=list[ProgrammeOut], summary="Programmes of the user's manager organisations")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_programmes(request, query: Query[YearQuery]):
    programmes = selectors.managed_programmes(_scope(request))
    return programmes.filter(year=query.year) if query.year else programmes


def _awarded() -> Subquery:
    newest = CompensationLine.objects.filter(
        application=OuterRef("pk"), run__state=CompensationRun.State.APPROVED
    ).order_by("-run__number")
    return Subquery(newest.values("real")[:1], output_field=DecimalField(max_digits=14, decimal_places=2))


@router.get(
    "applications",
    response=list[ApplicationOut],
    summary="Subsidy applications the user may see, with their state and awarded compensation",
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_applications(request, query: Query[FilingQuery]):
    applications = selectors.visible_applications(_scope(request)).annotate(awarded=_awarded())
    if query.programme:
        applications = applications.filter(programme_id=query.programme)
    if query.state:
        applications = applications.filter(state=query.state)
    return applications


@router.get(
    "compensation-lines",
    response=list[LineOut],
    summary="Compensation lines (the manager side: its programmes'; a provider: its own)",
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_lines(request, query: Query[LineQuery]):
    lines = selectors.visible_lines(_scope(request))
    if query.programme:
        lines = lines.filter(run__programme_id=query.programme)
        if query.run:
            lines = lines.filter(run__number=query.run)
    return lines


@router.get("settlements", response=list[SettlementOut], summary="Settlements (the provider's own; the manager side's)")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_settlements(request, query: Query[FilingQuery]):
    settlements = selectors.visible_settlements(_scope(request))
    if query.programme:
        settlements = settlements.filter(application__programme_id=query.programme)
    if query.state:
        settlements = settlements.filter(state=query.state)
    return settlements


# --- standards of a service ----------------------------------------------------------------------------------------


@router.get(
    "services/{service_portal_id}/standards",
    response=StandardsOut,
    summary="Personnel and material-technical standards of a service (its provider, the region's managers)",
)
def service_standards(request, service_portal_id: int):
    from qmss.financing import standards_checks
    from qmss.registry.models import Service
    from qmss.registry.selectors_links import linked_organisation

    scope = _scope(request)
    service = Service.objects.select_related("provider").filter(portal_id=service_portal_id).first()
    if service is None or not permissions.can_see_service_standards(scope, service):
        raise HttpError(404, _("No such service, or you may not see its standards."))
    findings = standards_checks.findings_for(service)
    summary = standards_checks.check_summary(service)
    provider = linked_organisation(service.provider)
    return {
        "portal_id": service.portal_id,
        "service": service.name,
        "provider": provider.name if provider else None,
        "personnel": summary.get(standards_checks.PERSONNEL),
        "mts": summary.get(standards_checks.MTS),
        "findings": [
            {
                "standard": f.standard,
                "code": f.code,
                "passed": f.passed,
                "message": f.message,
                "source": f.source,
                "verified": f.verified,
                "own_rule": f.own_rule,
            }
            for f in findings
        ],
    }
