"""A small, clearly labelled synthetic territory for demos and development when no open data is available.

Deterministic (no randomness): every build yields the same regions, districts, ORPs, municipalities and
population. Codes are outside the ranges of the real ones (regions CZ99x, ORPs 99xx, municipalities 99xxxx),
so a later import of the real data does not collide with them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from qmss.territory.importer import write_territory
from qmss.territory.models import Municipality, TerritoryImport, search_key
from qmss.territory.sources import TerritorySource

SYNTHETIC_SOURCE = "synthetic"
YEARS = (2020, 2021, 2022, 2023, 2024)

S = Municipality.Status
# region code, name, abbreviation, centre (lat, lon)
REGIONS = (
    ("CZ991", "Ukázkový kraj Sever (syntetická data)", "USV", (50.55, 14.90)),
    ("CZ992", "Ukázkový kraj Jih (syntetická data)", "UJH", (49.25, 15.60)),
)
# district code, name, region code
DISTRICTS = (
    ("CZ9911", "Okres Borovany (ukázka)", "CZ991"),
    ("CZ9912", "Okres Lipnice (ukázka)", "CZ991"),
    ("CZ9921", "Okres Zálesí (ukázka)", "CZ992"),
    ("CZ9922", "Okres Podhradí (ukázka)", "CZ992"),
)
# ORP code (RÚIAN = ČSÚ), name, district code; municipalities: (name, status)
ORPS = (
    (9911, "Borovany (ukázka)", "CZ9911", (("Borovany", S.TOWN), ("Dolní Lhota", S.MUNICIPALITY),
                                           ("Horní Paseka", S.MUNICIPALITY),
                                           ("Kamenná Ves", S.MUNICIPALITY))),
    (9912, "Mlýnec (ukázka)", "CZ9911", (("Mlýnec", S.TOWN), ("Jedlová", S.MUNICIPALITY),
                                        ("Skalice u Mlýnce", S.MARKET_TOWN))),
    (9913, "Lipnice (ukázka)", "CZ9912", (("Lipnice", S.STATUTORY_CITY), ("Bukovina", S.MUNICIPALITY),
                                         ("Rybníky", S.MUNICIPALITY), ("Vranov nad Lipnicí", S.MARKET_TOWN))),
    (9921, "Zálesí (ukázka)", "CZ9921", (("Zálesí", S.TOWN), ("Olšovec", S.MUNICIPALITY),
                                        ("Habrová", S.MUNICIPALITY))),
    (9922, "Podhradí (ukázka)", "CZ9922", (("Podhradí", S.STATUTORY_CITY), ("Javorník", S.MUNICIPALITY),
                                          ("Březí", S.MUNICIPALITY),
                                          ("Nová Ves u Podhradí", S.MUNICIPALITY))),
    (9923, "Radkov (ukázka)", "CZ9922", (("Radkov", S.TOWN), ("Lesná", S.MUNICIPALITY))),
)  # fmt: skip
BASE_POPULATION = {
    S.STATUTORY_CITY: 48_000, S.TOWN: 9_500, S.MARKET_TOWN: 2_100, S.MUNICIPALITY: 420,
}  # fmt: skip


def _square(lat: float, lon: float, half: float) -> dict:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def synthetic_source() -> TerritorySource:
    """The synthetic territory as a TerritorySource (the same shape the real import writes)."""
    source = TerritorySource()
    centres = {}
    for code, name, abbreviation, centre in REGIONS:
        centres[code] = centre
        source.regions[code] = {
            "code": code, "ruian_code": None, "name": name, "abbreviation": abbreviation,
            "boundary": _square(*centre, 0.6),
        }  # fmt: skip
    district_region = {}
    for code, name, region in DISTRICTS:
        district_region[code] = region
        source.districts[code] = {"code": code, "name": name, "region": region, "boundary": None}
    serial = 0
    for orp_code, orp_name, district, municipalities in ORPS:
        region = district_region[district]
        lat0, lon0 = centres[region]
        seat_code = ""
        for position, (name, status) in enumerate(municipalities):
            serial += 1
            code = f"99{serial:04d}"
            seat_code = seat_code or code
            latitude = Decimal(str(round(lat0 + 0.05 * ((serial * 5) % 11 - 5), 6)))
            longitude = Decimal(str(round(lon0 + 0.09 * ((serial * 7) % 13 - 6), 6)))
            source.municipalities[code] = {
                "code": code, "name": name, "search_name": search_key(name), "status": status,
                "district": district, "orp": orp_code, "region": region,
                "postal_code": f"{(90000 + serial * 37) % 100000:05d}",
                "latitude": latitude.quantize(Decimal("0.000001")),
                "longitude": longitude.quantize(Decimal("0.000001")),
            }  # fmt: skip
            base = BASE_POPULATION[status] + 37 * serial + 11 * position
            for offset, year in enumerate(YEARS):
                total = base + (offset - 2) * (serial % 5 - 2) * 3
                men = total * 49 // 100
                figure = {
                    "municipality": code, "reference_date": date(year, 1, 1), "total": total, "men": men,
                    "women": total - men, "average_age": Decimal(f"{41 + serial % 7 + offset * 0.2:.4f}"),
                    "age_15_plus": None, "age_15_64": None, "age_65_plus": None,
                }  # fmt: skip
                if year == YEARS[-1]:
                    age_15_plus = total * (83 + serial % 5) // 100
                    age_65_plus = total * (18 + serial % 7) // 100
                    figure.update(age_15_plus=age_15_plus, age_15_64=age_15_plus - age_65_plus, age_65_plus=age_65_plus)
                source.population[(code, date(year, 1, 1))] = figure
        source.orps[orp_code] = {
            "ruian_code": orp_code, "csu_code": orp_code, "name": orp_name, "region": region,
            "seat_code": seat_code, "boundary": None,
        }  # fmt: skip
    return source


def build_synthetic_territory(*, user=None) -> TerritoryImport:
    """Create (or refresh) the synthetic demo territory in one transaction; idempotent."""
    return write_territory(synthetic_source(), source_label=SYNTHETIC_SOURCE, user=user, is_synthetic=True)
