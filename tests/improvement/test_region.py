"""The region view: plan progress and the most frequent nonconformities, region staff only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qmss.assessments.models import Assessment, Finding
from qmss.assessments.testing import link_provider_to_registry, make_assessment, make_finding
from qmss.core.roles import OrganisationKind, Role
from qmss.improvement.models import Action, DevelopmentPlan
from qmss.improvement.selectors_region import frequent_nonconformities, plan_progress
from qmss.improvement.testing import make_action, make_plan, make_published_audit

pytestmark = pytest.mark.django_db
URL = reverse("improvement:region")


def _region_data(world):
    today = timezone.localdate()
    plan = make_plan(world.provider, service=world.service, title="Plán služby")
    make_action(plan, status=Action.Status.DONE)
    make_action(plan, deadline=today - timedelta(days=2))  # overdue
    make_action(plan, deadline=today + timedelta(days=20))
    whole = make_plan(world.provider, title="Plán organizace")
    make_action(whole, status=Action.Status.DONE)
    draft = make_plan(world.provider, state=DevelopmentPlan.State.DRAFT, title="Tajný koncept")
    make_action(draft, deadline=today - timedelta(days=2))
    make_published_audit(
        world.provider,
        service=world.service,
        framework=world.framework,
        nonconformities=(("2a", "major_nc"), ("2b", "minor_nc"), ("4a", "minor_nc")),
    )
    second = link_provider_to_registry(
        world.provider, service_name="Pečovatelská služba Alfa", region=world.tenant.region
    )
    make_published_audit(
        world.provider, service=second, framework=world.framework, nonconformities=(("2c", "minor_nc"),)
    )
    unpublished = make_assessment(
        world.provider,
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.IN_REVIEW,
        service=world.service,
        framework=world.framework,
        fill={"6a": "0"},
    )
    make_finding(unpublished.results.get(), kind=Finding.Kind.MAJOR, text="Neveřejná neshoda")


def test_region_numbers(world):
    _region_data(world)
    region_ids = [world.tenant.region.pk]
    rows = plan_progress(region_ids)
    assert [(r["service_name"], r["plans"], r["total"], r["done"], r["overdue"]) for r in rows] == [
        (None, 1, 1, 1, 0),
        ("Domov Alfa U Lip", 1, 3, 1, 1),
    ]
    standards = frequent_nonconformities(region_ids)
    assert [(s["standard_ref"], s["major"], s["minor"], s["total"], s["services"]) for s in standards] == [
        ("2", 1, 2, 3, 2),
        ("4", 0, 1, 1, 1),
    ]


def test_region_page_for_region_staff(world, world_b):
    _region_data(world)
    client = world.client(world.region_manager)
    body = client.get(URL).content.decode()
    assert "Domov Alfa U Lip" in body and world.provider.name in body
    assert "Tajný koncept" not in body and "Plán služby" not in body  # aggregates only, no drafts, no titles
    assert 'role="img"' in body and "<table" in body
    # another region's staff sees nothing of region A
    other = world_b.client(world_b.region_manager).get(URL).content.decode()
    assert world.provider.name not in other and "Domov Alfa U Lip" not in other
    # a region they do not manage is not found
    assert world_b.client(world_b.region_manager).get(URL, {"region": world.tenant.region.code}).status_code == 404


def test_region_page_is_not_for_others(world):
    for kind, role in (
        (OrganisationKind.PROVIDER, Role.ADMIN),
        (OrganisationKind.AUDIT_BODY, Role.AUDITOR),
        (OrganisationKind.MUNICIPALITY, Role.ADMIN),
    ):
        assert world.client(world.user(kind, role)).get(URL).status_code == 404


def test_region_staff_cannot_open_plans_or_processes(world):
    _region_data(world)
    plan = DevelopmentPlan.objects.get(title="Plán služby")
    client = world.client(world.region_manager)
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("improvement:plan_list", kwargs={"organisation_pk": world.provider.pk})).status_code == 404
    )
    assert (
        client.get(reverse("improvement:process_map", kwargs={"organisation_pk": world.provider.pk})).status_code == 404
    )
