"""A situation in plain Czech → needs of the needs taxonomy (the finder's first step), and needs → service kinds.

``match_situation("potřebuji pomoc s péčí o maminku doma")`` finds the situations of the library
(``libraries/portal/situations.yaml``, :mod:`qmss.portal.library_situations`) and the editors' active phrasings
(:class:`~qmss.portal.models.SituationPhrase`) that the words fit, and returns their needs, each with a Czech
reason naming the words that matched.

How a text is matched:

1. At most ``MAX_TEXT`` characters and ``MAX_WORDS`` words are read; each word is lower-cased and stripped of
   diacritics (:func:`qmss.registry.search.normalise`), so "PÉČE", "péče" and "pece" are the same word.
2. A stem matches a word that begins with it ("mamin" → maminka, maminku, maminkou – Czech inflection changes
   the end of a word); a keyword of several words matches consecutive words.
3. A library situation counts when one of its ``stems`` matched, or two of its ``context`` words; its score is
   3 per matched stem (and 1 per further word of a keyword of several words) and 1 per context word. An
   editor's phrasing is stemmed the same way (the ends of its words cut off, common words left out) and counts
   when its words are (nearly) all in the text: all of one or two words, two thirds of longer phrasings; 3 per
   word.
4. The best-scoring situations are taken – every one within ``SHARE`` of the best (a text about two problems,
   "syn bere drogy a má dluhy", gets both), at most ``MAX_SITUATIONS`` – and their needs are merged in order,
   at most ``MAX_NEEDS``.

Everything is built once per process and kept for one version of the library files and of the editors'
phrasings (one small query per call), so the finder's requests stay fast.

``kinds_for_needs`` answers which registry kinds of service meet the needs, from the model kind cards
(``libraries/needs/kind-cards.yaml``, read by :func:`qmss.needs.library_cards.read_model_cards`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from qmss.portal import library_situations as library
from qmss.registry.search import normalise

MAX_TEXT = 300  # characters read from the text
MAX_WORDS = 40  # words read from the text
MAX_SITUATIONS = 3  # situations merged into one answer
MAX_NEEDS = 8  # needs returned
SHARE = 0.6  # a situation within this share of the best score is taken too
STRONG, CONTEXT = 3, 1  # score of a matched stem word / context word
_WORD = re.compile(r"\w+")

# Common words an editor's phrasing may contain that say nothing about the situation (normalised).
_STOPWORD_TEXT = """
    ale ani bez bych byl byla bylo byt ceho chci chce chceme chteji jak jake jaky jeho jeji jejich jsem jses jsi
    jsme jsou jste kde kdo kdy kdyz ktera ktere ktery mame mate mezi moc mne moje moji muj muze nam nas nase nebo
    neni nez pak podle pomoc pomoci pomuze porad potrebuje potrebuji potrebujeme pres pri pro proc prosim proto
    sem sve svuj tak take tam ten tento tim to tom tu uz velmi vic vsechno zase
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class NeedMatch:
    code: str
    name: str
    area: str
    reason: str


@dataclass(frozen=True)
class SituationMatch:
    text: str
    needs: list[NeedMatch]
    target_group_codes: list[str]
    form_codes: list[str]
    situation_codes: list[str]


@dataclass(frozen=True)
class SituationInfo:
    """A library situation for the public "how to search" page."""

    code: str
    title: str
    description: str
    examples: list[str]
    needs: list[library.NeedInfo]
    target_groups: list[str]
    forms: list[str]
    verified: bool
    source: str


# --------------------------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class _Keyword:
    parts: tuple[str, ...]
    strong: bool


@dataclass(frozen=True)
class _Entry:
    """A library situation, or an editor's phrasing (``title`` empty, ``required`` stems must match)."""

    code: str
    title: str
    keywords: tuple[_Keyword, ...]
    needs: tuple[str, ...]
    target_groups: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    required: int = 0
    order: int = 0


@dataclass(frozen=True)
class _Index:
    entries: tuple[_Entry, ...]
    needs: dict[str, library.NeedInfo] = field(default_factory=dict)


def stem(word: str) -> str:
    """A normalised word without its (probable) inflected ending: maminku → mamin, operaci → opera."""
    if len(word) <= 4:
        return word
    return word[:-1] if len(word) == 5 else word[:-2]


def phrase_stems(text: str) -> tuple[str, ...]:
    """The stems of an editor's phrasing: its words normalised, common and short words left out, ends cut off."""
    seen: list[str] = []
    for _original, word in words(text):
        if len(word) < 3 or word in STOPWORDS:
            continue
        value = stem(word)
        if value not in seen:
            seen.append(value)
    return tuple(seen)


