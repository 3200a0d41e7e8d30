"""Search of registered services by what people know of them: the service or facility name, the municipality,
the street, the provider's name or IČO – case, diacritics and small typos do not matter.

One code path for every database: an in-memory index of the whole registry (a few thousand services), built
from two queries and kept per process for one **registry data version** (``registry.cache.current_version``,
bumped by every import and edit), so a search costs no query at all until the data change.

``search_services(query)`` ranks the services:

1. Every word of the query, lower-cased and without diacritics, is looked for inside the words of a service's
   search text (service and facility names, municipalities, streets, postal codes, kind, provider, IČO,
   identifier); services with all words are the results ("exact"), best first.
2. When no service has them all, each word also accepts the registry's words at most one edit away (two for
   long words; a dropped, added, changed or swapped letter) – "Vlčnv" finds "Vlčnov". Failing that, the names
   most similar to the whole query (``rapidfuzz``). These are "closest matches", not results.

``load_services(ids)`` fetches a page of the ranked ids with kind, provider and places in two queries.
Other code (the global search) reuses both.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from qmss.core.collation import sort_key
from qmss.registry import cache
from qmss.registry.models import Facility, Service
from qmss.territory.models import search_key

MIN_QUERY_LENGTH = 2  # characters of the normalised query
MAX_QUERY_LENGTH = 100  # characters as typed
MAX_QUERY_WORDS = 12  # further words are ignored (a bound on the work of one search)
CLOSEST_LIMIT = 20  # closest matches by overall similarity
SIMILARITY_CUTOFF = 70  # rapidfuzz WRatio (0–100) a closest match needs
PLACES_SHOWN = 3  # places listed per service; the rest is counted

_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Lower case, no diacritics, single spaces: "Charitní dům  Vlčnov" → "charitni dum vlcnov"."""
    return search_key(text or "")


def query_words(text: str) -> list[str]:
    """The words of a query (normalised, at most ``MAX_QUERY_WORDS``)."""
    return _WORD.findall(normalise(text))[:MAX_QUERY_WORDS]


def too_short(query: str) -> bool:
    """Fewer than ``MIN_QUERY_LENGTH`` letters or digits: too little to search for."""
    return len("".join(query_words((query or "")[:MAX_QUERY_LENGTH]))) < MIN_QUERY_LENGTH


def _edit_budget(word: str) -> int:
    """How many edits a word may be away from a registry word: none for short words."""
    if len(word) < 4 or word.isdigit() and len(word) < 7:
        return 0
    return 2 if len(word) >= 9 else 1


@dataclass(slots=True)
class _Entry:
    service_id: int
    names: list[str] = field(default_factory=list)  # normalised service and facility names
    provider: str = ""
    places: list[str] = field(default_factory=list)  # normalised municipalities
    words: set[str] = field(default_factory=set)
    ico: str = ""
    date_from: date | None = None
    date_to: date | None = None
    order: bytes = b""  # Czech sort key of the displayed name

    def active_on(self, day: date) -> bool:
        return (self.date_from is None or self.date_from <= day) and (self.date_to is None or self.date_to >= day)


class SearchIndex:
    """Every service's search words, a word → services map and the names for similarity ranking."""

    def __init__(self, entries: list[_Entry]) -> None:
        self.entries = entries
        postings: dict[str, list[int]] = {}
        for position, entry in enumerate(entries):
            for word in entry.words:
                postings.setdefault(word, []).append(position)
        self.postings = postings
        self.vocabulary = list(postings)
        choices: dict[str, list[int]] = {}
        for position, entry in enumerate(entries):
            for name in {*entry.names, entry.provider}:
                if name:
                    choices.setdefault(name, []).append(position)
        self.choice_texts = list(choices)
        self.choice_entries = list(choices.values())

    def __len__(self) -> int:
        return len(self.entries)

    def containing(self, word: str) -> set[int]:
        """Entries with a word that contains ``word``."""
        found: set[int] = set()
        for candidate in self.vocabulary:
            if word in candidate:
                found.update(self.postings[candidate])
        return found

    def near(self, word: str) -> set[int]:
        """Entries with a word at most a few edits from ``word`` (or containing it)."""
        found = self.containing(word)
        budget = _edit_budget(word)
        if budget:
            for _candidate, _distance, position in process.extract_iter(
                word, self.vocabulary, scorer=OSA.distance, score_cutoff=budget
            ):
                found.update(self.postings[self.vocabulary[position]])
        return found


