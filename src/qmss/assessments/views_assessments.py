"""Assessment pages: list, create, detail (scores, criteria, findings, evidence), header edit, workflow,
inviting an auditor, assignment by a region and moving to another framework version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from qmss.assessments import actions, selectors, views_entry
from qmss.assessments import permissions as perms
from qmss.assessments.forms import (
    AssessmentCreateForm,
    AssessmentEditForm,
    AssessmentFilterForm,
    AssignAuditForm,
    InviteAuditorForm,
    MoveFrameworkForm,
    PublishForm,
)
from qmss.assessments.models import Assessment
from qmss.assessments.reports import texts
from qmss.core.collation import czech_sorted
from qmss.core.pagination import filter_query_string, paginate
from qmss.core.roles import Perm
from qmss.core.scoping import get_scope


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def assessment_list(request):
    scope = get_scope(request)
    filter_form = AssessmentFilterForm(request.GET or None, services=selectors.filter_service_choices(scope))
    filters = selectors.AssessmentFilters.from_data(request.GET)
    page = paginate(request, selectors.assessment_list(scope, filters), per_page=selectors.PAGE_SIZE)
    context = {
        "page_obj": page,
        "assessments": page.object_list,
        "filter_form": filter_form,
        "query_string": filter_query_string(request),
        "can_create": scope.is_superuser or selectors.editable_providers(scope).exists(),
        "can_assign": scope.is_superuser or selectors.region_organisations(scope, Perm.EDIT).exists(),
        "provider_orgs": czech_sorted(selectors.member_providers(scope)[:20], "name"),
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
    portal_id = request.GET.get("service", "")
    if portal_id.isascii() and portal_id.isdigit():  # int("²") fails
        initial["service"] = services.filter(portal_id=int(portal_id)).first()
        owner = selectors.provider_organisation_for(initial["service"]) if initial["service"] else None
        if owner is not None and organisations.filter(pk=owner.pk).exists():
            initial["organisation"] = owner  # the service's own provider, not the user's first organisation
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
    service = initial.get("service")
    cancel_url = (  # back where the user came from: the service's overview, else the list
        reverse("assessments:service_workspace", args=[service.portal_id]) if service else reverse("assessments:list")
    )
    return render(request, "assessments/create.html", {"form": form, "cancel_url": cancel_url})


@login_required
def assessment_detail(request, assessment_pk: int):
    scope = get_scope(request)
    assessment = selectors.get_assessment(scope, assessment_pk)
    report = selectors.assessment_report(scope, assessment)
    can_edit = perms.can_edit_results(scope, assessment)
    transitions = transition_buttons(scope, assessment)
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
        # the way back to the service's workspace, for those who work on the service (its provider's members)
        "workspace_url": reverse("assessments:service_workspace", args=[assessment.service.portal_id])
        if assessment.service_id and (scope.is_superuser or perms.is_provider_member(scope, assessment))
        else "",
        **_score_context(assessment, report),
        "saved_pk": views_entry.pop_saved(request, assessment),  # "Saved" in the row a criterion save returns to
    }
    return render(request, "assessments/detail.html", context)


def _score_context(assessment: Assessment, report) -> dict:
    """What the score is computed over, and the partial-assessment notice (the same wording as the reports)."""
    basis = texts.basis_of(report.evaluation)
    partial_text = ""
    if assessment.partial and basis is not None:
        partial_text = texts.partial_text(assessment.kind, basis.assessed, basis.total, assessment.partial_reason)
    return {
        "score_basis": (texts.basis_text(basis) if basis is not None else ""),
        "score_nothing": basis is not None and basis.scored == 0,
        "partial_text": partial_text,
    }


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


def _is_send_back(assessment: Assessment, target: str) -> bool:
    return assessment.state == Assessment.State.IN_REVIEW and target == Assessment.State.IN_PROGRESS


def _confirm_url(assessment: Assessment, target: str) -> str | None:
    """The confirmation page of a transition that needs one (publish, send back), else None."""
    if target == Assessment.State.PUBLISHED:
        return reverse("assessments:publish", kwargs={"assessment_pk": assessment.pk})
    if _is_send_back(assessment, target):
        return reverse("assessments:send_back", kwargs={"assessment_pk": assessment.pk})
    return None


def transition_buttons(scope, assessment: Assessment) -> list[dict]:
    """The workflow buttons of the assessment page: publishing is the forward (primary) action, sending back the
    destructive one; both lead to a confirmation page. Other moves post directly (secondary)."""
    buttons = []
    for state in perms.allowed_transitions(scope, assessment):
        if state == Assessment.State.PUBLISHED:
            style, label = "primary", perms.TRANSITION_LABELS[state]
        elif _is_send_back(assessment, state):
            style, label = "danger", _("Send back for rework")
        else:
            style, label = "secondary", perms.TRANSITION_LABELS[state]
        buttons.append({"state": state, "label": label, "style": style, "url": _confirm_url(assessment, state)})
    return buttons


@login_required
@require_POST
def assessment_transition(request, assessment_pk: int):
    scope = get_scope(request)
    assessment = selectors.get_assessment(scope, assessment_pk)
    target = request.POST.get("to_state", "")
    confirm_url = _confirm_url(assessment, target)
    if confirm_url is not None and target in perms.allowed_transitions(scope, assessment):
        return redirect(confirm_url)  # publishing and sending back are confirmed on their own page first
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


def _transition_page(request, assessment_pk: int, *, send_back: bool):
    """GET: what will happen, with one POST button; POST (with ``confirm``): the transition through the action.
    A GET never changes anything."""
    scope = get_scope(request)
    assessment = selectors.get_assessment(scope, assessment_pk)
    allowed = perms.allowed_transitions(scope, assessment)
    target = Assessment.State.IN_PROGRESS if send_back else Assessment.State.PUBLISHED
    if target not in allowed or (send_back and not _is_send_back(assessment, target)):
        if not allowed:
            raise PermissionDenied
        messages.error(request, _("This change of state is not possible now."))
        return redirect(assessment)
    found = actions.coverage(assessment)
    form = None if send_back or found.complete else PublishForm(request.POST or None)
    if request.method == "POST" and request.POST.get("confirm") and (form is None or form.is_valid()):
        options = {} if form is None else {
            "partial": form.cleaned_data["partial"], "partial_reason": form.cleaned_data["partial_reason"]
        }  # fmt: skip
        try:
            actions.transition(scope=scope, assessment=assessment, to_state=target, user=request.user, **options)
        except ValidationError as exc:
            if form is None:
                messages.error(request, error_text(exc))
                return redirect(assessment)
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(
                request, _("The assessment is now “%(state)s”.") % {"state": Assessment.State(target).label}
            )
            return redirect(assessment)
    return render(request, "core/confirm.html", _transition_context(assessment, found, form, send_back=send_back))


def _transition_context(assessment: Assessment, found, form, *, send_back: bool) -> dict:
    summary = [
        (_("Assessment"), assessment.title),
        (_("Kind"), assessment.get_kind_display()),
        (_("Provider"), assessment.organisation.name),
    ]
    if assessment.auditing_organisation_id:
        summary.append((_("Audit body"), assessment.auditing_organisation.name))
    summary.append(
        (
            _("Criteria assessed"),
            ngettext("%(assessed)d of %(total)d criterion", "%(assessed)d of %(total)d criteria", found.total)
            % {"assessed": found.assessed, "total": found.total},
        )
    )
    if send_back:
        title = _("Send “%(title)s” back for rework?") % {"title": assessment.title}
        intro = _("The assessment returns to the state “in progress”: its results can be changed again.")
        warning, label, style = "", _("Send back for rework"), "danger"
    else:
        title = _("Publish “%(title)s”?") % {"title": assessment.title}
        if assessment.kind == Assessment.Kind.SELF:  # the provider publishes its own: the region is who newly sees it
            intro = _("Once published, the results are frozen and visible to the regional authority.")
        else:
            intro = _(
                "Once published, the results are frozen and visible to the provider and to the regional authority."
            )
        label, style = _("Publish"), "primary"
        if found.complete:
            warning = ""
        else:
            if found.missing_refs:
                summary.append((_("Criteria without a result"), ", ".join(found.missing_refs)))
            warning = ngettext(
                "%(missing)d criterion of %(total)d has not been assessed. It can be published only as a partial "
                "assessment, with the reason.",
                "%(missing)d criteria of %(total)d have not been assessed. It can be published only as a partial "
                "assessment, with the reason.",
                found.missing,
            ) % {"missing": found.missing, "total": found.total}
            label = _("Publish as partial")
    return {
        "assessment": assessment,
        "title": title,
        "crumbs": [
            (_("Assessments"), reverse("assessments:list")),
            (assessment.title, assessment.get_absolute_url()),
            (label, None),
        ],
        "intro": intro,
        "summary": summary,
        "warning": warning,
        "form": form,
        "confirm_label": label,
        "confirm_style": style,
        "cancel_url": assessment.get_absolute_url(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def publish_confirm(request, assessment_pk: int):
    return _transition_page(request, assessment_pk, send_back=False)


@login_required
@require_http_methods(["GET", "POST"])
def send_back_confirm(request, assessment_pk: int):
    return _transition_page(request, assessment_pk, send_back=True)


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
