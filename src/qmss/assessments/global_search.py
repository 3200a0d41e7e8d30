"""The assessments' answer to the ``global_search`` hook (see :mod:`qmss.core.search`): assessments the user may
open, read through :func:`selectors.visible_assessments` – never an unscoped queryset.

Only the title, the service's name and the provider organisation's name are matched; working notes, summaries,
results and findings are confidential to some users and are never searched."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qmss.assessments import selectors
from qmss.core.scoping import Scope
from qmss.core.search import SearchGroup, SearchItem, SearchQuery, top_matches


def assessments(request, scope: Scope, query: SearchQuery, limit: int) -> list[SearchGroup]:
    if not scope.is_authenticated:
        return []
    visible = selectors.visible_assessments(scope)
    total, shown = top_matches(
        query, visible, ("title", "service__name", "organisation__name"), limit, related=("organisation", "service")
    )
    items = []
    for assessment in shown:
        parts = [str(assessment.get_kind_display()), assessment.organisation.name]
        if assessment.service_id and assessment.service.name:
            parts.append(assessment.service.name)
        items.append(
            SearchItem(
                title=assessment.title,
                url=assessment.get_absolute_url(),
                detail=" · ".join(parts),
                badge=str(assessment.get_state_display()),
            )
        )
    return [SearchGroup(key="assessments", title=_("Assessments"), items=items, total=total, order=40)]
