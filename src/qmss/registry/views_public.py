"""The public check "Is the service registered?" – for anyone, without logging in.

Finds services by service or facility name, municipality, street, provider or IČO (``registry.search``); shows
each with its kind, places and provider, real totals with pagination, and – when nothing matches exactly – the
closest matches before the advice on unregistered services. Only public registry data are shown.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from qmss.core import hooks
from qmss.core.pagination import filter_query_string, paginate
from qmss.registry import search, selectors

MPSV_REGISTRY_URL = "https://iregistr.mpsv.cz/"
PAGE_SIZE = 20


class CheckForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name of the service or facility, municipality, street, provider or company ID (IČO)"),
        required=True,
        strip=True,
    )

    def clean_q(self) -> str:
        query = self.cleaned_data["q"]
        if len(query) > search.MAX_QUERY_LENGTH:
            raise forms.ValidationError(
                ngettext("Enter at most %(n)s character.", "Enter at most %(n)s characters.", search.MAX_QUERY_LENGTH)
                % {"n": search.MAX_QUERY_LENGTH}
            )
        if search.too_short(query):
            raise forms.ValidationError(
                ngettext("Enter at least %(n)s character.", "Enter at least %(n)s characters.", search.MIN_QUERY_LENGTH)
                % {"n": search.MIN_QUERY_LENGTH}
            )
        return query


def _check_form(request: HttpRequest) -> CheckForm:
    form = CheckForm(request.GET if "q" in request.GET else None)
    form.fields["q"].error_messages["required"] = _(
        "Enter the name of a service or facility, a municipality, a street, a provider or a company ID (IČO)."
    )
    return form


@require_safe
def registration_check(request: HttpRequest) -> HttpResponse:
    form = _check_form(request)
    result = page_obj = None
    services: list = []
    if form.is_bound and form.is_valid():
        result = search.search_services(form.cleaned_data["q"])
        page_obj = paginate(request, result.service_ids, per_page=PAGE_SIZE)
        services = search.load_services(page_obj.object_list)
    found = result is not None and result.exact and result.total > 0
    context = {
        "form": form,
        "query": form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else "",
        "result": result,
        "page_obj": page_obj,
        "services": services,
        "found": found,
        "suggested": result is not None and not found and bool(services),
        "none_active": found and result.active_total == 0,
        "show_explanation": result is not None and (not found or result.active_total == 0),
        "query_string": filter_query_string(request),
        "min_length": search.MIN_QUERY_LENGTH,
        "max_length": search.MAX_QUERY_LENGTH,
        "mpsv_registry_url": MPSV_REGISTRY_URL,
        "latest_import": selectors.latest_successful_import() if result is not None else None,
        "crumbs": [(_("Is the service registered?"), None)],
    }
    # Higher apps add sections (e.g. the portal's warning signs and report link); see core hook docs.
    if result is not None:
        context["extra_sections"] = hooks.call_all("registration_check_sections", request, context["query"], found)
    template = "registry/registration_check.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        template = "registry/_registration_check_results.html"
        context["oob_field"] = True  # the field (with its error) is outside the swapped results
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
