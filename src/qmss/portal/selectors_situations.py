"""Reads of the situations part: the editors' phrasings a user may see and the organisations they write for.

An editor sees and changes the phrasings of his own editorial organisations (regional authority, ministry) only;
a superuser sees all. The public never sees a phrasing's text (it only steers the finder's matching)."""

from __future__ import annotations

from django.db.models import QuerySet

from qmss.core.collation import sort_key
from qmss.core.models import Organisation
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.portal import permissions
from qmss.portal.models import SituationPhrase


def visible_phrases(scope: Scope) -> QuerySet[SituationPhrase]:
    qs = SituationPhrase.objects.select_related("organisation", "created_by")
    if scope.is_superuser:
        return qs
    return qs.filter(organisation_id__in=permissions.editorial_organisation_ids(scope))


def phrase_list(scope: Scope) -> QuerySet[SituationPhrase]:
    """Active phrasings first, then by text."""
    return visible_phrases(scope).order_by("-active", "text", "pk")


def get_phrase(scope: Scope, phrase_pk: int) -> SituationPhrase:
    return get_object_or_404_scoped(visible_phrases(scope), pk=phrase_pk)


def editorial_organisations(scope: Scope) -> list[Organisation]:
    """The organisations a user writes phrasings for (a superuser: every regional authority and ministry),
    by Czech collation."""
    qs = Organisation.objects.filter(kind__in=permissions.EDITORIAL_KINDS)
    if not scope.is_superuser:
        qs = qs.filter(pk__in=permissions.editorial_organisation_ids(scope))
    return sorted(qs.only("pk", "name", "kind"), key=lambda organisation: sort_key(organisation.name))
