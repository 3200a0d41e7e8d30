"""The public finder: which active registered services cover a place, nearest first, and why.

An in-memory index per process (like ``registry.search``): every municipality (name, district, ORP, region,
coordinates), every service registered on the day with its active facilities (municipality and coordinates –
the facility's, else the municipality's; a facility with an unpublished address always takes the municipality's,
so a shelter's position is never revealed), kind, target groups, forms, Czech sort key and display names, and
the municipalities / ORPs its entries in the **current version of every network active on the day** serve.

The index is rebuilt when its key changes: the registry data version (``registry.cache.current_version``,
bumped by every registry and territory import or edit), the day, and the finder's network data version (a token
in the same cache, bumped by ``hooks_finder``'s receivers whenever a network, version or entry is written). A
search itself costs no query.

Coverage (``find``): a service covers a place when one of its active facilities lies in the place's
municipality, or when one of its entries in a current network version serves the municipality or the
municipality's ORP. Hits are ordered by distance (haversine from the place to the service's nearest facility),
then fit, then the Czech order of names. ``nearby`` are the nearest other matching services within
``NEARBY_KM`` – they do **not** cover the place and pages must say so.
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core.collation import sort_key
from qmss.registry import cache
from qmss.registry.models import DeliveryForm, Facility, Service, ServiceForm, ServiceKind, TargetGroup
from qmss.territory.models import Municipality, Orp, search_key

NEARBY_KM = 25.0
NEARBY_LIMIT = 10
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # of latitude
# Grid cells of the municipalities (the nearest one to a position): about 28 × 25 km in Czechia.
CELL_LAT = 0.25
CELL_LON = 0.35
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class Place:
    label: str
    municipality_code: str | None
    lat: float
    lon: float
    orp_code: str | None
    region_id: int | None


@dataclass
class Hit:
    service_id: int
    portal_id: int
    distance_km: float
    covered_by: str  # "facility" | "network"
    reasons: list[str]
    fit: int
    # Display data from the index (public registry data), so a page of hits costs no query.
    name: str = ""
    provider: str = ""
    kind_code: str = ""
    kind_name: str = ""
    place_name: str = ""
    lat: float | None = None
    lon: float | None = None
    approximate: bool = True


@dataclass
class FinderResult:
    place: Place
    hits: list[Hit]
    nearby: list[Hit]
    total: int


@dataclass(frozen=True, slots=True)
class MunicipalityRow:
    code: str
    name: str
    key: str  # normalised name
    district: str
    orp_code: str | None
    region_id: int | None
    lat: float | None
    lon: float | None
    order: tuple[bytes, str]  # Czech order of "name district", then the code (namesakes in one district)

    @property
    def label(self) -> str:
        if not self.district:
            return self.name
        return "{name} ({district})".format(name=self.name, district=_("district %(name)s") % {"name": self.district})


@dataclass(slots=True)
class _Point:
    municipality_code: str
    lat: float
    lon: float
    approximate: bool


@dataclass(slots=True)
class _ServiceRow:
    service_id: int
    portal_id: int
    name: str
    provider: str
    kind_code: str
    kind_name: str
    order: bytes
    target_groups: set[str] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)
    points: list[_Point] = field(default_factory=list)
    network_municipalities: set[str] = field(default_factory=set)
    network_orps: set[str] = field(default_factory=set)
    network_regions: set[int] = field(default_factory=set)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance of two points in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(math.floor(lat / CELL_LAT)), int(math.floor(lon / CELL_LON))


def _names_district(given: str, district: str) -> bool:
    """ "okres kladno" or "kladno" names the district Kladno."""
    return given == district or given.endswith(" " + district)


def _code_tail(code: str) -> str:
    """ "DruhSocialniSluzby/13" → "13" (a registry reference without its code list)."""
    return (code or "").rsplit("/", 1)[-1]


class FinderIndex:
    def __init__(self, day: date) -> None:
        self.day = day
        self.key: tuple = (day,)  # the data versions it was built from (set by get_index)
        self.municipalities: dict[str, MunicipalityRow] = {}
        self.by_key: dict[str, list[str]] = {}
        self.orp_names: dict[str, str] = {}
        self.services: dict[int, _ServiceRow] = {}
        self.by_facility_municipality: dict[str, set[int]] = {}
        self.by_network_municipality: dict[str, set[int]] = {}
        self.by_network_orp: dict[str, set[int]] = {}
        self.municipality_grid: dict[tuple[int, int], list[str]] = {}
        self.kind_names: dict[str, str] = {}
        self.group_names: dict[str, str] = {}
        self.form_names: dict[str, str] = {}
        self.sorted_municipalities: list[MunicipalityRow] = []
        self.sorted_choices: tuple | None = None

    # -- building ---------------------------------------------------------------------------------------------

    def load(self) -> FinderIndex:
        self._load_reference()
        self._load_territory()
        self._load_services()
        self._load_networks()
        self._build_arrays()
        return self

    def _build_arrays(self) -> None:
        """Every facility point in one array per coordinate (and the service each belongs to): finding the
        services near a place is a few vector operations over the whole country, not a loop per facility."""
        with_points = [row for row in self.services.values() if row.points]
        lats, lons = [], []
        for row in with_points:
            lats += [p.lat for p in row.points]
            lons += [p.lon for p in row.points]
        self.point_rows = with_points
        self.points = [point for row in with_points for point in row.points]
        self.lat_deg = np.array(lats, dtype=np.float64)
        self.lon_deg = np.array(lons, dtype=np.float64)
        self.point_row = np.repeat(np.arange(len(with_points)), [len(row.points) for row in with_points])

    def close_rows(self, lat: float, lon: float) -> list[tuple[_ServiceRow, float, _Point]]:
        """Services with a point within ``NEARBY_KM``: (service, km, its nearest point). A flat-earth box test
        over every point first (with a margin), then the haversine distance of the few points left."""
        if not self.point_rows:
            return []
        dy = self.lat_deg - lat
        dx = (self.lon_deg - lon) * math.cos(math.radians(lat))
        limit = (NEARBY_KM * 1.05 / KM_PER_DEGREE) ** 2
        near = np.flatnonzero(dx * dx + dy * dy <= limit)
        if not near.size:
            return []
        lat_r, lon_r = math.radians(lat), math.radians(lon)
        p_lat, p_lon = np.radians(self.lat_deg[near]), np.radians(self.lon_deg[near])
        a = np.sin((p_lat - lat_r) / 2) ** 2 + math.cos(lat_r) * np.cos(p_lat) * np.sin((p_lon - lon_r) / 2) ** 2
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
        best: dict[int, tuple[float, int]] = {}
        for point, distance, row in zip(near.tolist(), km.tolist(), self.point_row[near].tolist(), strict=True):
            if distance <= NEARBY_KM and (row not in best or distance < best[row][0]):
                best[row] = (distance, point)
        rows, points = self.point_rows, self.points
        return [(rows[row], distance, points[point]) for row, (distance, point) in best.items()]

    def _load_reference(self) -> None:
        self.kind_names = dict(ServiceKind.objects.values_list("code", "name"))
        self.group_names = dict(TargetGroup.objects.values_list("code", "name"))
        self.form_names = dict(DeliveryForm.objects.values_list("code", "name"))

    def _load_territory(self) -> None:
        self.orp_names = {str(code): name for code, name in Orp.objects.values_list("ruian_code", "name")}
        rows = Municipality.objects.order_by().values_list(
            "code", "name", "district__name", "orp__ruian_code", "region_id", "latitude", "longitude"
        )
        for code, name, district, orp, region_id, lat, lon in rows:
            row = MunicipalityRow(
                code=code,
                name=name,
                key=search_key(name),
                district=district or "",
                orp_code=str(orp) if orp is not None else None,
                region_id=region_id,
                lat=float(lat) if lat is not None else None,
                lon=float(lon) if lon is not None else None,
                order=(sort_key(f"{name} {district or ''}"), str(code)),
            )
            self.municipalities[code] = row
            self.by_key.setdefault(row.key, []).append(code)
            if row.lat is not None and row.lon is not None:
                self.municipality_grid.setdefault(_cell(row.lat, row.lon), []).append(code)
        self.sorted_municipalities = sorted(self.municipalities.values(), key=lambda m: m.order)

    def _load_services(self) -> None:
        day = self.day
        services = (
            Service.objects.active(day)
            .order_by()
            .values_list("pk", "portal_id", "name", "provider__name", "kind__code", "kind__name", "kind_code")
        )
        for pk, portal_id, name, provider, kind, kind_name, kind_code in services:
            code = kind or _code_tail(kind_code)
            shown = name or kind_name or provider or str(portal_id)
            self.services[pk] = _ServiceRow(
                service_id=pk,
                portal_id=portal_id,
                name=shown,
                provider=provider or "",
                kind_code=code,
                kind_name=kind_name or self.kind_names.get(code, ""),
                order=sort_key(shown),
            )
        through = Service.target_groups.through
        for service_id, code in through.objects.values_list("service_id", "targetgroup__code"):
            row = self.services.get(service_id)
            if row is not None and code:
                row.target_groups.add(code)
        forms = ServiceForm.objects.order_by().values_list("service_id", "form__code", "form_code")
        for service_id, code, raw in forms:
            row = self.services.get(service_id)
            if row is not None:
                row.forms.add(code or _code_tail(raw))
        facilities = Facility.objects.order_by("service_id", "position").values_list(
            "service_id", "municipality__code", "latitude", "longitude", "secret_address", "coordinates_approximate",
            "date_from", "date_to",
        )  # fmt: skip
        for service_id, code, lat, lon, secret, approximate, date_from, date_to in facilities:
            row = self.services.get(service_id)
            if row is None or not code:
                continue
            if (date_from is not None and date_from > day) or (date_to is not None and date_to < day):
                continue
            municipality = self.municipalities.get(code)
            if secret or lat is None or lon is None:
                if municipality is None or municipality.lat is None:
                    continue
                point = _Point(code, municipality.lat, municipality.lon, True)
            else:
                point = _Point(code, float(lat), float(lon), bool(approximate))
            row.points.append(point)
            self.by_facility_municipality.setdefault(code, set()).add(service_id)

    def _load_networks(self) -> None:
        from qmss.network.models import Network, NetworkEntry, NetworkVersion

        day = self.day
        networks = dict(
            Network.objects.filter(period_start__lte=day, period_end__gte=day).order_by().values_list("pk", "region_id")
        )
        if not networks:
            return
        newest: dict[int, tuple[int, int]] = {}  # network → (number, version pk) of its current version
        rows = NetworkVersion.objects.filter(network_id__in=list(networks)).order_by()
        for pk, network_id, number in rows.values_list("pk", "network_id", "number"):
            if network_id not in newest or number > newest[network_id][0]:
                newest[network_id] = (number, pk)
        versions = {pk: network_id for network_id, (_number, pk) in newest.items()}
        current_ids = list(versions)
        entries = (
            NetworkEntry.objects.filter(version_id__in=current_ids)
            .order_by()
            .values_list("service_id", "version_id", "orp_codes", "municipality_codes")
        )
        for service_id, version_id, orp_codes, municipality_codes in entries:
            row = self.services.get(service_id)
            if row is None:
                continue
            region_id = networks.get(versions.get(version_id))
            if region_id is not None:
                row.network_regions.add(region_id)
            for code in orp_codes or []:
                row.network_orps.add(str(code))
                self.by_network_orp.setdefault(str(code), set()).add(service_id)
            for code in municipality_codes or []:
                row.network_municipalities.add(str(code))
                self.by_network_municipality.setdefault(str(code), set()).add(service_id)

    # -- places -----------------------------------------------------------------------------------------------

    def nearest_municipality(self, lat: float, lon: float) -> MunicipalityRow | None:
        row, col = _cell(lat, lon)
        best, best_km = None, math.inf
        for ring in range(0, 4):  # the surrounding cells first, then wider rings
            for r in range(row - ring, row + ring + 1):
                for c in range(col - ring, col + ring + 1):
                    if max(abs(r - row), abs(c - col)) != ring:
                        continue
                    for code in self.municipality_grid.get((r, c), ()):
                        m = self.municipalities[code]
                        km = haversine_km(lat, lon, m.lat, m.lon)
                        if km < best_km:
                            best, best_km = m, km
            if best is not None and ring >= 1:
                return best
        return best

    def named(self, text: str) -> list[MunicipalityRow]:
        """Municipalities a typed name means: an exact name (any case, no diacritics needed), or "Name (okres
        District)" / "Name (District)" as the suggestions show it; a six-digit code too."""
        text = (text or "").strip()[:MAX_NAME_LENGTH]
        if text.isascii() and text.isdigit():
            row = self.municipalities.get(text)
            return [row] if row else []
        name, district = text, ""
        if text.endswith(")") and "(" in text:
            name, district = text[:-1].rsplit("(", 1)
        rows = [self.municipalities[c] for c in self.by_key.get(search_key(name), [])]
        if district:
            given = search_key(district)
            rows = [r for r in rows if r.district and _names_district(given, search_key(r.district))]
        return sorted(rows, key=lambda m: m.order)

    def suggest(self, text: str, limit: int = 10) -> list[MunicipalityRow]:
        key = search_key((text or "")[:MAX_NAME_LENGTH])
        if len(key) < 2:
            return []
        starts, contains = [], []
        for m in self.sorted_municipalities:  # already in Czech order
            if m.key.startswith(key):
                starts.append(m)
                if len(starts) >= limit:
                    break
            elif len(contains) < limit and key in m.key:
                contains.append(m)
        return (starts + contains)[:limit]

    # -- finding ----------------------------------------------------------------------------------------------

    def _matches(self, row: _ServiceRow, kinds, target_group, form) -> bool:
        if kinds is not None and row.kind_code not in kinds:
            return False
        if target_group and target_group not in row.target_groups:
            return False
        return not (form and form not in row.forms)

    @staticmethod
    def _nearest(row: _ServiceRow, lat: float, lon: float) -> tuple[float, _Point | None]:
        best, best_km = None, math.inf
        for point in row.points:
            km = haversine_km(lat, lon, point.lat, point.lon)
            if km < best_km:
                best, best_km = point, km
        return best_km, best

    def _hit(
        self, row: _ServiceRow, km: float, point: _Point | None, covered_by: str, reasons: list[str], fit: int
    ) -> Hit:
        m = self.municipalities.get(point.municipality_code) if point is not None else None
        return Hit(
            service_id=row.service_id,
            portal_id=row.portal_id,
            distance_km=round(km, 3) if point is not None else math.inf,
            covered_by=covered_by,
            reasons=reasons,
            fit=fit,
            name=row.name,
            provider=row.provider,
            kind_code=row.kind_code,
            kind_name=row.kind_name,
            place_name=m.name if m else "",
            lat=point.lat if point else None,
            lon=point.lon if point else None,
            approximate=point.approximate if point else True,
        )

    def _filter_reasons(self, target_group, form) -> tuple[list[str], int]:
        """The reasons every hit shares (the chosen target group and form) and the fit they add."""
        reasons = []
        if target_group:
            reasons.append(_("target group: %(group)s") % {"group": self.group_names.get(target_group, target_group)})
        if form:
            reasons.append(_("form: %(form)s") % {"form": self.form_names.get(form, form)})
        return reasons, len(reasons)

    def find(self, place: Place, kinds, target_group, form) -> FinderResult:
        code = place.municipality_code
        municipality = self.municipalities.get(code) if code else None
        facility_ids = self.by_facility_municipality.get(code, set()) if code else set()
        orp = place.orp_code or (municipality.orp_code if municipality else None)
        network_ids = set(self.by_network_municipality.get(code, ())) if code else set()
        network_ids |= self.by_network_orp.get(orp, set()) if orp else set()
        place_name = municipality.name if municipality else place.label
        # The texts are translated once per search, not once per hit.
        shared, extra_fit = self._filter_reasons(target_group, form)
        in_place = _("has a facility in %(place)s") % {"place": place_name}
        network_place = _("regional network of services: serves %(place)s") % {"place": place_name}
        network_orp = (
            _("regional network of services: serves the ORP %(orp)s") % {"orp": self.orp_names.get(orp, orp)}
            if orp
            else ""
        )
        hits: list[Hit] = []
        for service_id in facility_ids | network_ids:
            row = self.services[service_id]
            if not self._matches(row, kinds, target_group, form):
                continue
            reasons = []
            if service_id in facility_ids:
                reasons.append(in_place)
            if service_id in network_ids:
                if code in row.network_municipalities:
                    reasons.append(network_place)
                if orp and orp in row.network_orps:
                    reasons.append(network_orp)
            reasons += shared
            covered_by = "facility" if service_id in facility_ids else "network"
            km, point = self._nearest(row, place.lat, place.lon)
            fit = (2 if covered_by == "facility" else 1) + extra_fit
            hits.append(self._hit(row, km, point, covered_by, reasons, fit))
        order = self.services
        hits.sort(key=lambda h: (h.distance_km, -h.fit, order[h.service_id].order, h.portal_id))
        covered = facility_ids | network_ids
        nearby = self._nearby(place, covered, kinds, target_group, form, shared, extra_fit)
        return FinderResult(place=place, hits=hits, nearby=nearby, total=len(hits))

    def _nearby(self, place: Place, covered, kinds, target_group, form, shared, extra_fit) -> list[Hit]:
        found = []
        for row, km, point in self.close_rows(place.lat, place.lon):
            if row.service_id in covered or not self._matches(row, kinds, target_group, form):
                continue
            found.append((round(km, 3), -extra_fit, row.order, row.portal_id, row, point))
        found.sort(key=lambda item: item[:4])
        hits = []
        for km, _fit, _order, _portal_id, row, point in found[:NEARBY_LIMIT]:
            m = self.municipalities.get(point.municipality_code)
            reason = _("does not cover %(place)s; its nearest facility is in %(where)s") % {
                "place": place.label,
                "where": m.name if m else "",
            }
            hits.append(self._hit(row, km, point, "nearby", [reason, *shared], extra_fit))
        return hits


