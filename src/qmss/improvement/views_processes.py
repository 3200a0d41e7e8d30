"""Process map pages: overview, process list (tree by type), process detail with KPIs, forms, the starter
templates, and the visual map (page, printable page, SVG download)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from qmss.core.collation import czech_sorted
from qmss.core.roles import Perm
from qmss.core.scoping import get_scope
from qmss.improvement import actions, selectors, svg
from qmss.improvement.forms import KpiForm, MeasurementForm, ProcessForm, TemplateCopyForm
from qmss.improvement.models import Process
from qmss.improvement.templates import available_templates, load_library

M2M = ("services", "evidence", "requirements")


def require_edit(scope, organisation_id: int) -> None:
    if not scope.has_perm(Perm.EDIT, organisation_id):
        raise PermissionDenied


def _split(cleaned: dict) -> tuple[dict, dict]:
    data = {k: v for k, v in cleaned.items() if k not in M2M}
    links = {k: cleaned.get(k) or [] for k in M2M}
    return data, links


@login_required
def index(request):
    scope = get_scope(request)
    organisations = czech_sorted(selectors.provider_organisations(scope)[:200], "name")
    context = {
        "organisations": organisations,
        "can_see_region": scope.is_superuser or bool(scope.region_ids()),
    }
    return render(request, "improvement/index.html", context)


@login_required
def process_list(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_provider(scope, organisation_pk)
    groups = selectors.process_list(organisation)
    context = {
        "organisation": organisation,
        "groups": groups,
        "is_empty": not any(group.processes for group in groups),
        "can_edit": scope.has_perm(Perm.EDIT, organisation.pk),
    }
    return render(request, "improvement/process_list.html", context)


def _process_form_page(request, *, organisation, process: Process | None):
    scope = get_scope(request)
    require_edit(scope, organisation.pk)
    initial = {}
    if process is None:
        if request.GET.get("kind") in Process.Kind.values:
            initial["kind"] = request.GET["kind"]
        if request.GET.get("parent", "").isdigit():
            initial["parent"] = int(request.GET["parent"])
    form = ProcessForm(request.POST or None, instance=process, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, links = _split(form.cleaned_data)
        try:
            if process is None:
                process = actions.create_process(scope=scope, organisation=organisation, **data, **links)
            else:
                process = actions.update_process(scope=scope, process=process, **data, **links)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The process has been saved."))
            return redirect(process)
    return render(
        request, "improvement/process_form.html", {"organisation": organisation, "process": process, "form": form}
    )


@login_required
def process_create(request, organisation_pk: int):
    organisation = selectors.get_provider(get_scope(request), organisation_pk)
    return _process_form_page(request, organisation=organisation, process=None)


@login_required
def process_edit(request, process_pk: int):
    process = selectors.get_process(get_scope(request), process_pk)
    return _process_form_page(request, organisation=process.organisation, process=process)


@login_required
def process_detail(request, process_pk: int):
    scope = get_scope(request)
    process = selectors.get_process(scope, process_pk)
    detail = selectors.process_detail(process)
    for kpi in detail["kpis"]:
        kpi.sparkline = svg.sparkline([m.value for m in kpi.history], target=kpi.target_value)  # safe: core.svg
    context = {
        "process": process,
        "organisation": process.organisation,
        "can_edit": scope.has_perm(Perm.EDIT, process.organisation_id),
        **detail,
    }
    return render(request, "improvement/process_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def process_delete(request, process_pk: int):
    scope = get_scope(request)
    process = selectors.get_process(scope, process_pk)
    require_edit(scope, process.organisation_id)
    if request.method == "POST":
        organisation_pk = process.organisation_id
        actions.delete_process(scope=scope, process=process)
        messages.success(request, _("The process has been deleted."))
        return redirect("improvement:process_list", organisation_pk=organisation_pk)
    return render(
        request, "improvement/process_delete.html", {"process": process, "organisation": process.organisation}
    )


@login_required
def kpi_create(request, process_pk: int):
    scope = get_scope(request)
    process = selectors.get_process(scope, process_pk)
    require_edit(scope, process.organisation_id)
    form = KpiForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_kpi(scope=scope, process=process, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The KPI has been added."))
            return redirect(process)
    context = {"process": process, "organisation": process.organisation, "form": form}
    return render(request, "improvement/kpi_form.html", context)


@login_required
def measurement_create(request, kpi_pk: int):
    scope = get_scope(request)
    kpi = selectors.get_kpi(scope, kpi_pk)
    process = kpi.process
    require_edit(scope, process.organisation_id)
    form = MeasurementForm(request.POST or None, initial={"date": selectors.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_measurement(
                scope=scope, kpi=kpi, day=data["date"], value=data["value"], note=data["note"], user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The measured value has been recorded."))
            return redirect(process)
    context = {"process": process, "organisation": process.organisation, "kpi": kpi, "form": form}
    return render(request, "improvement/measurement_form.html", context)


@login_required
def template_copy(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_provider(scope, organisation_pk)
    require_edit(scope, organisation.pk)
    form = TemplateCopyForm(request.POST or None)
    has_processes = organisation.processes.exists()
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.copy_process_template(
                scope=scope,
                organisation=organisation,
                template_key=form.cleaned_data["template"],
                confirm=form.cleaned_data["confirm"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s process has been created from the template.",
                    "%(n)s processes have been created from the template.",
                    len(created),
                )
                % {"n": len(created)},
            )
            return redirect("improvement:process_map", organisation_pk=organisation.pk)
    context = {
        "organisation": organisation,
        "form": form,
        "templates": available_templates(),
        "library": load_library(),
        "has_processes": has_processes,
    }
    return render(request, "improvement/template_copy.html", context)


def _map_svg(request, organisation, *, standalone: bool = False, absolute: bool = False, id_prefix="process-map"):
    groups = selectors.map_processes(organisation)

    def url_for(process) -> str:
        url = reverse("improvement:process_detail", kwargs={"process_pk": process.pk})
        return request.build_absolute_uri(url) if absolute else url

    bands = svg.bands_from_groups(groups, url_for)
    title = _("Process map of %(organisation)s") % {"organisation": organisation.name}
    return svg.render_process_map(bands, title=title, standalone=standalone, id_prefix=id_prefix), groups


@login_required
def process_map(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_provider(scope, organisation_pk)
    markup, groups = _map_svg(request, organisation)
    context = {
        "organisation": organisation,
        "map_svg": markup,  # a SafeString built (and escaped) by qmss.core.svg
        "groups": groups,
        "is_empty": not any(group.processes for group in groups),
        "can_edit": scope.has_perm(Perm.EDIT, organisation.pk),
    }
    return render(request, "improvement/process_map.html", context)


@login_required
def process_map_print(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_provider(scope, organisation_pk)
    markup, _groups = _map_svg(request, organisation, id_prefix="print-map")
    context = {"organisation": organisation, "map_svg": markup, "today": selectors.today()}
    return render(request, "improvement/process_map_print.html", context)


@login_required
def process_map_svg(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_provider(scope, organisation_pk)
    markup, _groups = _map_svg(request, organisation, standalone=True, absolute=True)
    response = HttpResponse(markup, content_type="image/svg+xml; charset=utf-8")
    filename = f"procesni-mapa-{slugify(organisation.name) or organisation.pk}.svg"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
