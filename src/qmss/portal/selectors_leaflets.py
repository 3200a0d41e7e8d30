"""Reads of the printable leaflets and posters: which leaflets there are, which place is asked for and which real
services of the leaflet's kinds are in that place.

**Which services a leaflet lists** (one rule, documented here): the services registered on the day whose kind is
one of the article's ``kind_codes`` (every kind when it names none) and that have a facility provided on the day
in the place – in the municipality itself, or in any municipality of the ORP. A leaflet for a place lists the
services *located* there; the finder (``portal.finder``) also shows services that only travel to the place or
serve it through a network, and the leaflet's QR code leads to the finder for the place. Only public registry
data are read (service name, kind, the facility's address unless the registry keeps it secret, the service's
phone, else its provider's phone); no QMSS organisation is named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from qmss.core.collation import czech_sorted
from qmss.portal.models import Article
from qmss.registry.models import Facility
from qmss.territory.models import Municipality, Orp

PRINTABLE_KINDS = (Article.Kind.LEAFLET, Article.Kind.POSTER)
MAX_CODE_LENGTH = 12


@dataclass(frozen=True)
class PrintPlace:
    """The place a leaflet is printed for: a municipality or an ORP."""

    kind: str  # "obec" | "orp"
    code: str  # municipality code / ORP RÚIAN code (the URL parameter's value)
    name: str
    region_name: str
    finder_code: str  # the municipality the finder is opened for (the ORP's seat for an ORP)
    municipality_id: int | None = None
    orp_id: int | None = None

    @property
    def query(self) -> str:
        return f"{self.kind}={self.code}"


@dataclass(frozen=True)
class LeafletService:
    portal_id: int
    name: str
    kind_name: str
    address: str
    address_secret: bool
    municipality: str
    phone: str


def printable_articles() -> list[Article]:
    """Published leaflets and posters (their published revision loaded), in Czech order of titles."""
    from qmss.portal.selectors_content import published_articles

    articles = list(published_articles().filter(kind__in=PRINTABLE_KINDS).select_related("published_revision"))
    return czech_sorted(articles, key=lambda a: a.published_revision.title)


def printable_article(slug: str) -> Article | None:
    from qmss.portal.selectors_content import public_article

    article = public_article(slug)
    if article is None or article.kind not in PRINTABLE_KINDS:
        return None
    return article


def _clean(value: str | None) -> str:
    value = (value or "").strip()
    return value if value.isascii() and value.isdigit() and len(value) <= MAX_CODE_LENGTH else ""


def municipality_place(code: str | None) -> PrintPlace | None:
    code = _clean(code)
    if not code:
        return None
    row = Municipality.objects.select_related("region", "orp").filter(code=code).first()
    if row is None:
        return None
    return PrintPlace("obec", row.code, row.name, row.region.name, row.code, municipality_id=row.pk)


def orp_place(code: str | None) -> PrintPlace | None:
    code = _clean(code)
    if not code:
        return None
    row = Orp.objects.select_related("region").filter(ruian_code=int(code)).first()
    if row is None:
        return None
    seat = row.seat_code or (
        Municipality.objects.filter(orp=row).order_by("-status", "name").values_list("code", flat=True).first() or ""
    )
    return PrintPlace("orp", str(row.ruian_code), row.name, row.region.name, seat, orp_id=row.pk)


def place_from_query(params) -> PrintPlace | None:
    """The place of ``?orp=<RÚIAN code of the ORP>`` or ``?obec=<municipality code>``; None when unknown."""
    if params.get("orp"):
        return orp_place(params.get("orp"))
    return municipality_place(params.get("obec"))


def orp_choices() -> list[tuple[str, str]]:
    rows = Orp.objects.select_related("region").only("ruian_code", "name", "region__name")
    return [(str(o.ruian_code), f"{o.name} ({o.region.name})") for o in czech_sorted(rows, key="name")]


def _active(prefix: str, day: dt.date) -> Q:
    return (Q(**{f"{prefix}date_from__isnull": True}) | Q(**{f"{prefix}date_from__lte": day})) & (
        Q(**{f"{prefix}date_to__isnull": True}) | Q(**{f"{prefix}date_to__gte": day})
    )


def services_in_place(*, place: PrintPlace, kind_codes: list[str], on: dt.date | None = None) -> list[LeafletService]:
    """The services a leaflet lists for ``place`` (see the module's docstring), in Czech order of names."""
    day = on or timezone.localdate()
    facilities = Facility.objects.filter(_active("", day), _active("service__", day))
    if place.municipality_id is not None:
        facilities = facilities.filter(municipality_id=place.municipality_id)
    else:
        facilities = facilities.filter(municipality__orp_id=place.orp_id)
    if kind_codes:
        facilities = facilities.filter(service__kind__code__in=kind_codes)
    facilities = facilities.select_related("service__kind", "service__provider", "municipality")
    facilities = facilities.order_by("service_id", "position", "pk")
    rows: dict[int, LeafletService] = {}
    for facility in facilities:
        service = facility.service
        if service.pk in rows:
            continue
        phones = [str(p).strip() for p in (service.phones or service.provider.phones or []) if str(p).strip()]
        kind_name = service.kind.name if service.kind else ""
        rows[service.pk] = LeafletService(
            portal_id=service.portal_id,
            name=service.name or kind_name or str(service.portal_id),
            kind_name=kind_name,
            address="" if facility.secret_address else facility.address_line,
            address_secret=facility.secret_address,
            municipality=facility.municipality.name if facility.municipality else "",
            phone=phones[0] if phones else "",
        )
    return czech_sorted(rows.values(), key=lambda s: f"{s.name} {s.municipality}")


def data_date() -> dt.date:
    """The day of the registry data: the last finished import, else today."""
    from qmss.registry.selectors import latest_successful_import

    last = latest_successful_import()
    if last is not None and last.finished_at is not None:
        return timezone.localdate(last.finished_at)
    return timezone.localdate()
