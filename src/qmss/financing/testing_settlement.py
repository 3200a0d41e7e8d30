"""Builders of settlements for tests and demos, and the URL-matrix plug-in of the settlement part.

``accepted_application(tenant)`` is :func:`qmss.financing.testing_applications.make_programme` (decided, its
application accepted); ``award(application, real)`` an approved compensation calculation with the application's
line (written directly: the compensation part's actions are tested there); ``make_settlement(application, ...)`` a
settlement written directly (no permission check).
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.utils import timezone

from qmss.core.roles import OrganisationKind, Role
from qmss.financing import budget
from qmss.financing.models import CompensationLine, CompensationRun, Settlement, SubsidyApplication

_seq = itertools.count(1)

FILTER_VALUES: dict[str, str] = {}

COSTS = {"staff": Decimal("6000000"), "operating": Decimal("2000000")}
REVENUES = {
    "user_payments": Decimal("2500000"),
    "care_allowance": Decimal("1500000"),
    "health_insurance": Decimal("300000"),
    "other_own": Decimal("100000"),
}
PUBLIC = {
    "compensation": Decimal("3000000"),
    "state": Decimal("500000"),
    "municipalities": Decimal("0"),
    "other_public": Decimal("400000"),
}


def accepted_application(tenant, *, name: str | None = None, year: int = 2027) -> SubsidyApplication:
    """The accepted application of the tenant's provider in a decided programme of the tenant's region."""
    from qmss.financing.testing_applications import make_programme

    programme = make_programme(
        tenant,
        year=year,
        state="decided",
        name=name or f"Program s vyúčtováním {next(_seq)}",
        application_state=SubsidyApplication.State.ACCEPTED,
    )
    return programme.applications.select_related("programme", "organisation", "service").get()


def award(application: SubsidyApplication, real: Decimal = Decimal("3000000")) -> CompensationLine:
    """An approved compensation calculation of the application's programme with the application's line."""
    programme = application.programme
    last = CompensationRun.objects.filter(programme=programme).order_by("-number").first()
    run = CompensationRun.objects.create(
        programme=programme,
        number=(last.number + 1) if last else 1,
        state=CompensationRun.State.APPROVED,
        budget=programme.budget,
        coefficient=Decimal("1"),
        total_capped=real,
        total_real=real,
        approved_at=timezone.now(),
    )
    return CompensationLine.objects.create(
        run=run,
        application=application,
        service=application.service,
        units=application.units,
        unit=application.unit,
        optimal=real,
        adjusted=real,
        capped=real,
        real=real,
    )


def make_settlement(
    application: SubsidyApplication,
    *,
    state: str = Settlement.State.DRAFT,
    costs=None,
    revenues=None,
    public=None,
    note: str = "",
) -> Settlement:
    """A settlement of the application (written directly); a submitted or checked one gets its results stored."""
    from qmss.financing import selectors_settlement as selectors

    settlement = Settlement.objects.create(
        application=application,
        organisation=application.organisation,
        state=state,
        units=application.units,
        actual_costs=budget.as_json(COSTS if costs is None else costs),
        actual_revenues=budget.as_json(REVENUES if revenues is None else revenues),
        public_money=budget.as_json(PUBLIC if public is None else public),
        note=note,
    )
    if state not in selectors.EDITABLE:
        parameters = selectors.current_parameters(application.programme)
        result = selectors.compute(settlement, parameters)
        for name in ("net_cost", "reasonable_profit", "overcompensation", "carry_over", "to_return"):
            setattr(settlement, name, getattr(result, name))
        settlement.parameters = parameters
        settlement.submitted_at = timezone.now()
        settlement.save()
    return settlement


def provider_editor(tenant):
    return tenant.user(OrganisationKind.PROVIDER, Role.EDITOR)


def matrix_kwargs(tenant) -> dict:
    """Tenant A's draft settlement (its note names the provider organisation – a tenant secret) of an accepted
    application with an approved compensation."""
    provider = tenant.orgs[OrganisationKind.PROVIDER]
    application = accepted_application(tenant, name="Program s vyúčtováním")
    award(application)
    settlement = make_settlement(application, note=f"Poznámka k vyúčtování {provider.name}")
    return {"settlement_pk": settlement.pk}
