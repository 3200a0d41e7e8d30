"""Guardrails of issue #9 in development plans: drafts take only criteria ASSESSED as unmet (not assessed is not
failed), and the shared date-range rule on plan periods and action deadlines – in the form and in the action."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from qmss.assessments.models import Finding
from qmss.assessments.testing import criteria
from qmss.core.validation import DATE_OUTSIDE_RANGE_CODE, DATE_RANGE_CODE
from qmss.improvement import actions
from qmss.improvement.models import Action, DevelopmentPlan, Process
from qmss.improvement.testing import make_action, make_plan, make_process, make_published_audit

pytestmark = pytest.mark.django_db
START, END = date(2026, 1, 1), date(2026, 12, 31)


def _plan(world) -> DevelopmentPlan:
    return make_plan(world.provider, period_start=START, period_end=END)


# --- drafts take only criteria assessed as unmet -------------------------------------------------------------------


def test_a_draft_from_a_partial_audit_lists_only_the_assessed_unmet_criteria(world):
    refs = [r.ref_id for r in criteria(world.framework)]
    essentials = list(
        world.framework.requirements.filter(essential=True, assessable=True).values_list("ref_id", flat=True)
    )
    assert len(essentials) == 8
    # 8 of 48 assessed: 1a (essential) failed, the rest of the first eight met; 7 essentials never assessed
    fill = dict.fromkeys(refs[:8], "2") | {"1a": "1"}
    audit = make_published_audit(world.provider, service=world.service, framework=world.framework, fill=fill,
                                 nonconformities=())  # fmt: skip
    plan = actions.draft_plan_from_assessment(scope=world.scope(), assessment=audit, user=world.admin)
    drafted = list(plan.actions.values_list("origin", "target_requirement__ref_id"))
    assert drafted == [(Action.Origin.ESSENTIAL, "1a")]
    assert "1a" in plan.actions.get().description


def test_an_assessed_but_not_applicable_essential_criterion_is_not_drafted(world):
    fill = {"1a": "na", "3a": "0"}
    audit = make_published_audit(world.provider, service=world.service, framework=world.framework, fill=fill,
                                 nonconformities=())  # fmt: skip
    plan = actions.draft_plan_from_assessment(scope=world.scope(), assessment=audit)
    assert list(plan.actions.values_list("target_requirement__ref_id", flat=True)) == ["3a"]


def test_the_drafted_period_holds_every_drafted_deadline(world):
    audit = make_published_audit(world.provider, service=world.service, framework=world.framework)
    far = timezone.localdate() + timedelta(days=500)
    Finding.objects.filter(result__assessment=audit).update(deadline=far)
    plan = actions.draft_plan_from_assessment(scope=world.scope(), assessment=audit)
    assert plan.period_end == far
    for action in plan.actions.all():
        action.full_clean()  # every deadline lies inside the period


# --- plan periods ----------------------------------------------------------------------------------------------------


def test_a_plan_period_ending_before_it_starts_is_refused_by_the_action(world):
    with pytest.raises(ValidationError) as caught:
        actions.create_plan(
            scope=world.scope(), organisation=world.provider, title="Plán", period_start=END, period_end=START
        )
    assert caught.value.error_dict["period_end"][0].code == DATE_RANGE_CODE
    assert not DevelopmentPlan.objects.exists()
    plan = _plan(world)
    with pytest.raises(ValidationError):
        actions.update_plan(scope=world.scope(), plan=plan, period_end=START - timedelta(days=1))
    plan.refresh_from_db()
    assert plan.period_end == END


def test_the_plan_form_shows_the_period_error_on_the_end_field(world):
    client = world.client()
    url = reverse("improvement:plan_create", kwargs={"organisation_pk": world.provider.pk})
    response = client.post(
        url, {"title": "Plán", "period_start": "2026-06-01", "period_end": "2026-01-01", "state": "draft"}
    )
    assert response.status_code == 200 and response.context["form"].errors["period_end"]
    assert not DevelopmentPlan.objects.exists()


def test_a_shorter_period_must_still_hold_the_actions_deadlines(world):
    plan = _plan(world)
    make_action(plan, deadline=date(2026, 11, 30))
    with pytest.raises(ValidationError) as caught:
        actions.update_plan(scope=world.scope(), plan=plan, period_end=date(2026, 6, 30))
    assert caught.value.error_dict["period_end"][0].code == DATE_OUTSIDE_RANGE_CODE
    plan.refresh_from_db()
    assert plan.period_end == END
    actions.update_plan(scope=world.scope(), plan=plan, period_end=date(2026, 11, 30))  # still holds it


# --- action deadlines inside the plan's period -------------------------------------------------------------------


@pytest.mark.parametrize("deadline", [date(2025, 12, 31), date(2027, 1, 1)])
def test_an_action_deadline_outside_the_plan_period_is_refused_by_the_action(world, deadline):
    plan = _plan(world)
    with pytest.raises(ValidationError) as caught:
        actions.create_action(scope=world.scope(), plan=plan, title="Opatření", deadline=deadline)
    assert caught.value.error_dict["deadline"][0].code == DATE_OUTSIDE_RANGE_CODE
    assert not plan.actions.exists()
    action = actions.create_action(scope=world.scope(), plan=plan, title="Opatření", deadline=END)
    with pytest.raises(ValidationError):
        actions.update_action(scope=world.scope(), action=action, deadline=deadline)
    action.refresh_from_db()
    assert action.deadline == END


def test_the_action_form_shows_the_deadline_error_on_its_field(world):
    plan = _plan(world)
    client = world.client()
    url = reverse("improvement:action_create", kwargs={"plan_pk": plan.pk})
    page = client.get(url).content.decode()
    assert "1. 1. 2026" in page and "31. 12. 2026" in page  # the period is named next to the field
    response = client.post(url, {"title": "Opatření", "deadline": "2027-03-01", "priority": "medium"})
    assert response.status_code == 200 and response.context["form"].errors["deadline"]
    assert not plan.actions.exists()
    response = client.post(url, {"title": "Opatření", "deadline": "2026-03-01", "priority": "medium"})
    assert response.status_code == 302 and plan.actions.get().deadline == date(2026, 3, 1)


# --- deleting a process is confirmed first ------------------------------------------------------------------------


def test_process_delete_confirmation(world):
    process = make_process(world.provider, name="Jednání se zájemcem")
    url = reverse("improvement:process_delete", kwargs={"process_pk": process.pk})
    client = world.client()
    detail = client.get(process.get_absolute_url()).content.decode()
    assert f'class="link-danger" href="{url}"' in detail
    page = client.get(url).content.decode()
    assert "Jednání se zájemcem" in page and "button button--danger" in page and "button button--secondary" in page
    assert Process.objects.filter(pk=process.pk).exists()
    assert world.client(world.reader).post(url).status_code == 403
    assert client.post(url).status_code == 302
    assert not Process.objects.filter(pk=process.pk).exists()
