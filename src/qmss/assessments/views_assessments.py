"""Assessment pages: list, create, detail (scores, criteria, findings, evidence), header edit, workflow,
inviting an auditor, assignment by a region and moving to another framework version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmss.assessments import actions, selectors
from qmss.assessments import permissions as perms
from qmss.assessments.forms import (
    AssessmentCreateForm,
    AssessmentEditForm,
    AssessmentFilterForm,
    AssignAuditForm,
    InviteAuditorForm,
    MoveFrameworkForm,
)
from qmss.assessments.models import Assessment
from qmss.core.pagination import filter_query_string, paginate
from qmss.core.roles import Perm
from qmss.core.scoping import get_scope


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def assessment_list(request):
    scope = get_scope(request)
    filter_form = AssessmentFilterForm(request.GET or None)
    filters = selectors.AssessmentFilters.from_data(request.GET)
    page = paginate(request, selectors.assessment_list(scope, filters), per_page=selectors.PAGE_SIZE)
    context = {
        "page_obj": page,
        "assessments": page.object_list,
        "filter_form": filter_form,
        "query_string": filter_query_string(request),
        "can_create": scope.is_superuser or selectors.editable_providers(scope).exists(),
        "can_assign": scope.is_superuser or selectors.region_organisations(scope, Perm.EDIT).exists(),
        "provider_orgs": list(selectors.member_providers(scope)[:20]),
    }
    return render(request, "assessments/list.html", context)


@login_required
def assessment_create(request):
    scope = get_scope(request)
    organisations = selectors.editable_providers(scope)
    if not organisations.exists():
        raise PermissionDenied
    services = selectors.services_of_providers(organisations)
    initial = {"kind": request.GET.get("kind", Assessment.Kind.SELF)}
    if request.GET.get("service", "").isdigit():
        initial["service"] = services.filter(portal_id=int(request.GET["service"])).first()
    form = AssessmentCreateForm(request.POST or None, organisations=organisations, services=services, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation, kind, service = data.pop("organisation"), data.pop("kind"), data.pop("service")
        try:
            assessment = actions.create_assessment(
                scope=scope, organisation=organisation, kind=kind, service=service, user=request.user, **data
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The assessment has been created."))
            return redirect(assessment)
    return render(request, "assessments/create.html", {"form": form})


@login_required
def assessment_detail(request, assessment_pk: int):
    scope = get_scope(request)
    assessment = selectors.get_assessment(scope, assessment_pk)
    report = selectors.assessment_report(scope, assessment)
    can_edit = perms.can_edit_results(scope, assessment)
    transitions = [(state, perms.TRANSITION_LABELS[state]) for state in perms.allowed_transitions(scope, assessment)]
    context = {
        "assessment": assessment,
        "report": report,
        "can_edit": can_edit,
        "can_edit_header": perms.can_edit_header(scope, assessment),
        "can_invite": perms.can_invite_auditor(scope, assessment),
        "can_change_framework": perms.can_change_framework(scope, assessment)
        and selectors.other_framework_versions(assessment).exists(),
        "transitions": transitions,
        "finding_kinds": selectors.FINDING_KIND_CHOICES,
        "can_open_evidence": scope.is_superuser
        or perms.is_provider_member(scope, assessment)
        or perms.is_auditor(scope, assessment),
        "today": selectors.today(),
    }
    return render(request, "assessments/detail.html", context)


@login_required
def assessment_edit(request, assessment_pk: int):
    scope = get_scope(request)
    assessment = selectors.get_assessment(scope, assessment_pk)
    if not perms.can_edit_header(scope, assessment):
        raise PermissionDenied
    show_internal = perms.can_see_internal_notes(scope, assessment)
    form = AssessmentEditForm(request.POST or None, instance=assessment, show_internal=show_internal)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        fresh = selectors.get_assessment(scope, assessment_pk)
        try:
            actions.update_assessment(scope=scope, assessment=fresh, user=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The assessment has been saved."))
            return redirect(fresh)
    return render(request, "assessments/edit.html", {"assessment": assessment, "form": form})


@login_required
@require_POST
def assessment_transition(request, assessment_pk: int):
    scope = get_scope(request)
    assessment = selectors.get_assessment(scope, assessment_pk)
    target = request.POST.get("to_state", "")
    if target not in perms.allowed_transitions(scope, assessment):
        if not perms.allowed_transitions(scope, assessment):
            raise PermissionDenied
        messages.error(request, _("This change of state is not possible now."))
        return redirect(assessment)
    try:
        actions.transition(scope=scope, assessment=assessment, to_state=target, user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The assessment is now “%(state)s”.") % {"state": Assessment.State(target).label})
    return redirect(assessment)


@login_required
def invite_auditor(request, assessment_pk: int):
    scope = get_scope(request)
    assessment = selectors.get_assessment(scope, assessment_pk)
    if not perms.can_invite_auditor(scope, assessment):
        raise PermissionDenied
    regions = {assessment.organisation.region_id}
    if assessment.service is not None:
        regions |= selectors.service_region_ids(assessment.service)
    bodies = selectors.audit_bodies(regions, audited_organisation=assessment.organisation)
    form = InviteAuditorForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        try:
            actions.invite_auditor(
                scope=scope,
                assessment=assessment,
                auditing_organisation=form.cleaned_data["auditing_organisation"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("%(body)s has been invited to carry out the audit.")
                % {"body": form.cleaned_data["auditing_organisation"].name},
            )
            return redirect(assessment)
    return render(request, "assessments/invite_auditor.html", {"assessment": assessment, "form": form})


@login_required
def assign_audit(request):
    """Region staff: assign an audit of a service in the region to an audit body (network managers), or record
    an inspection of it (editors)."""
    scope = get_scope(request)
    regions = selectors.region_organisations(scope, Perm.EDIT)
    if not regions.exists():
        raise PermissionDenied
    region_ids = [r.region_id for r in regions]
    form = AssignAuditForm(
        request.POST or None,
        regions=regions,
        services=selectors.region_services(region_ids),
        bodies=selectors.audit_bodies(region_ids),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == Assessment.Kind.INSPECTION:
                provider = selectors.provider_organisation_for(data["service"])
                if provider is None:
                    raise ValidationError(_("The provider of this service has not joined QMSS yet."))
                assessment = actions.create_assessment(
                    scope=scope,
                    organisation=provider,
                    kind=Assessment.Kind.INSPECTION,
                    service=data["service"],
                    user=request.user,
                    region_organisation=data["region_organisation"],
                )
            else:
                assessment = actions.assign_audit(
                    scope=scope,
                    user=request.user,
                    region_organisation=data["region_organisation"],
                    service=data["service"],
                    auditing_organisation=data["auditing_organisation"],
                    kind=data["kind"],
                )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except PermissionDenied:
            form.add_error(None, _("Your role in this authority does not allow this, or the service lies elsewhere."))
        else:
            messages.success(request, _("The assessment has been created."))
            return redirect(assessment)
    return render(request, "assessments/assign.html", {"form": form})


@login_required
def move_framework(request, assessment_pk: int):
    scope = get_scope(request)
    assessment = selectors.get_assessment(scope, assessment_pk)
    if not perms.can_change_framework(scope, assessment):
        raise PermissionDenied
    frameworks = selectors.other_framework_versions(assessment)
    if not frameworks.exists():
        raise Http404
    form = MoveFrameworkForm(request.POST or None, frameworks=frameworks.order_by("-version"))
    if request.method == "POST" and form.is_valid():
        try:
            report = actions.move_to_framework_version(
                scope=scope, assessment=assessment, framework=form.cleaned_data["framework"], user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("The assessment now uses %(framework)s; %(mapped)d results were carried over.")
                % {"framework": form.cleaned_data["framework"], "mapped": report.mapped},
            )
            if report.unmapped:
                messages.warning(
                    request,
                    _("Criteria without a counterpart in the new version (results removed): %(refs)s")
                    % {"refs": ", ".join(report.unmapped)},
                )
            if report.values_lost:
                messages.warning(
                    request,
                    _("Values not on the new scale (to be assessed again): %(refs)s")
                    % {"refs": ", ".join(report.values_lost)},
                )
            return redirect(assessment)
    return render(request, "assessments/move_framework.html", {"assessment": assessment, "form": form})


def _report_views():
    """The report downloads are written separately (``qmss.assessments.reports``); imported lazily."""
    try:
        from qmss.assessments.reports import views as report_views
    except ImportError as exc:
        raise Http404 from exc
    return report_views


def report_pdf(request, assessment_pk: int):
    return _report_views().report_pdf(request, assessment_pk=assessment_pk)


def report_xlsx(request, assessment_pk: int):
    return _report_views().report_xlsx(request, assessment_pk=assessment_pk)
