"""Builders of the region evaluation dashboard for tests, the URL × role matrix and the bench (straight through
the ORM, bulk where it matters): a small collection template with the spec's indicator formulas, services of a
region, closed rounds with approved submissions and their values."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from qmss.needs.models import (
    CollectionRound,
    CollectionTemplate,
    DataElement,
    Indicator,
    Submission,
    SubmissionValue,
    Taxonomy,
)

_seq = itertools.count(1)
TEMPLATE_URN = "urn:qmss:test:dashboard-template"

# (code, forms) of the elements the dashboard's tests use
ELEMENTS: tuple[tuple[str, list[str]], ...] = (
    ("capacity", []),
    ("period_days", []),
    ("users", []),
    ("new_users", []),
    ("refused", []),
    ("waiting_list", []),
    ("bed_days", ["residential"]),
    ("contacts", ["outpatient", "field"]),
    ("fte", []),
    ("needs_response", []),
    ("costs", []),
)
# The indicators of the spec: code, name, numerator, denominator, factor, unit, forms
INDICATORS: tuple[tuple[str, str, str, str, str, str, list[str]], ...] = (
    ("refusal_capacity_rate", "Odmítnutí pro kapacitu", 'refused["capacity"]', "new_users + refused", "100", "%", []),
    ("occupancy", "Obložnost", "bed_days", "capacity * period_days", "100", "%", ["residential"]),
    (
        "users_per_direct_fte",
        "Uživatelé na úvazek v přímé péči",
        "users",
        'nz(fte["social_worker"]) + nz(fte["care_worker"]) + nz(fte["health_staff"]) + nz(fte["other_direct"])',
        "1",
        "",
        [],
    ),
    ("needs_basic_share", "Potřeby řešené základní činností", 'needs_response["basic_activity"]', "needs_response",
     "100", "%", []),
    ("cost_per_unit", "Náklady na jednotku", "costs", "nz(bed_days) + nz(contacts)", "1", "Kč", []),
    ("waiting_per_capacity", "Čekatelé na jednotku kapacity", "waiting_list", "capacity", "1", "", []),
)  # fmt: skip


def make_dashboard_template() -> CollectionTemplate:
    """A published template with the elements and the six indicators of the spec (idempotent)."""
    template = CollectionTemplate.objects.filter(urn=TEMPLATE_URN, version=1).first()
    if template is not None:
        return template
    template = CollectionTemplate.objects.create(
        urn=TEMPLATE_URN, version=1, title="Test template", source="tests", checksum="0" * 64,
        published_at=timezone.now(),
    )  # fmt: skip
    for order, (code, forms) in enumerate(ELEMENTS):
        DataElement.objects.create(template=template, code=code, name=f"Prvek {code}", forms=forms, order=order)
    for order, (code, name, numerator, denominator, factor, unit, forms) in enumerate(INDICATORS):
        Indicator.objects.create(
            template=template, code=code, name=name, numerator=numerator, denominator=denominator,
            factor=Decimal(factor), unit=unit, forms=forms, order=order, decimals=1,
        )  # fmt: skip
    return template


def _taxonomy() -> Taxonomy:
    taxonomy = Taxonomy.objects.filter(urn="urn:qmss:test:dashboard-taxonomy").first()
    return taxonomy or Taxonomy.objects.create(
        urn="urn:qmss:test:dashboard-taxonomy", version=1, title="Test taxonomy", source="tests", checksum="0" * 64,
        published_at=timezone.now(),
    )  # fmt: skip


def make_services(region, count: int, *, provider=None, kind: str = "13", form: str = "pob", capacity: int = 40,
                  name: str = "Služba"):  # fmt: skip
    """``count`` services of one kind and form with a facility in ``region``."""
    from qmss.registry.testing import make_service

    return [
        make_service(
            provider,
            name=f"{name} {next(_seq)}",
            kind=kind,
            forms=((form, (("luzka", capacity),)),),
            facilities=[{"region": region}],
        )  # fmt: skip
        for _ in range(count)
    ]


def make_closed_round(region_org, *, year: int, template=None, state=CollectionRound.State.CLOSED, name=None):
    template = template or make_dashboard_template()
    return CollectionRound.objects.create(
        organisation=region_org,
        region_id=region_org.region_id,
        name=name or f"Sběr {year} #{next(_seq)}",
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        deadline=date(year + 1, 2, 15),
        template=template,
        taxonomy=_taxonomy(),
        state=state,
    )


def add_submissions(
    round_: CollectionRound,
    values_by_service: Mapping,  # service → {(code, category): value}
    *,
    state: str = Submission.State.APPROVED,
    submitted_at=None,
) -> list[Submission]:
    """Submissions of the services with their values, bulk-created (registry facts from the registry)."""
    from qmss.registry.models import ServiceForm

    services = list(values_by_service)
    forms: dict[int, list[str]] = {}
    for service_id, key in ServiceForm.objects.filter(service__in=services).values_list("service_id", "form__key"):
        forms.setdefault(service_id, []).append(key)
    kinds = {s.pk: (s.kind.code if s.kind_id else "") for s in services}
    when = submitted_at or timezone.make_aware(
        timezone.datetime.combine(round_.deadline - timedelta(days=5), timezone.datetime.min.time())
    )
    done = state in (Submission.State.SUBMITTED, Submission.State.APPROVED)
    submissions = Submission.objects.bulk_create(
        [
            Submission(
                round=round_,
                service=s,
                state=state,
                registry_facts={"kind": kinds[s.pk], "forms": sorted(forms.get(s.pk, []))},
                submitted_at=when if done else None,
            )  # fmt: skip
            for s in services
        ]
    )
    elements = dict(DataElement.objects.filter(template_id=round_.template_id).values_list("code", "pk"))
    rows = [
        SubmissionValue(submission=sub, element_id=elements[code], category=category, value=Decimal(value))
        for sub, service in zip(submissions, services, strict=True)
        for (code, category), value in values_by_service[service].items()
    ]
    SubmissionValue.objects.bulk_create(rows, batch_size=2000)
    return submissions


def simple_values(users: int, *, bed_days: int = 10000, fte: str = "10", costs: int = 1000000) -> dict:
    return {
        ("capacity", ""): 40,
        ("period_days", ""): 365,
        ("users", ""): users,
        ("new_users", ""): 5,
        ("refused", "capacity"): 2,
        ("refused", "not_provided"): 1,
        ("bed_days", ""): bed_days,
        ("fte", "care_worker"): Decimal(fte),
        ("costs", ""): costs,
    }


def region_with_rounds(region_org, *, services: Sequence, years: Iterable[int], values=None) -> list[CollectionRound]:
    """Closed rounds of the given years, every service approved with ``values(service, year)``."""
    values = values or (lambda service, year: simple_values(40 + (service.pk + year) % 7))
    rounds = []
    for year in years:
        round_ = make_closed_round(region_org, year=year)
        add_submissions(round_, {service: values(service, year) for service in services})
        rounds.append(round_)
    return rounds


def matrix_kwargs(tenant) -> dict:
    """Tenant A's closed round (its name carries the regional authority's name, a secret) with six services of a
    registry provider, one of them an outlier. Registry names are public data: they carry no secret. The
    dashboard has no URL parameters of its own."""
    from qmss.core.roles import OrganisationKind
    from qmss.registry.testing import make_provider

    region_org = tenant.orgs[OrganisationKind.REGION]
    services = make_services(tenant.region, 6, provider=make_provider(), name=f"Domov {tenant.key}")
    round_ = make_closed_round(region_org, year=2024, name=f"Sběr vyhodnocení {region_org.name}")
    users = [40, 41, 42, 43, 44, 400]
    add_submissions(round_, {s: simple_values(u) for s, u in zip(services, users, strict=True)})
    return {}
