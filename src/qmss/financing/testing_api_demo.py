"""Builders of the api_demo part's tests, and its URL-matrix plug-in.

The hub and the API take no URL parameter of their own beyond the spec'd ones that other parts fill
(``reference_set_pk`` by the reference part, ``service_portal_id`` by the world), so ``matrix_kwargs`` adds nothing.
"""

from __future__ import annotations

from decimal import Decimal

from qmss.financing.models import CompensationLine, CompensationRun, Settlement, SubsidyApplication


def make_line(
    application: SubsidyApplication, *, real: Decimal = Decimal("1000000"), approved: bool = True
) -> CompensationLine:
    """A compensation calculation of the application's programme (the next number) with one line for it –
    written directly, for reads only (the compensation part computes real ones)."""
    programme = application.programme
    last = programme.runs.order_by("-number").first()
    run = CompensationRun.objects.create(
        programme=programme,
        number=(last.number + 1) if last else 1,
        state=CompensationRun.State.APPROVED if approved else CompensationRun.State.DRAFT,
        budget=programme.budget,
        coefficient=Decimal("1"),
        total_capped=real,
        total_real=real,
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


def make_settlement(application: SubsidyApplication, *, state: str = Settlement.State.SUBMITTED) -> Settlement:
    """A settlement of the application with its results filled in – written directly, for reads only."""
    return Settlement.objects.create(
        application=application,
        organisation=application.organisation,
        state=state,
        units=application.units,
        net_cost=Decimal("3600000"),
        reasonable_profit=Decimal("0"),
        overcompensation=Decimal("0"),
        carry_over=Decimal("0"),
        to_return=Decimal("0"),
    )


def matrix_kwargs(tenant) -> dict:
    return {}
