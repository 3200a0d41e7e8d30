"""Counts in Czech take the right form for 1, 2–4 and 5+ ("1 doklad", "2 doklady", "5 dokladů"), never
"1 klientů": the catalogue's plural rule is Czech and the main count strings have all three forms."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext

import qmss

CATALOGUE = Path(qmss.__file__).parent / "locale" / "cs" / "LC_MESSAGES" / "django.po"


@pytest.fixture(autouse=True)
def czech():
    with translation.override("cs"):
        yield


def test_the_catalogue_has_the_three_form_czech_rule():
    header = polib.pofile(str(CATALOGUE)).metadata["Plural-Forms"].replace(" ", "")
    assert header.startswith("nplurals=3;")
    assert "(n==1)?0:(n>=2&&n<=4)?1:2" in header


def test_every_plural_entry_of_the_catalogue_has_three_forms():
    incomplete = [
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE))
        if entry.msgid_plural and not entry.obsolete and entry.translated()
        if sorted(entry.msgstr_plural) != [0, 1, 2] or not all(entry.msgstr_plural.values())
    ]
    assert not incomplete


# (template of a real page, expected Czech for 1, 2 and 5)
PAGES = [
    (
        "{% blocktrans count n=n %}{{ n }} item of evidence{% plural %}{{ n }} items of evidence{% endblocktrans %}",
        ("1 doklad", "2 doklady", "5 dokladů"),
    ),
    (
        "{% blocktrans count n=n with shown=n %}{{ shown }} service found.{% plural %}{{ shown }} services found."
        "{% endblocktrans %}",
        ("Nalezena 1 služba.", "Nalezeny 2 služby.", "Nalezeno 5 služeb."),
    ),
    (
        "{% blocktrans count n=n %}{{ n }} member{% plural %}{{ n }} members{% endblocktrans %}",
        ("1 člen", "2 členové", "5 členů"),
    ),
    (
        "{% blocktrans count n=n %}{{ n }} plan{% plural %}{{ n }} plans{% endblocktrans %}",
        ("1 plán", "2 plány", "5 plánů"),
    ),
    (
        "{% blocktranslate count counter=n %}{{ counter }} criterion has no result yet.{% plural %}{{ counter }} "
        "criteria have no result yet.{% endblocktranslate %}",
        ("1 kritérium zatím nemá výsledek.", "2 kritéria zatím nemají výsledek.", "5 kritérií zatím nemá výsledek."),
    ),
    (
        "{% blocktrans count n=n %}{{ n }} registered service found.{% plural %}{{ n }} registered services found."
        "{% endblocktrans %}",
        (
            "Nalezena 1 registrovaná služba.",
            "Nalezeny 2 registrované služby.",
            "Nalezeno 5 registrovaných služeb.",
        ),
    ),
    (
        "{% blocktrans count minutes=n %}Try again in {{ minutes }} minute.{% plural %}Try again in {{ minutes }} "
        "minutes.{% endblocktrans %}",
        ("Zkuste to znovu za 1 minutu.", "Zkuste to znovu za 2 minuty.", "Zkuste to znovu za 5 minut."),
    ),
    (
        "{% blocktrans count n=n with shown=n %}{{ shown }} municipality found.{% plural %}{{ shown }} "
        "municipalities found.{% endblocktrans %}",
        ("Nalezena 1 obec.", "Nalezeny 2 obce.", "Nalezeno 5 obcí."),
    ),
]


@pytest.mark.parametrize("source, expected", PAGES, ids=[p[1][2] for p in PAGES])
def test_counts_on_pages_for_one_two_five(source, expected):
    template = Template("{% load i18n %}" + source)
    assert tuple(template.render(Context({"n": n})) for n in (1, 2, 5)) == expected


def test_counts_in_python_for_one_two_five():
    forms = [ngettext("%(days)s day before expiry", "%(days)s days before expiry", n) % {"days": n} for n in (1, 2, 5)]
    assert forms == ["1 den před koncem platnosti", "2 dny před koncem platnosti", "5 dní před koncem platnosti"]
    # 22 is "2–4" again, 11 and 12 are not (the rule looks at the whole number, as Czech does)
    assert ngettext("%(n)s plan", "%(n)s plans", 22) % {"n": 22} == "22 plánů"
    assert ngettext("%(n)s plan", "%(n)s plans", 3) % {"n": 3} == "3 plány"
