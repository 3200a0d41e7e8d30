"""Synthetic demo data of the financing app for the demo region (``make run``, loaded by the setup bootstrap after
the network demo): for the demo regional authority's demo network (:mod:`qmss.network.demo`)

- the demo reference values (``libraries/financing/reference-values-demo.yaml``) for this year and the next, through
  the reference part's validated import (``load_yaml_reference_values``);
- this year's programme, decided: the demo providers' applications for their services in the network, filed,
  submitted and accepted through the applications part's actions, the compensation computed twice (the second time
  with the budget cut to 90 % of the capped total, so the budget coefficient shows) and the second run approved;
  settlements of the accepted applications (a few with overcompensation), half of them checked and accepted;
- next year's programme, open: a few draft applications (pre-filled from this year) and a few submitted;
- entrustments proposed from the network's current version and issued (two left as proposals);
- staff positions and buildings with households and rooms for a few residential services (one breaks the MTS).

Every step goes through the owning part's actions (permission checks included) as the demo users; the records
carry ``is_demo`` where the model has it and say "(ukázka, syntetická data)" in their texts. Idempotent: a second
run finds the demo programme and changes nothing. Returns the counts of what was created, by Czech label."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

SYNTHETIC = "(ukázka, syntetická data)"
DEMO_FILE = "reference-values-demo.yaml"
MAX_APPLICATIONS = 8  # of this year's programme
NEXT_YEAR_APPLICATIONS = 4  # the first half submitted, the rest drafts
STANDARDS_SERVICES = 3
ENTRUSTMENTS_LEFT_PROPOSED = 2
DEFAULT_COST = Decimal("300000")  # per unit and year when the reference values have no row for the kind
DEFAULT_REVENUE = Decimal("100000")

LABELS = {
    "reference_sets": "sady referenčních hodnot",
    "programmes": "dotační programy",
    "applications": "žádosti o dotaci",
    "runs": "výpočty vyrovnávacích plateb",
    "settlements": "vyúčtování",
    "entrustments": "pověření",
    "positions": "pracovní pozice",
    "buildings": "budovy",
}


def _czk(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("1"), rounding=ROUND_DOWN)


def _library_path() -> Path:
    """The demo file next to the financing rules library."""
    from qmss.financing.library import rules_path

    return rules_path().with_name(DEMO_FILE)


# --- steps ---------------------------------------------------------------------------------------------------------


def _reference_values(actors, years, created) -> None:
    from qmss.financing.actions_reference import load_yaml_reference_values
    from qmss.financing.models import ReferenceValueSet

    path = _library_path()
    for year in years:
        if ReferenceValueSet.objects.filter(organisation=actors.region_org, year=year, is_demo=True).exists():
            continue
        load_yaml_reference_values(user=actors.manager, organisation=actors.region_org, year=year, path=path)
        created[LABELS["reference_sets"]] += 1


def _programme(actors, network, *, year: int, budget: Decimal, deadline, description: str, created):
    from qmss.financing import actions_applications as actions
    from qmss.financing.models import Programme

    programme = actions.create_programme(
        user=actors.manager,
        organisation=actors.region_org,
        network=network,
        year=year,
        name=f"Program podpory sociálních služeb v síti kraje {year} (ukázka)",
        budget=budget,
        deadline=deadline,
        description=description,
    )
    Programme.objects.filter(pk=programme.pk).update(is_demo=True)
    programme.is_demo = True
    actions.change_programme_state(user=actors.manager, programme=programme, state=Programme.State.OPEN)
    programme.refresh_from_db()
    created[LABELS["programmes"]] += 1
    return programme


def _filers(actors, programme) -> list[tuple[object, object]]:
    """(service, user) of the demo providers' services in the programme network's current version."""
    from qmss.financing.selectors_applications import filing_services

    rows = []
    for organisation, user in actors.providers:
        for service in filing_services([organisation.pk], programme):
            rows.append((service, user))
    rows.sort(key=lambda row: (row[0].name_sort, row[0].pk))
    return rows


def _budget_of(application, index: int) -> tuple[dict, dict, Decimal]:
    """Costs, revenues and the requested amount of a demo application: the reference values' usual cost and own
    revenue per unit, varied a little by service (synthetic)."""
    from qmss.financing import budget
    from qmss.financing.reference_values import value_for

    service = application.service
    form = service.forms.values_list("form__code", flat=True).order_by("pk").first()
    value = (
        value_for(application.programme.reference_set, service.kind.code, form)
        if application.programme.reference_set_id and service.kind_id
        else None
    )
    cost = value.usual_cost if value else DEFAULT_COST
    revenue = value.usual_revenue if value else DEFAULT_REVENUE
    factor = Decimal("0.94") + Decimal(index % 5) * Decimal("0.03")
    units = _units(application)
    total_cost = units * cost * factor
    own = units * revenue * (Decimal(2) - factor)
    own = min(own, total_cost)
    costs = {"staff": _czk(total_cost * Decimal("0.7")), "operating": _czk(total_cost * Decimal("0.3"))}
    revenues = {
        "user_payments": _czk(own * Decimal("0.6")),
        "care_allowance": _czk(own * Decimal("0.35")),
        "health_insurance": Decimal(0),
        "other_own": _czk(own * Decimal("0.05")),
        "other_public": _czk(total_cost * Decimal("0.04")),
    }
    need = max(budget.public_need(costs, revenues), Decimal(0))
    return costs, revenues, _czk(need)


def _units(application) -> Decimal:
    """The application's capacity (the network entry's), 10 units where the entry holds none."""
    return application.units if application.units and application.units > 0 else Decimal(10)


def _file(programme, service, user, index: int, *, submit: bool, created):
    from qmss.financing import actions_applications as actions
    from qmss.financing.models import SubsidyApplication

    try:
        application = actions.start_application(user=user, programme=programme, service=service)
    except ValidationError:
        return None
    SubsidyApplication.objects.filter(pk=application.pk).update(is_demo=True)
    created[LABELS["applications"]] += 1
    if not submit:
        return application
    costs, revenues, requested = _budget_of(application, index)
    actions.update_application(
        user=user,
        application=application,
        units=_units(application),
        costs=costs,
        revenues=revenues,
        requested=requested,
        note=f"Rozpočet vychází z obvyklých nákladů a výnosů kraje. {SYNTHETIC}",
    )
    return actions.submit_application(user=user, application=application)


def _decided_year(actors, network, year: int, created):
    """This year's programme: applications accepted, two compensation runs, the second approved, decided."""
    from qmss.financing import actions_applications as actions
    from qmss.financing import actions_compensation as compensation
    from qmss.financing.models import Programme

    programme = _programme(
        actors,
        network,
        year=year,
        budget=Decimal("50000000"),
        deadline=None,
        description=(
            "Ukázkový program: žádosti, výpočet vyrovnávací platby a vyúčtování jsou syntetická data vytvořená "
            "pro předvedení aplikace."
        ),
        created=created,
    )
    applications = []
    for index, (service, user) in enumerate(_filers(actors, programme)[:MAX_APPLICATIONS]):
        application = _file(programme, service, user, index, submit=True, created=created)
        if application is not None:
            applications.append(application)
    for application in applications:
        actions.review_application(
            user=actors.manager, application=application, decision="accept", reason=f"Žádost je úplná. {SYNTHETIC}"
        )
    actions.change_programme_state(user=actors.manager, programme=programme, state=Programme.State.CLOSED)
    if not applications:
        return programme, []
    first = compensation.compute_run(
        user=actors.manager, programme=programme, note=f"První výpočet s předběžným rozpočtem. {SYNTHETIC}"
    )
    created[LABELS["runs"]] += 1
    if first.total_capped > 0:
        programme.refresh_from_db()
        actions.update_programme(
            user=actors.manager,
            programme=programme,
            name=programme.name,
            budget=_czk(first.total_capped * Decimal("0.9")),
            deadline=programme.deadline,
            description=programme.description,
        )
    run = compensation.compute_run(
        user=actors.manager, programme=programme, note=f"Výpočet se schváleným rozpočtem kraje. {SYNTHETIC}"
    )
    created[LABELS["runs"]] += 1
    compensation.approve_run(user=actors.manager, run=run)  # approving decides a closed programme
    programme.refresh_from_db()
    if programme.state == Programme.State.CLOSED:
        actions.change_programme_state(user=actors.manager, programme=programme, state=Programme.State.DECIDED)
    return programme, applications


