"""The region evaluation dashboard (/potreby/vyhodnoceni/) and its XLSX export: region staff only.

A member of a regional authority sees their region (choosing among them when they have several); the superuser
may pick any region. Everyone else gets 404 (the page's existence says nothing about a region). Filters: period
range by year (``year_from``, ``year_to``) and service kind (``kind``, the registry code).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.core.formatting import format_date, format_number
from qmss.core.scoping import get_scope
from qmss.needs import charts_needs, exports_dashboard
from qmss.needs import selectors_dashboard as sel

# URL names of other parts' pages (the rounds part owns them); tried in order, the first that resolves wins.
SUBMISSION_URL_NAMES = ("needs:submission_detail", "needs:submission", "needs:submission_review")
ROUND_URL_NAMES = ("needs:round_detail", "needs:round")


def _url(names, **kwargs) -> str:
    for name in names:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


def round_label(round_) -> str:
    """A short label of a round's period for chart axes and table rows: the year, or from–to."""
    start, end = round_.period_start, round_.period_end
    if start.year == end.year and start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31:
        return str(end.year)
    return f"{format_date(start)} – {format_date(end)}"


def filters_from(request) -> sel.Filters:
    """The request's filters; 404 for a user who is no region's staff (or a region they may not see)."""
    scope = get_scope(request)
    if not scope.is_superuser and not scope.region_ids():
        raise Http404
    choices = sel.region_choices(scope)
    if not choices:
        raise Http404
    code = request.GET.get("region", "")
    if code:
        selected = [r for r in choices if r.code == code]
        if not selected:
            raise Http404
        region = selected[0]
    else:
        own = [r for r in choices if r.pk in scope.region_ids()]
        region = (own or choices)[0]
    kind = None
    kind_code = request.GET.get("kind", "").strip()
    if kind_code:
        kind = next((k for k in sel.kind_choices() if k.code == kind_code), None)
    year_from = sel.parse_year(request.GET.get("year_from"))
    year_to = sel.parse_year(request.GET.get("year_to"))
    return sel.Filters(region=region, year_from=year_from, year_to=year_to, kind=kind, choices=choices)


def _decorate(data: sel.Dashboard) -> None:
    """Charts, labels and links for the template (SVG built and escaped by qmss.core.svg)."""
    labels = [round_label(r) for r in data.rounds]
    for series in data.indicators:
        indicator = series.indicator
        series.chart = charts_needs.indicator_chart(
            labels,
            [p.value for p in series.points],
            title=indicator.name,
            description=_("Pooled value of approved submissions per round; the table below has the figures."),
            decimals=indicator.decimals,
            unit=indicator.unit,
        )
        for point, label in zip(series.points, labels, strict=True):
            point.label = label
        series.detail_url = _url(("needs:indicator_detail",), indicator_pk=indicator.pk)
    data.minimum.report_url = _url(("needs:minimum_report",), region_code=data.filters.region.code)
    for row in data.completeness:
        row.label = round_label(row.round)
        row.url = _url(ROUND_URL_NAMES, round_pk=row.round.pk)
    for outlier in data.outliers.rows:
        outlier.element_name = data.outliers.elements.get(outlier.element_code, outlier.element_code)
        outlier.submission_url = _url(SUBMISSION_URL_NAMES, submission_pk=outlier.submission_id)
        outlier.strip = charts_needs.peer_strip(
            outlier.peers,
            outlier.value,
            outlier.median,
            title=_("%(service)s among %(count)s peers") % {"service": outlier.service, "count": len(outlier.peers)},
            description=_("Peers from %(low)s to %(high)s, median %(median)s, this service %(value)s.")
            % {
                "low": format_number(min(outlier.peers)),
                "high": format_number(max(outlier.peers)),
                "median": format_number(outlier.median),
                "value": format_number(outlier.value),
            },
        )


@require_safe
@login_required
def dashboard_view(request):
    filters = filters_from(request)
    data = sel.dashboard(filters)
    _decorate(data)
    query = filters.query()
    context = {
        "data": data,
        "filters": filters,
        "region": filters.region,
        "choices": filters.choices,
        "kinds": sel.kind_choices(),
        "export_url": f"{reverse('needs:dashboard_export')}?{urlencode(query)}",
        "latest_label": round_label(data.outliers.round) if data.outliers.round else "",
        "needs_index_url": _url(("needs:index",)),
    }
    return render(request, "needs/dashboard/index.html", context)


@require_safe
@login_required
def dashboard_export(request):
    filters = filters_from(request)
    data = sel.dashboard(filters)
    content = exports_dashboard.dashboard_xlsx(data, round_label=round_label)
    response = HttpResponse(content, content_type=exports_dashboard.XLSX_TYPE)
    code = "".join(c for c in filters.region.code if c.isascii() and c.isalnum())
    filename = f"vyhodnoceni-{code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
