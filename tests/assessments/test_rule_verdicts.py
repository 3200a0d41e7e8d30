"""Unverified pass rules give no pass/fail verdict until a superuser adopts the rule set (issue #8, finding 9):
assessment page, report data and XLSX, readiness, lenses and plan drafting; the adoption page and action; the one
registry of pass rules drives every consumer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from qmss.assessments import lenses, readiness
from qmss.assessments.models import Assessment
from qmss.assessments.reports.data import report_data
from qmss.assessments.reports.xlsx import _verdict
from qmss.assessments.selectors import assessment_report
from qmss.assessments.testing import criteria, make_assessment, make_framework
from qmss.core.scoping import Scope
from qmss.frameworks import actions as framework_actions
from qmss.frameworks import pass_rules
from qmss.frameworks.models import RuleSetAdoption
from qmss.improvement import actions as improvement_actions
from tests.assessments.conftest import World, scope_of

State = Assessment.State


def cs(text: str) -> str:
    with translation.override("cs"):
        return gettext(text)


@pytest.fixture
def bare(tenant_a) -> World:
    """Tenant A's world with a framework whose (unverified) rule set nobody adopted."""
    return World.build(tenant_a, make_framework(adopt_rules=False))


def published(world: World, fill="2", **overrides) -> Assessment:
    values = {c.ref_id: fill for c in criteria(world.framework)} | overrides
    return make_assessment(
        world.provider, service=world.service, framework=world.framework, state=State.PUBLISHED, fill=values
    )


def detail(world: World, assessment: Assessment) -> str:
    url = reverse("assessments:detail", kwargs={"assessment_pk": assessment.pk})
    response = world.client(world.provider_admin).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_unverified_rule_gives_no_verdict_and_is_labelled(bare):
    assessment = published(bare, fill="3", **{"1a": "1"})  # would fail on essential 1a under the rule
    report = assessment_report(scope_of(bare.provider_admin), assessment)
    assert report.withheld and report.passed is None and report.failed_essential == []
    assert report.total == 144 - 2

    page = detail(bare, assessment)
    assert cs("unverified rule") in page
    assert cs("No verdict: the pass rule is unverified") in page
    for verdict in (
        "Verdict: meets the pass rule",
        "Verdict: does not meet the pass rule",
        "essential criterion not met",
    ):
        assert cs(verdict) not in page

    data = report_data(assessment)
    assert data.rule_withheld and data.passed is None and data.failed_essential == []
    with translation.override("cs"):
        assert _verdict(data) == gettext("No verdict: the pass rule is unverified")
    assert data.rule_status


def test_adopted_rule_gives_verdict_with_who_and_when(bare, superuser):
    assessment = published(bare, fill="3", **{"1a": "1"})
    adoption = framework_actions.adopt_rule_set(
        scope=Scope.for_user(superuser), user=superuser, framework=bare.framework, note="Rozhodnutí porady"
    )
    report = assessment_report(scope_of(bare.provider_admin), assessment)
    assert not report.withheld and report.passed is False
    assert [row.requirement.ref_id for row in report.failed_essential] == ["1a"]
    page = detail(bare, assessment)
    assert cs("Verdict: does not meet the pass rule") in page
    assert superuser.get_username() in page or superuser.get_full_name() in page
    assert adoption.adopted_at is not None
    data = report_data(assessment)
    assert data.passed is False and not data.rule_withheld and superuser.get_username() in data.rule_status


