"""The public catalogue of social services in the Open Referral HSDS 3.0 shape (open data of the portal).

What is published: every service **registered on the day** (``Service.objects.active(on)``) with its provider
(HSDS ``organization``), its facilities still in operation (``location`` + ``service_at_location``), its
contacts, and its classification in three taxonomies (``taxonomy`` / ``taxonomy_term`` / ``attribute``):

- ``Druhy sociálních služeb`` – the registry's kinds of service (zákon č. 108/2006 Sb., § 37–§ 70),
- ``Potřeby`` – the needs taxonomy of QMSS (areas as parent terms, needs under them); a service carries the needs
  its kind answers (the model kind cards, through :func:`qmss.portal.situations.kinds_for_needs`),
- ``Registrovaná kapacita`` – delivery form × capacity unit; the attribute's ``value`` is the registered number
  (HSDS 3.0 has no ``service_capacity`` object; it came with 3.1).

Only public registry data: a facility whose address the registry withholds (``secret_address``) is published with
its municipality alone (name, and the municipality's coordinates, never the facility's); providers that are
natural persons (``pravní forma`` "fyzická osoba …") are published without contacts. No QMSS tenant data at all.

Identifiers are UUIDs (HSDS 3.0 wants ``format: uuid``) derived with UUID5 from the registry's own keys, so a
service keeps its id from one export to the next. Every record validates against the published HSDS 3.0 JSON
schema (``tests/portal/hsds_schema_3_0``; the test walks the whole demo catalogue).
"""

from __future__ import annotations

import functools
import re
import threading
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from qmss.registry.models import Capacity, Facility, Service, ServiceForm

HSDS_VERSION = "3.0"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:qmss:portal:hsds")
CHUNK_SIZE = 1000
COUNTRY = "CZ"
ICO_SCHEME = "CZ-ICO"  # org-id.guide: Czech company identification number (IČO)
SECRET_LOCATION_NAME = "Adresa se nezveřejňuje"
LICENCE = "CC BY 4.0"
SOURCE = "Registr poskytovatelů sociálních služeb (MPSV)"

