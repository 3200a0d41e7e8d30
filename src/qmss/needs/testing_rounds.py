"""Builders of data-collection rounds for tests, the URL × role matrix and demos (straight through the ORM).

``make_template()`` gives the published collection template and taxonomy (from the libraries);
``make_round(...)`` a round of a region's authority with services
of given providers; ``fill(submission, values)`` stores values directly.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from qmss.core.roles import OrganisationKind
from qmss.needs.models import (
    CollectionRound,
    CollectionTemplate,
    Submission,
    SubmissionValue,
    Taxonomy,
)

_seq = itertools.count(1)

FILTER_VALUES = {"round": "round_pk"}

# A complete report of a residential service that passes every rule.
GOOD_VALUES: dict[tuple[str, str], Decimal] = {
    ("bed_days", ""): Decimal(10000),
    ("direct_hours", ""): Decimal(20000),
    ("users", "u18"): Decimal(0),
    ("users", "18_64"): Decimal(5),
    ("users", "65_79"): Decimal(20),
    ("users", "80p"): Decimal(25),
    ("new_users", ""): Decimal(10),
    ("refused", "not_provided"): Decimal(1),
    ("refused", "capacity"): Decimal(4),
    ("refused", "health"): Decimal(0),
    ("refused", "terminated"): Decimal(0),
    ("waiting_list", ""): Decimal(30),
    ("fte", "social_worker"): Decimal(2),
    ("fte", "care_worker"): Decimal(15),
    ("fte", "health_staff"): Decimal(4),
    ("fte", "other_direct"): Decimal(1),
    ("fte", "management"): Decimal("1.5"),
    ("fte", "operations"): Decimal(5),
    ("costs", "personnel"): Decimal(12000000),
    ("costs", "operating"): Decimal(3000000),
    ("costs", "services"): Decimal(500000),
    ("costs", "other"): Decimal(100000),
    ("revenues", "users"): Decimal(6000000),
    ("revenues", "health_insurance"): Decimal(1000000),
    ("revenues", "public_subsidy"): Decimal(7000000),
    ("revenues", "municipality"): Decimal(500000),
    ("revenues", "eu_projects"): Decimal(0),
    ("revenues", "other"): Decimal(100000),
}


def make_template() -> tuple[CollectionTemplate, Taxonomy]:
    """The published collection template and needs taxonomy of the libraries (H1's builder)."""
    from qmss.needs.testing_taxonomy import make_taxonomy_and_template

    taxonomy, template = make_taxonomy_and_template()
    return template, taxonomy


def make_round(
    region_org,
    *,
    name: str | None = None,
    state: str = CollectionRound.State.DRAFT,
    period_start: date = date(2025, 1, 1),
    period_end: date = date(2025, 12, 31),
    deadline: date | None = None,
    **extra,
) -> CollectionRound:
    template, taxonomy = make_template()
    return CollectionRound.objects.create(
        organisation=region_org,
        region_id=region_org.region_id,
        name=name or f"Sběr {next(_seq)}",
        period_start=period_start,
        period_end=period_end,
        deadline=deadline or (timezone.localdate() + timedelta(days=30)),
        template=template,
        taxonomy=taxonomy,
        state=state,
        **extra,
    )


def open_with(round: CollectionRound, user) -> list[Submission]:
    from qmss.needs.actions_rounds import open_round

    open_round(user=user, round=round)
    return list(Submission.objects.filter(round=round).select_related("service"))


def fill(submission: Submission, values: dict[tuple[str, str], Decimal] | None = None) -> None:
    """Store values straight (no permission checks; locked cells are left as pre-filled)."""
    from qmss.needs.layout import form_layout

    ids = {spec.code: spec.element_id for spec in form_layout(submission.round).elements}
    for (code, category), value in (values or GOOD_VALUES).items():
        SubmissionValue.objects.update_or_create(
            submission=submission, element_id=ids[code], category=category, defaults={"value": value}
        )


def matrix_kwargs(tenant) -> dict:
    """Tenant A's open round (named after its region authority, a secret) with a draft submission of a service of
    A's verified provider, and a return comment naming the provider organisation."""
    from qmss.core.roles import Role
    from qmss.needs.models import SubmissionComment
    from qmss.registry.models import Provider
    from qmss.registry.selectors_links import linked_provider
    from qmss.registry.testing import link_verified, make_provider, make_service

    region_org = tenant.orgs[OrganisationKind.REGION]
    provider = tenant.orgs[OrganisationKind.PROVIDER]
    registered = linked_provider(provider)
    if registered is None:
        registered = Provider.objects.filter(ico=provider.ico).first() if provider.ico else None
        registered = registered or make_provider(f"Poskytovatel {tenant.key} k výkazu", ico=provider.ico or None)
        link_verified(provider, registered)
    # registry names are public open data: no secret in them (the round's name carries the region's secret)
    service = make_service(registered, name="Služba s výkazem", facilities=[{"region": tenant.region}])
    round = make_round(region_org, name=f"Sběr dat {region_org.name}")
    manager = tenant.user(OrganisationKind.REGION, Role.ADMIN)
    submissions = open_with(round, manager)
    submission = next(s for s in submissions if s.service_id == service.pk)
    SubmissionComment.objects.create(
        submission=submission, kind=SubmissionComment.Kind.RETURN, text=f"Opravte {provider.name}", author=manager
    )
    return {"round_pk": round.pk, "submission_pk": submission.pk}
