"""The budget allocation page of a programme (manager side only): proportional scaling and the optimiser side by
side for the programme's budget or another one (``?rozpocet=``), with the reasons, the totals, the shadow price
and the linear programme in words; and its XLSX export."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qmss.core.pagination import filter_query_string, paginate
from qmss.core.scoping import get_scope
from qmss.financing import allocation_problem, exports_allocation, permissions
from qmss.financing.models import Programme

BUDGET = "rozpocet"
PAGE_SIZE = 100


def get_programme(request, programme_pk: int) -> Programme:
    """The programme whose working material the user may see (404 otherwise)."""
    programme = (
        Programme.objects.select_related("organisation", "network__region", "reference_set")
        .filter(pk=programme_pk)
        .first()
    )
    if programme is None or not permissions.can_see_programme(get_scope(request), programme):
        raise Http404
    return programme


def budget_of(request, programme: Programme) -> tuple[Decimal, str, str | None]:
    """(budget used, the field's text, an error message)."""
    raw = request.GET.get(BUDGET)
    if raw is None or not raw.strip():
        return programme.budget, "", None
    value = allocation_problem.parse_budget(raw)
    if value is None:
        message = _(
            "Budget: enter an amount in CZK from 0 to %(max)s (digits, spaces and a decimal comma allowed). "
            "The programme's budget is used instead."
        ) % {"max": "999 999 999 999"}
        return programme.budget, raw[:40], message
    return value, raw[:40], None


def _shadow(comparison) -> dict | None:
    price = comparison.shadow_price
    if price is None:
        return None
    return {"per_crown": price, "per_million": price * allocation_problem.MILLION}


@login_required
@require_GET
def allocation_view(request, programme_pk: int):
    programme = get_programme(request, programme_pk)
    budget, budget_text, error = budget_of(request, programme)
    problem, labels = allocation_problem.build_problem(programme, budget)
    comparison = allocation_problem.compare(problem, labels, budget)
    for row in comparison.rows:
        row["reason_text"] = allocation_problem.reason_text(row["reason"])
        row["change_text"] = allocation_problem.change_text(row["change"])
    page = paginate(request, comparison.rows, per_page=PAGE_SIZE)
    export_url = reverse("financing:allocation_export", kwargs={"programme_pk": programme.pk})
    if budget != programme.budget:
        export_url += f"?{BUDGET}={budget}"
    context = {
        "crumbs": [
            (_("Financing"), reverse("financing:index")),
            (programme.name, programme.get_absolute_url()),
            (_("Budget allocation"), None),
        ],
        "programme": programme,
        "budget": budget,
        "budget_text": budget_text,
        "budget_error": error,
        "budget_param": BUDGET,
        "comparison": comparison,
        "labels": labels,
        "page_obj": page,
        "query_string": filter_query_string(request),
        "shadow": _shadow(comparison),
        "formulation": allocation_problem.formulation(),
        "export_url": export_url,
        "compensation_url": _link("compensation", programme.pk),
        "gain": comparison.optimised.covered_need - comparison.proportional.covered_need,
        "unspent_optimised": budget - Decimal(int(comparison.optimised.total)),
        "unspent_proportional": budget - Decimal(int(comparison.proportional.total)),
    }
    return render(request, "financing/allocation/allocation.html", context, status=400 if error else 200)


def _link(name: str, programme_pk: int) -> str | None:
    from django.urls import NoReverseMatch

    try:
        return reverse(f"financing:{name}", kwargs={"programme_pk": programme_pk})
    except NoReverseMatch:
        return None


@login_required
@require_GET
def allocation_export_view(request, programme_pk: int):
    programme = get_programme(request, programme_pk)
    budget, _text, _error = budget_of(request, programme)
    problem, labels = allocation_problem.build_problem(programme, budget)
    comparison = allocation_problem.compare(problem, labels, budget)
    response = HttpResponse(
        exports_allocation.allocation_xlsx(programme, comparison),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="rozdeleni-{programme.pk}.xlsx"'
    return response
