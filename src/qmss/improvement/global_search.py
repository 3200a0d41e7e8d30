"""The development plans' answer to the ``global_search`` hook (see :mod:`qmss.core.search`): plans the user may
open, read through :func:`selectors.visible_plans` – never an unscoped queryset. Titles, the service's name and
the organisation's name are matched."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qmss.core.formatting import format_date
from qmss.core.scoping import Scope
from qmss.core.search import SearchGroup, SearchItem, SearchQuery, top_matches
from qmss.improvement import selectors


def plans(request, scope: Scope, query: SearchQuery, limit: int) -> list[SearchGroup]:
    if not scope.is_authenticated:
        return []
    visible = selectors.visible_plans(scope)
    total, shown = top_matches(
        query, visible, ("title", "service__name", "organisation__name"), limit, related=("organisation", "service")
    )
    items = []
    for plan in shown:
        parts = [plan.organisation.name]
        if plan.service_id and plan.service.name:
            parts.append(plan.service.name)
        period = f"{format_date(plan.period_start)} – {format_date(plan.period_end)}"
        items.append(
            SearchItem(
                title=plan.title,
                url=plan.get_absolute_url(),
                detail=" · ".join([*parts, period]),
                badge=str(plan.get_state_display()),
            )
        )
    return [SearchGroup(key="plans", title=_("Development plans"), items=items, total=total, order=50)]
