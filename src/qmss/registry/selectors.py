"""Reads of the registry mirror: the filtered catalogue of services (shared by pages, exports and the API),
provider and service pages, imports, and the public registration check.

Registry data is public (no personal data is stored), so no tenant scoping applies; a region's staff only get
their region's services listed first. List selectors prefetch everything a row shows, so the number of queries
does not depend on the number of rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from qmss.core.collation import czech_sorted
from qmss.registry import units
from qmss.registry.models import (
    Capacity,
    Facility,
    Provider,
    RegistryChange,
    RegistryImport,
    Service,
    ServiceForm,
)
from qmss.territory.models import Region, search_key

STATUS_ACTIVE, STATUS_ENDED, STATUS_ALL = "active", "ended", "all"
STATUS_INACTIVE = "inactive"  # not registered on the day: ended or not yet valid (API active=false)
MUNICIPALITIES_SHOWN = 3

# sort key -> ORDER BY expressions (after "my region first"); names by their Czech sort keys (``name_sort``)
SORTS = {
    "name": (F("name_sort").asc(), F("portal_id").asc()),
    "-name": (F("name_sort").desc(), F("portal_id").desc()),
    "kind": (F("kind__order").asc(nulls_last=True), F("kind__name").asc(nulls_last=True), F("name_sort").asc()),
    "-kind": (F("kind__order").desc(nulls_last=True), F("kind__name").desc(nulls_last=True), F("name_sort").asc()),
    "provider": (F("provider__name_sort").asc(), F("name_sort").asc(), F("portal_id").asc()),
    "-provider": (F("provider__name_sort").desc(), F("name_sort").asc(), F("portal_id").asc()),
    "date_from": (F("date_from").asc(nulls_last=True), F("name_sort").asc(), F("portal_id").asc()),
    "-date_from": (F("date_from").desc(nulls_last=True), F("name_sort").asc(), F("portal_id").asc()),
    "capacity": (F("total_capacity").asc(nulls_last=True), F("name_sort").asc(), F("portal_id").asc()),
    "-capacity": (F("total_capacity").desc(nulls_last=True), F("name_sort").asc(), F("portal_id").asc()),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class ServiceFilters:
    """What a list of services is filtered by; empty values do not filter."""

    region: str = ""  # NUTS 3 code of the region, e.g. CZ072
    orp: int | None = None  # RÚIAN code of the ORP
    municipality: str = ""  # ČSÚ municipality code
    municipality_codes: tuple[str, ...] = ()  # several municipalities (the catalogue's filter by name)
    kind: str = ""  # ServiceKind.code (N of DruhSocialniSluzby/N)
    form: str = ""  # DeliveryForm.code (pob / amb / ter)
    target_group: str = ""  # TargetGroup.code
    provider: str = ""  # IČO (8 digits, spaces allowed) or a part of the provider's name
    status: str = STATUS_ACTIVE  # active / ended / inactive / all
    q: str = ""  # service name, identifikátor or provider

    @classmethod
    def from_data(cls, data: dict) -> ServiceFilters:
        """From cleaned form or API data; unknown keys are ignored, None means "not given"."""
        values = {}
        for f in fields(cls):
            value = data.get(f.name)
            if value in (None, ""):
                continue
            if f.name == "orp":
                values[f.name] = value
            elif f.name == "municipality_codes":
                values[f.name] = tuple(str(code) for code in value)
            else:
                values[f.name] = str(value).strip()
        return cls(**values)

    def is_filtered(self) -> bool:
        return any(getattr(self, f.name) not in (None, "", ()) for f in fields(self) if f.name != "status")


def normalise_ico(text: str) -> str | None:
    """ "123 45 678" → "12345678"; None unless the text is eight digits (spaces allowed)."""
    compact = "".join((text or "").split())
    return compact if len(compact) == 8 and compact.isdigit() else None


def provider_match(text: str, prefix: str = "provider__") -> Q:
    """Providers by IČO (exact) or by name (case and diacritics ignored).

    Rows whose ``search_name`` has not been filled yet fall back to a case-insensitive match of the name.
    """
    ico = normalise_ico(text)
    if ico:
        return Q(**{f"{prefix}ico": ico})
    key = search_key(text)
    return Q(**{f"{prefix}search_name__contains": key}) | (
        Q(**{f"{prefix}search_name": ""}) & Q(**{f"{prefix}name__icontains": text.strip()})
    )


def active_condition(on: date | None = None, prefix: str = "") -> Q:
    day = on or timezone.localdate()
    return (Q(**{f"{prefix}date_from__isnull": True}) | Q(**{f"{prefix}date_from__lte": day})) & (
        Q(**{f"{prefix}date_to__isnull": True}) | Q(**{f"{prefix}date_to__gte": day})
    )


def is_active_annotation(on: date | None = None) -> Case:
    return Case(When(active_condition(on), then=Value(True)), default=Value(False), output_field=BooleanField())


def _facility_territory(filters: ServiceFilters) -> Q | None:
    condition = Q()
    if filters.region:
        condition &= Q(region__code=filters.region) | Q(municipality__region__code=filters.region)
    if filters.orp is not None:
        condition &= Q(municipality__orp__ruian_code=filters.orp)
    if filters.municipality:
        condition &= Q(municipality_code=filters.municipality) | Q(municipality__code=filters.municipality)
    if filters.municipality_codes:
        codes = list(filters.municipality_codes)
        condition &= Q(municipality_code__in=codes) | Q(municipality__code__in=codes)
    return condition if condition else None


def filter_services(filters: ServiceFilters, *, on: date | None = None) -> QuerySet[Service]:
    """Services matching ``filters``; a service lies in a territory if any of its facilities does.

    Territory, form and target-group conditions are EXISTS subqueries, so no service is listed twice.
    """
    qs = Service.objects.defer("snapshot")
    if filters.status == STATUS_ACTIVE:
        qs = qs.active(on)
    elif filters.status == STATUS_ENDED:
        qs = qs.ended(on)
    elif filters.status == STATUS_INACTIVE:
        qs = qs.exclude(active_condition(on))
    territory = _facility_territory(filters)
    if territory is not None:
        qs = qs.filter(Exists(Facility.objects.filter(territory, service=OuterRef("pk"))))
    if filters.kind:
        qs = qs.filter(kind__code=filters.kind)
    if filters.form:
        qs = qs.filter(Exists(ServiceForm.objects.filter(service=OuterRef("pk"), form__code=filters.form)))
    if filters.target_group:
        through = Service.target_groups.through
        qs = qs.filter(
            Exists(through.objects.filter(service_id=OuterRef("pk"), targetgroup__code=filters.target_group))
        )
    if filters.provider:
        qs = qs.filter(provider_match(filters.provider))
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(identifier="".join(text.split())) | provider_match(text))
    return qs


def _total_capacity() -> Subquery:
    rows = (
        Capacity.objects.filter(service_form__service=OuterRef("pk"))
        .order_by()
        .values("service_form__service")
        .annotate(total=Sum("count"))
        .values("total")
    )
    return Subquery(rows[:1], output_field=IntegerField())


def in_regions_condition(region_ids) -> Exists:
    return Exists(
        Facility.objects.filter(
            Q(region_id__in=region_ids) | Q(municipality__region_id__in=region_ids), service=OuterRef("pk")
        )
    )


def row_prefetches(*, with_territory: bool = False) -> list[Prefetch]:
    """What a row of a list shows: forms with capacities and their types, facilities with municipalities."""
    facilities = Facility.objects.select_related("municipality").order_by("position", "pk")
    if with_territory:
        facilities = facilities.select_related("municipality__orp", "municipality__region", "region").defer(
            "municipality__orp__boundary", "municipality__region__boundary", "region__boundary"
        )
    return [
        Prefetch(
            "forms",
            queryset=ServiceForm.objects.select_related("form")
            .order_by("form__order", "form_code", "pk")
            .prefetch_related(
                Prefetch("capacities", queryset=Capacity.objects.select_related("capacity_type").order_by("pk"))
            ),
        ),
        Prefetch("facilities", queryset=facilities),
    ]


def catalogue_services(
    filters: ServiceFilters,
    sort: str = DEFAULT_SORT,
    *,
    region_ids=(),
    with_territory: bool = False,
    on: date | None = None,
) -> QuerySet[Service]:
    """The catalogue: filtered, sorted, the user's regions first, with everything a row shows prefetched.

    The total capacity (a subquery per row) is computed only when the list is sorted by it: otherwise SQLite
    would evaluate it for every matching service before taking one page.
    """
    qs = (
        filter_services(filters, on=on)
        .select_related("provider", "kind")
        .annotate(is_active=is_active_annotation(on))
        .prefetch_related(*row_prefetches(with_territory=with_territory))
    )
    if sort in ("capacity", "-capacity"):
        qs = qs.annotate(total_capacity=_total_capacity())
    ordering = list(SORTS.get(sort, SORTS[DEFAULT_SORT]))
    if region_ids:
        qs = qs.annotate(in_my_region=in_regions_condition(list(region_ids)))
        ordering.insert(0, F("in_my_region").desc())
    return qs.order_by(*ordering)


def catalogue_region_names(region_ids) -> list[str]:
    """Names of the user's regions (listed first in the catalogue), A–Z; no query without regions."""
    if not region_ids:
        return []
    return czech_sorted(Region.objects.filter(pk__in=region_ids).values_list("name", flat=True))


