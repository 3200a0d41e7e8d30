"""A synthetic national registry file in the raw ``rpss.json`` shape, for benchmarks and development.

``write_synthetic_registry(out, services=6733, seed=0)`` streams ``{"polozky": [...]}`` to ``out`` one record at a
time. Kinds, forms, capacity types and counts follow the real sample (``rpss-katalog-seniori/rpss_odvozeno.json``
in the data directory, else a small built-in table); places are real municipality codes from the territory tables
when they are loaded (weighted by population), else the places of the sample. On average at least
:data:`FACILITIES_PER_SERVICE` facilities per service, like the national file (6,733 services, 18,907 facilities).
Deterministic for a seed. Provider names, IČOs and contacts are invented; no personal data (statutory bodies are
empty lists, facilities have no heads).
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings

DEFAULT_SERVICES = 6733
FACILITIES_PER_SERVICE = 2.81
SAMPLE_FILE = "rpss-katalog-seniori/rpss_odvozeno.json"

# Built-in table used when the sample is not available: kind, weight, [(form, capacity type, typical count)].
BUILTIN_KINDS: tuple[tuple[str, int, tuple[tuple[str, str, int], ...]], ...] = (
    ("4", 573, (("ter", "klient", 150),)),
    ("13", 463, (("pob", "luzka", 70),)),
    ("8", 232, (("pob", "luzka", 8), ("ter", "klient", 25))),
    ("1", 174, (("amb", "interv", 2500), ("ter", "interv", 600))),
    ("3", 156, (("ter", "klient", 40),)),
    ("14", 105, (("pob", "luzka", 45),)),
    ("10", 101, (("amb", "klient", 20),)),
    ("29", 62, (("amb", "klient", 30), ("ter", "klient", 20))),
    ("9", 22, (("amb", "klient", 25),)),
    ("5", 15, (("ter", "klient", 400),)),
    ("33", 14, (("amb", "klient", 15), ("ter", "klient", 15))),
    ("18", 9, (("ter", "hovor", 3000),)),
)
# Used when neither the territory nor the sample is available: municipality code, RÚIAN region, postal code, name.
BUILTIN_PLACES: tuple[tuple[str, str, str, str, int], ...] = (
    ("554782", "19", "11000", "Praha", 1_384_732),
    ("582786", "116", "60200", "Brno", 398_510),
    ("554821", "132", "70200", "Ostrava", 279_791),
    ("554791", "43", "30100", "Plzeň", 185_599),
    ("563889", "78", "46001", "Liberec", 104_261),
    ("500496", "124", "77900", "Olomouc", 101_268),
    ("544256", "35", "37001", "České Budějovice", 97_185),
    ("569810", "86", "50002", "Hradec Králové", 93_906),
    ("555134", "94", "53002", "Pardubice", 91_727),
    ("585068", "141", "76001", "Zlín", 75_171),
    ("554961", "51", "36001", "Karlovy Vary", 49_046),
    ("587435", "108", "58601", "Jihlava", 51_216),
    ("554804", "60", "40001", "Ústí nad Labem", 92_952),
    ("533165", "27", "28002", "Kolín", 33_393),
)
STREETS = (
    "Nádražní", "Husova", "Školní", "Komenského", "Palackého", "Masarykova", "Zahradní", "Polní", "Sokolská",
    "Lesní", "Tyršova", "Smetanova", "Havlíčkova", "Jiráskova", "Nerudova", "Krátká", "Luční", "Družstevní",
    "Sadová", "Nová", "Revoluční", "Pražská", "Brněnská", "U Nemocnice", "Na Výsluní", "Pod Lesem", "Mírová",
)  # fmt: skip
FACILITY_WORDS = {
    "13": "Domov pro seniory", "14": "Domov se zvláštním režimem", "4": "Pečovatelská služba",
    "8": "Odlehčovací služba", "1": "Poradna", "3": "Osobní asistence", "10": "Denní stacionář",
    "9": "Centrum denních služeb", "29": "Aktivizační centrum", "5": "Tísňová péče",
}  # fmt: skip
PROVIDER_PATTERNS = (
    "Sociální služby města {town}, příspěvková organizace", "Oblastní charita {town}", "Diakonie {town}",
    "Domov {adjective} {noun} {town}, p. o.", "Centrum sociálních služeb {town}, o.p.s.", "Pečovatelská služba {town}",
    "Spolek {adjective} {noun}, z. s.", "{adjective} {noun} {town}, z. ú.", "Senior centrum {town} s.r.o.",
)  # fmt: skip
ADJECTIVES = ("Zelený", "Klidný", "Slunečný", "Modrý", "Lipový", "Jarní", "Tichý", "Dobrý", "Vlídný", "Jasný")
NOUNS = ("domov", "dvůr", "háj", "kruh", "most", "sad", "přístav", "pramen", "palouk", "mlýn")
LEGAL_FORMS = ("Příspěvková organizace", "Obecně prospěšná společnost", "Spolek", "Ústav", "Církevní organizace",
               "Společnost s ručením omezeným", "Obec")  # fmt: skip
TARGET_GROUPS = ((24, 40), (26, 8), (27, 6), (30, 8), (2, 6), (3, 6), (4, 5), (5, 5), (8, 4), (11, 4), (14, 3), (17, 3))
WEEKDAYS = range(1, 6)


@dataclass
class Distributions:
    templates: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)  # kind ref, raw formy
    places: list[tuple[str, str, str, str]] = field(default_factory=list)  # municipality code, kraj, psc, name
    place_weights: list[float] = field(default_factory=list)
    source: str = "built-in"


def _builtin_templates() -> list[tuple[str, list[dict[str, Any]]]]:
    templates = []
    for kind, weight, forms in BUILTIN_KINDS:
        raw = [
            {"forma": {"id": f"FormaSocialniSluzby/{form}"},
             "kapacity": [{"pocet": count, "popis": None, "typ": {"id": f"TypKapacitySocialniSluzby/{unit}"}}]}
            for form, unit, count in forms
        ]  # fmt: skip
        templates.extend([(f"DruhSocialniSluzby/{kind}", raw)] * max(1, weight // 10))
    return templates


def _sample_path() -> Path | None:
    data_dir = settings.QMSS_DATA_DIR
    path = Path(data_dir) / SAMPLE_FILE if data_dir else None
    return path if path is not None and path.is_file() else None


def _territory_places() -> tuple[list[tuple[str, str, str, str]], list[float]]:
    from django.db.models import Max

    from qmss.territory.models import Municipality, Population

    latest = Population.objects.aggregate(day=Max("reference_date"))["day"]
    totals = dict(
        Population.objects.filter(reference_date=latest).values_list("municipality__code", "total") if latest else []
    )
    places, weights = [], []
    rows = Municipality.objects.order_by("code").values_list("code", "region__ruian_code", "postal_code", "name")
    for code, ruian, postal_code, name in rows:
        places.append((code, str(ruian) if ruian is not None else "", postal_code or "", name))
        weights.append(max(1, totals.get(code, 100)))
    return places, weights


def load_distributions(*, use_territory: bool = True) -> Distributions:
    """Kinds/forms/capacities from the real sample (or the built-in table) and places from the territory."""
    found = Distributions()
    sample = _sample_path()
    sample_places: list[tuple[str, str, str, str]] = []
    if sample is not None:
        with sample.open(encoding="utf-8") as handle:
            for item in json.load(handle)["polozky"]:
                found.templates.append((item["druhSocialniSluzby"]["id"], item["formy"]))
                for facility in item["zarizeni"]:
                    address = facility.get("adresa") or {}
                    if address.get("obec"):
                        sample_places.append((
                            address["obec"]["id"].rpartition("/")[2],
                            (address.get("kraj") or {}).get("id", "").rpartition("/")[2],
                            address.get("psc") or "", "",
                        ))  # fmt: skip
        found.source = str(sample)
    else:
        found.templates = _builtin_templates()
    if use_territory:
        places, weights = _territory_places()
        if places:
            found.places, found.place_weights = places, weights
            found.source += " + territory tables"
    if not found.places:
        if sample_places:
            found.places, found.place_weights = sample_places, [1.0] * len(sample_places)
        else:
            found.places = [place[:4] for place in BUILTIN_PLACES]
            found.place_weights = [place[4] for place in BUILTIN_PLACES]
    return found


def _ico(rng: random.Random, taken: set[str]) -> str:
    """An 8-digit IČO with a valid check digit (mod 11), unique within the file."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(7)]
        remainder = sum(d * w for d, w in zip(digits, range(8, 1, -1), strict=True)) % 11
        check = (11 - remainder) % 10
        ico = "".join(map(str, digits)) + str(check)
        if ico not in taken:
            taken.add(ico)
            return ico


