"""Development plans: drafting from a published assessment, the review rule for nonconformities, the audit log,
expected effects, the timeline and the exports."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from qmss.assessments.models import Assessment, Finding
from qmss.assessments.testing import make_assessment, make_finding, make_result
from qmss.improvement import actions
from qmss.improvement.effects import ACHIEVED, NOT_ACHIEVED, PENDING, action_effects
from qmss.improvement.models import Action, DevelopmentPlan
from qmss.improvement.testing import make_action, make_kpi, make_plan, make_process, make_published_audit

pytestmark = pytest.mark.django_db

REVIEW_MSGID = (
    "An action that answers a nonconformity can be closed only after its effectiveness review (text and verdict)."
)


def _essential_refs(framework) -> list[str]:
    return list(
        framework.requirements.filter(essential=True, assessable=True)
        .order_by("order")
        .values_list("ref_id", flat=True)
    )


def test_draft_from_assessment_has_nonconformities_and_unmet_essentials(world):
    essentials = _essential_refs(world.framework)
    assert essentials[:3] == ["1a", "3a", "5a"]
    audit = make_published_audit(
        world.provider,
        service=world.service,
        framework=world.framework,
        nonconformities=(("2a", Finding.Kind.MAJOR), ("3a", Finding.Kind.MINOR)),
    )
    make_result(audit, "1a", "1")  # essential, 1 point: unmet
    make_result(audit, "5a", None)  # essential without a value: not assessed, not failed – no action
    audit.results.filter(requirement__ref_id="7a").delete()  # essential without a result: no action either
    make_result(audit, "9a", "na")  # not applicable: not an action
    make_finding(audit.results.get(requirement__ref_id="4a"), kind=Finding.Kind.OBSERVATION)  # not an NC

    plan = actions.draft_plan_from_assessment(scope=world.scope(), assessment=audit, user=world.admin)
    assert plan.state == DevelopmentPlan.State.DRAFT
    assert plan.source_assessment == audit and plan.service == world.service
    plan_actions = list(plan.actions.order_by("order"))
    by_origin = {}
    for action in plan_actions:
        by_origin.setdefault(action.origin, []).append(action.target_requirement.ref_id)
    # one per nonconformity (3a is essential and failing, but its nonconformity already covers it)
    assert by_origin[Action.Origin.NONCONFORMITY] == ["2a", "3a"]
    assert by_origin[Action.Origin.ESSENTIAL] == ["1a"]  # only criteria assessed as unmet (issue #9)
    nc_action = plan_actions[0]
    assert nc_action.title.startswith("2a: Neshoda")
    assert nc_action.priority == Action.Priority.HIGH
    assert nc_action.deadline == Finding.objects.get(result__requirement__ref_id="2a").deadline
    assert list(nc_action.findings.values_list("kind", flat=True)) == [Finding.Kind.MAJOR]
    assert plan_actions[1].priority == Action.Priority.MEDIUM
    essential_action = plan.actions.get(origin=Action.Origin.ESSENTIAL, target_requirement__ref_id="1a")
    assert essential_action.expected_score_change == Decimal(1)


def test_draft_counts_match_the_assessment(world):
    audit = make_published_audit(world.provider, service=world.service, framework=world.framework)
    plan = actions.draft_plan_from_assessment(scope=world.scope(), assessment=audit)
    ncs = Finding.objects.filter(result__assessment=audit, kind__in=(Finding.Kind.MAJOR, Finding.Kind.MINOR)).count()
    assert ncs == 2 and plan.actions.count() == ncs  # every essential scored 2


def test_draft_only_from_published_and_by_editors(world):
    draft = make_assessment(world.provider, service=world.service, framework=world.framework, fill="1")
    with pytest.raises(ValidationError):
        actions.draft_plan_from_assessment(scope=world.scope(), assessment=draft)
    audit = make_published_audit(world.provider, service=world.service, framework=world.framework)
    with pytest.raises(PermissionDenied):
        actions.draft_plan_from_assessment(scope=world.scope(world.reader), assessment=audit)
    assert not DevelopmentPlan.objects.exists()


def test_draft_page(world):
    audit = make_published_audit(world.provider, service=world.service, framework=world.framework)
    make_assessment(world.provider, service=world.service, framework=world.framework, title="Rozpracované")
    client = world.client(world.editor)
    url = reverse("improvement:plan_draft", kwargs={"organisation_pk": world.provider.pk})
    body = client.get(url).content.decode()
    assert audit.title in body and "Rozpracované" not in body
    response = client.post(url, {"assessment": audit.pk})
    plan = DevelopmentPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    detail = client.get(plan.get_absolute_url()).content.decode()
    assert "2a: Neshoda" in detail and "4b: Neshoda" in detail


# --- the review rule ------------------------------------------------------------------------------------


def _nc_action(world):
    audit = make_published_audit(world.provider, service=world.service, framework=world.framework)
    plan = actions.draft_plan_from_assessment(scope=world.scope(), assessment=audit)
    return plan.actions.order_by("order").first()


def test_nc_action_cannot_be_closed_without_review(world):
    action = _nc_action(world)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        actions.set_action_status(scope=world.scope(), action=action, status=Action.Status.DONE)
    assert exc.value.messages == [REVIEW_MSGID]
    action.refresh_from_db()
    assert action.status == Action.Status.PLANNED and action.done_at is None
    # a text without a verdict is not a review
    with translation.override("en"), pytest.raises(ValidationError):
        actions.set_action_status(scope=world.scope(), action=action, status=Action.Status.DONE, review_text="Hotovo")
    action.refresh_from_db()
    assert action.review_text == ""


def test_nc_action_refusal_is_translated(world):
    action = _nc_action(world)
    with translation.override("cs"), pytest.raises(ValidationError) as exc:
        actions.set_action_status(scope=world.scope(), action=action, status=Action.Status.DONE)
    czech = translation.gettext  # the catalogue may not be translated yet: then the msgid is shown
    with translation.override("cs"):
        assert exc.value.messages == [czech(REVIEW_MSGID)]


def test_nc_action_closes_with_review(world):
    action = _nc_action(world)
    actions.set_action_status(
        scope=world.scope(),
        action=action,
        status=Action.Status.DONE,
        user=world.admin,
        review_text="Pravidla jsme přepracovali a ověřili na poradě.",
        review_verdict=Action.Verdict.EFFECTIVE,
    )
    action.refresh_from_db()
    assert action.status == Action.Status.DONE and action.done_at is not None
    assert action.reviewed_by == world.admin and action.reviewed_at is not None
    # reopening clears the done date
    actions.set_action_status(scope=world.scope(), action=action, status=Action.Status.IN_PROGRESS)
    action.refresh_from_db()
    assert action.done_at is None


def test_review_first_then_close(world):
    action = _nc_action(world)
    actions.review_action(scope=world.scope(), action=action, text="Účinné.", verdict=Action.Verdict.PARTLY)
    actions.set_action_status(scope=world.scope(), action=action, status=Action.Status.DONE)
    assert Action.objects.get(pk=action.pk).status == Action.Status.DONE


def test_action_linked_to_nc_by_hand_needs_review_too(world):
    audit = make_published_audit(world.provider, service=world.service, framework=world.framework)
    plan = make_plan(world.provider)
    manual = actions.create_action(scope=world.scope(), plan=plan, title="Bez vazby")
    actions.set_action_status(scope=world.scope(), action=manual, status=Action.Status.DONE)  # no NC: closes
    finding = Finding.objects.filter(result__assessment=audit).first()
    linked = actions.create_action(scope=world.scope(), plan=plan, title="S vazbou", findings=[finding])
    with pytest.raises(ValidationError):
        actions.set_action_status(scope=world.scope(), action=linked, status=Action.Status.DONE)


def test_status_page_shows_the_refusal(world):
    action = _nc_action(world)
    client = world.client(world.editor)
    url = reverse("improvement:action_status", kwargs={"action_pk": action.pk})
    response = client.post(url, {"status": "done"})
    assert response.status_code == 200
    body = response.content.decode()
    with translation.override("cs"):
        czech = translation.gettext(REVIEW_MSGID)
    assert czech in body or REVIEW_MSGID in body
    assert Action.objects.get(pk=action.pk).status == Action.Status.PLANNED
    response = client.post(
        url, {"status": "done", "review_text": "Ověřeno při kontrole.", "review_verdict": "effective"}
    )
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).status == Action.Status.DONE


def test_status_changes_are_in_the_audit_log(world):
    action = _nc_action(world)
    actions.set_action_status(scope=world.scope(), action=action, status=Action.Status.IN_PROGRESS)
    actions.set_action_status(
        scope=world.scope(),
        action=action,
        status=Action.Status.DONE,
        review_text="Funguje.",
        review_verdict="effective",
    )
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Action), object_pk=str(action.pk), action=LogEntry.Action.UPDATE
    ).order_by("timestamp", "pk")
    transitions = [entry.changes_dict["status"] for entry in entries if "status" in entry.changes_dict]
    assert transitions == [["planned", "in_progress"], ["in_progress", "done"]]
    assert all(entry.additional_data == {"organisation_id": world.provider.pk} for entry in entries)


def test_plan_and_action_forms(world):
    client = world.client(world.editor)
    url = reverse("improvement:plan_create", kwargs={"organisation_pk": world.provider.pk})
    response = client.post(
        url,
        {
            "title": "Plán 2026",
            "service": world.service.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "goals": "Lepší plánování",
            "state": "active",
        },
    )
    assert response.status_code == 302
    plan = DevelopmentPlan.objects.get(title="Plán 2026")
    assert plan.created_by == world.editor
    bad = client.post(
        url, {"title": "Obráceně", "period_start": "2026-12-31", "period_end": "2026-01-01", "state": "draft"}
    )
    assert bad.status_code == 200 and not DevelopmentPlan.objects.filter(title="Obráceně").exists()
    process = make_process(world.provider)
    kpi = make_kpi(process, name="Čekací doba")
    response = client.post(
        reverse("improvement:action_create", kwargs={"plan_pk": plan.pk}),
        {
            "title": "Zkrátit čekací dobu",
            "owner": world.editor.pk,
            "deadline": "2026-06-30",
            "priority": "high",
            "target_kpi": kpi.pk,
            "expected_kpi_value": "7",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    action = plan.actions.get()
    assert action.owner == world.editor and action.target_kpi == kpi
    edit = client.post(
        reverse("improvement:action_edit", kwargs={"action_pk": action.pk}),
        {"title": "Zkrátit čekací dobu na týden", "priority": "medium"},
    )
    assert edit.status_code == 302
    action.refresh_from_db()
    assert action.title.endswith("týden") and action.status == Action.Status.PLANNED


# --- expected effects -----------------------------------------------------------------------------------


def test_requirement_effect_after_the_next_published_assessment(world):
    audit = make_published_audit(world.provider, service=world.service, framework=world.framework)
    plan = actions.draft_plan_from_assessment(scope=world.scope(), assessment=audit)
    action = plan.actions.get(target_requirement__ref_id="2a")
    action.expected_score_change = Decimal(1)
    action.save()
    [effect] = action_effects(action)
    assert effect.status == PENDING and effect.baseline == Decimal(1) and effect.expected == Decimal(2)
    later = make_assessment(
        world.provider,
        kind=Assessment.Kind.SELF,
        state=Assessment.State.PUBLISHED,
        service=world.service,
        framework=world.framework,
        fill={"2a": "3", "4b": "1"},
    )
    later.published_at = audit.published_at + timedelta(days=90)
    later.save()
    [effect] = action_effects(action)
    assert effect.status == ACHIEVED and effect.observed == Decimal(3) and effect.newer_assessment == later
    other = plan.actions.get(target_requirement__ref_id="4b")
    [effect] = action_effects(other)
    assert effect.status == NOT_ACHIEVED  # stayed at 1 point
    body = world.client().get(action.get_absolute_url()).content.decode()
    assert later.title in body


def test_kpi_effect(world):
    kpi = make_kpi(make_process(world.provider), name="Čekací doba", target=14, direction="lower")
    plan = make_plan(world.provider)
    action = make_action(plan, target_kpi=kpi, expected_kpi_value=Decimal(10))
    [effect] = action_effects(action)
    assert effect.status == PENDING
    kpi.measurements.create(date=timezone.localdate(), value=Decimal(9))
    [effect] = action_effects(action)
    assert effect.status == ACHIEVED and effect.observed == Decimal(9)
    kpi.measurements.create(date=timezone.localdate() + timedelta(days=1), value=Decimal(12))
    assert action_effects(action)[0].status == NOT_ACHIEVED


# --- timeline and exports -------------------------------------------------------------------------------


def test_timeline_months_and_overdue_marker(world):
    today = timezone.localdate()
    plan = make_plan(world.provider, period_start=today.replace(day=1), period_end=today + timedelta(days=150))
    make_action(plan, title="Po termínu", deadline=today - timedelta(days=40))
    make_action(plan, title="Brzy", deadline=today + timedelta(days=3))
    make_action(plan, title="Bez termínu")
    response = world.client(world.reader).get(reverse("improvement:plan_timeline", kwargs={"plan_pk": plan.pk}))
    body = response.content.decode()
    assert response.status_code == 200 and 'class="gantt"' in body
    assert f"{today.month}/{today.year}" in body
    assert body.count("◆") == 2 and "Bez termínu" in body
    assert "is-late" in body and "⚠" in body


def test_plan_detail_marks_overdue_in_text(world):
    plan = make_plan(world.provider)
    make_action(plan, title="Pozdě", deadline=timezone.localdate() - timedelta(days=1))
    body = world.client(world.reader).get(plan.get_absolute_url()).content.decode()
    assert "is-overdue" in body and "⚠" in body


def test_exports_open(world):
    audit = make_published_audit(world.provider, service=world.service, framework=world.framework)
    plan = actions.draft_plan_from_assessment(scope=world.scope(), assessment=audit)
    client = world.client(world.reader)
    xlsx = client.get(reverse("improvement:plan_xlsx", kwargs={"plan_pk": plan.pk}))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert plan.title in values and any(str(v).startswith("2a: Neshoda") for v in values)

    pdf = client.get(reverse("improvement:plan_pdf", kwargs={"plan_pk": plan.pk}))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "2a: Neshoda" in text


def test_a_plan_whose_creator_was_deleted_can_still_be_edited(world):
    """``created_by`` becomes empty when the creator's account is deleted; editing the plan must still work."""
    plan = make_plan(world.provider)
    DevelopmentPlan.objects.filter(pk=plan.pk).update(created_by=None)
    plan.refresh_from_db()
    actions.update_plan(scope=world.scope(), plan=plan, title="Přejmenovaný plán")
    plan.refresh_from_db()
    assert plan.title == "Přejmenovaný plán" and plan.created_by is None