# -- the per-process index ------------------------------------------------------------------------------------

_lock = threading.Lock()
_cached: dict[tuple, FinderIndex] = {}


NETWORK_VERSION_KEY = "portal:finder:network-version"


def _bump_networks() -> None:
    cache.page_cache().set(NETWORK_VERSION_KEY, uuid.uuid4().hex, None)


def networks_changed(sender=None, using=None, **kwargs) -> None:
    """A network, version or entry was written (``hooks_finder``): bump now and after the commit."""
    _bump_networks()
    connection = transaction.get_connection(using or DEFAULT_DB_ALIAS)
    if connection.in_atomic_block and not any(entry[1] is _bump_networks for entry in connection.run_on_commit):
        transaction.on_commit(_bump_networks, using=using or DEFAULT_DB_ALIAS)


def _network_version() -> str:
    page_cache = cache.page_cache()
    version = page_cache.get(NETWORK_VERSION_KEY)
    if version is None:
        page_cache.add(NETWORK_VERSION_KEY, uuid.uuid4().hex, None)
        version = page_cache.get(NETWORK_VERSION_KEY) or ""
    return version


def get_index(on: date | None = None) -> FinderIndex:
    """The index for the current registry data version, networks and day, built once per process."""
    day = on or timezone.localdate()
    key = (cache.current_version(), day, _network_version())
    with _lock:
        index = _cached.get(key)
    if index is not None:
        return index
    index = FinderIndex(day).load()
    index.key = key
    with _lock:
        if len(_cached) >= 2:  # today's and maybe one other day's
            _cached.clear()
        _cached[key] = index
    return index


