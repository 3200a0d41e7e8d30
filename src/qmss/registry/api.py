"""Registry API (public data of the MPSV registry, no personal data): providers and services, read-only.

Lists take the same filters as the catalogue (shared selectors) and are paginated; the detail of a service has
its delivery forms with registered capacities and its places.
"""

from datetime import date

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from qmss.registry import selectors
from qmss.registry.models import Provider

providers_router = Router(tags=["registry"])
services_router = Router(tags=["registry"])

PAGE_SIZE = 50


class ServiceFilterIn(Schema):
    region: str | None = Field(None, description="NUTS 3 code of the region of a place of the service, e.g. CZ072")
    orp: int | None = Field(None, description="RÚIAN code of the ORP of a place of the service")
    municipality: str | None = Field(None, description="ČSÚ code of the municipality of a place of the service")
    kind: str | None = Field(None, description="Service kind code (N of DruhSocialniSluzby/N), e.g. 13")
    form: str | None = Field(None, description="Delivery form code: pob, amb or ter")
    target_group: str | None = Field(None, description="Target group code (N of CilovaSkupinaOsoby/N), e.g. 24")
    provider: str | None = Field(None, description="Provider IČO (8 digits) or a part of its name")
    active: bool | None = Field(
        None, description="true: registered today; false: not registered today (ended or not yet valid); omit: all"
    )
    q: str | None = Field(None, description="Service name, service identifier or provider")

    def to_filters(self) -> selectors.ServiceFilters:
        if self.active is None:
            status = selectors.STATUS_ALL
        else:
            status = selectors.STATUS_ACTIVE if self.active else selectors.STATUS_INACTIVE
        return selectors.ServiceFilters.from_data({**self.dict(exclude={"active"}), "status": status})


class KindOut(Schema):
    code: str
    name: str
    section: str = Field(description="Section of Act 108/2006 Coll., e.g. 49")
    category: str


class CodeNameOut(Schema):
    code: str
    name: str


class ServiceOut(Schema):
    portal_id: int
    identifier: str = Field(description="Seven-digit service identifier (identifikátor); may be empty")
    name: str
    kind_code: str = Field(description="Kind as in the source, e.g. DruhSocialniSluzby/13")
    kind: KindOut | None = None
    provider_ico: str = Field(alias="provider.ico")
    provider_name: str = Field(alias="provider.name")
    date_from: date | None = None
    date_to: date | None = None
    active: bool = Field(alias="is_active", description="Registered today")


class CapacityOut(Schema):
    type_code: str = Field(description="As in the source, e.g. TypKapacitySocialniSluzby/luzka")
    unit: str | None = None
    count: int = Field(description="Registered maximum capacity – not free places")

    @staticmethod
    def resolve_unit(obj) -> str | None:
        return obj.capacity_type.unit if obj.capacity_type else None


class FormOut(Schema):
    form_code: str = Field(description="As in the source, e.g. FormaSocialniSluzby/pob")
    name: str | None = None
    continuous: bool | None = Field(None, description="Provided non-stop")
    capacities: list[CapacityOut]

    @staticmethod
    def resolve_name(obj) -> str | None:
        return obj.form.name if obj.form else None

    @staticmethod
    def resolve_capacities(obj) -> list:
        return list(obj.capacities.all())


class FacilityOut(Schema):
    name: str
    secret_address: bool = Field(description="The registry publishes no address (e.g. a shelter)")
    address: str | None = None
    municipality_code: str
    municipality_name: str | None = None
    orp_ruian_code: int | None = None
    region_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    coordinates_approximate: bool = Field(description="Coordinates of the municipality, not of the address")
    date_from: date | None = None
    date_to: date | None = None

    @staticmethod
    def resolve_address(obj) -> str | None:
        return None if obj.secret_address else (obj.address_line or None)

    @staticmethod
    def resolve_municipality_name(obj) -> str | None:
        return obj.municipality.name if obj.municipality else None

    @staticmethod
    def resolve_orp_ruian_code(obj) -> int | None:
        return obj.municipality.orp.ruian_code if obj.municipality else None

    @staticmethod
    def resolve_region_code(obj) -> str | None:
        region = obj.region or (obj.municipality.region if obj.municipality else None)
        return region.code if region else None

    @staticmethod
    def resolve_latitude(obj) -> float | None:
        return None if obj.secret_address or obj.latitude is None else float(obj.latitude)

    @staticmethod
    def resolve_longitude(obj) -> float | None:
        return None if obj.secret_address or obj.longitude is None else float(obj.longitude)


