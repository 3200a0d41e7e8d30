"""Core's answer to the ``global_search`` hook: organisations the user may see (see :mod:`qmss.core.search`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qmss.core import selectors
from qmss.core.scoping import Scope
from qmss.core.search import SearchGroup, SearchItem, SearchQuery, top_matches


def organisations(request, scope: Scope, query: SearchQuery, limit: int) -> list[SearchGroup]:
    if not scope.is_authenticated:
        return []
    visible = selectors.visible_organisations(scope)
    total, shown = top_matches(query, visible, ("name", "ico"), limit)
    items = [
        SearchItem(
            title=org.name,
            url=org.get_absolute_url(),
            detail=" · ".join(
                part for part in (str(org.get_kind_display()), org.region.name if org.region else "") if part
            ),
        )
        for org in shown
    ]
    return [SearchGroup(key="organisations", title=_("Organisations"), items=items, total=total, order=30)]
