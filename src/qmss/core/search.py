"""Global search: one box in the header, results grouped by the app that owns them.

Core never imports the apps above it. Each app answers the ``global_search`` hook from its own
``<app>/global_search.py`` (registered in its ``AppConfig.ready``)::

    fn(request, scope, query: SearchQuery, limit: int) -> list[SearchGroup]

A group lists at most ``limit`` items of what the user may see – every app reads through its scoped selectors,
never an unscoped queryset – together with the total number of matches and, where the app has one, a link to its
own filtered list ("show more"). Anonymous visitors get public registry data only.

Matching is case and diacritics insensitive ("vlcnov" finds "Vlčnov"): ``rank`` scores candidate rows in Python
(the lists a user may see are short; the database need not know Czech), relevance first and, among equals, the
Czech alphabetical order of the name (``qmss.core.collation.sort_key``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.http import HttpRequest

from qmss.core import hooks
from qmss.core.collation import sort_key
from qmss.core.scoping import Scope

T = TypeVar("T")

HOOK = "global_search"
MIN_LENGTH = 2  # characters of the normalised query
MAX_LENGTH = 100  # characters of the raw query; a longer one is refused with a message
GROUP_LIMIT = 5  # items per group on the results page
MORE_LIMIT = 50  # items of one group when the user asked for all of it

# Relevance, best first.
EXACT, PREFIX, WORD_PREFIX, IN_NAME, ELSEWHERE = range(5)


def normalise(text: str | None) -> str:
    """Lower case without diacritics, whitespace collapsed: "  Charitní  DŮM " → "charitni dum"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


@dataclass(frozen=True)
class SearchQuery:
    """What the user typed (``text``, stripped) and its normalised form (``key``) split into ``tokens``."""

    text: str
    key: str
    tokens: tuple[str, ...]

    @classmethod
    def parse(cls, raw: str | None) -> SearchQuery:
        text = " ".join((raw or "").split())
        key = normalise(text)
        return cls(text=text, key=key, tokens=tuple(key.split()))

    @property
    def is_empty(self) -> bool:
        return not self.key

    @property
    def is_too_short(self) -> bool:
        return 0 < len(self.key) < MIN_LENGTH

    @property
    def is_too_long(self) -> bool:
        return len(self.text) > MAX_LENGTH

    @property
    def is_valid(self) -> bool:
        return not (self.is_empty or self.is_too_short or self.is_too_long)


@dataclass
class SearchItem:
    title: str
    url: str = ""
    detail: str = ""  # one line under the title: kind, place, provider …
    badge: str = ""  # a short label (state, "ended")


@dataclass
class SearchGroup:
    key: str  # stable id, also the ``skupina`` query parameter of "show all"
    title: str  # the group's heading, e.g. "Assessments"
    items: list[SearchItem] = field(default_factory=list)
    total: int = 0  # all matches the user may see (the page shows ``items``)
    more_url: str = ""  # the app's own filtered list, when it has one
    order: int = 100  # lower first
    all_url: str = ""  # set by the page: ``more_url``, or the search page with this group alone

    @property
    def has_more(self) -> bool:
        return self.total > len(self.items)


def score(query: SearchQuery, name: str, *others: str) -> int | None:
    """How well ``name`` (or, weaker, the other texts) matches the query; None when some word is missing."""
    name_key = normalise(name)
    if name_key == query.key:
        return EXACT
    if name_key.startswith(query.key):
        return PREFIX
    words = name_key.split()
    if all(any(word.startswith(token) for word in words) for token in query.tokens):
        return WORD_PREFIX
    if all(token in name_key for token in query.tokens):
        return IN_NAME
    everything = " ".join([name_key, *(normalise(other) for other in others)])
    if all(token in everything for token in query.tokens):
        return ELSEWHERE
    return None


def rank(
    query: SearchQuery,
    rows: Iterable[T],
    *,
    name: Callable[[T], str],
    others: Callable[[T], Sequence[str]] | None = None,
) -> list[T]:
    """The rows that match, best first; equal relevance in Czech alphabetical order of the name."""
    scored = []
    for row in rows:
        value = score(query, name(row) or "", *(others(row) if others else ()))
        if value is not None:
            scored.append((value, sort_key(name(row) or ""), row))
    scored.sort(key=lambda entry: (entry[0], entry[1]))
    return [row for _value, _key, row in scored]


def match_ids(query: SearchQuery, qs, name_field: str, *other_fields: str) -> list[Any]:
    """The primary keys of the rows of ``qs`` (already scoped!) that match, best first – one query.

    Only the listed text fields are read; fields that are confidential to some users must never be listed here."""
    rows = qs.order_by().values_list("pk", name_field, *other_fields).distinct()
    ranked = rank(query, rows, name=lambda row: row[1], others=lambda row: [value or "" for value in row[2:]])
    return [row[0] for row in ranked]


def in_order(objects: Iterable[T], ids: Sequence[Any]) -> list[T]:
    """``objects`` (fetched by ``pk__in=ids``) in the order of ``ids``."""
    by_pk = {obj.pk: obj for obj in objects}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def top_matches(
    query: SearchQuery, qs, fields: Sequence[str], limit: int, *, related: Sequence[str] = ()
) -> tuple[int, list]:
    """How many rows of ``qs`` (already scoped!) match, and the best ``limit`` of them, best first – two queries.
    ``fields`` as for :func:`match_ids` (the name first); ``related`` is passed to ``select_related``."""
    ids = match_ids(query, qs, *fields)
    chosen = ids[:limit]
    rows = qs.filter(pk__in=chosen)
    if related:  # an empty select_related() would follow every non-null key instead of keeping qs's own
        rows = rows.select_related(*related)
    return len(ids), in_order(rows, chosen)


def search(request: HttpRequest, scope: Scope, query: SearchQuery, *, limit: int = GROUP_LIMIT) -> list[SearchGroup]:
    """Every app's groups for a valid query, in their order; groups without a match are left out."""
    if not query.is_valid:
        return []
    groups: list[SearchGroup] = []
    for answer in hooks.call_all(HOOK, request, scope, query, limit):
        groups.extend(answer or [])
    groups.sort(key=lambda group: (group.order, group.key))
    return [group for group in groups if group.total]


__all__ = [
    "GROUP_LIMIT",
    "MAX_LENGTH",
    "MIN_LENGTH",
    "MORE_LIMIT",
    "SearchGroup",
    "SearchItem",
    "SearchQuery",
    "in_order",
    "match_ids",
    "top_matches",
    "normalise",
    "rank",
    "score",
    "search",
]
