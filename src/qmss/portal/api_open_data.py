"""HSDS 3.0 API of the public catalogue: ``GET /api/v1/portal/hsds/services`` (paginated as HSDS's API
reference pages lists: total_items, total_pages, page_number, size, first_page, last_page, empty, contents) and
``GET /api/v1/portal/hsds/services/{service_portal_id}``. Public registry data only (see qmss.portal.hsds)."""

from __future__ import annotations

from django.http import Http404
from ninja import Query, Router, Schema
from pydantic import Field

from qmss.portal import hsds
from qmss.registry.models import Service

router = Router(tags=["portal"])

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PageIn(Schema):
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1")
    per_page: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Services on a page (at most 200)")


@router.get("/hsds/services", response=dict, summary="Registered social services in the HSDS 3.0 shape")
def hsds_services(request, params: Query[PageIn]):
    """The services registered today, in portal-id order, each an HSDS 3.0 ``service`` with its organization,
    locations and taxonomy attributes."""
    queryset = Service.objects.active().order_by("portal_id")
    total = queryset.count()
    size = params.per_page
    pages = max(1, -(-total // size))
    start = (params.page - 1) * size
    ids = list(queryset.values_list("pk", flat=True)[start : start + size])
    services = hsds.with_related(Service.objects.filter(pk__in=ids)).order_by("portal_id")
    context = hsds.Context()
    contents = [hsds.service_record(service, context=context) for service in services]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": params.page,
        "size": len(contents),
        "first_page": params.page == 1,
        "last_page": params.page >= pages,
        "empty": not contents,
        "contents": contents,
    }


@router.get("/hsds/services/{service_portal_id}", response=dict, summary="One service in the HSDS 3.0 shape")
def hsds_service(request, service_portal_id: int):
    service = hsds.with_related(Service.objects.filter(portal_id=service_portal_id)).first()
    if service is None:
        raise Http404
    return hsds.service_record(service)
