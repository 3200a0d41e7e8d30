"""From a canonical record to the values of the database rows: codes resolved to reference rows, places to
the territory (municipality by its code, region by the municipality or the ``Kraj/<RÚIAN code>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from qmss.registry.importer.bulk import raw_values
from qmss.registry.importer.codelists import CodeMaps
from qmss.registry.importer.normalise import (
    CAPACITY_PREFIX,
    FORM_PREFIX,
    KIND_PREFIX,
    TARGET_GROUP_PREFIX,
    ref_code,
)
from qmss.registry.models.registered import name_sort_key
from qmss.territory.models import Municipality, Region

Place = tuple[int, int, Any, Any]  # municipality pk, region pk, latitude, longitude

#: Facility fields whose values come ready for the database (:func:`load_places`).
FACILITY_READY = ("latitude", "longitude")
FACILITY_FIELDS = (
    "service", "position", "name", "street", "house_number", "orientation_number", "address_note", "postal_code",
    "address_point_code", "municipality_code", "municipality", "region", "latitude", "longitude",
    "coordinates_approximate", "secret_address", "date_from", "date_to",
)  # fmt: skip


@dataclass
class Places:
    municipalities: dict[str, Place] = field(default_factory=dict)
    regions_by_ruian: dict[str, int] = field(default_factory=dict)


def load_places() -> Places:
    """Municipalities by code and regions by RÚIAN code; coordinates as the database gives them (they are only
    written back into the facility rows, so they skip Django's Decimal conversion both ways)."""
    places = Places()
    for code, pk, region_id, latitude, longitude in raw_values(
        Municipality, ("code", "id", "region", "latitude", "longitude")
    ):
        places.municipalities[code] = (pk, region_id, latitude, longitude)
    for ruian_code, pk in Region.objects.exclude(ruian_code=None).values_list("ruian_code", "pk"):
        places.regions_by_ruian[str(ruian_code)] = pk
    return places


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def unmapped_refs(canonical: dict[str, Any], maps: CodeMaps) -> list[str]:
    """Every code-list reference of the record that no reference row knows (with repeats, in record order)."""
    known = maps.refs
    found = []
    kind = canonical["druhSocialniSluzby"]
    if kind not in known or not kind.startswith(KIND_PREFIX):
        found.append(kind)
    for form in canonical["formy"]:
        ref = form["forma"]
        if ref not in known or not ref.startswith(FORM_PREFIX):
            found.append(ref)
        for capacity in form["kapacity"]:
            ref = capacity["typ"]
            if ref not in known or not ref.startswith(CAPACITY_PREFIX):
                found.append(ref)
    for ref in canonical["ciloveSkupiny"]:
        if ref not in known or not ref.startswith(TARGET_GROUP_PREFIX):
            found.append(ref)
    return found


def unresolved_places(canonical: dict[str, Any], places: Places) -> list[str]:
    """Municipality codes of the record's facilities that the territory tables do not know (sorted)."""
    return sorted(
        {
            code
            for facility in canonical["zarizeni"]
            if facility["adresa"] and (code := facility["adresa"].get("obec")) and code not in places.municipalities
        }
    )


def _text(value: str | None, length: int) -> str:
    return (value or "")[:length]


def facility_row(service_id: int, position: int, facility: dict[str, Any], places: Places) -> tuple:
    """Values of one Facility in the order of :data:`FACILITY_FIELDS`."""
    name = _text(facility["nazev"], 500)
    date_from, date_to = facility["poskytujeOd"], facility["poskytujeDo"]  # ISO text, adapted by the writer
    address = facility["adresa"]
    if address is None:  # the registry publishes no address (e.g. a shelter)
        return (service_id, position, name, "", "", "", "", "", None, "", None, None, None, None, True, True,
                date_from, date_to)  # fmt: skip
    get = address.get
    code = get("obec", "")
    place = places.municipalities.get(code)
    if place is None:
        municipality_id, region_id, latitude, longitude = None, places.regions_by_ruian.get(get("kraj", "")), None, None
    else:
        municipality_id, region_id, latitude, longitude = place
    return (
        service_id, position, name, _text(get("ulice"), 200), _text(get("cisloDomovni"), 20),
        _text(get("cisloOrientacni"), 20), _text(get("dodatekAdresy"), 300), _text(get("psc"), 5),
        get("kodAdresnihoMista"), code[:6], municipality_id, region_id, latitude, longitude, True, False,
        date_from, date_to,
    )  # fmt: skip


def service_name(canonical: dict[str, Any], maps: CodeMaps) -> str:
    for facility in canonical["zarizeni"]:
        if facility["nazev"]:
            return facility["nazev"][:500]
    kind = canonical["druhSocialniSluzby"]
    kind_name = maps.kind_names.get(ref_code(kind) or "", kind) if kind.startswith(f"{KIND_PREFIX}/") else kind
    provider = canonical["poskytovatel"]["nazev"] or canonical["poskytovatel"]["ico"]
    return f"{kind_name} – {provider}"[:500]


def service_values(canonical: dict[str, Any], fingerprint: str, maps: CodeMaps, unmapped: list[str]) -> dict[str, Any]:
    return {
        "portal_id": canonical["portalId"],
        "registry_id": _text(canonical["id"], 64),
        "identifier": _text(canonical["identifikator"], 20),
        "kind_id": maps.resolve(canonical["druhSocialniSluzby"], KIND_PREFIX)[1],
        "kind_code": canonical["druhSocialniSluzby"][:100],
        "name": (name := service_name(canonical, maps)),
        "name_sort": name_sort_key(name),
        "date_from": _day(canonical["datumPoskytovaniOd"]),
        "date_to": _day(canonical["datumPoskytovaniDo"]),
        "unmapped_codes": sorted(set(unmapped)),
        "emails": canonical["emaily"],
        "phones": canonical["telefony"],
        "websites": canonical["weby"],
        "snapshot": canonical,
        "fingerprint": fingerprint,
    }


def form_rows(canonical: dict[str, Any], maps: CodeMaps) -> list[tuple[tuple, list[tuple]]]:
    """``[((form id, form code, continuous), [(capacity type id, type code, count, description), ...]), ...]``."""
    forms = []
    for form in canonical["formy"]:
        capacities = [
            (maps.resolve(item["typ"], CAPACITY_PREFIX)[1], item["typ"][:100], item["pocet"], _text(item["popis"], 500))
            for item in form["kapacity"]
        ]
        forms.append(
            (
                (maps.resolve(form["forma"], FORM_PREFIX)[1], form["forma"][:100], form["nepretrzitePoskytovani"]),
                capacities,
            )
        )
    return forms


def target_group_ids(canonical: dict[str, Any], maps: CodeMaps) -> list[int]:
    ids = {maps.resolve(ref, TARGET_GROUP_PREFIX)[1] for ref in canonical["ciloveSkupiny"]}
    ids.discard(None)
    return sorted(ids)
