"""Builders for improvement tests and demos (deterministic, straight through the ORM)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from qmss.core.models import Organisation
from qmss.improvement.models import Action, DevelopmentPlan, Kpi, KpiMeasurement, Process

_seq = itertools.count(1)


def make_process(
    organisation: Organisation,
    *,
    kind: str = Process.Kind.MAIN,
    name: str | None = None,
    code: str | None = None,
    parent: Process | None = None,
    **extra,
) -> Process:
    n = next(_seq)
    if parent is not None:
        kind = parent.kind
    return Process.objects.create(
        organisation=organisation,
        kind=kind,
        parent=parent,
        code=code if code is not None else f"T{n}",
        name=name or f"Proces {n}",
        order=extra.pop("order", n),
        **extra,
    )


def make_kpi(process: Process, *, name: str = "Ukazatel", target: Decimal | int | None = 80, values=(), **extra) -> Kpi:
    kpi = Kpi.objects.create(
        process=process,
        name=name,
        unit=extra.pop("unit", "%"),
        target_value=Decimal(target) if target is not None else None,
        **extra,
    )
    start = timezone.localdate() - timedelta(days=30 * len(values))
    for index, value in enumerate(values):
        KpiMeasurement.objects.create(kpi=kpi, date=start + timedelta(days=30 * index), value=Decimal(value))
    return kpi


def make_plan(
    organisation: Organisation,
    *,
    state: str = DevelopmentPlan.State.ACTIVE,
    title: str | None = None,
    service=None,
    **extra,
) -> DevelopmentPlan:
    today = timezone.localdate()
    return DevelopmentPlan.objects.create(
        organisation=organisation,
        service=service,
        title=title or f"Rozvojový plán {next(_seq)}",
        state=state,
        period_start=extra.pop("period_start", today.replace(day=1)),
        period_end=extra.pop("period_end", today.replace(day=1) + timedelta(days=365)),
        **extra,
    )


def make_action(plan: DevelopmentPlan, *, title: str | None = None, deadline: date | None = None, **extra) -> Action:
    return Action.objects.create(plan=plan, title=title or f"Opatření {next(_seq)}", deadline=deadline, **extra)


def make_published_audit(
    organisation: Organisation,
    *,
    service=None,
    framework=None,
    fill=None,
    nonconformities=(("2a", "major_nc"), ("4b", "minor_nc")),
    title: str | None = None,
):
    """A published audit of the organisation with results (``fill``, default 2 on every criterion except the
    nonconformities' criteria, which get 1) and the given nonconformity findings ``(ref_id, kind)``."""
    from qmss.assessments.models import Assessment
    from qmss.assessments.testing import criteria, make_assessment, make_finding, make_framework

    framework = framework or make_framework()
    if fill is None:
        fill = {r.ref_id: "2" for r in criteria(framework)}
        fill.update({ref: "1" for ref, _kind in nonconformities})
    audit = make_assessment(
        organisation,
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.PUBLISHED,
        service=service,
        framework=framework,
        fill=fill,
        title=title or f"Audit {next(_seq)}",
    )
    for ref, kind in nonconformities:
        result = audit.results.get(requirement__ref_id=ref)
        make_finding(result, kind=kind, text=f"Neshoda u kritéria {ref}", deadline=timezone.localdate() + timedelta(60))
    return audit


def matrix_kwargs(tenant) -> dict[str, int]:
    """URL parameters of the improvement pages for the URL × role matrix: a process with a KPI, a plan and an
    action of tenant's provider (created on call; names carry the provider's name, a tenant secret)."""
    from qmss.core.roles import OrganisationKind

    provider = tenant.orgs[OrganisationKind.PROVIDER]
    process = make_process(provider, name=f"Proces {provider.name}")
    kpi = make_kpi(process, name=f"Ukazatel {provider.name}", values=(70, 75))
    plan = make_plan(provider, title=f"Plán {provider.name}", created_by=tenant.user(OrganisationKind.PROVIDER))
    action = make_action(plan, title=f"Opatření {provider.name}", deadline=timezone.localdate())
    return {"process_pk": process.pk, "kpi_pk": kpi.pk, "plan_pk": plan.pk, "action_pk": action.pk}
