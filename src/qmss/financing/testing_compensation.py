"""Builders of compensation runs for tests and demos, and the URL-matrix plug-in of the compensation part.

``closed_programme(tenant)`` is :func:`qmss.financing.testing_applications.make_programme` closed for applications
(a run can be computed); ``make_run(programme)`` computes a run through the action as the programme's manager
(``approve=True`` approves it too); ``add_application(programme, tenant, ...)`` another submitted application of
the tenant's provider for a new service of the network's region (with its own budget).
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from qmss.core.roles import OrganisationKind
from qmss.financing.models import CompensationRun, Programme, SubsidyApplication

_seq = itertools.count(1)

FILTER_VALUES: dict[str, str] = {}


def manager(programme: Programme):
    from qmss.network.testing_networks import manager_of

    return manager_of(programme.organisation)


def closed_programme(tenant, **kwargs) -> Programme:
    from qmss.financing.testing_applications import make_programme

    return make_programme(tenant, state=Programme.State.CLOSED, **kwargs)


def add_application(
    programme: Programme,
    tenant,
    *,
    name: str | None = None,
    units: Decimal = Decimal("10"),
    unit: str = "luzka",
    kind: str = "13",
    costs=None,
    revenues=None,
    state: str = SubsidyApplication.State.SUBMITTED,
) -> SubsidyApplication:
    """A submitted application of the tenant's provider for a new registry service (kind ``kind``)."""
    from qmss.financing.testing_applications import make_application
    from qmss.network.testing_applications import provider_service

    service = provider_service(tenant, name=name or f"Služba s vyrovnávací platbou {next(_seq)}", kind=kind)
    return make_application(
        programme,
        service,
        tenant.orgs[OrganisationKind.PROVIDER],
        state=state,
        units=units,
        unit=unit,
        costs=costs,
        revenues=revenues,
    )


def make_run(programme: Programme, *, user=None, approve: bool = False, note: str = "") -> CompensationRun:
    from qmss.financing.actions_compensation import approve_run, compute_run

    user = user or manager(programme)
    run = compute_run(user=user, programme=programme, note=note)
    if approve:
        run = approve_run(user=user, run=run)
    return run


def matrix_kwargs(tenant) -> dict:
    """Tenant A's closed programme with two runs: no. 1 approved (its line is shown to the provider; the line
    names the applicant organisation, a tenant secret) and no. 2 a draft (the table offers to approve it, and to
    compute another one; the table names the managing organisation, a member's secret)."""
    programme = closed_programme(tenant, name="Program vyrovnávacích plateb")
    # this programme_pk replaces the applications part's one (parts later in the list win): its pages must still
    # show a member's secret, as the applications part's programme does
    programme.description = f"Popis programu {tenant.orgs[OrganisationKind.REGION].name}"
    programme.save(update_fields=["description"])
    make_run(programme, approve=True, note="První výpočet")
    make_run(programme, note="Druhý výpočet")
    line = programme.runs.get(number=1).lines.order_by("pk").first()
    return {"programme_pk": programme.pk, "line_pk": line.pk}