def _settlements(actors, applications, created) -> None:
    """Settlements of the accepted applications: actual figures close to the budget; every third one received a
    state subsidy on top (overcompensation); every other one checked and accepted by the manager."""
    from qmss.financing import actions_settlement as actions
    from qmss.financing import budget
    from qmss.financing.models import Settlement

    users = {organisation.pk: user for organisation, user in actors.providers}
    for index, application in enumerate(applications):
        application.refresh_from_db()
        user = users.get(application.organisation_id)
        if user is None:
            continue
        try:
            settlement = actions.start_settlement(user=user, application=application)
        except ValidationError:
            continue
        Settlement.objects.filter(pk=settlement.pk).update(is_demo=True)
        created[LABELS["settlements"]] += 1
        factor = Decimal("0.97") + Decimal(index % 3) * Decimal("0.03")
        costs = {code: _czk(budget.amount(value) * factor) for code, value in (application.costs or {}).items()}
        revenues = {code: budget.amount(value) for code, value in (settlement.actual_revenues or {}).items()}
        public = {code: budget.amount(value) for code, value in (settlement.public_money or {}).items()}
        if index % 3 == 0:
            public["state"] = _czk(budget.total(costs) * Decimal("0.3"))
        actions.update_settlement(
            user=user,
            settlement=settlement,
            units=application.units,
            actual_costs=costs,
            actual_revenues=revenues,
            public_money=public,
            note=f"Skutečné náklady a výnosy roku. {SYNTHETIC}",
        )
        settlement = actions.submit_settlement(user=user, settlement=settlement)
        if index % 2 == 0:
            actions.check_settlement(
                user=actors.manager, settlement=settlement, decision="accept", note=f"Zkontrolováno. {SYNTHETIC}"
            )


