"""Pages of the compensation part: the region-wide table of a run (sortable, paginated, with totals, the budget
coefficient and the formula), computing a new run and approving the newest one (POST, the manager), the XLSX
export and the explanation of one line (the manager side and the line's provider). Views are thin: reads in
:mod:`qmss.financing.selectors_compensation`, writes in :mod:`qmss.financing.actions_compensation`."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from qmss.core.pagination import filter_query_string, paginate
from qmss.core.scoping import get_scope
from qmss.financing import actions_compensation as actions
from qmss.financing import exports_compensation, permissions
from qmss.financing import selectors_compensation as selectors
from qmss.financing.models import CompensationRun
from qmss.network.defaults_networks import unit_names

COLUMNS = (
    ("sluzba", gettext_lazy("Service")),
    ("poskytovatel", gettext_lazy("Provider")),
    ("druh", gettext_lazy("Kind")),
    ("jednotky", gettext_lazy("Units")),
    ("optimalni", gettext_lazy("Optimal")),
    ("koeficient", gettext_lazy("Adjustment")),
    ("po-uprave", gettext_lazy("Adjusted")),
    ("strop-podil", gettext_lazy("Cap: public share")),
    ("strop-naklady", gettext_lazy("Cap: net cost")),
    ("po-stropech", gettext_lazy("Capped")),
    ("vyrovnavaci-platba", gettext_lazy("Compensation")),
)


def _link(name: str, **kwargs) -> str:
    try:
        return reverse(f"financing:{name}", kwargs=kwargs)
    except NoReverseMatch:  # the part serving it is not in the tree
        return ""


def _crumbs(programme, *extra):
    return [
        (_("Financing"), _link("index")),
        (str(programme), _link("programme", programme_pk=programme.pk)),
        *extra,
    ]


def _programme_or_404(request, programme_pk: int):
    programme = selectors.get_programme(programme_pk)
    if programme is None:
        raise Http404
    if not selectors.sees_programme(get_scope(request), programme):
        raise PermissionDenied
    return programme


def _table_url(programme, number: int | None = None) -> str:
    url = reverse("financing:compensation", kwargs={"programme_pk": programme.pk})
    return f"{url}?vypocet={number}" if number else url


def _sort_links(request, sort: str) -> list[dict]:
    """Column headers: each links to its sort order (ascending first; the current column toggles)."""
    number = request.GET.get("vypocet", "")
    items = []
    for key, label in COLUMNS:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        target = f"-{key}" if current and not descending else key
        query = urlencode(([("vypocet", number)] if number else []) + [("razeni", target)])
        items.append(
            {
                "key": key,
                "label": label,
                "url": f"?{query}",
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return items


@require_safe
@login_required
def table(request, programme_pk: int):
    programme = _programme_or_404(request, programme_pk)
    scope = get_scope(request)
    all_runs = selectors.runs(programme)
    run = selectors.run_by_number(programme, request.GET.get("vypocet"))
    if request.GET.get("vypocet") and run is None:
        raise Http404
    sort = selectors.sort_key(request.GET.get("razeni"))
    manages = permissions.can_manage_programme(scope, programme)
    newest = all_runs[0] if all_runs else None
    context = {
        "programme": programme,
        "run": run,
        "runs": all_runs,
        "sort": sort,
        "columns": _sort_links(request, sort),
        "can_compute": manages and programme.state in actions.COMPUTABLE_STATES,
        "can_approve": bool(
            manages
            and run is not None
            and run == newest
            and run.state == CompensationRun.State.DRAFT
            and programme.state in actions.COMPUTABLE_STATES
        ),
        "crumbs": _crumbs(programme, (_("Compensation"), "")),
        "export_url": (
            reverse("financing:compensation_export", kwargs={"programme_pk": programme.pk}) + f"?vypocet={run.number}"
            if run
            else ""
        ),
        "allocation_url": _link("allocation", programme_pk=programme.pk),
        "parameters": run.parameters if run else (programme.parameters or {}),
    }
    if run is not None:
        page = paginate(request, selectors.lines(run, sort))
        page.object_list = list(page.object_list)
        names = unit_names()
        for item in page.object_list:
            item.unit_name = names.get(item.unit, item.unit)
        context.update(page_obj=page, query_string=filter_query_string(request), totals=selectors.totals(run))
    return render(request, "financing/compensation/table.html", context)


@require_POST
@login_required
def compute(request, programme_pk: int):
    programme = _programme_or_404(request, programme_pk)
    try:
        run = actions.compute_run(user=request.user, programme=programme, note=request.POST.get("note", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_table_url(programme))
    messages.success(request, _("Calculation no. %(number)s has been computed.") % {"number": run.number})
    return redirect(_table_url(programme, run.number))


@require_POST
@login_required
def approve(request, programme_pk: int):
    programme = _programme_or_404(request, programme_pk)
    run = selectors.run_by_number(programme, request.POST.get("vypocet"))
    if run is None or not request.POST.get("vypocet"):
        raise Http404
    try:
        actions.approve_run(user=request.user, run=run)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_table_url(programme, run.number))
    messages.success(request, _("Calculation no. %(number)s has been approved.") % {"number": run.number})
    return redirect(_table_url(programme, run.number))


@require_safe
@login_required
def export(request, programme_pk: int):
    programme = _programme_or_404(request, programme_pk)
    run = selectors.run_by_number(programme, request.GET.get("vypocet"))
    if run is None:
        raise Http404
    sort = selectors.sort_key(request.GET.get("razeni"))
    response = HttpResponse(
        exports_compensation.run_xlsx(run, sort=sort),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{slugify(programme.name)[:60] or 'program'}-{programme.year}-vypocet-{run.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@login_required
def line(request, line_pk: int):
    from qmss.network.selectors_scoring import explain_url, may_see_explanation

    scope = get_scope(request)
    item = selectors.visible_line(scope, line_pk)
    if item is None:
        raise Http404
    run = item.run
    programme = run.programme
    sees_table = selectors.sees_programme(scope, programme)
    score = item.inputs.get("score") or None
    score_url = ""
    if score and may_see_explanation(scope, programme.network, score["key"]):
        score_url = explain_url(programme.network, score["key"])
    reference_set = item.inputs.get("reference_set") or None
    crumbs = [(_("Compensation"), _table_url(programme, run.number))] if sees_table else []
    share_used = item.max_public_share
    if share_used is None:
        share_used = run.parameters.get("max_public_share")
    context = {
        "line": item,
        "run": run,
        "programme": programme,
        "inputs": item.inputs,
        "budget": item.inputs.get("budget") or {},
        "reference_value": item.inputs.get("reference_value") or None,
        "reference_set": reference_set,
        "reference_set_url": _link("reference_set", reference_set_pk=reference_set["pk"]) if reference_set else "",
        "score": score,
        "score_url": score_url,
        "sees_table": sees_table,
        "application_url": _link("application", subsidy_pk=item.application_id),
        "parameters": run.parameters,
        "unit_name": unit_names().get(item.unit, item.unit),
        "share_used": share_used,
        "crumbs": _crumbs(programme, *crumbs, (item.service.name or str(item.service), "")),
    }
    return render(request, "financing/compensation/line.html", context)
