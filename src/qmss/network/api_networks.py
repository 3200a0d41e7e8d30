"""Network API, networks part (public, read only): the list of networks, one network with its tiers and versions,
and the entries of a version (default: the current one), paginated. Who is in a network is public data; the
manager's working material (scores) is in :mod:`qmss.network.api_scoring`. As on the public pages, the managing
organisation is given by its kind and territory, not by name (its name is shown only to its members).

No ``from __future__ import annotations`` here: ninja's pagination wrapper resolves ``Query[...]`` at import time."""

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from qmss.core.scoping import get_scope
from qmss.network import selectors_networks as selectors

router = Router(tags=["network"])

PAGE_SIZE = 100


class TierOut(Schema):
    code: str
    name: str
    description: str
    order: int
    frozen: bool = Field(description="No new services and no capacity growth while the tier is frozen")


class VersionOut(Schema):
    number: int
    created_at: datetime
    note: str = Field(description="What changed")
    application_id: int | None = Field(None, description="The decided application that made this version")


class NetworkOut(Schema):
    id: int
    name: str
    manager_kind: str = Field(description="Kind of the network manager: region / municipality")
    region: str = Field(description="NUTS 3 code of the region")
    region_name: str
    municipality: str | None = Field(None, description="Code of the municipality of a local network")
    municipality_name: str | None = None
    period_start: date
    period_end: date
    current_version: int | None = Field(None, description="Number of the current (newest) version")
    synthetic: bool = Field(description="Synthetic demo data")


class NetworkDetailOut(NetworkOut):
    description: str
    tiers: list[TierOut]
    versions: list[VersionOut] = Field(description="Every version, newest first")


class EntryOut(Schema):
    id: int
    portal_id: int = Field(alias="service.portal_id", description="The service's id in the registry portal")
    identifier: str = Field(
        alias="service.identifier", description="Seven-digit service identifier (identifikátor); may be empty"
    )
    service: str = Field(alias="service.name")
    provider_ico: str = Field(alias="service.provider.ico")
    provider: str = Field(alias="service.provider.name")
    kind: str | None = Field(None, description="Service kind code, e.g. 13")
    kind_name: str | None = None
    capacity: Decimal
    unit: str = Field(description="Unit code of the network rules library, e.g. luzka")
    tier: str = Field(alias="tier.code", description="Tier code")
    tier_name: str = Field(alias="tier.name")
    financing_category: str
    orp_codes: list[int] = Field(description="RÚIAN codes of the ORPs served")
    municipality_codes: list[str] = Field(description="Codes of the municipalities served")
    note: str

    @staticmethod
    def resolve_kind(obj) -> str | None:
        return obj.service.kind.code if obj.service.kind_id else None

    @staticmethod
    def resolve_kind_name(obj) -> str | None:
        return obj.service.kind.name if obj.service.kind_id else None

    @staticmethod
    def resolve_orp_codes(obj) -> list[int]:
        return [int(code) for code in obj.orp_codes or []]

    @staticmethod
    def resolve_municipality_codes(obj) -> list[str]:
        return [str(code) for code in obj.municipality_codes or []]


class EntriesQuery(Schema):
    version: int | None = Field(None, ge=1, le=1_000_000, description="A version number; default: the current one")


def _network_out(network, current: int | None) -> dict:
    municipality = network.municipality
    return {
        "id": network.pk,
        "name": network.name,
        "manager_kind": network.organisation.kind,
        "region": network.region.code,
        "region_name": network.region.name,
        "municipality": municipality.code if municipality else None,
        "municipality_name": municipality.name if municipality else None,
        "period_start": network.period_start,
        "period_end": network.period_end,
        "current_version": current,
        "synthetic": network.is_demo,
    }


def _network(network_pk: int):
    network = selectors.get_network(network_pk)
    if network is None:
        raise HttpError(404, _("No such network."))
    return network


@router.get("networks", response=list[NetworkOut], summary="Networks of services (public)")
def list_networks(request):
    """Every network with its manager, territory, period and current version number."""
    networks = selectors.visible_networks(get_scope(request))[:1000]
    return [_network_out(network, network.current_number) for network in networks]


@router.get("networks/{network_pk}", response=NetworkDetailOut, summary="One network with its tiers and versions")
def get_network(request, network_pk: int):
    network = _network(network_pk)
    versions = list(selectors.versions(network))
    out = _network_out(network, versions[0].number if versions else None)
    out["description"] = network.description
    out["tiers"] = [
        {"code": t.code, "name": t.name, "description": t.description, "order": t.order, "frozen": t.frozen}
        for t in selectors.tiers(network)
    ]
    out["versions"] = [
        {"number": v.number, "created_at": v.created_at, "note": v.note, "application_id": v.application_id}
        for v in versions
    ]
    return out


@router.get(
    "networks/{network_pk}/entries",
    response=list[EntryOut],
    summary="Entries of a network version (public; default: the current version)",
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_entries(request, network_pk: int, query: Query[EntriesQuery]):
    network = _network(network_pk)
    version = selectors.get_version(network, query.version)
    if version is None:
        raise HttpError(404, _("No such version of the network."))
    return selectors.version_entries(version)
