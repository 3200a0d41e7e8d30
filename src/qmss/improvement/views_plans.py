"""Development plan pages: list, create, draft from a published assessment, detail, edit, timeline, exports;
action create, detail (links, expected effect), edit, status change and effectiveness review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.core.roles import Perm
from qmss.core.scoping import get_scope
from qmss.improvement import actions, exports, selectors
from qmss.improvement.effects import action_effects
from qmss.improvement.forms import (
    ActionForm,
    ActionReviewForm,
    ActionStatusForm,
    DraftFromAssessmentForm,
    PlanForm,
)
from qmss.improvement.models import Action
from qmss.improvement.timeline import build_timeline
from qmss.improvement.views_processes import require_edit


@login_required
def plan_list(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_provider(scope, organisation_pk)
    context = {
        "organisation": organisation,
        "plans": selectors.plan_list(organisation),
        "can_edit": scope.has_perm(Perm.EDIT, organisation.pk),
    }
    return render(request, "improvement/plan_list.html", context)


@login_required
def plan_create(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_provider(scope, organisation_pk)
    require_edit(scope, organisation.pk)
    today = selectors.today()
    initial = (
        {"period_start": today, "period_end": today.replace(year=today.year + 1)} if request.method == "GET" else {}
    )
    form = PlanForm(request.POST or None, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.create_plan(scope=scope, organisation=organisation, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The development plan has been created."))
            return redirect(plan)
    return render(request, "improvement/plan_form.html", {"organisation": organisation, "form": form})


@login_required
def plan_draft(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_provider(scope, organisation_pk)
    require_edit(scope, organisation.pk)
    initial = {}
    if request.GET.get("assessment", "").isdigit():
        initial["assessment"] = int(request.GET["assessment"])
    form = DraftFromAssessmentForm(request.POST or None, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.draft_plan_from_assessment(
                scope=scope,
                assessment=form.cleaned_data["assessment"],
                user=request.user,
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            action_count = plan.actions.count()
            messages.success(
                request,
                ngettext(
                    "A draft plan with %(n)s action has been created. Check and complete it.",
                    "A draft plan with %(n)s actions has been created. Check and complete it.",
                    action_count,
                )
                % {"n": action_count},
            )
            return redirect(plan)
    return render(request, "improvement/plan_draft.html", {"organisation": organisation, "form": form})


@login_required
def plan_detail(request, plan_pk: int):
    scope = get_scope(request)
    plan = selectors.get_plan(scope, plan_pk)
    plan_actions = selectors.plan_actions(plan)
    context = {
        "plan": plan,
        "organisation": plan.organisation,
        "actions": plan_actions,
        "done": sum(1 for a in plan_actions if a.status == Action.Status.DONE),
        "overdue": sum(1 for a in plan_actions if a.overdue),
        "can_edit": scope.has_perm(Perm.EDIT, plan.organisation_id),
    }
    return render(request, "improvement/plan_detail.html", context)


@login_required
def plan_edit(request, plan_pk: int):
    scope = get_scope(request)
    plan = selectors.get_plan(scope, plan_pk)
    require_edit(scope, plan.organisation_id)
    form = PlanForm(request.POST or None, instance=plan, organisation=plan.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_plan(scope=scope, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The development plan has been saved."))
            return redirect(plan)
    return render(
        request, "improvement/plan_form.html", {"organisation": plan.organisation, "plan": plan, "form": form}
    )


@login_required
def plan_timeline(request, plan_pk: int):
    scope = get_scope(request)
    plan = selectors.get_plan(scope, plan_pk)
    today = selectors.today()
    timeline = build_timeline(plan, selectors.plan_actions(plan), today)
    return render(
        request,
        "improvement/plan_timeline.html",
        {"plan": plan, "organisation": plan.organisation, "timeline": timeline},
    )


def _export_name(plan, suffix: str) -> str:
    return f"rozvojovy-plan-{slugify(plan.title)[:60] or plan.pk}.{suffix}"


@login_required
def plan_xlsx(request, plan_pk: int):
    plan = selectors.get_plan(get_scope(request), plan_pk)
    content = exports.plan_xlsx(plan, selectors.plan_actions(plan))
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_export_name(plan, "xlsx")}"'
    return response


@login_required
def plan_pdf(request, plan_pk: int):
    plan = selectors.get_plan(get_scope(request), plan_pk)
    content = exports.plan_pdf(plan, selectors.plan_actions(plan), selectors.today())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(plan, "pdf")}"'
    return response


def _split(cleaned: dict) -> tuple[dict, list, list]:
    data = {k: v for k, v in cleaned.items() if k not in ("findings", "requirements")}
    return data, list(cleaned.get("findings") or []), list(cleaned.get("requirements") or [])


def _action_form_page(request, *, plan, action: Action | None):
    scope = get_scope(request)
    require_edit(scope, plan.organisation_id)
    form = ActionForm(request.POST or None, instance=action, plan=plan)
    if request.method == "POST" and form.is_valid():
        data, findings, requirements = _split(form.cleaned_data)
        try:
            if action is None:
                action = actions.create_action(
                    scope=scope, plan=plan, findings=findings, requirements=requirements, **data
                )
            else:
                action = actions.update_action(
                    scope=scope, action=action, findings=findings, requirements=requirements, **data
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The action has been saved."))
            return redirect(action)
    context = {"plan": plan, "organisation": plan.organisation, "action": action, "form": form}
    return render(request, "improvement/action_form.html", context)


@login_required
def action_create(request, plan_pk: int):
    plan = selectors.get_plan(get_scope(request), plan_pk)
    return _action_form_page(request, plan=plan, action=None)


@login_required
def action_edit(request, action_pk: int):
    action = selectors.get_action(get_scope(request), action_pk)
    return _action_form_page(request, plan=action.plan, action=action)


def _status_form(action: Action, data=None) -> ActionStatusForm:
    initial = {"status": action.status, "review_text": action.review_text, "review_verdict": action.review_verdict}
    return ActionStatusForm(data, initial=initial)


@login_required
def action_detail(request, action_pk: int):
    scope = get_scope(request)
    action = selectors.get_action(scope, action_pk)
    can_edit = scope.has_perm(Perm.EDIT, action.plan.organisation_id)
    context = {
        "action": action,
        "plan": action.plan,
        "organisation": action.plan.organisation,
        "effects": action_effects(action),
        "needs_review": selectors.answers_nonconformity(action),
        "can_edit": can_edit,
        "status_form": _status_form(action) if can_edit else None,
        **selectors.action_links(action),
    }
    return render(request, "improvement/action_detail.html", context)


@login_required
def action_status(request, action_pk: int):
    scope = get_scope(request)
    action = selectors.get_action(scope, action_pk)
    require_edit(scope, action.plan.organisation_id)
    form = _status_form(action, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.set_action_status(
                scope=scope,
                action=action,
                status=data["status"],
                user=request.user,
                review_text=data["review_text"],
                review_verdict=data["review_verdict"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The status of the action has been changed."))
            return redirect(action)
    context = {
        "action": action,
        "plan": action.plan,
        "organisation": action.plan.organisation,
        "form": form,
        "needs_review": selectors.answers_nonconformity(action),
    }
    return render(request, "improvement/action_status.html", context)


@login_required
def action_review(request, action_pk: int):
    scope = get_scope(request)
    action = selectors.get_action(scope, action_pk)
    require_edit(scope, action.plan.organisation_id)
    initial = {"review_text": action.review_text, "review_verdict": action.review_verdict}
    form = ActionReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.review_action(
                scope=scope,
                action=action,
                text=form.cleaned_data["review_text"],
                verdict=form.cleaned_data["review_verdict"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The effectiveness review has been saved."))
            return redirect(action)
    context = {"action": action, "plan": action.plan, "organisation": action.plan.organisation, "form": form}
    return render(request, "improvement/action_review.html", context)
