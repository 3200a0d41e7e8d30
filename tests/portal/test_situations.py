"""The situations part without a database: plain-Czech phrasings → needs, bounded input, the library's checks,
editors' phrasings in the matching, needs → kinds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qmss.portal import library_situations as library
from qmss.portal import situations

# One table: what people write (inflected, without diacritics, in capitals, with typos of case) → needs expected.
PHRASINGS = [
    ("potřebuji pomoc s péčí o maminku doma", {"hygiene", "household"}),
    ("nemám kde bydlet", {"housing_find"}),
    ("syn bere drogy", {"addiction"}),
    ("manžel mě bije", {"violence", "safety"}),
    ("tatínek po mrtvici", {"mobility", "health_care"}),
    ("babička je pořád sama", {"social_contact"}),
    ("Mamka má Alzheimera a bloudí", {"orientation", "safety"}),
    ("mam dluhy a prisla mi exekuce", {"debt", "money"}),
    ("NESLYŠÍM a potřebuji TLUMOČNÍKA k lékaři", {"communication"}),
    ("dcera utekla z domova", {"family", "crisis"}),
    ("Starám se o tátu a jsem úplně vyčerpaná", {"family"}),
    ("brzy me propusti z vezeni a nemam kam jit", {"housing_find", "employment"}),
    ("syn ma autismus", {"parenting", "communication"}),
    ("nechci uz zit", {"crisis"}),
    ("Dědeček nevidí a potřebuje doprovod k lékaři", {"orientation", "personal_affairs"}),
    ("manžel pořád pije", {"addiction"}),
    ("prohrál jsem výplatu na automatech", {"addiction", "money"}),
    ("jsem těhotná a nemám peníze", {"parenting", "money"}),
    ("Babička upadla a dlouho ležela na zemi", {"safety"}),
    ("maminka umírá a chceme ji mít doma", {"health_care", "family"}),
    ("sYN má SCHIZOFRENII", {"health_care"}),
    ("nerozumím dopisu z úřadu", {"rights", "personal_affairs"}),
    ("hrozí mi vystěhování z bytu, dlužím na nájmu", {"housing_keep", "debt"}),
    ("tatinka pusti z nemocnice po operaci kycle", {"mobility", "hygiene"}),
    ("syn bere drogy a má dluhy", {"addiction", "debt"}),
]


@pytest.fixture(autouse=True)
def no_phrases(monkeypatch):
    """No database here: the editors' phrasings are given by the test (none by default)."""
    rows: list = []
    monkeypatch.setattr(situations, "_phrase_source", lambda: ((len(rows), tuple(map(tuple, rows))), lambda: rows))
    return rows


@pytest.mark.parametrize(("text", "expected"), PHRASINGS, ids=[text for text, _ in PHRASINGS])
def test_plain_language_phrasing_maps_to_needs(text, expected):
    match = situations.match_situation(text)
    codes = [need.code for need in match.needs]
    assert expected <= set(codes), (text, match.situation_codes, codes)
    assert len(codes) == len(set(codes)) <= situations.MAX_NEEDS


def test_need_carries_taxonomy_names_and_a_reason_naming_the_words():
    match = situations.match_situation("Potřebuji pomoc s PÉČÍ o maminku doma")
    assert match.situation_codes == ["care_parent_home"]
    hygiene = next(need for need in match.needs if need.code == "hygiene")
    assert (hygiene.name, hygiene.area) == ("Tělesná hygiena", "Péče o vlastní osobu")
    assert "péčí, maminku, doma" in hygiene.reason and "Péče o rodiče" in hygiene.reason
    assert match.target_group_codes == ["24"] and match.form_codes == ["ter"]


def test_input_is_bounded_and_nothing_else_matches():
    assert situations.match_situation("Dobrý den, hledám informace.").needs == []
    assert situations.match_situation("").needs == []
    long = "slovo " * 39 + "drogy " + "x" * 10_000
    match = situations.match_situation(long)
    assert len(match.text) <= situations.MAX_TEXT and len(match.text.split()) <= situations.MAX_WORDS
    assert "addiction" in {need.code for need in match.needs}  # the 40th word is read
    assert situations.match_situation("slovo " * 40 + "drogy").needs == []  # the 41st is not


def test_every_example_of_the_library_finds_its_own_situation():
    items = situations.situations()
    assert len(items) >= 30
    for item in items:
        assert item.needs and item.examples, item.code
        for example in item.examples:
            assert item.code in situations.match_situation(example).situation_codes, (item.code, example)


def _copy_with(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "situations.yaml"
    shutil.copy(library.default_path(), path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        ("needs: [addiction, health_care, family]", "needs: [addiction, flying, family]",
         "situations.drugs.needs", "neznámá potřeba „flying“"),
        ('target_groups: ["24"]\n    forms: [ter]', 'target_groups: ["99"]\n    forms: [ter]',
         "situations.care_parent_home.target_groups", "„99“"),
        ("stems: [pec, pecov,", "stems: [péč, pecov,", "situations.care_parent_home.stems", "péč"),
    ],
    ids=["unknown need", "unknown target group", "stem with diacritics"],
)  # fmt: skip
def test_library_refuses_unknown_codes_naming_file_item_and_field(tmp_path, old, new, field, problem):
    path = _copy_with(tmp_path, old, new)
    with pytest.raises(library.SituationLibraryError) as error:
        library.read_situations(path)
    message = str(error.value)
    assert "situations.yaml" in message and f"„{field}“" in message and problem in message, message


def test_an_editors_phrasing_changes_matching(no_phrases):
    text = "náš KOCOUREK potřebuje k veterináři"
    assert situations.match_situation(text).needs == []
    no_phrases.append((7, "Kocour potřebuje veterináře", ["mobility"], ["24"]))
    match = situations.match_situation(text)
    assert [need.code for need in match.needs] == ["mobility"]
    assert match.situation_codes == ["phrase:7"] and match.target_group_codes == ["24"]
    assert "Kocour" not in match.needs[0].reason  # the phrasing's own text is never shown
    assert situations.phrase_stems("Babička po operaci kyčle") == ("babic", "opera", "kycl")


def test_kinds_for_needs_from_the_model_cards():
    from qmss.needs.library_cards import read_model_cards

    cards = {card.kind: {need.need for need in card.needs} for card in read_model_cards().data.cards}
    kinds = situations.kinds_for_needs(["household", "debt", "no_such_need"])
    assert kinds == {
        kind: [code for code in ("household", "debt") if code in needs]
        for kind, needs in cards.items()
        if needs & {"household", "debt"}
    }
    assert kinds["4"] == ["household"] and kinds["1"] == ["debt"]
    assert situations.kinds_for_needs([]) == {}


def test_need_choices_follow_the_taxonomy():
    choices = situations.need_choices()
    assert choices[0][0] == "Péče o vlastní osobu" and ("hygiene", "Tělesná hygiena") in choices[0][1]
    codes = [code for _area, needs in choices for code, _name in needs]
    assert len(codes) == len(set(codes)) == len(library.taxonomy().needs)