def build_index() -> SearchIndex:
    """The index of every service in the registry (two queries)."""
    entries: dict[int, _Entry] = {}
    services = Service.objects.order_by().values_list(
        "pk", "name", "identifier", "provider__name", "provider__ico", "kind__name", "kind_code", "date_from", "date_to"
    )
    for pk, name, identifier, provider, ico, kind, kind_code, date_from, date_to in services:
        entry = _Entry(service_id=pk, provider=normalise(provider), ico=ico, date_from=date_from, date_to=date_to)
        if name:
            entry.names.append(normalise(name))
        entry.words.update(_WORD.findall(" ".join((entry.provider, ico, identifier, normalise(kind or kind_code)))))
        entry.words.update(_WORD.findall(" ".join(entry.names)))
        entries[pk] = entry
        entry.order = sort_key(name)  # replaced by the first facility name for services without a name
    facilities = Facility.objects.order_by("service_id", "position").values_list(
        "service_id",
        "name",
        "street",
        "house_number",
        "orientation_number",
        "postal_code",
        "municipality__name",
        "secret_address",
    )
    for service_id, name, street, house, orientation, postal_code, municipality, secret in facilities:
        entry = entries.get(service_id)
        if entry is None:
            continue
        if secret:  # an address not published (a shelter) must not be found, nor confirmed, by a search
            street, house, orientation, postal_code, municipality = "", "", "", "", ""
        key = normalise(name)
        if key and key not in entry.names:
            if not entry.names:
                entry.order = sort_key(name)
            entry.names.append(key)
        place = normalise(municipality)
        if place and place not in entry.places:
            entry.places.append(place)
        entry.words.update(_WORD.findall(" ".join((key, place, normalise(street), house, orientation, postal_code))))
    return SearchIndex(list(entries.values()))


_lock = threading.Lock()
_cached: tuple[str, SearchIndex] | None = None


def get_index() -> SearchIndex:
    """The index for the current registry data version, built once per version and process."""
    global _cached
    version = cache.current_version()
    with _lock:
        if _cached is not None and _cached[0] == version:
            return _cached[1]
    index = build_index()
    with _lock:
        _cached = (version, index)
    return index


@dataclass(frozen=True)
class SearchResult:
    """Ranked service ids. ``exact``: every word of the query was found as typed; otherwise the ids are the
    closest matches ("did you mean …?"), possibly none."""

    query: str
    service_ids: list[int]
    exact: bool
    active_total: int = 0  # how many of them are registered on the day

    @property
    def total(self) -> int:
        return len(self.service_ids)


def _score(entry: _Entry, phrase: str, words: list[str]) -> float:
    """How well an entry that has every word matches: whole name first, then provider, place, anything."""
    names = entry.names
    if phrase in names:
        base = 6.0
    elif any(name.startswith(phrase) for name in names):
        base = 5.0
    elif any(phrase in name for name in names):
        base = 4.0
    elif phrase == entry.provider or phrase in entry.places or phrase == entry.ico:
        base = 3.5
    elif entry.provider.startswith(phrase) or any(all(word in name for word in words) for name in names):
        base = 3.0
    elif phrase in entry.provider:
        base = 2.5
    else:
        base = 1.0
    similarity = max((fuzz.ratio(phrase, name) for name in names), default=0.0) / 100
    return base + similarity


def _ranked(index: SearchIndex, positions: set[int], phrase: str, words: list[str], day: date) -> list[int]:
    entries = index.entries
    scored = [(_score(entries[p], phrase, words), entries[p]) for p in positions]
    scored.sort(key=lambda item: (-item[0], not item[1].active_on(day), item[1].order, item[1].service_id))
    return [entry.service_id for _score_value, entry in scored]


