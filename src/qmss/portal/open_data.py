"""Open data of the portal besides the HSDS JSON: the flat CSV catalogue, the sitemap and robots.txt.

The CSV has one row per published service × facility still in operation (a service without a facility has one
row with the place cells empty): the kind, forms, registered capacities as **numbers** (one column per capacity
unit, summed over the service's forms), the address (empty where the registry withholds it), the municipality
code, ORP, region, dates and contacts. Every value goes through :mod:`qmss.core.cells` (a registry text that looks
like a formula stays text). Same publication rules as :mod:`qmss.portal.hsds`: services registered on the day,
no contacts of providers that are natural persons, no QMSS tenant data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import cells
from qmss.portal import hsds
from qmss.registry.models import CapacityType, Service

CSV_DELIMITER = ","
SITEMAP_LIMIT = 50_000

# Public pages of the portal (URL names; a part that is not there yet is skipped).
PUBLIC_PAGES = (
    "home",
    "registration_check",
    "portal:finder",
    "portal:situations",
    "portal:kinds",
    "portal:rights",
    "portal:unregistered",
    "portal:report_new",
    "portal:articles",
    "portal:leaflets",
    "portal:easy_read",
    "portal:open_data",
)
EASY_READ_TOPICS = (
    "co-jsou-socialni-sluzby",
    "jak-najit-sluzbu",
    "vase-prava",
    "neregistrovane-sluzby",
    "smlouva",
    "stiznost",
)

ROBOTS_DISALLOW = (
    "/ucet/",
    "/admin/",
    "/api/",
    "/redakce/",
    "/podnety/",
    "/registr/",
    "/hodnoceni/",
    "/rozvoj/",
    "/potreby/",
    "/sit/",
    "/financovani/",
    "/i18n/",
    "/jsi18n/",
    "/zobrazeni/",
    "/najit-sluzbu/obce/",
    "/neregistrovane-sluzby/podnet/",
)


# --- CSV -----------------------------------------------------------------------------------------------------


def capacity_types() -> list[tuple[str, str]]:
    return [(ctype.code, ctype.name) for ctype in CapacityType.objects.order_by("order", "code")]


def csv_header(types: list[tuple[str, str]]) -> list[str]:
    return [
        _("Portal id"),
        _("Service identifier"),
        _("Name"),
        _("Kind code"),
        _("Kind of service"),
        _("Provider"),
        _("Company ID (IČO)"),
        _("Delivery forms"),
        *[_("Registered capacity: %(unit)s") % {"unit": name} for _code, name in types],
        _("Place"),
        _("Address"),
        _("Postal code"),
        _("Municipality"),
        _("Municipality code"),
        _("ORP"),
        _("Region"),
        _("Latitude"),
        _("Longitude"),
        _("Registered from"),
        _("Registered until"),
        _("E-mail"),
        _("Phone"),
        _("Website"),
        _("Service page"),
    ]


def _capacity_numbers(service: Service, types: list[tuple[str, str]]) -> list[int | None]:
    totals: dict[str, int] = {}
    for service_form in service.forms.all():
        for capacity in service_form.capacities.all():
            code = capacity.capacity_type.code if capacity.capacity_type else capacity.type_code
            totals[code] = totals.get(code, 0) + capacity.count
    return [totals.get(code) for code, _name in types]


def _contacts(service: Service) -> list[str]:
    if hsds.is_natural_person(service.provider):
        return ["", "", ""]
    email = hsds._first(service.emails, hsds.clean_email) or ""
    phone = next((str(p).strip() for p in service.phones or () if str(p).strip()), "")
    web = hsds._first(service.websites, hsds.clean_url) or ""
    return [email, phone, web]


def _place_cells(facility) -> list:
    if facility is None:
        return ["", "", "", "", "", "", "", None, None]
    municipality = facility.municipality
    orp = municipality.orp.name if municipality and municipality.orp_id else ""
    region = facility.region or (municipality.region if municipality else None)
    if facility.secret_address:
        name, address, postal, lat, lon = hsds.SECRET_LOCATION_NAME, "", "", None, None
    else:
        name = facility.name
        number = "/".join(n for n in (facility.house_number, facility.orientation_number) if n)
        address = " ".join(p for p in (facility.street, number) if p)
        postal = facility.postal_code
        lat = float(facility.latitude) if facility.latitude is not None else None
        lon = float(facility.longitude) if facility.longitude is not None else None
    return [
        name,
        address,
        postal,
        municipality.name if municipality else "",
        facility.municipality_code or (municipality.code if municipality else ""),
        orp,
        region.name if region else "",
        lat,
        lon,
    ]


def csv_rows(base_url: str, on: date | None = None) -> Iterator[list]:
    day = on or timezone.localdate()
    types = capacity_types()
    yield csv_header(types)
    for service in hsds.services_queryset(day).iterator(chunk_size=hsds.CHUNK_SIZE):
        kind = service.kind
        forms = ", ".join(f.form.name if f.form else f.form_code for f in service.forms.all())
        head = [
            service.portal_id,
            service.identifier,
            service.name,
            kind.code if kind else service.kind_code,
            kind.name if kind else service.kind_code,
            service.provider.name,
            service.provider.ico,
            forms,
            *_capacity_numbers(service, types),
        ]
        tail = [
            service.date_from,
            service.date_to,
            *_contacts(service),
            base_url + service_page_path(service.portal_id),
        ]
        facilities = [f for f in service.facilities.all() if hsds.facility_active(f, day)] or [None]
        for facility in facilities:
            yield [*head, *_place_cells(facility), *tail]


def csv_lines(base_url: str, on: date | None = None) -> Iterator[str]:
    rows = csv_rows(base_url, on)
    header = next(rows)
    return cells.csv_lines(header, rows, delimiter=CSV_DELIMITER, bom=True)


def service_page_path(portal_id: int) -> str:
    """The public page of a service (the service part's page; the registry's until it exists)."""
    try:
        return reverse("portal:service", kwargs={"service_portal_id": portal_id})
    except NoReverseMatch:
        return reverse("portal:hsds_service", kwargs={"service_portal_id": portal_id})


# --- sitemap and robots ----------------------------------------------------------------------------------------


def _reverse(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def sitemap_paths(on: date | None = None) -> list[str]:
    """Every public page worth indexing: the portal's pages, kinds, published articles, active services."""
    paths = [p for p in (_reverse(name) for name in PUBLIC_PAGES) if p]
    paths += [p for p in (_reverse("portal:easy_read_page", topic=t) for t in EASY_READ_TOPICS) if p]
    services = Service.objects.active(on)
    kind_codes = sorted(set(services.exclude(kind=None).values_list("kind__code", flat=True)), key=_code_key)
    paths += [p for p in (_reverse("portal:kind", kind_code=code) for code in kind_codes) if p]
    paths += _article_paths()
    if _reverse("portal:service", service_portal_id=1):
        paths += [
            reverse("portal:service", kwargs={"service_portal_id": pid})
            for pid in services.order_by("portal_id").values_list("portal_id", flat=True)
        ]
    return list(dict.fromkeys(paths))


def _code_key(code: str) -> tuple[int, str]:
    return (int(code), code) if code.isdigit() else (10**9, code)


def _article_paths() -> list[str]:
    try:
        from qmss.portal.selectors_content import published_articles
    except ImportError:
        return []
    paths = []
    for slug in published_articles().values_list("slug", flat=True):
        path = _reverse("portal:article", article_slug=slug)
        if path:
            paths.append(path)
    return paths


def robots_txt(sitemap_url: str) -> str:
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    lines += ["", f"Sitemap: {sitemap_url}", ""]
    return "\n".join(lines)
