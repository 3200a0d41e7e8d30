"""The network demo of ``make run`` (:func:`load_network_demo`), loaded by the setup bootstrap after the needs demo.

For the demo region: a network of the demo regional authority built from the real registry services there (H1's
``create_network``), a brief with a few targets, and applications of the demo providers in different states through
the applications part's actions – one just submitted, one in evaluation with the demo municipality's statement,
one approved (it makes version 2 of the network) and one rejected with reasons. The composition of the network
comes from the registry; the brief, the applications, statements and decisions are synthetic and say so.
Idempotent: a second run finds the demo network and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

SYNTHETIC = "(ukázka, syntetická data)"
APPLICANTS_OUTSIDE = 2  # demo providers' services left out of version 1: they ask to enter the network (A)
BRIEF_KINDS = 3
DECISION_BODY = "Rada kraje (ukázka)"


@dataclass(frozen=True)
class Actors:
    region_org: object
    manager: object
    municipality_org: object | None
    municipality_user: object | None
    providers: list


def _member(organisation, roles: Sequence[str]):
    from django.contrib.auth import get_user_model

    if organisation is None:
        return None
    for role in roles:
        user = (
            get_user_model()
            .objects.filter(memberships__organisation=organisation, memberships__role=role, is_active=True)
            .order_by("pk")
            .first()
        )
        if user is not None:
            return user
    return None


def _actors() -> Actors | None:
    """The demo regional authority with its network manager, the demo municipality's office with its editor and
    the demo providers verified as registry providers (each with an editor or administrator)."""
    from qmss.core.models import Organisation
    from qmss.core.roles import OrganisationKind, Role

    region_org = (
        Organisation.objects.filter(kind=OrganisationKind.REGION, is_demo=True, region__isnull=False)
        .order_by("pk")
        .first()
    )
    manager = _member(region_org, (Role.NETWORK_MANAGER,))
    if region_org is None or manager is None:
        return None
    municipality_org = (
        Organisation.objects.filter(
            kind=OrganisationKind.MUNICIPALITY, is_demo=True, municipality__region_id=region_org.region_id
        )
        .order_by("pk")
        .first()
    )
    providers = [
        (organisation, user)
        for organisation in Organisation.objects.filter(
            kind=OrganisationKind.PROVIDER, is_demo=True, provider_link__isnull=False
        ).order_by("pk")
        if (user := _member(organisation, (Role.EDITOR, Role.ADMIN))) is not None
    ]
    return Actors(
        region_org=region_org,
        manager=manager,
        municipality_org=municipality_org,
        municipality_user=_member(municipality_org, (Role.EDITOR, Role.ADMIN)),
        providers=providers,
    )


def _network_name(region, start: date, end: date) -> str:
    return f"Síť sociálních služeb – {region.name} {start.year}–{end.year} (ukázka)"


def _applicant_services(actors: Actors, network) -> list[tuple[object, object, object]]:
    """(service, provider organisation, its user) for the demo providers' active services in the network's
    territory, the largest kinds of the region first (deterministic)."""
    from qmss.network.selectors_applications import filing_services

    rows = []
    for organisation, user in actors.providers:
        for service in filing_services([organisation.pk], network).filter(kind__isnull=False):
            rows.append((service, organisation, user))
    rows.sort(key=lambda row: (row[0].name_sort, row[0].pk))
    return rows


def _leave_out_of_version_one(network, services) -> None:
    """The demo's applicants for a new service (A) are registered in the region but not yet in the network: their
    entries are taken out of version 1 right after it was built from the registry (nothing refers to them yet)."""
    from qmss.network.models import NetworkEntry

    NetworkEntry.objects.filter(version__network=network, version__number=1, service__in=services).delete()


def _brief(network, user, created: dict[str, int]) -> None:
    """Targets for the kinds with the largest capacity in the network: 10 % above what the network holds."""
    from qmss.network.actions_networks import save_brief_item
    from qmss.network.models import BriefItem, NetworkEntry
    from qmss.registry.models import ServiceKind

    if BriefItem.objects.filter(network=network).exists():
        return
    rows = (
        NetworkEntry.objects.filter(version__network=network, version__number=1, service__kind__isnull=False)
        .values("service__kind", "unit")
        .annotate(total=Sum("capacity"))
        .order_by("-total", "service__kind", "unit")
    )
    seen_kinds: set[int] = set()
    for row in rows:
        if len(seen_kinds) >= BRIEF_KINDS:
            break
        if row["service__kind"] in seen_kinds or not row["total"]:
            continue
        seen_kinds.add(row["service__kind"])
        target = (row["total"] * Decimal("1.1")).quantize(Decimal("1"), rounding=ROUND_CEILING)
        save_brief_item(
            user=user,
            network=network,
            kind=ServiceKind.objects.get(pk=row["service__kind"]),
            orp=None,
            unit=row["unit"],
            target_capacity=target,
            justification=(
                "Demografický vývoj: počet lidí v cílové skupině v kraji roste, kapacita by měla růst alespoň "
                f"o desetinu. {SYNTHETIC}"
            ),
            plan_reference="Střednědobý plán rozvoje sociálních služeb kraje (ukázka)",
        )
        created["brief_items"] += 1


def _terms(network, service, municipality_org) -> tuple[str, Decimal, list[int]]:
    """Unit (the kind's), capacity (the registry's, else 10) and served ORPs (the service's facilities in the
    region, plus the demo municipality's ORP so that its office is asked for a statement)."""
    from qmss.network import units

    unit = units.unit_for_kind(service.kind.code)
    capacity = units.registry_capacity(service, unit) or Decimal(10)
    orps = {
        f.municipality.orp.ruian_code
        for f in service.facilities.select_related("municipality__orp")
        if f.municipality_id and f.municipality.orp_id and f.municipality.region_id == network.region_id
    }
    if municipality_org is not None and municipality_org.municipality.orp_id:
        orps.add(municipality_org.municipality.orp.ruian_code)
    return unit, Decimal(capacity), sorted(orps)


def _applications(network, actors: Actors, candidates, today: date, created: dict[str, int]) -> None:
    from qmss.network import actions_applications as actions
    from qmss.network.models import Application, NetworkEntry

    if Application.objects.filter(network=network).exists():
        return
    State, Kind = Application.State, Application.Kind
    manager, municipality = actors.manager, actors.municipality_org
    plan = [  # (kind, final state) in the order of the candidates: the first two are outside the network
        (Kind.NEW, State.SUBMITTED),
        (Kind.NEW, State.APPROVED),
        (Kind.DEVELOPMENT, State.EVALUATION),
        (Kind.CHANGE, State.REJECTED),
    ]
    for (service, _organisation, user), (kind, goal) in zip(candidates, plan, strict=False):
        unit, capacity, orps = _terms(network, service, municipality)
        if kind != Kind.NEW:
            entry = NetworkEntry.objects.filter(version__network=network, service=service).order_by("-version__number")
            current = entry.first()
            if current is None:
                continue
            unit = current.unit
            grow = Decimal("1.25") if kind == Kind.DEVELOPMENT else Decimal("1.5")
            capacity = max((current.capacity * grow).quantize(Decimal("1")), current.capacity + 1)
        application = actions.file_application(
            user=user,
            network=network,
            kind=kind,
            service=service,
            capacity=capacity,
            unit=unit,
            orp_codes=orps,
            justification=_justification(kind),
        )
        created["applications"] += 1
        if goal == State.SUBMITTED:
            continue
        if kind in (Kind.NEW, Kind.DEVELOPMENT) and municipality is not None and actors.municipality_user:
            actions.file_statement(
                user=actors.municipality_user,
                application=application,
                organisation=municipality,
                position="supports",
                text=f"Obec potvrzuje, že o službu mají její občané zájem a kapacita v území chybí. {SYNTHETIC}",
            )
            created["statements"] += 1
        actions.move_application(user=manager, application=application, state=State.FORMAL_CHECK)
        actions.move_application(
            user=manager, application=application, state=State.EVALUATION, note=f"Formálně v pořádku. {SYNTHETIC}"
        )
        if goal == State.EVALUATION:
            continue
        actions.move_application(user=manager, application=application, state=State.PROPOSAL)
        approve = goal == State.APPROVED
        actions.decide_application(
            user=manager,
            application=application,
            approve=approve,
            decision_body=DECISION_BODY,
            resolution_number=f"{today.year % 100:02d}/{application.pk:04d} (ukázka)",
            decision_date=today,
            reasons=(
                f"Služba splňuje kritéria sítě a pokrývá zjištěnou potřebu v území. {SYNTHETIC}"
                if approve
                else (
                    "Navýšení kapacity není v souladu se zadáním sítě: potřeba v území je kapacitou sítě pokryta "
                    f"a služba nedosáhla minimálního celkového hodnocení. {SYNTHETIC}"
                )
            ),
        )


def _justification(kind: str) -> str:
    texts = {
        "A": "Žádáme o zařazení služby do sítě: v území roste počet zájemců, které stávající služby odmítají.",
        "B": "Žádáme o navýšení kapacity kvůli dlouhému pořadníku čekatelů.",
        "C": "Žádáme o rozvoj služby: rozšíření o nové lůžko/místo a prodloužení provozní doby.",
    }
    return f"{texts[kind]} {SYNTHETIC}"


@transaction.atomic
def load_network_demo(*, today: date | None = None) -> dict[str, int]:
    """The network demo for the demo region (see the module docstring). Returns what was created now (all zeros on a
    second run, and when the demo organisations, the registry or the rules library are not there)."""
    from qmss.network.actions_networks import create_network
    from qmss.network.models import Network

    created = {"networks": 0, "brief_items": 0, "applications": 0, "statements": 0}
    actors = _actors()
    if actors is None:
        return created
    today = min(today or timezone.localdate(), timezone.localdate())
    region = actors.region_org.region
    network = Network.objects.filter(organisation=actors.region_org, is_demo=True).order_by("pk").first()
    if network is not None:
        return created
    start, end = date(today.year, 1, 1), date(today.year + 2, 12, 31)
    network = create_network(
        user=actors.manager,
        organisation=actors.region_org,
        name=_network_name(region, start, end),
        period_start=start,
        period_end=end,
        description=(
            "Ukázková síť: verze 1 obsahuje skutečné služby registru s místem poskytování v kraji; zadání, žádosti, "
            "vyjádření obcí a rozhodnutí jsou syntetická (vymyšlená pro ukázku)."
        ),
    )
    Network.objects.filter(pk=network.pk).update(is_demo=True)
    network.is_demo = True
    created["networks"] += 1
    candidates = _applicant_services(actors, network)
    _leave_out_of_version_one(network, [row[0] for row in candidates[:APPLICANTS_OUTSIDE]])
    _brief(network, actors.manager, created)
    _applications(network, actors, candidates, today, created)
    return created