def _intersection(sets: list[set[int]]) -> set[int]:
    sets = sorted(sets, key=len)
    result = set(sets[0])
    for other in sets[1:]:
        result &= other
        if not result:
            break
    return result


def search_services(query: str, *, on: date | None = None, index: SearchIndex | None = None) -> SearchResult:
    """Registered services (ended ones too) for ``query``, best first; see the module docstring."""
    if too_short(query):
        return SearchResult(query=normalise(query), service_ids=[], exact=True)
    index = index if index is not None else get_index()
    day = on or timezone.localdate()
    result = _search(query, index, day)
    if result.service_ids:
        ids = set(result.service_ids)
        active = sum(1 for entry in index.entries if entry.service_id in ids and entry.active_on(day))
        result = SearchResult(
            query=result.query, service_ids=result.service_ids, exact=result.exact, active_total=active
        )
    return result


def _search(query: str, index: SearchIndex, day: date) -> SearchResult:
    words = query_words((query or "")[:MAX_QUERY_LENGTH])
    phrase = " ".join(words)
    compact = "".join(words)
    if compact.isdigit() and len(compact) in (7, 8):  # an identifier or an IČO typed with spaces
        words, phrase = [compact], compact
    if len(phrase) < MIN_QUERY_LENGTH:
        return SearchResult(query=phrase, service_ids=[], exact=True)
    if not len(index):
        return SearchResult(query=phrase, service_ids=[], exact=True)
    found = _intersection([index.containing(word) for word in words])
    if found:
        return SearchResult(query=phrase, service_ids=_ranked(index, found, phrase, words, day), exact=True)
    near = _intersection([index.near(word) for word in words])
    if near:
        entries = index.entries
        scored = []
        for position in near:
            entry = entries[position]
            similarity = max((fuzz.WRatio(phrase, name) for name in entry.names), default=0.0)
            others = [entry.provider, *entry.places]  # a provider or place is a weaker match than a name
            similarity = max(similarity, 0.9 * max((fuzz.WRatio(phrase, text) for text in others if text), default=0))
            scored.append((similarity, entry))
        scored.sort(key=lambda item: (-item[0], not item[1].active_on(day), item[1].order, item[1].service_id))
        return SearchResult(query=phrase, service_ids=[entry.service_id for _s, entry in scored], exact=False)
    closest: list[int] = []
    seen: set[int] = set()
    for _text, _similarity, choice in process.extract(
        phrase, index.choice_texts, scorer=fuzz.WRatio, score_cutoff=SIMILARITY_CUTOFF, limit=CLOSEST_LIMIT * 3
    ):
        for position in index.choice_entries[choice]:
            if position not in seen:
                seen.add(position)
                closest.append(index.entries[position].service_id)
    return SearchResult(query=phrase, service_ids=closest[:CLOSEST_LIMIT], exact=False)


def load_services(service_ids: Sequence[int], *, on: date | None = None) -> list[Service]:
    """The services with these ids in this order (two queries), each with ``status_key`` ("active", "ended",
    "future"), ``title`` (its name, else its first facility's), ``place_list`` (first few facilities with
    their municipality) and ``more_places`` (how many more)."""
    from qmss.registry.selectors import status_of

    ids = list(service_ids)
    if not ids:
        return []
    facilities = Facility.objects.select_related("municipality").order_by("position", "pk")
    services = (
        Service.objects.filter(pk__in=ids)
        .defer("snapshot", "unmapped_codes", "emails", "phones", "websites")
        .select_related("provider", "kind")
        .prefetch_related(Prefetch("facilities", queryset=facilities))
    )
    by_pk = {service.pk: service for service in services}
    ordered = [by_pk[pk] for pk in ids if pk in by_pk]
    for service in ordered:
        places = list(service.facilities.all())
        service.status_key = status_of(service, on)
        service.title = service.name or next((f.name for f in places if f.name), "") or str(service)
        service.place_list = places[:PLACES_SHOWN]
        service.more_places = max(len(places) - PLACES_SHOWN, 0)
    return ordered
