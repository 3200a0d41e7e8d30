"""Czech alphabetical order: Č after C, CH after H, Ř after R, Š after S, Ú with U, Ž after Z."""

from types import SimpleNamespace

from qmss.core.collation import czech_sorted


def test_czech_letters_sort_in_czech_order():
    names = [
        "Žatec",
        "Zlín",
        "Chrudim",
        "Hodonín",
        "Cheb",
        "Ivančice",
        "Česká Lípa",
        "Cvikov",
        "Řevnice",
        "Rakovník",
        "Šumperk",
        "Svitavy",
        "Ústí nad Labem",
        "Uherský Brod",
        "Dačice",
    ]
    assert czech_sorted(names) == [
        "Cvikov",
        "Česká Lípa",
        "Dačice",
        "Hodonín",
        "Cheb",
        "Chrudim",
        "Ivančice",
        "Rakovník",
        "Řevnice",
        "Svitavy",
        "Šumperk",
        "Uherský Brod",
        "Ústí nad Labem",
        "Zlín",
        "Žatec",
    ]


def test_regions_in_czech_order():
    regions = [
        "Jihomoravský kraj",
        "Jihočeský kraj",
        "Hlavní město Praha",
        "Kraj Vysočina",
        "Karlovarský kraj",
        "Ústecký kraj",
        "Zlínský kraj",
        "Královéhradecký kraj",
        "Liberecký kraj",
    ]
    ordered = czech_sorted(regions)
    assert ordered.index("Jihočeský kraj") < ordered.index("Jihomoravský kraj")
    assert ordered.index("Hlavní město Praha") < ordered.index("Jihočeský kraj")
    assert ordered[-2:] == ["Ústecký kraj", "Zlínský kraj"]


def test_key_by_dotted_attribute_and_dict():
    items = [
        SimpleNamespace(org=SimpleNamespace(name="Šternberk")),
        SimpleNamespace(org=SimpleNamespace(name="Sokolov")),
    ]
    assert [i.org.name for i in czech_sorted(items, "org.name")] == ["Sokolov", "Šternberk"]
    rows = [{"name": "Čáslav"}, {"name": "Cheb"}, {"name": "Beroun"}]
    assert [r["name"] for r in czech_sorted(rows, "name")] == ["Beroun", "Čáslav", "Cheb"]