def required_stems(count: int) -> int:
    return count if count <= 2 else math.ceil(count * 2 / 3)


def _library_entries() -> tuple[_Entry, ...]:
    data = _library().data
    entries = []
    for order, situation in enumerate(data.situations):
        keywords = tuple(_Keyword(tuple(k.split()), True) for k in situation.stems) + tuple(
            _Keyword(tuple(k.split()), False) for k in situation.context
        )
        entries.append(
            _Entry(
                situation.code,
                situation.title,
                keywords,
                tuple(situation.needs),
                tuple(situation.target_groups),
                tuple(situation.forms),
                order=order,
            )  # fmt: skip
        )
    return tuple(entries)


def _phrase_entries(rows: Iterable[tuple[int, str, list, list]]) -> tuple[_Entry, ...]:
    entries = []
    for order, (pk, text, need_codes, group_codes) in enumerate(rows, start=10_000):
        stems = phrase_stems(text)
        if not stems:
            continue
        keywords = tuple(_Keyword((value,), True) for value in stems)
        entries.append(
            _Entry(
                f"phrase:{pk}",
                "",
                keywords,
                tuple(need_codes or ()),
                tuple(group_codes or ()),
                required=required_stems(len(stems)),
                order=order,
            )  # fmt: skip
        )
    return tuple(entries)


def _library():
    path = library.default_path()
    key = (library.file_key(path), library.file_key(library.taxonomy_path()))
    return library.cached("situations", key, lambda: library.read_situations(path, taxonomy=library.taxonomy()))


def _phrase_source() -> tuple[tuple, list[tuple[int, str, list, list]] | None]:
    """(version of the editors' phrasings, a loader of the active ones). The version is one small query."""
    from django.db.models import Count, Max

    from qmss.portal.models import SituationPhrase

    version = SituationPhrase.objects.aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    version_key = (version["n"], version["last"], version["top"])

    def load():
        return list(
            SituationPhrase.objects.filter(active=True)
            .order_by("pk")
            .values_list("pk", "text", "need_codes", "target_group_codes")
        )

    return version_key, load


def data_version() -> tuple:
    """What matching depends on: the library files and the editors' phrasings (one small query) – the finder's
    cached pages are keyed on it."""
    version, _load = _phrase_source()
    lib_key = (library.file_key(library.default_path()), library.file_key(library.taxonomy_path()))
    return (lib_key, version)


def _index() -> _Index:
    version, load = _phrase_source()
    lib_key = (library.file_key(library.default_path()), library.file_key(library.taxonomy_path()))

    def build() -> _Index:
        taxonomy = library.taxonomy()
        phrases = [row for row in load() if all(code in taxonomy.needs for code in row[2] or ())]
        return _Index(_library_entries() + _phrase_entries(phrases), taxonomy.needs)

    return library.cached("index", (lib_key, version), build)


# ------------------------------------------------------------------------------------------------ matching


def bounded(text: str) -> str:
    """The part of ``text`` that is read: at most ``MAX_TEXT`` characters and ``MAX_WORDS`` words."""
    text = (text or "")[:MAX_TEXT]
    found = list(_WORD.finditer(text))
    if len(found) > MAX_WORDS:
        text = text[: found[MAX_WORDS - 1].end()]
    return text.strip()


def words(text: str) -> list[tuple[str, str]]:
    """(word as written in lower case, normalised word) of the bounded text."""
    result = []
    for match in _WORD.finditer(bounded(text).lower()):
        normal = normalise(match.group()).replace(" ", "")
        if normal:
            result.append((match.group(), normal))
    return result[:MAX_WORDS]


def _prefixes(tokens: list[str]) -> dict[str, list[int]]:
    """Every beginning of every word -> positions of the words that begin so."""
    found: dict[str, list[int]] = {}
    for position, token in enumerate(tokens):
        for end in range(1, len(token) + 1):
            found.setdefault(token[:end], []).append(position)
    return found


def _keyword_positions(keyword: _Keyword, prefixes: dict[str, list[int]]) -> tuple[int, ...] | None:
    """Positions of the words a keyword matched (the first occurrence), None when it did not."""
    for start in prefixes.get(keyword.parts[0], ()):
        positions = [start]
        for offset, part in enumerate(keyword.parts[1:], start=1):
            if start + offset not in prefixes.get(part, ()):
                break
            positions.append(start + offset)
        else:
            return tuple(positions)
    return None