# --- presenting rows ----------------------------------------------------------------------------------------


@dataclass
class CapacityLine:
    form: str
    capacities: list[tuple[int, str]] = field(default_factory=list)  # (count, "40 lůžek")

    def __str__(self) -> str:
        counts = ", ".join(label for _count, label in self.capacities)
        return f"{self.form}: {counts}" if counts else self.form


def capacity_lines(service: Service) -> list[CapacityLine]:
    """ "pobytová: 40 lůžek" per delivery form (plural forms by ``units.capacity_label``), from prefetched forms
    and capacities."""
    lines = []
    for service_form in service.forms.all():
        form_name = service_form.form.name if service_form.form else service_form.form_code
        line = CapacityLine(form=form_name)
        for capacity in service_form.capacities.all():
            label = units.capacity_label(capacity.count, capacity.capacity_type, fallback=capacity.type_code)
            line.capacities.append((capacity.count, label))
        lines.append(line)
    return lines


def unique_values(values) -> list:
    seen, result = set(), []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            result.append(value)
    return result


def facility_municipalities(service: Service) -> list:
    """Distinct municipalities of the service's prefetched facilities (Municipality rows or bare codes)."""
    return unique_values(f.municipality or f.municipality_code for f in service.facilities.all())


def status_of(service: Service, on: date | None = None) -> str:
    """ "active" (registered on the day), "ended" (registration ended before it) or "future" (not yet valid)."""
    day = on or timezone.localdate()
    if service.is_active_on(day):
        return STATUS_ACTIVE
    if service.date_to is not None and service.date_to < day:
        return STATUS_ENDED
    return "future"


