"""Query budgets: the map, the process list, the plan detail and the region view make the same number of
queries however many rows they show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qmss.assessments.testing import criteria, make_evidence
from qmss.improvement.models import Action, DevelopmentPlan, Process
from qmss.improvement.testing import make_action, make_kpi, make_plan, make_process, make_published_audit
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
KINDS = Process.Kind.values


def _grow_processes(world):
    requirements = criteria(world.framework)
    evidence = make_evidence(world.provider, store=False)

    def grow(n):
        for i in range(Process.objects.filter(parent__isnull=True).count(), n):
            process = make_process(world.provider, kind=KINDS[i % 3], name=f"Proces {i}", owner=world.editor)
            make_process(world.provider, parent=process, name=f"Podproces {i}", owner=world.admin)
            process.services.add(world.service)
            process.evidence.add(evidence)
            process.requirements.add(*requirements[i % 40 : i % 40 + 3])
            make_kpi(process, values=(1, 2))

    return grow


def test_process_map_is_constant(world):
    client = world.client(world.reader)
    url = reverse("improvement:process_map", kwargs={"organisation_pk": world.provider.pk})
    assert_constant_queries(
        lambda: client.get(url), _grow_processes(world), count=Process.objects, small=1, large=30, max_queries=12
    )


def test_process_list_is_constant(world):
    client = world.client(world.reader)
    url = reverse("improvement:process_list", kwargs={"organisation_pk": world.provider.pk})

    def request():
        response = client.get(url)
        assert response.status_code == 200 and "Proces 0" in response.content.decode()
        return response

    assert_constant_queries(request, _grow_processes(world), count=Process.objects, small=1, large=30, max_queries=12)


def test_process_detail_is_constant_in_kpis_and_links(world):
    process = make_process(world.provider)
    requirements = criteria(world.framework)
    client = world.client(world.reader)

    def grow(n):
        for i in range(process.kpis.count(), n):
            make_kpi(process, name=f"KPI {i}", values=(1, 2, 3))
            make_process(world.provider, parent=process, name=f"Pod {i}")
            process.requirements.add(requirements[i % len(requirements)])
            process.evidence.add(make_evidence(world.provider, store=False))

    assert_constant_queries(
        lambda: client.get(process.get_absolute_url()), grow, count=process.kpis, small=1, large=20, max_queries=20
    )


def test_plan_detail_is_constant(world):
    audit = make_published_audit(world.provider, service=world.service, framework=world.framework)
    findings = list(audit.results.filter(findings__isnull=False).values_list("findings", flat=True))
    requirements = criteria(world.framework)
    plan = make_plan(world.provider, service=world.service)
    client = world.client(world.reader)

    def grow(n):
        for i in range(plan.actions.count(), n):
            action = make_action(
                plan, title=f"Opatření {i}", owner=world.editor, deadline=timezone.localdate() + timedelta(days=i - 5)
            )
            action.findings.add(*findings)
            action.requirements.add(requirements[i % len(requirements)])

    def request():
        response = client.get(plan.get_absolute_url())
        assert response.status_code == 200
        return response

    assert_constant_queries(request, grow, count=plan.actions, small=1, large=40, max_queries=15)
    assert Action.objects.count() == 40


def test_timeline_is_constant(world):
    plan = make_plan(world.provider)
    client = world.client(world.reader)

    def grow(n):
        for i in range(plan.actions.count(), n):
            make_action(plan, deadline=timezone.localdate() + timedelta(days=7 * i), owner=world.editor)

    url = reverse("improvement:plan_timeline", kwargs={"plan_pk": plan.pk})
    assert_constant_queries(lambda: client.get(url), grow, count=plan.actions, small=1, large=30, max_queries=15)


def test_region_view_is_constant(world):
    from qmss.assessments.testing import link_provider_to_registry

    client = world.client(world.region_manager)
    url = reverse("improvement:region")

    def grow(n):
        for i in range(DevelopmentPlan.objects.count(), n):
            service = link_provider_to_registry(world.provider, service_name=f"Služba {i}", region=world.tenant.region)
            plan = make_plan(world.provider, service=service)
            make_action(plan, deadline=timezone.localdate() - timedelta(days=1))
            make_action(plan, status=Action.Status.DONE)
            make_published_audit(
                world.provider,
                service=service,
                framework=world.framework,
                nonconformities=((f"{i % 15 + 1}a", "minor_nc"),),
            )

    def request():
        response = client.get(url)
        assert response.status_code == 200
        return response

    assert_constant_queries(request, grow, count=DevelopmentPlan.objects, small=1, large=15, max_queries=12)