def _values(items, kind: str) -> list[str]:
    return [link["value"] for link in selectors.contact_links(items, kind)]


class ServiceDetailOut(ServiceOut):
    target_groups: list[CodeNameOut]
    forms: list[FormOut]
    facilities: list[FacilityOut]
    emails: list[str]
    phones: list[str]
    websites: list[str]
    unmapped_codes: list[str] = Field(description="Code-list references no reference library knows, as in the source")

    @staticmethod
    def resolve_target_groups(obj) -> list:
        return list(obj.target_groups.all())

    @staticmethod
    def resolve_forms(obj) -> list:
        return list(obj.forms.all())

    @staticmethod
    def resolve_facilities(obj) -> list:
        return list(obj.facilities.all())

    @staticmethod
    def resolve_emails(obj) -> list[str]:
        return _values(obj.emails, "email")

    @staticmethod
    def resolve_phones(obj) -> list[str]:
        return _values(obj.phones, "phone")

    @staticmethod
    def resolve_websites(obj) -> list[str]:
        return _values(obj.websites, "web")

    @staticmethod
    def resolve_unmapped_codes(obj) -> list[str]:
        return [selectors.value_text(code) for code in obj.unmapped_codes or []]


class ProviderOut(Schema):
    ico: str
    name: str
    legal_form: str
    services_count: int = Field(description="Services in the registry (all, or those matching the filters)")
    active_services_count: int = Field(description="Of them registered today")


class ProviderDetailOut(ProviderOut):
    emails: list[str]
    phones: list[str]
    websites: list[str]
    services: list[ServiceOut]

    @staticmethod
    def resolve_emails(obj) -> list[str]:
        return _values(obj.emails, "email")

    @staticmethod
    def resolve_phones(obj) -> list[str]:
        return _values(obj.phones, "phone")

    @staticmethod
    def resolve_websites(obj) -> list[str]:
        return _values(obj.websites, "web")

    @staticmethod
    def resolve_services(obj) -> list:
        return obj.service_list


def _provider_counts(qs: QuerySet[Provider]) -> QuerySet[Provider]:
    return qs.annotate(
        services_count=Count("services", distinct=True),
        active_services_count=Count("services", filter=selectors.active_condition(prefix="services__"), distinct=True),
    )


@providers_router.get("", response=list[ProviderOut], summary="Providers of social services")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_providers(request, filters: Query[ServiceFilterIn]):
    """Providers with at least one service matching the filters (all providers when no filter is given)."""
    service_filters = filters.to_filters()
    qs = Provider.objects.all()
    if service_filters.is_filtered() or service_filters.status != selectors.STATUS_ALL:
        matching = selectors.filter_services(service_filters).filter(provider=OuterRef("pk"))
        qs = qs.filter(Exists(matching))
    return _provider_counts(qs).order_by("name", "ico")


@providers_router.get("/{ico}", response=ProviderDetailOut, summary="One provider with its services")
def get_provider(request, ico: str):
    provider = _provider_counts(Provider.objects.filter(ico=ico)).first()
    if provider is None:
        raise Http404
    provider.service_list = list(selectors.provider_services(provider).select_related("provider"))
    return provider


@services_router.get("", response=list[ServiceOut], summary="Registered social services")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_services(request, filters: Query[ServiceFilterIn]):
    return (
        selectors.filter_services(filters.to_filters())
        .select_related("provider", "kind")
        .annotate(is_active=selectors.is_active_annotation())
        .order_by("name_sort", "portal_id")
    )


@services_router.get("/{portal_id}", response=ServiceDetailOut, summary="One service with forms, capacities, places")
def get_service(request, portal_id: int):
    service = selectors.get_service(portal_id)
    if service is None:
        raise Http404
    return service