def reset_index() -> None:
    """Forget the built indexes (tests that edit network entries in place)."""
    with _lock:
        _cached.clear()


def resolve_place(
    *,
    municipality_code: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    index: FinderIndex | None = None,
) -> Place | None:
    """The place of a municipality (by its code), or of a position (its nearest municipality serves as the
    place's municipality; distances are measured from the position itself). None when neither is known."""
    index = index or get_index()
    if municipality_code:
        row = index.municipalities.get(str(municipality_code).strip())
        if row is None or row.lat is None or row.lon is None:
            return None
        return Place(row.name, row.code, row.lat, row.lon, row.orp_code, row.region_id)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if math.isnan(lat) or math.isnan(lon):
        return None
    row = index.nearest_municipality(lat, lon)
    if row is None:
        return None
    return Place(row.name, row.code, float(lat), float(lon), row.orp_code, row.region_id)


def find(
    *,
    place: Place,
    kind_codes: set[str] | None,
    target_group: str | None,
    form: str | None,
    on: date | None = None,
    index: FinderIndex | None = None,
) -> FinderResult:
    """Active services covering ``place`` (see the module's docstring), nearest first, and the nearby ones.
    ``index``: the index a request already holds (for today), so that one request checks the data version once."""
    kinds = set(kind_codes) if kind_codes is not None else None
    if index is None or (on is not None and on != index.day):
        index = get_index(on)
    return index.find(place, kinds, target_group or None, form or None)


def municipalities_named(text: str) -> list[MunicipalityRow]:
    return get_index().named(text)


def municipality_suggestions(text: str, limit: int = 10) -> list[MunicipalityRow]:
    return get_index().suggest(text, limit)


def municipality(code: str) -> MunicipalityRow | None:
    return get_index().municipalities.get(code)


def sorted_choices(index: FinderIndex | None = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Target groups and forms as (code, name) in Czech order, sorted once per index."""
    index = index or get_index()
    if index.sorted_choices is None:
        index.sorted_choices = (
            sorted(index.group_names.items(), key=lambda r: sort_key(r[1])),
            sorted(index.form_names.items(), key=lambda r: sort_key(r[1])),
        )
    return index.sorted_choices


def choice_names(index: FinderIndex | None = None) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Names of kinds, target groups and forms (for selects and reasons)."""
    index = index or get_index()
    return index.kind_names, index.group_names, index.form_names


def ids(hits: Iterable[Hit]) -> list[int]:
    return [hit.service_id for hit in hits]
