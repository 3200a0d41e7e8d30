"""Synthetic demo data of the needs app: the round generator (plausible, within the template's rules,
deterministic) and the demo loader (≥ 40 services in the closed round, an open round, idempotent)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qmss.needs import demo
from qmss.needs.models import CollectionRound, KindCard, MinimumForm, ServiceCard, Submission, SubmissionComment
from qmss.needs.selectors_rounds import submission_values, values_of_submissions
from qmss.needs.validation import check, missing_required
from qmss.registry.models import Service
from qmss.registry.testing import make_provider, make_service
from qmss.testing.factories import make_municipality, make_org, make_region

pytestmark = pytest.mark.django_db

# kind, forms with capacities
SERVICE_SPECS = (
    ("13", (("pob", (("luzka", 60),)),)),
    ("13", (("pob", (("luzka", 120), ("klient", 5))),)),
    ("14", (("pob", (("luzka", 45),)),)),
    ("4", (("ter", (("klient", 150),)), ("amb", (("klient", 20),)))),
    ("1", (("amb", (("interv", 8),)), ("ter", (("interv", 3),)))),
    ("8", (("pob", (("luzka", 8),)), ("ter", (("klient", 25),)))),
    ("10", (("amb", (("klient", 20),)),)),
    ("3", (("ter", (("klient", 40),)),)),
    ("5", (("ter", (("klient", 400),)),)),
    ("18", (("ter", (("hovor", 30),)),)),
)


@pytest.fixture
def libraries(db):
    from qmss.needs.library import load_files

    load_files()


def _services(region, municipalities, count=None, provider=None):
    count = len(SERVICE_SPECS) if count is None else count
    provider = provider or make_provider()
    services = []
    for i in range(count):
        kind, forms = SERVICE_SPECS[i % len(SERVICE_SPECS)]
        municipality = municipalities[i % len(municipalities)]
        services.append(make_service(provider, kind=kind, forms=forms, facilities=[{"municipality": municipality}]))
    return services


@pytest.fixture
def world(libraries):
    region = make_region("CZ993", "Kraj generátoru")
    municipalities = [make_municipality(region) for _ in range(4)]
    authority = make_org("region", "Krajský úřad generátoru", region=region)
    return {"region": region, "authority": authority, "services": _services(region, municipalities)}


def _round(world, *, seed=1, state=CollectionRound.State.CLOSED, **extra):
    return demo.generate_round(
        organisation=world["authority"],
        region=world["region"],
        services=world["services"],
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        state=state,
        seed=seed,
        **extra,
    )


def _values_by_service(collection_round):
    submissions = list(collection_round.submissions.all())
    values = values_of_submissions([s.pk for s in submissions])
    return {s.service_id: values.get(s.pk, {}) for s in submissions}


def test_generated_round_passes_the_templates_rules(world):
    collection_round = _round(world)
    assert collection_round.synthetic
    assert "(syntetická data)" in collection_round.name
    assert collection_round.state == CollectionRound.State.CLOSED
    submissions = list(collection_round.submissions.select_related("round", "service"))
    assert len(submissions) == len(world["services"])
    for submission in submissions:
        assert submission.state == Submission.State.APPROVED
        values = submission_values(submission)
        results = check(submission, values)
        assert len(results) == 6
        failed = [(r.rule.code, r.severity) for r in results if r.failed]
        assert failed == [], (submission.service.kind.code, failed, values)
        assert all(r.passed is not None for r in results if r.rule.code != "bed_days_le_capacity")
        assert missing_required(submission, values) == []


def test_values_are_plausible_for_the_kind_and_form(world):
    values = _values_by_service(_round(world))
    for service in world["services"]:
        cells = values[service.pk]
        users = sum(cells["users"].values())
        kind = service.kind.code
        if kind in ("13", "14"):  # residential: occupancy 85–99 %, lack of capacity the main refusal reason
            capacity = cells["capacity"][""]
            occupancy = cells["bed_days"][""] / (capacity * cells["period_days"][""])
            assert Decimal("0.85") <= occupancy <= Decimal("0.99")
            assert capacity * Decimal("1.1") <= users <= capacity * Decimal("1.4") + 1
            refused = cells["refused"]
            assert refused["capacity"] == max(refused.values()) > 0
            assert "contacts" not in cells
        if kind == "13":  # seniors: the oldest band the largest, nobody under 18
            assert cells["users"]["80p"] == max(cells["users"].values())
            assert cells["users"]["u18"] == 0
        if kind in ("4", "1", "3"):
            assert "bed_days" not in cells
            assert cells["contacts"][""] > 0
            assert cells["refused"]["health"] == 0  # §91(3)(c) concerns residential services only
        assert cells["capacity"][""] == {"1": 11, "18": 30}.get(kind, cells["capacity"][""])
        direct = sum(cells["fte"][r] for r in ("social_worker", "care_worker", "health_staff", "other_direct"))
        assert direct * 1300 <= cells["direct_hours"][""] <= direct * 1600 + 1
        assert sum(cells["users_orp"].values()) == users
        assert sum(cells["needs_response"].values()) > 0
        costs, revenues = sum(cells["costs"].values()), sum(cells["revenues"].values())
        assert Decimal("0.9") * costs <= revenues <= Decimal("1.1") * costs
        assert Decimal(100_000) < costs < Decimal(500_000_000)


def test_the_generator_is_deterministic(world):
    first = _values_by_service(_round(world, seed=7))
    again = _values_by_service(_round(world, seed=7))
    other = _values_by_service(_round(world, seed=8))
    assert first == again
    assert first != other


def test_registry_facts_match_the_rounds_prefill(world):
    from qmss.needs.layout import prefill_many

    collection_round = _round(world)
    submissions = list(collection_round.submissions.select_related("round"))
    prefill = prefill_many(submissions)
    stored = values_of_submissions([s.pk for s in submissions])
    for submission in submissions:
        assert set(submission.registry_facts) >= {"forms", "capacity", "capacity_unit"}
        for (code, category), value in prefill[submission.pk].items():
            assert stored[submission.pk][code][category] == value, (code, category)


def test_an_open_round_has_drafts_some_filled(world):
    collection_round = _round(world, state=CollectionRound.State.OPEN, filled=0.5, seed=3)
    submissions = list(collection_round.submissions.all())
    assert {s.state for s in submissions} == {Submission.State.DRAFT}
    values = values_of_submissions([s.pk for s in submissions])
    filled = [s for s in submissions if "users" in values.get(s.pk, {})]
    untouched = [s for s in submissions if "users" not in values.get(s.pk, {})]
    assert filled and untouched
    assert all(s.started_at is None for s in untouched)
    assert all(set(values[s.pk]) <= {"capacity", "period_days", "needs_response"} for s in untouched)


def test_the_cards_response_counts_fill_needs_response(world):
    from qmss.needs.models import Need, ServiceCardResponse

    service = world["services"][0]
    provider_org = make_org("provider", "Poskytovatel s kartou", region=world["region"])
    card = ServiceCard.objects.create(
        service=service,
        organisation=provider_org,
        year=2025,
        taxonomy=Need.objects.first().taxonomy,
        state=ServiceCard.State.CONFIRMED,
    )
    needs = list(Need.objects.order_by("pk")[:5])
    for need, response in zip(
        needs, ("basic_activity", "basic_activity", "brokering", "referral", "basic_activity"), strict=True
    ):
        ServiceCardResponse.objects.create(card=card, need=need, response=response)
    cells = _values_by_service(_round(world))[service.pk]
    assert cells["needs_response"] == {
        "basic_activity": 3,
        "brokering": 1,
        "referral": 1,
        "not_addressed": 0,
    }


# --- the demo loader ----------------------------------------------------------------------------------------------


@pytest.fixture
def demo_world(db):
    """A demo region of 46 services (the two demo providers are linked to the largest two, 20 services), the
    reference data, the needs
    libraries and the demo organisations and users, linked to the registry as bootstrap links them."""
    from qmss.needs.library import load_all
    from qmss.registry.reference import load_reference
    from qmss.setup.demo import link_demo_providers, load_demo

    load_reference()
    load_all()
    region = make_region("CZ072", "Zlínský kraj")
    municipalities = [make_municipality(region) for _ in range(5)]
    for count in (12, 8, 7, 7, 6, 6):
        _services(region, municipalities, count=count)
    load_demo()
    link_demo_providers()
    return region


def _snapshot():
    return (
        CollectionRound.objects.count(),
        Submission.objects.count(),
        SubmissionComment.objects.count(),
        ServiceCard.objects.count(),
        MinimumForm.objects.count(),
        sorted(Submission.objects.values_list("round_id", "service_id", "state")),
    )


def test_the_demo_loader_builds_a_closed_and_an_open_round_once(demo_world):
    created = demo.load_needs_demo(today=date(2026, 6, 1))
    closed = CollectionRound.objects.get(state=CollectionRound.State.CLOSED)
    opened = CollectionRound.objects.get(state=CollectionRound.State.OPEN)
    assert closed.synthetic and opened.synthetic
    assert "(syntetická data)" in closed.name and "(syntetická data)" in opened.name
    assert (closed.period_start, closed.period_end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert opened.period_start == date(2026, 1, 1)
    assert closed.region == demo_world
    assert closed.submissions.count() >= 40
    assert set(closed.submissions.values_list("state", flat=True)) == {Submission.State.APPROVED}
    returned = SubmissionComment.objects.filter(kind=SubmissionComment.Kind.RETURN, submission__round=closed)
    assert returned.count() >= 2
    demo_services = set(Service.objects.filter(provider__link__organisation__is_demo=True).values_list("pk", flat=True))
    assert len(demo_services) == 20  # the two demo providers' services, as drafts
    assert set(opened.submissions.values_list("service_id", flat=True)) == demo_services
    assert set(opened.submissions.values_list("state", flat=True)) == {Submission.State.DRAFT}
    assert created["rounds"] == 2
    assert ServiceCard.objects.filter(year=2025, state=ServiceCard.State.CONFIRMED).count() == 20
    assert created["service_cards"] == 20
    assert MinimumForm.objects.filter(region=demo_world).count() == 1
    published = KindCard.objects.filter(region=demo_world, state=KindCard.State.PUBLISHED)
    assert created["kind_cards"] == published.count() >= 3
    # the demo providers' service cards answer the needs of the region's published card of their kind
    card = ServiceCard.objects.filter(year=2025, service__kind__code="13").first()
    assert card.kind_card.region == demo_world
    # the closed round's needs by response type come from that confirmed card
    counts = {}
    for response in card.responses.values_list("response", flat=True):
        counts[response] = counts.get(response, 0) + 1
    cells = submission_values(closed.submissions.get(service=card.service))["needs_response"]
    assert {code: int(value) for code, value in cells.items() if value} == counts

    before = _snapshot()
    again = demo.load_needs_demo(today=date(2026, 6, 1))
    assert set(again.values()) == {0}
    assert _snapshot() == before


def test_the_demo_loader_does_nothing_without_the_libraries(db):
    assert set(demo.load_needs_demo().values()) == {0}
    assert not CollectionRound.objects.exists()


def test_the_demo_loader_makes_no_empty_round_without_the_registry(libraries):
    from qmss.setup.demo import load_demo

    make_region("CZ072", "Zlínský kraj")
    load_demo()
    created = demo.load_needs_demo(today=date(2026, 6, 1))
    assert created["rounds"] == 0
    assert not CollectionRound.objects.exists()
