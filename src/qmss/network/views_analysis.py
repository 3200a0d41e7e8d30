"""Public pages of the need-versus-capacity analysis: choose a region and a kind group; the region's ORP table,
choropleth and XLSX export. Thin: :mod:`qmss.network.selectors_analysis` reads, the map and export modules draw
and write. Only public data (registry, territory, rules library, public networks)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.network import exports_analysis, maps_analysis
from qmss.network import selectors_analysis as selectors
from qmss.territory.models import Region


def _crumbs(*items) -> list[tuple[str, str | None]]:
    return [(_("Networks"), reverse("network:index")), *items]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Choose a region and a kind group (a GET form that works without JavaScript)."""
    groups = selectors.kind_groups()
    regions = selectors.regions()
    chosen = request.GET.get("kraj", "")
    if chosen:
        if not any(r.code == chosen for r in regions):
            raise Http404
        group = request.GET.get("skupina", "")
        query = urlencode({"skupina": group}) if group and any(g.code == group for g in groups) else ""
        url = reverse("network:analysis_region", kwargs={"region_code": chosen})
        return redirect(f"{url}?{query}" if query else url)
    context = {
        "regions": regions,
        "groups": groups,
        "crumbs": _crumbs((_("Need and capacity analysis"), None)),
    }
    return render(request, "network/analysis/index.html", context)


def _analysis(request: HttpRequest, region_code: str) -> selectors.Analysis:
    region = get_object_or_404(Region.objects.defer("boundary"), code=region_code)
    group = selectors.find_group(group_code=request.GET.get("skupina", ""), kind_code=request.GET.get("druh", ""))
    if group is None:
        raise Http404
    network = version = None
    if "sit" in request.GET:
        network, version = selectors.network_for(_int(request.GET.get("sit")))
        if network is None or network.region_id != region.pk:
            raise Http404
    return selectors.analyse(region, group, network=network, version=version)


def _query(analysis: selectors.Analysis) -> str:
    params = {"skupina": analysis.group.code}
    if analysis.network is not None:
        params["sit"] = analysis.network.pk
    return urlencode(params)


@require_safe
def region(request: HttpRequest, region_code: str) -> HttpResponse:
    analysis = _analysis(request, region_code)
    label = _("Map of %(region)s: %(group)s per 1,000 of the target population by ORP") % {
        "region": analysis.region.name,
        "group": analysis.group.name,
    }
    boundaries = selectors.orp_boundaries(analysis.region)
    classes = sorted({row.map_class for row in analysis.rows}, key=lambda c: (c == selectors.NO_DATA, c))
    context = {
        "analysis": analysis,
        "groups": selectors.kind_groups(),
        "map": maps_analysis.render_choropleth(analysis.rows, boundaries, label=label, unit_name=analysis.unit_name),
        "legend": [(maps_analysis.swatch(c), selectors.CLASS_LABELS[c]) for c in classes],
        "query": _query(analysis),
        "under_percent": int(selectors.UNDER_COVERAGE * 100),
        "over_percent": int(selectors.OVER_COVERAGE * 100),
        "crumbs": _crumbs((_("Need and capacity analysis"), reverse("network:analysis")), (analysis.region.name, None)),
    }
    return render(request, "network/analysis/region.html", context)


@require_safe
def export(request: HttpRequest, region_code: str) -> HttpResponse:
    return exports_analysis.xlsx_response(_analysis(request, region_code))
