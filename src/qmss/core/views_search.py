"""The global search page (``/hledat/?q=``): every app's groups of what the user may see (see core/search.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.core.scoping import get_scope
from qmss.core.search import GROUP_LIMIT, MAX_LENGTH, MIN_LENGTH, MORE_LIMIT, SearchQuery, search

GROUP_PARAMETER = "skupina"  # "show all" of one group


def _all_url(query: SearchQuery, group_key: str) -> str:
    return f"{reverse('search')}?{urlencode({'q': query.text, GROUP_PARAMETER: group_key})}"


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    query = SearchQuery.parse(request.GET.get("q"))
    only = request.GET.get(GROUP_PARAMETER, "")
    scope = get_scope(request)
    groups = search(request, scope, query, limit=MORE_LIMIT if only else GROUP_LIMIT)
    if only:
        groups = [group for group in groups if group.key == only]
    for group in groups:
        # "Show all": this page with the group alone (up to MORE_LIMIT items); from there the app's own filtered
        # list, where it has one (``more_url``).
        group.all_url = _all_url(query, group.key)
    context = {
        "query": query,
        "groups": groups,
        "only": only if groups else "",
        "total": sum(group.total for group in groups),
        "searched": query.is_valid,
        "min_length": MIN_LENGTH,
        "max_length": MAX_LENGTH,
        "group_limit": GROUP_LIMIT,
        "crumbs": [(_("Search"), None)],
    }
    if only and groups:
        context["crumbs"] = [
            (_("Search"), f"{reverse('search')}?{urlencode({'q': query.text})}"),
            (groups[0].title, None),
        ]
    return render(request, "core/search.html", context)
