"""The registry's answer to the ``global_search`` hook (see :mod:`qmss.core.search`): registered services and
providers – public open data, for everybody, anonymous visitors included.

Services are found by :func:`qmss.registry.search.search_services` (the public check's search: service and
facility names, municipalities, streets, provider, IČO, identifikátor; case, diacritics and small typos ignored)
– only its results, never its "closest matches". Providers are matched by name and IČO, diacritics ignored.
Logged-in users are led to the registry's pages; anonymous visitors to the public registration check (the
registry's pages need a login)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from qmss.core.scoping import Scope
from qmss.core.search import SearchGroup, SearchItem, SearchQuery, in_order, rank
from qmss.registry.models import Provider
from qmss.registry.search import load_services, search_services
from qmss.registry.selectors import STATUS_ACTIVE


def _check_url(text: str) -> str:
    return f"{reverse('registration_check')}?{urlencode({'q': text})}"


def _catalogue_url(text: str) -> str:
    return f"{reverse('registry:catalogue')}?{urlencode({'q': text})}"


def _more_url(scope: Scope, query: SearchQuery) -> str:
    return _catalogue_url(query.text) if scope.is_authenticated else _check_url(query.text)


def services(request, scope: Scope, query: SearchQuery, limit: int) -> list[SearchGroup]:
    found = search_services(query.text)
    ids = found.service_ids if found.exact else []
    items = []
    for service in load_services(ids[:limit]):
        places = ", ".join(
            str(f.municipality) for f in service.place_list if f.municipality_id and not f.secret_address
        )
        if service.more_places:
            places += " …"
        parts = [str(service.kind or service.kind_code), places, service.provider.name]
        if scope.is_authenticated:
            url = service.get_absolute_url()
        else:
            url = _check_url(service.identifier or service.provider.ico)
        items.append(
            SearchItem(
                title=service.title,
                url=url,
                detail=" · ".join(part for part in parts if part),
                badge="" if service.status_key == STATUS_ACTIVE else _("not registered today"),
            )
        )
    return [
        SearchGroup(
            key="services",
            title=_("Social services"),
            items=items,
            total=len(ids),
            more_url=_more_url(scope, query),
            order=10,
        )
    ]


def providers(request, scope: Scope, query: SearchQuery, limit: int) -> list[SearchGroup]:
    # Candidates share the query's longest word (in the stored search name, or the name itself while that is
    # not filled); the ranking in Python then asks for every word.
    token = max(query.tokens, key=len)
    candidates = Provider.objects.filter(
        Q(search_name__contains=token) | Q(search_name="", name__icontains=token) | Q(ico="".join(query.tokens))
    )
    rows = candidates.order_by().values_list("pk", "name", "ico")
    ids = [row[0] for row in rank(query, rows, name=lambda row: row[1], others=lambda row: [row[2]])]
    items = [
        SearchItem(
            title=provider.name,
            url=provider.get_absolute_url() if scope.is_authenticated else _check_url(provider.ico),
            detail=" · ".join(part for part in (_("IČO %(ico)s") % {"ico": provider.ico}, provider.legal_form) if part),
        )
        for provider in in_order(Provider.objects.filter(pk__in=ids[:limit]), ids[:limit])
    ]
    return [
        SearchGroup(
            key="providers",
            title=_("Providers"),
            items=items,
            total=len(ids),
            more_url=_more_url(scope, query),
            order=20,
        )
    ]