def decorate_rows(services) -> list[Service]:
    """Attach ``status_key``, ``capacity_lines``, ``municipality_list`` (first few) and ``more_municipalities``."""
    rows = list(services)
    for service in rows:
        service.status_key = status_of(service)
        service.capacity_lines = capacity_lines(service)
        municipalities = facility_municipalities(service)
        service.municipality_list = municipalities[:MUNICIPALITIES_SHOWN]
        service.more_municipalities = max(0, len(municipalities) - MUNICIPALITIES_SHOWN)
    return rows


def contact_links(items, kind: str) -> list[dict]:
    """Registry contacts (strings or ``{"email"|"web"|"telefon": …, "poznamka": …}``) as safe links.

    ``kind`` is "email", "phone" or "web"; only mailto:, tel: and http(s): links are made.
    """
    keys = {"email": ("email", "value"), "phone": ("telefon", "phone", "value"), "web": ("web", "url", "value")}[kind]
    links = []
    for item in items or []:
        note = ""
        if isinstance(item, dict):
            value = next((str(item[k]) for k in keys if item.get(k)), "")
            note = str(item.get("poznamka") or item.get("note") or "")
        else:
            value = str(item or "")
        value = value.strip()
        if not value:
            continue
        href = ""
        if kind == "email" and "@" in value and ":" not in value:
            href = f"mailto:{value}"
        elif kind == "phone":
            digits = "".join(ch for ch in value if ch.isdigit() or ch == "+")
            href = f"tel:{digits}" if digits else ""
        elif kind == "web":
            lower = value.lower()
            if lower.startswith(("http://", "https://")):
                href = value
            elif ":" not in lower.split("/")[0] and "." in lower:
                href = f"https://{value}"
        links.append({"value": value, "href": href, "note": note})
    return links