def _phone(rng: random.Random) -> str:
    return (
        f"+420 {rng.choice((601, 603, 720, 731, 777, 485, 377, 596))} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    )


def _slug(text: str) -> str:
    from qmss.territory.models import search_key

    return "".join(ch for ch in search_key(text) if ch.isalnum())[:24] or "sluzba"


def _contacts(rng: random.Random, slug: str) -> dict[str, list[dict[str, Any]]]:
    return {
        "weby": [{"web": f"https://www.{slug}.cz", "poznamka": None}],
        "emaily": [{"email": f"info@{slug}.cz", "poznamka": None}]
        + ([{"email": f"socialni@{slug}.cz", "poznamka": "sociální pracovnice"}] if rng.random() < 0.3 else []),
        "telefony": [{"telefon": _phone(rng), "poznamka": None} for _ in range(rng.choice((1, 1, 2)))],
    }


class _Generator:
    def __init__(self, distributions: Distributions, seed: int) -> None:
        self.d = distributions
        self.rng = random.Random(seed)
        self.icos: set[str] = set()
        self.providers: list[dict[str, Any]] = []
        self.cumulative = list(itertools.accumulate(distributions.place_weights))

    def place(self) -> tuple[str, str, str, str]:
        return self.rng.choices(self.d.places, cum_weights=self.cumulative)[0]

    def provider(self) -> dict[str, Any]:
        rng = self.rng
        if self.providers and rng.random() < 0.55:
            return rng.choice(self.providers)
        town = self.place()[3] or rng.choice(BUILTIN_PLACES)[3]
        name = rng.choice(PROVIDER_PATTERNS).format(town=town, adjective=rng.choice(ADJECTIVES), noun=rng.choice(NOUNS))
        provider = {
            "id": f"Poskytovatel/{len(self.providers) + 1}", "ico": _ico(rng, self.icos), "nazev": name,
            "pravniForma": {"id": f"PravniForma/{rng.randint(100, 999)}", "nazev": rng.choice(LEGAL_FORMS)},
            **_contacts(rng, _slug(name)), "statutarniOrgany": [],
        }  # fmt: skip
        self.providers.append(provider)
        return provider

    def address(self, place: tuple[str, str, str, str]) -> dict[str, Any] | None:
        rng = self.rng
        if rng.random() < 0.012:
            return None  # secret address (e.g. a shelter)
        code, kraj, psc, _name = place
        return {
            "cisloDomovni": rng.randint(1, 3500),
            "cisloOrientacni": str(rng.randint(1, 80)) if rng.random() < 0.4 else None,
            "dodatekAdresy": None if rng.random() < 0.95 else "vchod ze dvora",
            "kodAdresnihoMista": None if rng.random() < 0.0358 else rng.randint(10_000_000, 99_999_999),
            "psc": psc if len(psc) == 5 else f"{rng.randint(100, 799)}0{rng.randint(0, 9)}",
            "typCislaDomovniho": {"id": "TypCislaDomovniho/1"},
            "kraj": {"id": f"Kraj/{kraj}"} if kraj else None,
            "okres": None,
            "obec": {"id": f"Obec/{code}"},
            "castObce": None,
            "mestskyObvodMestskaCast": None,
            "mestskyObvodVPraze": None,
            "ulice": {"nazev": rng.choice(STREETS)} if rng.random() < 0.85 else None,
        }

    def forms(self, raw_forms: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng = self.rng
        forms = []
        for raw in raw_forms:
            residential = raw["forma"]["id"].endswith("/pob")
            forms.append({
                "forma": {"id": raw["forma"]["id"]},
                "nepretrzitePoskytovani": residential,
                "casoveRozsahy": [] if residential else [
                    {"den": {"id": f"DenVTydnu/{day}"}, "od": "07:00", "do": rng.choice(("15:00", "15:30", "17:00"))}
                    for day in WEEKDAYS
                ],
                "kapacity": [
                    {"pocet": max(1, round(item["pocet"] * rng.uniform(0.6, 1.4))), "popis": item.get("popis"),
                     "typ": {"id": item["typ"]["id"]}}
                    for item in raw["kapacity"]
                ],
            })  # fmt: skip
        return forms

    def record(self, portal_id: int, serial: int, facilities: int) -> dict[str, Any]:
        rng = self.rng
        kind, raw_forms = rng.choice(self.d.templates)
        provider = self.provider()
        start = date(2007, 1, 1) + timedelta(days=0 if rng.random() < 0.3 else rng.randint(0, 7100))
        roll = rng.random()
        end = None if roll < 0.95 else start + timedelta(days=rng.randint(30, 9000))
        home = self.place()
        word = FACILITY_WORDS.get(kind.rpartition("/")[2], "Sociální služba")
        sites = []
        for position in range(facilities):
            place = home if position == 0 or rng.random() < 0.6 else self.place()
            town = place[3] or provider["nazev"].split(",")[0]
            sites.append({
                "nazev": f"{word} {town}" + (f" – pracoviště {position + 1}" if position else ""),
                "adresa": self.address(place),
                "poskytujeOd": start.isoformat(),
                "poskytujeDo": end.isoformat() if end else None,
            })  # fmt: skip
        groups = {24} | {g for g, w in TARGET_GROUPS if rng.random() < w / 100}
        return {
            "portalId": portal_id,
            "id": f"{rng.getrandbits(64):016x}-{serial:06d}",
            "identifikator": str((serial * 7919 + 1_234_567) % 9_000_000 + 1_000_000),
            "datumPoskytovaniOd": start.isoformat(),
            "datumPoskytovaniDo": end.isoformat() if end else None,
            "kontaktniAdresy": [address] if (address := self.address(home)) and rng.random() < 0.7 else [],
            "druhSocialniSluzby": {"id": kind},
            "zarizeni": sites,
            "poskytovatel": provider,
            **_contacts(rng, _slug(provider["nazev"])),
            "faxy": [],
            "ciloveSkupiny": [{"cilovaSkupina": {"id": f"CilovaSkupinaOsoby/{g}"}} for g in sorted(groups)],
            "vekoveSkupiny": [{"vekovaSkupina": {"id": f"VekovaSkupinaOsoby/{g}"}} for g in (7, 8, 9)],
            "doplnujiciInformaceVekoveSkupiny": None,
            "formy": self.forms(raw_forms),
            "rozsirenePusobnostiVKraji": [],
            "doplnkoveUdaje": [
                {"nazev": "Rozhodnutí o registraci", "url": f"https://www.mpsv.cz/registr/dokument/{portal_id}.pdf"}
            ],
        }


def facility_counts(rng: random.Random, services: int) -> list[int]:
    """Facilities per service: mostly one, some chains with many places; the total reaches the national average."""
    sizes = (1, 2, 3, 4, 5, 6, 8, 10, 15, 25)
    weights = (50, 20, 10, 6, 4, 3, 2.5, 2, 1.5, 1)
    counts = rng.choices(sizes, weights=weights, k=services)
    wanted = math.ceil(services * FACILITIES_PER_SERVICE)
    while services and sum(counts) < wanted:
        counts[rng.randrange(services)] += 1
    return counts


def iter_records(services: int, *, seed: int = 0, distributions: Distributions | None = None) -> Iterator[dict]:
    generator = _Generator(distributions or load_distributions(), seed)
    counts = facility_counts(random.Random(seed + 1), services)
    portal_id = 0
    for serial in range(services):
        portal_id += generator.rng.randint(1, 3)
        yield generator.record(portal_id, serial, counts[serial])


def write_records(handle: TextIO, records: Iterator[dict]) -> dict[str, int]:
    """Stream ``{"polozky": [...]}`` to an open text file; return counts."""
    stats = {"services": 0, "facilities": 0}
    handle.write('{"polozky":[')
    for record in records:
        if stats["services"]:
            handle.write(",")
        handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        stats["services"] += 1
        stats["facilities"] += len(record["zarizeni"])
    handle.write("]}")
    return stats


def write_synthetic_registry(
    out: str | Path, *, services: int = DEFAULT_SERVICES, seed: int = 0, distributions: Distributions | None = None
) -> dict[str, Any]:
    """Write the synthetic file to ``out``; return ``{"services", "facilities", "bytes", "source", "path"}``."""
    distributions = distributions or load_distributions()
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        stats: dict[str, Any] = write_records(handle, iter_records(services, seed=seed, distributions=distributions))
    stats.update(bytes=path.stat().st_size, source=distributions.source, path=str(path))
    return stats
