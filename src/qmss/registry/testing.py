"""Builders of registry rows for tests and demos, written straight through the ORM (no import needed).

Deterministic: every call with the same arguments makes the same data (apart from the running numbers that
keep portal ids, IČO and codes unique). Reference items are created on first use with their registry codes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from qmss.registry.models import (
    Capacity,
    CapacityType,
    DeliveryForm,
    Facility,
    Provider,
    ReferenceLibrary,
    RegistryChange,
    RegistryImport,
    Service,
    ServiceForm,
    ServiceKind,
    TargetGroup,
)
from qmss.territory.models import search_key

_seq = itertools.count(1)

# code -> (name, section, category)
KINDS = {
    "1": ("odborné sociální poradenství", "37", ServiceKind.Category.COUNSELLING),
    "3": ("osobní asistence", "39", ServiceKind.Category.CARE),
    "4": ("pečovatelská služba", "40", ServiceKind.Category.CARE),
    "13": ("domovy pro seniory", "49", ServiceKind.Category.CARE),
    "14": ("domovy se zvláštním režimem", "50", ServiceKind.Category.CARE),
    "29": ("sociálně aktivizační služby pro seniory a osoby se zdravotním postižením", "66",
           ServiceKind.Category.PREVENTION),
}  # fmt: skip
# code -> (name, key)
FORMS = {"pob": ("pobytová", "residential"), "amb": ("ambulantní", "outpatient"), "ter": ("terénní", "field")}
# code -> (name, unit after 0 and 5+, after 1, after 2–4)
CAPACITY_TYPES = {
    "luzka": ("lůžka", "lůžek", "lůžko", "lůžka"),
    "klient": ("klienti", "klientů", "klient", "klienti"),
    "interv": ("intervence", "intervencí", "intervence", "intervence"),
    "kontakt": ("kontakty", "kontaktů", "kontakt", "kontakty"),
    "hovor": ("hovory", "hovorů", "hovor", "hovory"),
}
TARGET_GROUPS = {"24": "senioři", "26": "pečující osoby", "30": "osoby s demencí"}


def _library() -> ReferenceLibrary:
    library, _ = ReferenceLibrary.objects.get_or_create(
        urn="urn:qmss:test:registry",
        defaults={"version": 1, "title": "Test reference data", "source": "tests", "checksum": "0" * 64},
    )
    return library


def make_kind(code: str = "13") -> ServiceKind:
    name, section, category = KINDS.get(code, (f"druh {code}", "", ServiceKind.Category.OTHER))
    kind, _ = ServiceKind.objects.get_or_create(
        code=code,
        defaults={"name": name, "section": section, "category": category, "library": _library(), "order": int(code)},
    )
    return kind


def make_delivery_form(code: str = "pob") -> DeliveryForm:
    name, key = FORMS.get(code, (code, code))
    form, _ = DeliveryForm.objects.get_or_create(code=code, defaults={"name": name, "key": key, "library": _library()})
    return form


def make_capacity_type(code: str = "luzka") -> CapacityType:
    name, unit, unit_one, unit_few = CAPACITY_TYPES.get(code, (code, code, "", ""))
    capacity_type, _ = CapacityType.objects.get_or_create(
        code=code,
        defaults={"name": name, "unit": unit, "unit_one": unit_one, "unit_few": unit_few, "library": _library()},
    )
    return capacity_type


def make_target_group(code: str = "24") -> TargetGroup:
    group, _ = TargetGroup.objects.get_or_create(
        code=code, defaults={"name": TARGET_GROUPS.get(code, f"skupina {code}"), "library": _library()}
    )
    return group


def make_provider(name: str | None = None, *, ico: str | None = None, **extra) -> Provider:
    n = next(_seq)
    name = name or f"Poskytovatel {n}"
    extra.setdefault("legal_form", "zapsaný ústav")
    extra.setdefault("emails", [f"info{n}@poskytovatel.test"])
    extra.setdefault("phones", [f"777 000 {n % 1000:03d}"])
    extra.setdefault("websites", [f"www.poskytovatel{n}.test"])
    return Provider.objects.create(ico=ico or f"{88000000 + n:08d}", name=name, search_name=search_key(name), **extra)


def link_verified(organisation, provider: Provider, *, verified_by=None):
    """A verified link of ``organisation`` to ``provider`` as a verified claim leaves it (claim + link); a link the
    organisation already has is kept. For tests and fixtures – real links come from ``actions.decide_claim``."""
    from django.utils import timezone

    from qmss.registry.models import ProviderClaim, ProviderLink

    existing = ProviderLink.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    now = timezone.now()
    claim = ProviderClaim.objects.create(
        organisation=organisation,
        provider=provider,
        state=ProviderClaim.State.VERIFIED,
        decided_by=verified_by,
        decided_at=now,
        reason="test fixture",
    )
    return ProviderLink.objects.create(
        organisation=organisation, provider=provider, claim=claim, verified_by=verified_by, verified_at=now
    )


def make_facility(
    service: Service,
    municipality=None,
    *,
    region=None,
    name: str = "",
    street: str = "Hlavní",
    house_number: str = "1",
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    secret_address: bool = False,
    position: int | None = None,
    **extra,
) -> Facility:
    if municipality is not None:
        region = region or municipality.region
        if latitude is None and longitude is None:
            latitude, longitude = municipality.latitude, municipality.longitude
    if secret_address:
        street, house_number = "", ""
    return Facility.objects.create(
        service=service,
        position=position if position is not None else service.facilities.count(),
        name=name or service.name,
        street=street,
        house_number=house_number,
        postal_code=(municipality.postal_code if municipality is not None else "") or "",
        municipality=municipality,
        municipality_code=municipality.code if municipality is not None else "",
        region=region,
        latitude=Decimal(str(latitude)) if latitude is not None else None,
        longitude=Decimal(str(longitude)) if longitude is not None else None,
        secret_address=secret_address,
        **extra,
    )


def make_service(
    provider: Provider | None = None,
    *,
    name: str | None = None,
    kind: str = "13",
    forms: Sequence[tuple[str, Sequence[tuple[str, int]]]] = (("pob", (("luzka", 40),)),),
    municipalities: Iterable = (),
    facilities: Iterable[dict] = (),
    target_groups: Iterable[str] = ("24",),
    date_from: date | None = date(2015, 1, 1),
    date_to: date | None = None,
    identifier: str | None = None,
    portal_id: int | None = None,
    unmapped_codes: list | None = None,
    **extra,
) -> Service:
    """A service with its forms and capacities (``forms=[("pob", [("luzka", 40)])]``), one facility per
    municipality in ``municipalities`` and one per keyword dict in ``facilities`` (see :func:`make_facility`)."""
    n = next(_seq)
    provider = provider or make_provider()
    kind_obj = make_kind(kind) if kind else None
    extra.setdefault("emails", [f"sluzba{n}@poskytovatel.test"])
    extra.setdefault("phones", [])
    extra.setdefault("websites", [])
    service = Service.objects.create(
        portal_id=portal_id or 500000 + n,
        identifier=identifier if identifier is not None else f"{1000000 + n:07d}",
        provider=provider,
        kind=kind_obj,
        kind_code=f"DruhSocialniSluzby/{kind}",
        name=name or f"Služba {n}",
        date_from=date_from,
        date_to=date_to,
        unmapped_codes=unmapped_codes or [],
        snapshot={},
        fingerprint=f"{n:064d}",
        **extra,
    )
    for form_code, capacities in forms:
        service_form = ServiceForm.objects.create(
            service=service, form=make_delivery_form(form_code), form_code=f"FormaSocialniSluzby/{form_code}"
        )
        for type_code, count in capacities:
            Capacity.objects.create(
                service_form=service_form,
                capacity_type=make_capacity_type(type_code),
                type_code=f"TypKapacitySocialniSluzby/{type_code}",
                count=count,
            )
    if target_groups:
        service.target_groups.set([make_target_group(code) for code in target_groups])
    for municipality in municipalities:
        make_facility(service, municipality)
    for spec in facilities:
        make_facility(service, **spec)
    return service


def make_import(*, status: str = RegistryImport.Status.DONE, user=None, **extra) -> RegistryImport:
    extra.setdefault("source", "rpss.json")
    return RegistryImport.objects.create(status=status, user=user, **extra)


def make_change(
    service: Service,
    registry_import: RegistryImport | None = None,
    *,
    kind: str = RegistryChange.Kind.CHANGED,
    field: str = "name",
    old=None,
    new=None,
) -> RegistryChange:
    return RegistryChange.objects.create(
        registry_import=registry_import or make_import(),
        service=service,
        portal_id=service.portal_id,
        kind=kind,
        field=field,
        old_value=old,
        new_value=new,
    )


def make_catalogue_sample() -> dict:
    """Two regions, two providers, four services (one ended) – the data most registry tests start from.

    Keys: region_a, region_b, m1, m2 (region A, separate ORPs), m3 (region B), p1, p2, s1…s4.
    """
    from qmss.testing.factories import make_municipality, make_region

    region_a = make_region("CZ991", "Kraj Alfa")
    region_b = make_region("CZ992", "Kraj Beta")
    m1 = make_municipality(region_a, name="Úvaly")
    m2 = make_municipality(region_a, name="Bystřice")
    m3 = make_municipality(region_b, name="Cheb")
    p1 = make_provider("Domov Úsměv z. ú.", ico="12345678")
    p2 = make_provider("Charita Beta", ico="87654321")
    s1 = make_service(
        p1,
        name="Domov pro seniory Úsměv",
        kind="13",
        forms=[("pob", [("luzka", 40)])],
        municipalities=[m1],
        date_from=date(2010, 1, 1),
        identifier="1111111",
    )
    s2 = make_service(
        p1,
        name="Pečovatelská služba Úsměv",
        kind="4",
        forms=[("ter", [("klient", 120)]), ("amb", [("klient", 15)])],
        municipalities=[m1, m2],
        date_from=date(2012, 5, 1),
        identifier="2222222",
    )
    s3 = make_service(
        p2,
        name="Aktivizace Beta",
        kind="29",
        forms=[("amb", [("klient", 10)])],
        municipalities=[m3],
        target_groups=["26"],
        date_from=date(2018, 3, 1),
        identifier="3333333",
    )
    s4 = make_service(
        p2,
        name="Zrušený domov Beta",
        kind="13",
        forms=[("pob", [("luzka", 25)])],
        municipalities=[m3],
        date_from=date(2005, 1, 1),
        date_to=date(2020, 12, 31),
        identifier="4444444",
    )
    return {
        "region_a": region_a, "region_b": region_b, "m1": m1, "m2": m2, "m3": m3, "p1": p1, "p2": p2,
        "s1": s1, "s2": s2, "s3": s3, "s4": s4,
    }  # fmt: skip
