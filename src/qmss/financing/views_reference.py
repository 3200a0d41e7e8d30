"""Pages of the reference values under /financovani/referencni-hodnoty/: the public list and a set (with its
versions), the XLSX template and export (public) and the managers' import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from qmss.core.pagination import filter_query_string, paginate
from qmss.core.scoping import get_scope
from qmss.financing import actions_reference, selectors_reference
from qmss.financing.forms_reference import ReferenceFilterForm, ReferenceImportForm
from qmss.financing.xlsx_reference import MAX_BYTES, export_xlsx, template_xlsx

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _index_crumb():
    try:
        return (_("Financing"), reverse("financing:index"))
    except NoReverseMatch:  # the hub is another part's; until it is routed, no crumb
        return None


def _crumbs(*extra):
    return [crumb for crumb in (_index_crumb(), *extra) if crumb]


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def reference_sets(request):
    """Every manager's sets (public): the version in force marked, older versions listed; filters by manager
    (``?spravce=``) and year (``?rok=``)."""
    scope = get_scope(request)
    form = ReferenceFilterForm(
        request.GET or None, managers=selectors_reference.manager_choices(), years=selectors_reference.years()
    )
    organisation_id = year = None
    if form.is_bound:
        form.is_valid()  # each valid filter applies; an invalid one is shown with its error
        organisation_id, year = form.cleaned_data.get("spravce"), form.cleaned_data.get("rok")
    page = paginate(request, selectors_reference.reference_sets(organisation_id=organisation_id, year=year))
    rows = [(item, selectors_reference.manager_name(scope, item.organisation)) for item in page]
    context = {
        "crumbs": _crumbs((_("Reference values"), "")),
        "form": form,
        "page_obj": page,
        "rows": rows,
        "query": filter_query_string(request),
        "can_import": bool(selectors_reference.importable_organisations(scope)),
    }
    return render(request, "financing/reference/list.html", context)


def _set_or_404(reference_set_pk: int):
    reference_set = selectors_reference.get_reference_set(reference_set_pk)
    if reference_set is None:
        raise Http404
    return reference_set


@require_safe
def reference_set(request, reference_set_pk: int):
    """One set (public): its values per kind × form, source and verification, and every version of the same
    manager and year."""
    scope = get_scope(request)
    item = _set_or_404(reference_set_pk)
    from qmss.network.units import units

    unit_names = {code: unit.name for code, unit in units().items()}
    values = [(value, unit_names.get(value.unit, value.unit)) for value in selectors_reference.set_values(item)]
    is_member = scope.is_superuser or item.organisation_id in scope.organisation_ids()
    context = {
        "crumbs": _crumbs((_("Reference values"), reverse("financing:reference_sets")), (item.name, "")),
        "set": item,
        "manager": selectors_reference.manager_name(scope, item.organisation),
        "territory": selectors_reference.territory(item.organisation),
        "values": values,
        "versions": list(selectors_reference.versions(item)),
        "is_member": is_member,
    }
    return render(request, "financing/reference/detail.html", context)


@require_safe
def reference_export(request, reference_set_pk: int):
    item = _set_or_404(reference_set_pk)
    data = export_xlsx(item, selectors_reference.set_values(item), selectors_reference.territory(item.organisation))
    return _xlsx(data, f"referencni-hodnoty-{item.year}-v{item.version}-{item.pk}.xlsx")


@require_safe
def reference_template(request):
    return _xlsx(template_xlsx(), "referencni-hodnoty-sablona.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def reference_import(request):
    """A manager imports a new version of its reference values for a year from the XLSX template."""
    scope = get_scope(request)
    organisations = selectors_reference.importable_organisations(scope)
    if not organisations:
        raise PermissionDenied
    form = ReferenceImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    upload_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            created = actions_reference.import_reference_xlsx(
                user=request.user,
                organisation=data["organisation"],
                year=data["year"],
                name=data["name"],
                source=data["source"],
                verified=data["verified"],
                data=upload.read(MAX_BYTES + 1),
                file_name=upload.name,
            )
        except ValidationError as exc:
            upload_errors = [str(message) for message in exc.messages]
        else:
            messages.success(
                request,
                _("Version {version} of the reference values for {year} has been imported and is in force.").format(
                    version=created.version, year=created.year
                ),
            )
            return redirect(created.get_absolute_url())
    context = {
        "crumbs": _crumbs(
            (_("Reference values"), reverse("financing:reference_sets")), (_("Import reference values"), "")
        ),
        "form": form,
        "upload_errors": upload_errors,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "financing/reference/import.html", context, status=status)
