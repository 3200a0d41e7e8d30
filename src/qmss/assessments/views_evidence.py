"""The evidence library of an organisation, one evidence item with its versions, and the permission-checked
file download (evidence files are never served from MEDIA_URL)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from qmss.assessments import actions, selectors, uploads
from qmss.assessments.forms import EvidenceFilterForm, EvidenceUploadForm, EvidenceVersionForm
from qmss.core.pagination import filter_query_string
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import get_scope
from qmss.core.selectors import get_organisation


@login_required
def evidence_library(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = get_organisation(scope, organisation_pk)
    if organisation.kind != OrganisationKind.PROVIDER:
        raise Http404
    can_upload = scope.has_perm(Perm.EDIT, organisation.pk)
    form = None
    if can_upload:
        form = EvidenceUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                version = actions.upload_evidence(
                    scope=scope,
                    upload=data["file"],
                    user=request.user,
                    organisation=organisation,
                    title=data["title"],
                    kind=data["kind"],
                    description=data["description"],
                    expires_on=data["expires_on"],
                    remind_days_before=data["remind_days_before"],
                )
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                messages.success(
                    request, _("The evidence “%(title)s” has been uploaded.") % {"title": version.evidence}
                )
                return redirect(request.path)
    elif request.method == "POST":
        raise PermissionDenied
    filters = selectors.EvidenceFilters.from_data(request.GET)
    context = {
        "organisation": organisation,
        "items": selectors.evidence_library(scope, organisation, filters),
        "filter_form": EvidenceFilterForm(request.GET or None),
        "is_filtered": bool(filters.q or filters.kind or filters.status),
        "form": form,
        "max_mb": uploads.max_megabytes(),
        "query_string": filter_query_string(request),
    }
    return render(request, "assessments/evidence_library.html", context)


@login_required
def evidence_detail(request, evidence_pk: int):
    scope = get_scope(request)
    evidence = selectors.get_evidence(scope, evidence_pk)
    can_upload = scope.has_perm(Perm.EDIT, evidence.organisation_id)
    form = None
    if can_upload:
        form = EvidenceVersionForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                version = actions.upload_evidence(
                    scope=scope,
                    upload=data["file"],
                    user=request.user,
                    evidence=evidence,
                    note=data["note"],
                    expires_on=data["expires_on"],
                    remind_days_before=data["remind_days_before"],
                )
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                messages.success(request, _("Version %(number)d has been uploaded.") % {"number": version.number})
                return redirect(evidence)
    elif request.method == "POST":
        raise PermissionDenied
    evidence.status = selectors.expiry_status(evidence)
    context = {
        "evidence": evidence,
        "versions": list(evidence.versions.select_related("uploaded_by")),
        "links": selectors.evidence_links(evidence, scope),
        "is_member": scope.has_perm(Perm.VIEW, evidence.organisation_id),
        "form": form,
        "max_mb": uploads.max_megabytes(),
    }
    return render(request, "assessments/evidence_detail.html", context)


@never_cache
@require_safe
@login_required
def evidence_file(request, evidence_pk: int, version_pk: int):
    scope = get_scope(request)
    evidence = selectors.get_evidence(scope, evidence_pk)
    version = selectors.get_evidence_version(evidence, version_pk)
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=version.original_name, content_type=version.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
