"""The region view: improvement aggregates for services in the region (region staff only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from qmss.core.collation import czech_sorted
from qmss.core.scoping import get_scope
from qmss.improvement import svg
from qmss.improvement.selectors_region import region_choices, region_overview


@login_required
def region_view(request):
    scope = get_scope(request)
    if not scope.is_superuser and not scope.region_ids():
        raise Http404
    choices = czech_sorted(region_choices(scope), "name")
    if not choices:
        raise Http404
    code = request.GET.get("region", "")
    selected = [r for r in choices if r.code == code] if code else choices
    if not selected:
        raise Http404
    overview = region_overview([r.pk for r in selected], selected)
    chart = svg.nonconformity_chart(
        overview.nonconformities, title=_("Most frequent nonconformities by standard"), id_prefix="nc-chart"
    )
    context = {
        "overview": overview,
        "choices": choices,
        "selected": selected,
        "selected_code": code,
        "chart": chart,  # a SafeString built (and escaped) by qmss.core.svg
    }
    return render(request, "improvement/region.html", context)
