"""Query budgets: the round page, the submission page and the provider's list make the same number of queries
however many rows they show; the dashboard sections too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qmss.needs import actions_rounds as actions
from qmss.needs.models import Submission, SubmissionComment
from qmss.needs.testing_rounds import make_round
from qmss.registry.models import Provider
from qmss.registry.testing import make_service
from qmss.testing.queries import assert_constant_queries
from tests.needs.rounds_world import build_world

pytestmark = pytest.mark.django_db
FACTS = {"kind": "13", "kind_name": "domovy pro seniory", "forms": ["residential"], "capacities": [], "capacity": 10}


@pytest.fixture
def world(tenant_a, tenant_b):
    world = build_world(tenant_a, tenant_b, others=1)
    actions.open_round(user=world.manager, round=world.round)
    world.round.refresh_from_db()
    return world


def test_round_page_is_constant(world):
    client = world.client(world.manager)
    url = reverse("needs:round_detail", kwargs={"round_pk": world.round.pk})
    other = Provider.objects.get(name="Jiný poskytovatel")

    def grow(n):
        for i in range(Submission.objects.filter(round=world.round).count(), n):
            service = make_service(other, name=f"Přidaná služba {i:02d}", facilities=[{"region": world.tenant.region}])
            Submission.objects.create(round=world.round, service=service, registry_facts=FACTS)

    assert_constant_queries(
        lambda: client.get(url),
        grow,
        count=Submission.objects.filter(round=world.round),
        small=5,
        large=40,
        max_queries=20,
    )


def test_submission_page_is_constant_in_comments(world):
    sub = world.submission()
    client = world.client(world.editor)
    url = reverse("needs:submission_detail", kwargs={"submission_pk": sub.pk})

    def grow(n):
        for i in range(SubmissionComment.objects.filter(submission=sub).count(), n):
            SubmissionComment.objects.create(submission=sub, kind="reply", text=f"Poznámka {i}", author=world.editor)

    assert_constant_queries(
        lambda: client.get(url), grow, count=SubmissionComment.objects.filter(submission=sub), large=20, max_queries=25
    )


def test_my_reports_is_constant(world):
    client = world.client(world.editor)
    url = reverse("needs:my_submissions")

    def grow(n):
        while Submission.objects.filter(service__in=world.own_services).count() < n:
            round = make_round(world.region_org, state="open")
            for service in world.own_services:
                Submission.objects.create(round=round, service=service, registry_facts=FACTS)

    assert_constant_queries(
        lambda: client.get(url),
        grow,
        count=Submission.objects.filter(service__in=world.own_services),
        small=3,
        large=30,
        max_queries=15,
    )


def test_dashboard_is_constant_in_rounds_and_reports(world):
    client = world.client(world.editor)
    manager = world.client(world.manager)

    def grow(n):
        while Submission.objects.filter(service__in=world.own_services).count() < n:
            round = make_round(world.region_org, state="open")
            for service in world.own_services:
                Submission.objects.create(round=round, service=service, registry_facts=FACTS)

    count = Submission.objects.filter(service__in=world.own_services)
    assert_constant_queries(lambda: client.get(reverse("home")), grow, count=count, small=3, large=9, rows=None)
    assert_constant_queries(lambda: manager.get(reverse("home")), grow, count=count, small=9, large=18, rows=None)
    page = manager.get(reverse("home")).content.decode()
    assert reverse("needs:round_detail", kwargs={"round_pk": world.round.pk}) in page
    assert reverse("needs:my_submissions") in client.get(reverse("home")).content.decode()
