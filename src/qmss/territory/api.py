"""Territory API (public reference data): regions, their ORPs, ORP municipalities and one municipality.

Figures are for the latest reference date with population data; lists carry no geometry.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from qmss.territory import selectors
from qmss.territory.models import Municipality, Orp, Region

router = Router(tags=["territory"])


class RegionOut(Schema):
    code: str = Field(description="NUTS 3 code, e.g. CZ072")
    name: str
    abbreviation: str
    ruian_code: int | None = None
    population: int | None = Field(None, alias="residents", description="Residents on the latest reference date")
    age_65_plus: int | None = None
    share_65_plus: float | None = Field(None, description="Residents aged 65+ / residents (0–1)")
    orp_count: int | None = None
    municipality_count: int | None = None


class OrpOut(Schema):
    ruian_code: int = Field(description="RÚIAN code of the ORP (used in URLs)")
    csu_code: int = Field(description="ČSÚ code of the ORP (Praha = 0)")
    name: str
    region_code: str = Field(alias="region.code")
    seat_code: str
    population: int | None = Field(None, alias="residents")
    age_65_plus: int | None = None
    share_65_plus: float | None = None
    municipality_count: int | None = None


class MunicipalityOut(Schema):
    code: str
    name: str
    status: str = Field(
        description="O municipality, M town, S statutory city, T market town, U divided city, H capital"
    )
    district_code: str = Field(alias="district.code")
    orp_ruian_code: int = Field(alias="orp.ruian_code")
    region_code: str = Field(alias="region.code")
    postal_code: str
    latitude: float | None = None
    longitude: float | None = None
    population: int | None = Field(None, alias="residents")
    age_65_plus: int | None = None


class PopulationOut(Schema):
    reference_date: date
    total: int
    men: int | None = None
    women: int | None = None
    average_age: float | None = None
    age_15_plus: int | None = None
    age_15_64: int | None = None
    age_65_plus: int | None = None


class MunicipalityDetailOut(MunicipalityOut):
    district_name: str = Field(alias="district.name")
    orp_name: str = Field(alias="orp.name")
    region_name: str = Field(alias="region.name")
    population_series: list[PopulationOut]


@router.get("regions", response=list[RegionOut], summary="Regions with population")
def list_regions(request):
    return list(selectors.regions_with_population())


@router.get("regions/{code}/orps", response=list[OrpOut], summary="ORPs of a region")
def list_region_orps(request, code: str):
    on = selectors.latest_reference_date()
    region = get_object_or_404(Region.objects.only("pk"), code=code)
    return selectors.in_czech_order(selectors.orps_with_population(on).filter(region=region))


@router.get("orps/{ruian_code}/municipalities", response=list[MunicipalityOut], summary="Municipalities of an ORP")
@paginate(PageNumberPagination, page_size=100)
def list_orp_municipalities(request, ruian_code: int):
    on = selectors.latest_reference_date()
    orp = get_object_or_404(Orp.objects.only("pk"), ruian_code=ruian_code)
    return selectors.in_czech_order(selectors.municipalities_with_population(on).filter(orp=orp))


@router.get("municipalities/{code}", response=MunicipalityDetailOut, summary="One municipality with its population")
def get_municipality(request, code: str):
    municipality: Municipality | None = selectors.municipality_by_code(code)
    if municipality is None:
        raise Http404
    municipality.population_series = selectors.population_series(municipality)
    return municipality