def test_readiness_and_lenses_decide_nothing_on_an_unverified_rule(bare, superuser):
    published(bare, fill="3", **{"1a": "1"})
    organisation_readiness = readiness.inspection_readiness(scope_of(bare.provider_admin), bare.provider)
    assert organisation_readiness.threshold is None and organisation_readiness.rule.unverified
    reasons = {r for row in organisation_readiness.essential_at_risk for r in row.reasons}
    assert readiness.REASON_LOW_SCORE not in reasons
    page = bare.client(bare.provider_admin).get(
        reverse("assessments:readiness", kwargs={"organisation_pk": bare.provider.pk})
    )
    assert page.status_code == 200 and cs("unverified rule") in page.content.decode()
    assert lenses._fulfilment_threshold(bare.framework) is None
    lens_page = bare.client(bare.provider_admin).get(
        reverse("assessments:lenses", kwargs={"service_portal_id": bare.service.portal_id})
    )
    assert lens_page.status_code == 200 and cs("unverified rule") in lens_page.content.decode()

    framework_actions.adopt_rule_set(scope=Scope.for_user(superuser), user=superuser, framework=bare.framework)
    adopted = readiness.inspection_readiness(scope_of(bare.provider_admin), bare.provider)
    assert adopted.threshold == 2
    assert any(readiness.REASON_LOW_SCORE in row.reasons for row in adopted.essential_at_risk)


def test_plan_drafts_no_essential_actions_from_an_unverified_rule(bare, superuser):
    assessment = published(bare, fill="0")
    scope = scope_of(bare.provider_admin)
    plan = improvement_actions.draft_plan_from_assessment(scope=scope, assessment=assessment)
    assert not plan.actions.exists()
    framework_actions.adopt_rule_set(scope=Scope.for_user(superuser), user=superuser, framework=bare.framework)
    assessment.framework.__dict__.pop("_rule_status", None)
    plan = improvement_actions.draft_plan_from_assessment(scope=scope, assessment=assessment)
    essential = [c for c in criteria(bare.framework) if c.essential]
    assert plan.actions.count() == len(essential) > 0


def test_adoption_is_for_superusers_recorded_with_who_when_and_audited(bare, superuser):
    admin = bare.provider_admin
    with pytest.raises(PermissionDenied):
        framework_actions.adopt_rule_set(scope=Scope.for_user(admin), user=admin, framework=bare.framework)
    url = reverse("frameworks:adopt_rules", kwargs={"framework_pk": bare.framework.pk})
    assert bare.client(admin).post(url, {"confirm": "on"}).status_code == 403
    assert bare.client(admin).get(url).status_code == 403
    assert not RuleSetAdoption.objects.exists()

    client = Client()
    client.force_login(superuser)
    detail_page = client.get(bare.framework.get_absolute_url()).content.decode()
    assert url in detail_page and cs("unverified rule") in detail_page
    assert client.get(url).status_code == 200
    refused = client.post(url, {"note": "bez potvrzení"})
    assert refused.status_code == 200 and not RuleSetAdoption.objects.exists()
    response = client.post(url, {"note": "Přijato poradou 1. 6.", "confirm": "on"})
    assert response.status_code == 302
    adoption = RuleSetAdoption.objects.get(framework=bare.framework)
    assert adoption.adopted_by == superuser and adoption.adopted_at and adoption.note == "Přijato poradou 1. 6."
    entry = LogEntry.objects.get_for_object(adoption).get()
    assert entry.actor == superuser
    after = client.get(bare.framework.get_absolute_url()).content.decode()
    assert url not in after and superuser.get_username() in after
    with pytest.raises(ValidationError):
        framework_actions.adopt_rule_set(scope=Scope.for_user(superuser), user=superuser, framework=bare.framework)


def test_every_consumer_follows_the_registry(world, monkeypatch):
    """One interpretation: change the registry's essential minimum and scoring, readiness, lenses and plan
    drafting all follow it."""
    assessment = published(world, fill="2")
    assert assessment_report(scope_of(world.provider_admin), assessment).failed_essential == []
    monkeypatch.setattr(pass_rules, "essential_minimum", lambda framework: Decimal(3))

    report = assessment_report(scope_of(world.provider_admin), assessment)
    essential = {c.ref_id for c in criteria(world.framework) if c.essential}
    assert {row.requirement.ref_id for row in report.failed_essential} == essential
    assert readiness.essential_threshold(world.framework) == 3
    assert lenses._fulfilment_threshold(world.framework) == 3
    plan = improvement_actions.draft_plan_from_assessment(scope=scope_of(world.provider_admin), assessment=assessment)
    assert plan.actions.count() == len(essential)
