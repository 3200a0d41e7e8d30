"""Recording the result of one criterion (value, comment, working note, evidence) and its findings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qmss.assessments import actions, selectors, uploads, views_entry
from qmss.assessments import permissions as perms
from qmss.assessments.forms import FindingForm, ResultForm
from qmss.assessments.models import Finding
from qmss.core.scoping import get_object_or_404_scoped, get_scope
from qmss.frameworks.models import Requirement


def _requirement(assessment, requirement_pk: int) -> Requirement:
    return get_object_or_404_scoped(selectors.assessable_requirements(assessment), pk=requirement_pk)


def _editable(request, assessment_pk: int):
    scope = get_scope(request)
    assessment = selectors.get_assessment(scope, assessment_pk)
    if not perms.can_edit_results(scope, assessment):
        raise PermissionDenied
    return scope, assessment


def _back(assessment, requirement) -> str:
    return f"{assessment.get_absolute_url()}#criterion-{requirement.pk}"


@login_required
def result_edit(request, assessment_pk: int, requirement_pk: int):
    scope, assessment = _editable(request, assessment_pk)
    requirement = _requirement(assessment, requirement_pk)
    if views_entry.is_row_post(request):  # a row of the entry page (inline with htmx, or a plain form)
        return views_entry.save_row(request, scope, assessment, requirement)
    result = selectors.results_queryset().filter(assessment=assessment, requirement=requirement).first()
    show_internal = perms.can_see_internal_notes(scope, assessment)
    evidence_choices = list(selectors.organisation_evidence_choices(scope, assessment.organisation_id))
    linked = list(result.evidence.all()) if result is not None else []
    known = {e.pk for e in evidence_choices}
    evidence_choices += [e for e in linked if e.pk not in known]
    initial = {}
    if result is not None:
        initial = {
            "value": str(result.value_id or ""),
            "comment": result.comment,
            "internal_note": result.internal_note if show_internal else "",
            "evidence": [str(e.pk) for e in linked],
        }
    form = ResultForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        values=actions.allowed_values(requirement, assessment.framework),
        evidence_choices=evidence_choices,
        show_internal=show_internal,
        can_upload=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_result(
                scope=scope,
                assessment=assessment,
                requirement=requirement,
                user=request.user,
                value=data["value"],
                comment=data["comment"],
                internal_note=data.get("internal_note") if show_internal else None,
                evidence_ids=list(data["evidence"]),
                new_file=data.get("new_file") or None,
                new_title=data.get("new_title", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request, _("The result of criterion %(ref)s has been saved.") % {"ref": requirement.ref_id}
            )
            return redirect(_after_save(request, assessment, requirement))
    came_from = views_entry.requested_next(request)
    context = {
        "assessment": assessment,
        "requirement": requirement,
        "result": result,
        "form": form,
        "findings": list(result.findings.all()) if result is not None else [],
        "finding_form": FindingForm(auto_id="id_finding_%s"),
        "show_internal": show_internal,
        "max_mb": uploads.max_megabytes(),
        "next_url": came_from or "",
        "back": views_entry.back_url(request, assessment, requirement),
    }
    return render(request, "assessments/result_edit.html", context)


def _after_save(request, assessment, requirement) -> str:
    """Back where the user came from (anchored at the criterion), or on to the next criterion ("save and
    next"), keeping where they came from for the page after it."""
    if request.POST.get("then") == "next":
        following = views_entry.next_criterion(assessment, requirement)
        if following is not None:
            url = reverse(
                "assessments:result_edit", kwargs={"assessment_pk": assessment.pk, "requirement_pk": following.pk}
            )
            came_from = views_entry.requested_next(request)
            return f"{url}?{urlencode({'next': came_from})}" if came_from else url
    views_entry.remember_saved(request, assessment, requirement)  # "Saved" in the row the redirect anchors to
    return views_entry.back_url(request, assessment, requirement)


@login_required
@require_POST
def finding_add(request, assessment_pk: int, requirement_pk: int):
    scope, assessment = _editable(request, assessment_pk)
    requirement = _requirement(assessment, requirement_pk)
    form = FindingForm(request.POST, auto_id="id_finding_%s")
    if form.is_valid():
        try:
            actions.add_finding(
                scope=scope, assessment=assessment, requirement=requirement, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The finding has been added."))
            if request.POST.get("from") != "assessment":
                return redirect(f"{_criterion_url(request, assessment, requirement)}#findings")
    else:
        messages.error(request, _("The finding could not be added: fill in its kind and text."))
    if request.POST.get("from") == "assessment":  # the inline form of the assessment page: back to its row
        return redirect(f"{assessment.get_absolute_url()}#criterion-{requirement.pk}")
    return redirect(_criterion_url(request, assessment, requirement))


def _criterion_url(request, assessment, requirement) -> str:
    """The criterion page (where "Add finding" is), keeping where the user came from."""
    url = reverse("assessments:result_edit", kwargs={"assessment_pk": assessment.pk, "requirement_pk": requirement.pk})
    came_from = views_entry.requested_next(request)
    return f"{url}?{urlencode({'next': came_from})}" if came_from else url


def _finding(assessment, finding_pk: int) -> Finding:
    return get_object_or_404_scoped(selectors.findings_with_results(assessment), pk=finding_pk)


@login_required
def finding_edit(request, assessment_pk: int, finding_pk: int):
    scope, assessment = _editable(request, assessment_pk)
    finding = _finding(assessment, finding_pk)
    finding.result.assessment = assessment
    form = FindingForm(request.POST or None, instance=finding)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("kind", "text", "measure", "deadline")}
        fresh = _finding(assessment, finding_pk)
        fresh.result.assessment = assessment
        try:
            actions.edit_finding(scope=scope, finding=fresh, user=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The finding has been saved."))
            return redirect(_back(assessment, finding.result.requirement))
    return render(
        request, "assessments/finding_edit.html", {"assessment": assessment, "finding": finding, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_delete(request, assessment_pk: int, finding_pk: int):
    """GET: the confirmation page (what will be deleted); POST with ``confirm``: delete. A GET never deletes."""
    scope, assessment = _editable(request, assessment_pk)
    finding = _finding(assessment, finding_pk)
    finding.result.assessment = assessment
    requirement = finding.result.requirement
    if request.method == "POST" and request.POST.get("confirm"):
        actions.delete_finding(scope=scope, finding=finding, user=request.user)
        messages.success(request, _("The finding has been deleted."))
        return redirect(_back(assessment, requirement))
    context = {
        "title": _("Delete this finding?"),
        "crumbs": [
            (_("Assessments"), reverse("assessments:list")),
            (assessment.title, assessment.get_absolute_url()),
            (_("Delete finding"), None),
        ],
        "summary": [
            (_("Assessment"), assessment.title),
            (_("Criterion"), f"{requirement.ref_id} {requirement.title}"),
            (_("Kind"), finding.get_kind_display()),
            (_("Text"), finding.text),
        ],
        "warning": _("The finding is deleted for good; the deletion is recorded in the history."),
        "confirm_label": _("Delete finding"),
        "confirm_style": "danger",
        "cancel_url": _back(assessment, requirement),
    }
    return render(request, "core/confirm.html", context)