@dataclass
class _Scored:
    entry: _Entry
    score: int
    positions: set[int]


def _score(entry: _Entry, prefixes: dict[str, list[int]]) -> _Scored | None:
    strong = context = score = 0
    positions: set[int] = set()
    for keyword in entry.keywords:
        found = _keyword_positions(keyword, prefixes)
        if found is None:
            continue
        fresh = [p for p in found if p not in positions]
        if not fresh:
            continue  # the words already counted for another keyword of the situation
        positions.update(found)
        if keyword.strong:
            strong += 1
            score += STRONG + CONTEXT * (len(fresh) - 1)  # the further words of a keyword count as context
        else:
            context += 1
            score += CONTEXT * len(fresh)
    if entry.required:
        if strong < entry.required:
            return None
    elif not strong and context < 2:
        return None
    return _Scored(entry, score, positions)


def _reason(entry: _Entry, matched_words: str) -> str:
    if entry.title:
        return _("You wrote “{words}”: this fits the situation “{situation}”.").format(
            words=matched_words, situation=entry.title
        )
    return _("You wrote “{words}”: the editors link these words with this need.").format(words=matched_words)


def match_situation(text: str) -> SituationMatch:
    """The needs of the situations that the words of ``text`` fit best (see the module's docstring)."""
    read = bounded(text)
    tokens = words(read)
    if not tokens:
        return SituationMatch(read, [], [], [], [])
    index = _index()
    prefixes = _prefixes([normal for _original, normal in tokens])
    scored = [hit for entry in index.entries if (hit := _score(entry, prefixes)) is not None]
    if not scored:
        return SituationMatch(read, [], [], [], [])
    scored.sort(key=lambda hit: (-hit.score, hit.entry.order))
    best = scored[0].score
    chosen = [hit for hit in scored if hit.score >= best * SHARE][:MAX_SITUATIONS]
    needs: list[NeedMatch] = []
    groups: list[str] = []
    forms: list[str] = []
    for hit in chosen:
        matched = ", ".join(tokens[p][0] for p in sorted(hit.positions))
        reason = _reason(hit.entry, matched)
        for code in hit.entry.needs:
            info = index.needs.get(code)
            if info is None or any(need.code == code for need in needs) or len(needs) >= MAX_NEEDS:
                continue
            needs.append(NeedMatch(code, info.name, info.area, reason))
        groups += [code for code in hit.entry.target_groups if code not in groups]
        forms += [code for code in hit.entry.forms if code not in forms]
    return SituationMatch(read, needs, groups, forms, [hit.entry.code for hit in chosen])


# -------------------------------------------------------------------------------------- needs and kinds


def _kind_needs() -> list[tuple[str, tuple[str, ...]]]:
    """(registry kind code, the needs of its model card) in the order of the model-card library."""
    from qmss.needs.library_cards import default_path, read_model_cards

    path = default_path()

    def build():
        cards = read_model_cards(path).data.cards
        return [(card.kind, tuple(need.need for need in card.needs)) for card in cards]

    return library.cached("kind_cards", library.file_key(path), build)


def kinds_for_needs(need_codes: Iterable[str]) -> dict[str, list[str]]:
    """Registry kind code -> the asked needs its model card answers (in the order asked); kinds answering more of
    the needs first, then in the order of the model cards. Kinds answering none are left out."""
    wanted = list(dict.fromkeys(code for code in need_codes if isinstance(code, str)))
    if not wanted:
        return {}
    found = []
    for order, (kind, card_needs) in enumerate(_kind_needs()):
        answered = [code for code in wanted if code in card_needs]
        if answered:
            found.append((-len(answered), order, kind, answered))
    return {kind: answered for _count, _order, kind, answered in sorted(found)}


def need_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """(area name, [(need code, need name)]) in the order of the needs taxonomy, for the finder's select."""
    return [(area, list(needs)) for area, needs in library.taxonomy().areas]


def situations() -> list[SituationInfo]:
    """The library's situations with their needs, in the library's order (the public "how to search" page)."""
    needs = library.taxonomy().needs
    return [
        SituationInfo(
            code=item.code,
            title=item.title,
            description=item.description,
            examples=list(item.examples),
            needs=[needs[code] for code in item.needs if code in needs],
            target_groups=list(item.target_groups),
            forms=list(item.forms),
            verified=item.verified,
            source=item.source,
        )
        for item in _library().data.situations
    ]