def contacts_of(obj) -> dict[str, list[dict]]:
    return {
        "emails": contact_links(obj.emails, "email"),
        "phones": contact_links(obj.phones, "phone"),
        "websites": contact_links(obj.websites, "web"),
    }


def value_text(value) -> str:
    """A change log value as text: strings as they are, other JSON compactly."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- provider and service pages ------------------------------------------------------------------------------


def get_provider(ico: str) -> Provider | None:
    return Provider.objects.filter(ico=ico).first()


def provider_services(provider: Provider, *, on: date | None = None) -> QuerySet[Service]:
    """The provider's services, active ones first."""
    return (
        Service.objects.filter(provider=provider)
        .defer("snapshot")
        .select_related("kind")
        .annotate(is_active=is_active_annotation(on), total_capacity=_total_capacity())
        .prefetch_related(*row_prefetches())
        .order_by("-is_active", "name_sort", "portal_id")
    )


def provider_facilities(provider: Provider) -> QuerySet[Facility]:
    return (
        Facility.objects.filter(service__provider=provider)
        .select_related("service", "municipality")
        .order_by("service__name_sort", "service__portal_id", "position", "pk")
    )


def qmss_organisation_exists(provider: Provider) -> bool:
    """Whether an organisation verified as this provider uses QMSS (nothing else about it is revealed; an
    organisation that merely typed the IČO does not count)."""
    from qmss.registry.models import ProviderLink

    return ProviderLink.objects.filter(provider_id=provider.pk).exists()


def service_header(portal_id: int) -> Service | None:
    """A service with its provider and kind (for page headers of other apps); None when unknown."""
    return Service.objects.select_related("provider", "kind").filter(portal_id=portal_id).first()


def get_service(portal_id: int, *, on: date | None = None) -> Service | None:
    facilities = (
        Facility.objects.select_related("municipality__orp", "municipality__region", "region")
        .defer("municipality__orp__boundary", "municipality__region__boundary", "region__boundary")
        .order_by("position", "pk")
    )
    return (
        Service.objects.filter(portal_id=portal_id)
        .defer("snapshot")
        .select_related("provider", "kind")
        .annotate(is_active=is_active_annotation(on))
        .prefetch_related(
            row_prefetches()[0],
            Prefetch("facilities", queryset=facilities),
            "target_groups",
        )
        .first()
    )


def map_regions(service: Service) -> list[Region]:
    """The regions of the service's facilities with their boundaries (for the map)."""
    ids = set()
    for facility in service.facilities.all():
        region_id = facility.region_id or (facility.municipality.region_id if facility.municipality else None)
        if region_id:
            ids.add(region_id)
    if not ids:
        return []
    return list(Region.objects.filter(pk__in=ids).order_by("code"))


def service_changes(service: Service) -> QuerySet[RegistryChange]:
    """Recorded changes of one service (not those of dry runs), newest first."""
    return (
        RegistryChange.objects.filter(Q(service=service) | Q(portal_id=service.portal_id))
        .filter(registry_import__dry_run=False)
        .select_related("registry_import")
        .order_by("-registry_import__created_at", "-registry_import_id", "kind", "field", "pk")
    )


# --- imports ---------------------------------------------------------------------------------------------------


def import_list() -> QuerySet[RegistryImport]:
    return (
        RegistryImport.objects.select_related("user")
        .annotate(change_count=Count("changes"))
        .order_by("-created_at", "-pk")
    )


def get_import(import_pk: int) -> RegistryImport | None:
    return RegistryImport.objects.select_related("user").filter(pk=import_pk).first()


def import_changes(registry_import: RegistryImport, kind: str = "") -> QuerySet[RegistryChange]:
    qs = RegistryChange.objects.filter(registry_import=registry_import).select_related("service")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "portal_id", "field", "pk")


def import_change_counts(registry_import: RegistryImport) -> dict[str, int]:
    rows = RegistryChange.objects.filter(registry_import=registry_import).values("kind").annotate(n=Count("pk"))
    return {row["kind"]: row["n"] for row in rows.order_by()}


def latest_successful_import() -> RegistryImport | None:
    return (
        RegistryImport.objects.filter(status=RegistryImport.Status.DONE, dry_run=False)
        .order_by("-finished_at", "-created_at")
        .first()
    )
