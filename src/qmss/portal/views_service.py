"""Public pages of the service part: a service (full and easy-read), the kinds of services and the client's rights.

No login, no session writes, public data only (registry, published kind cards, public network membership, the
portal's libraries of rights and costs). Never an organisation of a QMSS tenant, an assessment or a draft. Each
page reads a constant number of queries.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.portal import rights as rights_lib
from qmss.portal import selectors_service as sel
from qmss.registry import selectors as registry_selectors

CACHE_SECONDS = 300


def _public(response: HttpResponse) -> HttpResponse:
    """The same answer for everybody for a few minutes; private (the page carries the header's CSRF token)."""
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response


def _url(name: str, **kwargs) -> str:
    """A URL of another part, or "" while that part is not mounted."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def finder_url(need_codes) -> str:
    """The finder filtered by needs (``?potreba=…`` repeated), "" when the finder is not there."""
    base = _url("portal:finder")
    codes = [code for code in dict.fromkeys(need_codes) if code]
    if not base:
        return ""
    return f"{base}?{urlencode([('potreba', code) for code in codes])}" if codes else base


def _service_context(service) -> dict:
    today = timezone.localdate()
    status = registry_selectors.status_of(service, today)
    region = sel.service_region(service)
    forms = rights_lib.service_forms(service)
    kind_code = service.kind.code if service.kind else ""
    card = sel.card_for(service.kind, region)
    return {
        "service": service,
        "status": status,
        "today": today,
        "kind_code": kind_code,
        "card": card,
        "places": sel.places(service, today),
        "form_lines": sel.form_lines(service),
        "contacts": registry_selectors.contacts_of(service),
        "memberships": sel.network_memberships(service),
        "rights": rights_lib.rights_for_kind(kind_code, forms=forms) if kind_code else rights_lib.all_rights(),
        "costs": rights_lib.costs_for_kind(kind_code) if kind_code else None,
        "contract_steps": rights_lib.contract_steps(),
        "complaint_steps": rights_lib.complaint_step_items(service),
        "region": region,
        "finder_url": finder_url([need.need.code for need in card.needs] if card else []),
        "kind_url": _url("portal:kind", kind_code=kind_code) if kind_code else "",
        "public_page": True,
    }


def _get_service(service_portal_id: int):
    service = sel.public_service(service_portal_id)
    if service is None:
        raise Http404(_("The registry knows no such service."))
    return service


@require_safe
def service_page(request: HttpRequest, service_portal_id: int) -> HttpResponse:
    service = _get_service(service_portal_id)
    context = _service_context(service)
    context["easy_url"] = reverse("portal:service_easy", kwargs={"service_portal_id": service.portal_id})
    context["crumbs"] = [(_("Kinds of social services"), reverse("portal:kinds")), (str(service), None)]
    return _public(render(request, "portal/service/service.html", context))


@require_safe
def service_easy(request: HttpRequest, service_portal_id: int) -> HttpResponse:
    service = _get_service(service_portal_id)
    context = _service_context(service)
    context["full_url"] = reverse("portal:service", kwargs={"service_portal_id": service.portal_id})
    context["crumbs"] = [(str(service), context["full_url"]), (_("Easy read"), None)]
    return _public(render(request, "portal/service/service_easy.html", context))


@require_safe
def kinds_page(request: HttpRequest) -> HttpResponse:
    context = {
        "groups": sel.kinds_by_category(),
        "rights_url": reverse("portal:rights"),
        "finder_url": _url("portal:finder"),
        "crumbs": [(_("Kinds of social services"), None)],
        "public_page": True,
    }
    return _public(render(request, "portal/service/kinds.html", context))


@require_safe
def kind_page(request: HttpRequest, kind_code: str) -> HttpResponse:
    kind = sel.get_kind(kind_code)
    if kind is None:
        raise Http404(_("There is no such kind of social service."))
    card = sel.card_for(kind)
    context = {
        "kind": kind,
        "card": card,
        "forms": list(kind.forms.all()),
        "rights": rights_lib.rights_for_kind(kind.code),
        "costs": rights_lib.costs_for_kind(kind.code),
        "contract_steps": rights_lib.contract_steps(),
        "complaint_steps": rights_lib.complaint_step_items_for_kind(kind.code),
        "finder_url": finder_url([need.need.code for need in card.needs] if card else []),
        "crumbs": [(_("Kinds of social services"), reverse("portal:kinds")), (kind.name, None)],
        "public_page": True,
    }
    return _public(render(request, "portal/service/kind.html", context))


@require_safe
def rights_page(request: HttpRequest) -> HttpResponse:
    all_rights = rights_lib.all_rights()
    titles = rights_lib.standard_titles()
    by_standard = {}
    for right in all_rights:
        by_standard.setdefault(right.standard, []).append(right)
    standards = [(number, titles[number], by_standard.get(number, [])) for number in sorted(titles)]
    context = {
        "rights": all_rights,
        "standards": standards,
        "care_allowance": rights_lib.care_allowance_note(),
        "contract_steps": rights_lib.contract_steps(),
        "kinds_url": reverse("portal:kinds"),
        "crumbs": [(_("Your rights as a client"), None)],
        "public_page": True,
    }
    return _public(render(request, "portal/service/rights.html", context))
