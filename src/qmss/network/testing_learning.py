"""Builders of the learning part for tests and the URL matrix: approved reports of a round straight through the ORM
and tenant A's network with a round to learn from and a waiting proposal."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from qmss.core.roles import OrganisationKind

_seq = itertools.count(1)

FILTER_VALUES: dict[str, str] = {}


def approve_report(round_obj, service, values: dict[tuple[str, str], Decimal | int]):
    """An approved report of ``service`` in ``round_obj`` holding ``values`` ({(element code, category): value})."""
    from qmss.needs.models import DataElement, Submission, SubmissionValue

    elements = dict(DataElement.objects.filter(template=round_obj.template).values_list("code", "pk"))
    submission = Submission.objects.create(
        round=round_obj, service=service, state=Submission.State.APPROVED, decided_at=timezone.now()
    )
    SubmissionValue.objects.bulk_create(
        SubmissionValue(submission=submission, element_id=elements[code], category=category, value=Decimal(value))
        for (code, category), value in values.items()
    )
    return submission


def make_learning_round(region_org, reports, *, name: str | None = None, year: int = 2025, **extra):
    """A closed round of ``region_org``'s region with an approved report per ``(service, values)`` of ``reports``."""
    from qmss.needs.models import CollectionRound
    from qmss.needs.testing_rounds import make_round

    round_obj = make_round(
        region_org,
        name=name or f"Sběr {year} č. {next(_seq)}",
        state=CollectionRound.State.CLOSED,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        **extra,
    )
    for service, values in reports:
        approve_report(round_obj, service, values)
    return round_obj


def _network_of(region_org, secret: str):
    """Tenant A's network: the one the networks part built for the matrix (the same ``network_pk`` for every
    part), else a new one named after A's secret."""
    from qmss.network.models import Network
    from qmss.network.testing_networks import make_network

    network = Network.objects.filter(organisation=region_org).order_by("pk").first()
    return network or make_network(region_org, name=f"Síť {secret}")


def matrix_kwargs(tenant) -> dict:
    """Tenant A's network (its name carries A's secret) with two rounds of A's region to learn from: a proposal
    from the older one waits for the manager's decision, the newer one (named after A's region authority) is
    not used yet – so both forms of the learning page write when A's manager posts them."""
    from qmss.core.roles import Role
    from qmss.network.actions_learning import propose_parameters
    from qmss.registry.testing import make_provider, make_service

    region_org = tenant.orgs[OrganisationKind.REGION]
    secret = tenant.orgs[OrganisationKind.PROVIDER].name
    network = _network_of(region_org, secret)
    # registry names are public open data: no secret in them
    service = make_service(
        make_provider("Poskytovatel pečovatelské služby"),
        name="Pečovatelská služba k učení",
        kind="4",
        forms=(("ter", (("klient", 30),)),),
        municipalities=[tenant.municipality],
    )
    values = {("users", "65_79"): 8, ("users", "80p"): 6, ("waiting_list", ""): 0}
    older = make_learning_round(region_org, [(service, values)], name=f"Sběr 2024 {region_org.name}", year=2024)
    make_learning_round(region_org, [(service, values)], name=f"Sběr 2025 {region_org.name}", year=2025)
    manager = tenant.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    propose_parameters(user=manager, network=network, round=older)
    return {"network_pk": network.pk}
