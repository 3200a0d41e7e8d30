"""Open data pages of the portal (public, no login): what is published and under which terms, the HSDS 3.0
JSON catalogue (whole and per service), the flat CSV, ``sitemap.xml`` and ``robots.txt``.

The whole JSON is built once per registry data version and day (:func:`qmss.portal.hsds.catalogue_json`); the
CSV streams. No view writes the session.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.portal import hsds, open_data
from qmss.registry.models import Service

MAX_AGE = 60 * 60  # one hour: the registry changes at most daily
MPSV_REGISTRY_URL = "https://iregistr.mpsv.cz/"
MPSV_OPEN_DATA_URL = "https://data.mpsv.cz/web/data/otevrena-data"


def _public(response: HttpResponse, max_age: int = MAX_AGE) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_safe
def open_data_page(request: HttpRequest) -> HttpResponse:
    published = hsds.data_date()
    context = {
        "data_date": published,
        "service_count": Service.objects.active().count(),
        "hsds_version": hsds.HSDS_VERSION,
        "licence": hsds.LICENCE,
        "mpsv_registry_url": MPSV_REGISTRY_URL,
        "mpsv_open_data_url": MPSV_OPEN_DATA_URL,
        "api_list_url": "/api/v1/portal/hsds/services",
        "api_docs_url": "/api/v1/docs",
        "example_portal_id": Service.objects.active().order_by("portal_id").values_list("portal_id", flat=True).first(),
        "taxonomies": [hsds.TAXONOMIES[key][0] for key in hsds.TAXONOMIES],
        "crumbs": [(_("Open data"), None)],
    }
    return _public(render(request, "portal/open_data/index.html", context), max_age=600)


@require_safe
def hsds_json(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(hsds.catalogue_json(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="qmss-hsds.json"'
    return _public(response)


@require_safe
def hsds_service(request: HttpRequest, service_portal_id: int) -> HttpResponse:
    service = hsds.with_related(Service.objects.filter(portal_id=service_portal_id)).first()
    if service is None:
        raise Http404(_("No such service in the registry."))
    record = hsds.service_record(service)
    body = json.dumps(record, ensure_ascii=False, indent=1)
    return _public(HttpResponse(body, content_type="application/json; charset=utf-8"))


@require_safe
def catalogue_csv(request: HttpRequest) -> StreamingHttpResponse:
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(open_data.csv_lines(base_url), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="qmss-socialni-sluzby-{stamp}.csv"'
    return _public(response)


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    paths = open_data.sitemap_paths()
    base = request.build_absolute_uri("/").rstrip("/")
    part = request.GET.get("cast")
    limit = open_data.SITEMAP_LIMIT
    if len(paths) > limit and part is None:
        sitemap_url = base + reverse("portal:sitemap")
        parts = [f"{sitemap_url}?cast={n}" for n in range(1, (len(paths) - 1) // limit + 2)]
        body = render_to_string("portal/open_data/sitemap_index.xml", {"locations": parts})
    else:
        page = int(part) if part and part.isdigit() else 1
        chunk = paths[(page - 1) * limit : page * limit]
        if not chunk and page > 1:
            raise Http404
        body = render_to_string("portal/open_data/sitemap.xml", {"locations": [base + path for path in chunk]})
    return _public(HttpResponse(body, content_type="application/xml; charset=utf-8"))


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    sitemap_url = request.build_absolute_uri(reverse("portal:sitemap"))
    return _public(HttpResponse(open_data.robots_txt(sitemap_url), content_type="text/plain; charset=utf-8"))