def _open_year(actors, network, year: int, today: date, created) -> None:
    """Next year's programme, open: the first services' applications, half submitted, half drafts."""
    programme = _programme(
        actors,
        network,
        year=year,
        budget=Decimal("60000000"),
        deadline=timezone.localdate() + timedelta(days=60),  # open now, whatever day the demo is dated
        description="Ukázkový program otevřený pro žádosti; žádosti jsou syntetická data.",
        created=created,
    )
    filers = _filers(actors, programme)[:NEXT_YEAR_APPLICATIONS]
    for index, (service, user) in enumerate(filers):
        _file(programme, service, user, index, submit=index < len(filers) // 2, created=created)


def _entrustments(actors, network, created) -> None:
    from qmss.financing import actions_entrustments as actions
    from qmss.financing.models import Entrustment

    try:
        proposals = actions.propose_entrustments(user=actors.manager, network=network)
    except ValidationError:
        return
    Entrustment.objects.filter(pk__in=[e.pk for e in proposals]).update(is_demo=True)
    chosen = [e.pk for e in proposals][: max(len(proposals) - ENTRUSTMENTS_LEFT_PROPOSED, 0)]
    if chosen:
        actions.issue_entrustments(user=actors.manager, network=network, entrustment_ids=chosen)
    created[LABELS["entrustments"]] += len(proposals)


def _standards(actors, network, created) -> None:
    """Staff positions and a building for the first residential services of the demo providers; the last one's
    double room holds three beds (it breaks the MTS of homes, shown on its page)."""
    from qmss.financing import actions_standards as actions
    from qmss.financing.library import default_rules
    from qmss.registry.selectors_links import services_of_organisations

    residential = set(default_rules().mts)
    services = []
    for organisation, user in actors.providers:
        for service in services_of_organisations([organisation.pk]).select_related("kind").order_by("name", "pk"):
            if service.kind_id and service.kind.code in residential:
                services.append((service, user))
    for index, (service, user) in enumerate(services[:STANDARDS_SERVICES]):
        positions = (
            ("Pracovník v sociálních službách", Decimal("8.0"), True, "worker_direct"),
            ("Sociální pracovník", Decimal("1.0"), True, "social_worker"),
            ("Všeobecná sestra", Decimal("2.0"), True, "health"),
            ("Vedoucí služby", Decimal("1.0"), False, "manager"),
            ("Provozní a administrativní pracovník", Decimal("3.0"), False, "other"),
        )
        for name, fte, direct, qualification in positions:
            actions.create_position(
                user=user,
                service=service,
                position=name,
                fte=fte,
                direct_care=direct,
                qualification=qualification,
                note=SYNTHETIC,
            )
            created[LABELS["positions"]] += 1
        building = actions.create_building(
            user=user, service=service, name=f"Budova A {SYNTHETIC}", address="Ukázková 1 (smyšlená adresa)"
        )
        created[LABELS["buildings"]] += 1
        for household_number in (1, 2):
            household = actions.create_household(user=user, building=building, name=f"Domácnost {household_number}")
            beds = (2, 1, 3 if index == STANDARDS_SERVICES - 1 and household_number == 2 else 2)
            for room_number, count in enumerate(beds, start=1):
                actions.create_room(user=user, household=household, name=f"Pokoj {room_number}", beds=count)


# --- entry point ---------------------------------------------------------------------------------------------------


@transaction.atomic
def load_financing_demo(*, today: date | None = None) -> dict[str, int]:
    """Create the demo financing data once (idempotent); returns the counts of new objects by Czech label (all zeros
    on a second run, and when the demo organisations or the demo network are not there)."""
    from qmss.financing.models import Programme
    from qmss.network.demo import _actors
    from qmss.network.models import Network

    created = dict.fromkeys(LABELS.values(), 0)
    actors = _actors()
    if actors is None:
        return created
    network = Network.objects.filter(organisation=actors.region_org, is_demo=True).order_by("pk").first()
    if network is None or Programme.objects.filter(network=network, is_demo=True).exists():
        return created
    today = min(today or timezone.localdate(), timezone.localdate())
    year = today.year
    _reference_values(actors, (year, year + 1), created)
    _entrustments(actors, network, created)
    programme, applications = _decided_year(actors, network, year, created)
    _settlements(actors, applications, created)
    _open_year(actors, network, year + 1, today, created)
    _standards(actors, network, created)
    return created