TAXONOMY_KINDS = "kinds"
TAXONOMY_NEEDS = "needs"
TAXONOMY_CAPACITY = "capacity"
TAXONOMIES = {
    TAXONOMY_KINDS: (
        "Druhy sociálních služeb",
        "Druhy sociálních služeb podle zákona č. 108/2006 Sb. a číselníku Registru poskytovatelů sociálních služeb.",
    ),
    TAXONOMY_NEEDS: (
        "Potřeby",
        "Taxonomie potřeb QMSS: oblasti a potřeby, na které sociální služby odpovídají (návrh QMSS).",
    ),
    TAXONOMY_CAPACITY: (
        "Registrovaná kapacita",
        "Forma poskytování a jednotka registrované kapacity; hodnota atributu je registrovaný počet.",
    ),
}

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def make_id(*parts: object) -> str:
    """A stable UUID (as text) for a record of the export, from the registry keys that identify it."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


def taxonomy_id(key: str) -> str:
    return make_id("taxonomy", key)


def term_id(taxonomy: str, code: str) -> str:
    return make_id("term", taxonomy, code)


# --- cleaning of registry values ---------------------------------------------------------------------------


def clean_email(value: object) -> str | None:
    text = str(value or "").strip()
    return text if EMAIL.match(text) and len(text) <= 254 else None


def clean_url(value: object) -> str | None:
    """A website as an absolute http(s) URI (the registry often gives ``www.example.cz``), else nothing."""
    text = str(value or "").strip()
    if not text:
        return None
    if not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        text = "http://" + text
    return text if URL.match(text) and len(text) <= 500 else None


def is_natural_person(provider) -> bool:
    """The registry marks sole practitioners by their legal form ("fyzická osoba podnikající …")."""
    return "fyzick" in (provider.legal_form or "").lower()


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _first(values: Iterable[object], clean) -> str | None:
    for value in values or ():
        cleaned = clean(value)
        if cleaned:
            return cleaned
    return None


def _phones(numbers: Iterable[object], *, owner: str, key: str) -> list[dict]:
    phones = []
    for position, number in enumerate(numbers or ()):
        text = str(number or "").strip()
        if text:
            phones.append({"id": make_id("phone", key, position), owner: make_id(*key.split(":", 1)), "number": text})
    return phones


# --- taxonomies ---------------------------------------------------------------------------------------------


def taxonomy_record(key: str) -> dict:
    name, description = TAXONOMIES[key]
    return {"id": taxonomy_id(key), "name": name, "description": description, "version": "1"}


def _term(taxonomy: str, code: str, name: str, *, description: str = "", parent: str | None = None) -> dict:
    record = {
        "id": term_id(taxonomy, code),
        "code": code,
        "name": name,
        "description": description or name,
        "taxonomy": TAXONOMIES[taxonomy][0],
        "taxonomy_id": taxonomy_id(taxonomy),
    }
    if parent:
        record["parent_id"] = term_id(taxonomy, parent)
    return record


class Context:
    """Everything the service records share, read once per export (kinds, needs, the kind → needs map, the
    model kind cards' descriptions)."""

    def __init__(self) -> None:
        from qmss.registry.models import ServiceKind

        self.kinds = {kind.code: kind for kind in ServiceKind.objects.all()}
        self.needs, self.areas = _needs()
        self.kind_needs = _kind_needs(self.needs)
        self.purposes = _purposes()
        self.terms: dict[str, dict] = {}  # id -> taxonomy_term, every term used (and all kinds and needs)
        for kind in self.kinds.values():
            self.kind_term(kind.code)
        for code in self.needs:
            self.need_term(code)

    def kind_term(self, code: str) -> dict:
        kind = self.kinds.get(code)
        name = kind.name if kind else code
        description = f"§ {kind.section} zákona č. 108/2006 Sb." if kind and kind.section else ""
        return self._remember(_term(TAXONOMY_KINDS, code, name, description=description))

    def need_term(self, code: str) -> dict:
        need = self.needs[code]
        area_code, area_name = self.areas[need["area"]]
        self._remember(_term(TAXONOMY_NEEDS, f"area:{area_code}", area_name))
        return self._remember(
            _term(TAXONOMY_NEEDS, code, need["name"], description=need["wording"], parent=f"area:{area_code}")
        )

    def capacity_term(self, service_form: ServiceForm, capacity: Capacity) -> dict:
        form, ctype = service_form.form, capacity.capacity_type
        form_code = form.code if form else service_form.form_code
        type_code = ctype.code if ctype else capacity.type_code
        name = f"{form.name if form else form_code} – {ctype.name if ctype else type_code}"
        return self._remember(_term(TAXONOMY_CAPACITY, f"{form_code}:{type_code}", name))

    def _remember(self, term: dict) -> dict:
        return self.terms.setdefault(term["id"], term)


def _needs() -> tuple[dict[str, dict], dict[int, tuple[str, str]]]:
    """Needs of the current taxonomy: {code: {name, wording, area}} and {area pk: (code, name)}."""
    try:
        from qmss.needs.selectors_cards import current_taxonomy

        taxonomy = current_taxonomy()
    except Exception:  # noqa: BLE001 – the needs library may not be loaded (an empty installation)
        taxonomy = None
    if taxonomy is None:
        return {}, {}
    areas = {area.pk: (area.code, area.name) for area in taxonomy.areas.all()}
    needs = {
        need.code: {"name": need.name, "wording": need.public_wording or need.name, "area": need.area_id}
        for need in taxonomy.needs.all().order_by("order", "code")
    }
    return needs, areas


def _kind_needs(needs: dict[str, dict]) -> dict[str, list[str]]:
    """Registry kind code → the need codes it answers: the situations part's one rule (model kind cards)."""
    if not needs:
        return {}
    try:
        from qmss.portal.situations import kinds_for_needs
    except ImportError:
        kinds_for_needs = _model_card_needs
    return {kind: [code for code in codes if code in needs] for kind, codes in kinds_for_needs(needs).items()}


def _model_card_needs(need_codes: Iterable[str]) -> dict[str, list[str]]:
    """Fallback while the situations part is missing: the needs of the published model cards."""
    from qmss.needs.models import KindCard, KindCardNeed

    wanted = set(need_codes)
    mapping: dict[str, list[str]] = {}
    rows = KindCardNeed.objects.filter(card__region__isnull=True, card__state=KindCard.State.PUBLISHED)
    for kind_code, need_code in rows.order_by("order").values_list("card__kind__code", "need__code"):
        if need_code in wanted and need_code not in mapping.setdefault(kind_code, []):
            mapping[kind_code].append(need_code)
    return mapping


def _purposes() -> dict[str, str]:
    """Kind code → what the service is for (the model kind cards of ``libraries/needs/kind-cards.yaml``, read
    once per file version), the service's description; regions' own cards are not used here."""
    try:
        from qmss.needs.library_cards import default_path

        path = default_path()
        return dict(_purposes_of(str(path), path.stat().st_mtime_ns))
    except Exception:  # noqa: BLE001 – a missing or broken library leaves the kind's name as the description
        return {}


@functools.lru_cache(maxsize=2)
def _purposes_of(path: str, _mtime: int) -> tuple[tuple[str, str], ...]:
    from pathlib import Path

    from qmss.needs.library_cards import read_model_cards

    cards = read_model_cards(Path(path)).data.cards
    return tuple((card.kind, " ".join(card.purpose.split())) for card in cards if card.purpose)


# --- records -------------------------------------------------------------------------------------------------


def services_queryset(on: date | None = None) -> QuerySet[Service]:
    """The published services (registered on the day) with everything their records read, in portal-id order."""
    return with_related(Service.objects.active(on)).order_by("portal_id")


def with_related(queryset: QuerySet[Service]) -> QuerySet[Service]:
    # Territory boundaries (GeoJSON of ORPs and regions) are large and unused here: never load them.
    facilities = (
        Facility.objects.select_related("municipality__orp", "municipality__region", "region")
        .defer("municipality__orp__boundary", "municipality__region__boundary", "region__boundary")
        .order_by("position", "pk")
    )
    forms = ServiceForm.objects.select_related("form").prefetch_related(
        Prefetch("capacities", queryset=Capacity.objects.select_related("capacity_type"))
    )
    # The normalised source record (``snapshot``) is large JSON that nothing here reads: never load it.
    return (
        queryset.defer("snapshot")
        .select_related("provider", "kind")
        .prefetch_related(Prefetch("facilities", queryset=facilities), Prefetch("forms", queryset=forms))
    )


def organization_record(provider) -> dict:
    org_id = make_id("organization", provider.ico)
    record = {
        "id": org_id,
        "name": provider.name,
        "description": " · ".join(
            part for part in ("Poskytovatel sociálních služeb", f"IČO {provider.ico}", provider.legal_form) if part
        ),
        "organization_identifiers": [
            {
                "id": make_id("organization_identifier", provider.ico),
                "organization_id": org_id,
                "identifier_scheme": ICO_SCHEME,
                "identifier_type": "IČO",
                "identifier": provider.ico,
            }
        ],
    }
    if not is_natural_person(provider):
        email = _first(provider.emails, clean_email)
        website = _first(provider.websites, clean_url)
        if email:
            record["email"] = email
        if website:
            record["website"] = website
        phones = _phones(provider.phones, owner="organization_id", key=f"organization:{provider.ico}")
        if phones:
            record["phones"] = phones
    return record


def facility_active(facility: Facility, day: date) -> bool:
    return (facility.date_from is None or facility.date_from <= day) and (
        facility.date_to is None or facility.date_to >= day
    )


def location_record(service: Service, facility: Facility) -> dict:
    """A facility as an HSDS location; a withheld address gives the municipality alone."""
    key = f"{service.portal_id}:{facility.position}"
    location_id = make_id("location", key)
    municipality = facility.municipality
    town = municipality.name if municipality else ""
    record: dict = {"id": location_id, "location_type": "physical"}
    if facility.secret_address:
        record["name"] = f"{SECRET_LOCATION_NAME} – {town}" if town else SECRET_LOCATION_NAME
        record["description"] = "Registr adresu tohoto místa nezveřejňuje; uvádí se jen obec."
        lat = municipality.latitude if municipality else None
        lon = municipality.longitude if municipality else None
    else:
        record["name"] = facility.name or service.name or town or SECRET_LOCATION_NAME
        lat, lon = facility.latitude, facility.longitude
        if lat is not None and facility.coordinates_approximate:
            record["description"] = "Souřadnice jsou přibližné (střed obce)."
        address = address_record(facility, location_id)
        if address:
            record["addresses"] = [address]
        if facility.address_point_code:
            record["external_identifier"] = str(facility.address_point_code)
            record["external_identifier_type"] = "RÚIAN adresní místo"
    if lat is not None and lon is not None:
        record["latitude"] = _number(lat)
        record["longitude"] = _number(lon)
    return record


def address_record(facility: Facility, location_id: str) -> dict | None:
    number = "/".join(n for n in (facility.house_number, facility.orientation_number) if n)
    municipality = facility.municipality
    town = municipality.name if municipality else ""
    # A place without streets is addressed by the municipality and the house number ("Dolní Mez 12").
    line = f"{facility.street} {number}".strip() if facility.street else (f"{town} {number}" if number else "")
    if not line or not town:
        return None
    region = facility.region or (municipality.region if municipality else None)
    record = {
        "id": make_id("address", location_id),
        "location_id": location_id,
        "address_1": line,
        "city": town,
        "state_province": region.name if region else "",
        "postal_code": facility.postal_code or (municipality.postal_code if municipality else ""),
        "country": COUNTRY,
        "address_type": "physical",
    }
    if municipality and municipality.orp_id:
        record["region"] = f"ORP {municipality.orp.name}"
    return record


def attribute(service_id: str, term: dict, link_type: str, value: str | None = None) -> dict:
    record = {
        "id": make_id("attribute", service_id, term["id"]),
        "link_id": service_id,
        "link_type": link_type,
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }
    if value is not None:
        record["value"] = value
    return record


def _kind_code(service: Service) -> str:
    return service.kind.code if service.kind else service.kind_code


def description_of(service: Service, context: Context) -> str:
    code = _kind_code(service)
    kind = context.kinds.get(code)
    kind_name = kind.name if kind else code
    purpose = context.purposes.get(code)
    return f"Druh služby: {kind_name}. {purpose}" if purpose else f"Druh služby: {kind_name}."


def service_record(service: Service, *, context: Context | None = None, on: date | None = None) -> dict:
    """One service as an HSDS 3.0 ``service`` with its organization, locations and attributes nested."""
    context = context or Context()
    day = on or timezone.localdate()
    service_id = make_id("service", service.portal_id)
    provider = service.provider
    organization = organization_record(provider)
    record: dict = {
        "id": service_id,
        "organization_id": organization["id"],
        "name": service.name or context.kind_term(_kind_code(service))["name"],
        "alternate_name": service.identifier or str(service.portal_id),
        "description": description_of(service, context),
        "status": "active" if service.is_active_on(day) else "inactive",
    }
    if not is_natural_person(provider):
        email = _first(service.emails, clean_email)
        url = _first(service.websites, clean_url)
        if email:
            record["email"] = email
        if url:
            record["url"] = url
        phones = _phones(service.phones, owner="service_id", key=f"service:{service.portal_id}")
        if phones:
            record["phones"] = phones
    if service.last_changed_at:
        record["last_modified"] = _datetime(service.last_changed_at)
    record["organization"] = organization
    record["service_at_locations"] = [
        {
            "id": make_id("service_at_location", service.portal_id, facility.position),
            "service_id": service_id,
            "location_id": (location := location_record(service, facility))["id"],
            "location": location,
        }
        for facility in service.facilities.all()
        if facility_active(facility, day)
    ]
    record["attributes"] = _attributes(service, service_id, context)
    return record


def _attributes(service: Service, service_id: str, context: Context) -> list[dict]:
    code = _kind_code(service)
    attributes = [attribute(service_id, context.kind_term(code), "service_kind")]
    for need_code in context.kind_needs.get(code, ()):
        attributes.append(attribute(service_id, context.need_term(need_code), "need"))
    for service_form in service.forms.all():
        for capacity in service_form.capacities.all():
            term = context.capacity_term(service_form, capacity)
            attributes.append(attribute(service_id, term, "registered_capacity", str(capacity.count)))
    return attributes


def _datetime(value: datetime) -> str:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iter_service_records(on: date | None = None, *, context: Context | None = None) -> Iterator[dict]:
    context = context or Context()
    for service in services_queryset(on).iterator(chunk_size=CHUNK_SIZE):
        yield service_record(service, context=context, on=on)


def data_date() -> date | None:
    """The day of the registry data: the last successful import, else the last change of a service."""
    from qmss.registry.selectors import latest_successful_import

    run = latest_successful_import()
    if run is not None and run.finished_at:
        return timezone.localdate(run.finished_at)
    last = Service.objects.order_by("-last_changed_at").values_list("last_changed_at", flat=True).first()
    return timezone.localdate(last) if last else None


def catalogue(on: date | None = None) -> dict:
    """The whole public catalogue: metadata, the taxonomies and their terms, and the services (HSDS 3.0)."""
    day = on or timezone.localdate()
    context = Context()
    services = list(iter_service_records(day, context=context))
    published = data_date()
    return {
        "hsds_version": HSDS_VERSION,
        "generated_on": day.isoformat(),
        "data_date": published.isoformat() if published else None,
        "source": SOURCE,
        "licence": LICENCE,
        "total_items": len(services),
        "taxonomies": [taxonomy_record(key) for key in TAXONOMIES],
        "taxonomy_terms": sorted(context.terms.values(), key=lambda term: (term["taxonomy_id"], term["code"])),
        "services": services,
    }


# --- the cached export -------------------------------------------------------------------------------------

_lock = threading.Lock()
_cached: dict[str, object] = {"key": None, "body": b""}


def cache_key(on: date | None = None) -> str:
    from qmss.registry.cache import current_version

    return f"{current_version()}:{(on or timezone.localdate()).isoformat()}"


def catalogue_json(on: date | None = None) -> bytes:
    """The catalogue as UTF-8 JSON, built once per registry data version and day (kept in this process)."""
    import json

    key = cache_key(on)
    with _lock:
        if _cached["key"] == key:
            return _cached["body"]  # type: ignore[return-value]
    body = json.dumps(catalogue(on), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with _lock:
        _cached["key"], _cached["body"] = key, body
    return body


def clear_cache() -> None:
    with _lock:
        _cached["key"], _cached["body"] = None, b""
