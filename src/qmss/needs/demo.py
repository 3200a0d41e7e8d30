"""Synthetic demo data of the needs app: data-collection rounds with plausible values derived from the registry.

:func:`generate_round` builds one round with a submission per service and values invented from the service's
registered capacity, kind and delivery forms (seeded, deterministic, bulk-created: fast enough for 700 services ×
12 rounds, which the benches use). :func:`load_needs_demo` builds the demo of ``make run`` (a closed round of the
previous year for the demo region, an open round of this year for the demo providers, kind cards, service cards
and a minimum form where those parts exist); it is idempotent.

Every round made here is marked ``synthetic=True`` and its name says "(syntetická data)": the figures are not
real. The names are data of the demo (like the demo organisations' names), therefore Czech.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from qmss.needs.models import (
    CollectionRound,
    CollectionTemplate,
    DataElement,
    DisaggregationCategory,
    Need,
    ServiceCardResponse,
    Submission,
    SubmissionValue,
    Taxonomy,
)

SYNTHETIC_LABEL = "(syntetická data)"
SYNTHETIC_INSTRUCTIONS = (
    "Ukázkový sběr dat: hodnoty jsou syntetické, odvozené z kapacit v registru poskytovatelů, nejde o skutečné údaje."
)
BATCH = 5000
TOTAL = ""
PER_SESSION_UNITS = frozenset({"interv", "kontakt", "hovor"})

# Share of users per age band (u18, 18_64, 65_79, 80p) typical of the kind; the rest falls back to DEFAULT_AGES.
AGE_PROFILES: dict[str, tuple[float, float, float, float]] = {
    "13": (0.0, 0.03, 0.30, 0.67),  # domovy pro seniory
    "14": (0.0, 0.15, 0.40, 0.45),  # domovy se zvláštním režimem
    "12": (0.05, 0.80, 0.12, 0.03),  # domovy pro osoby se zdravotním postižením
    "15": (0.0, 0.85, 0.12, 0.03),  # chráněné bydlení
    "11": (0.10, 0.80, 0.08, 0.02),  # týdenní stacionáře
    "3": (0.15, 0.35, 0.25, 0.25),  # osobní asistence
    "4": (0.0, 0.08, 0.35, 0.57),  # pečovatelská služba
    "5": (0.0, 0.05, 0.35, 0.60),  # tísňová péče
    "8": (0.02, 0.10, 0.35, 0.53),  # odlehčovací služby
    "9": (0.0, 0.25, 0.40, 0.35),  # centra denních služeb
    "10": (0.0, 0.25, 0.40, 0.35),  # denní stacionáře
    "29": (0.0, 0.30, 0.45, 0.25),  # aktivizační služby pro seniory a OZP
    "1": (0.05, 0.55, 0.25, 0.15),  # odborné sociální poradenství
}
DEFAULT_AGES = (0.05, 0.45, 0.30, 0.20)
AGE_BANDS = ("u18", "18_64", "65_79", "80p")
FIELD_CARE_KINDS = frozenset({"3", "4", "5", "6", "7", "8", "17"})
DAY_CARE_KINDS = frozenset({"9", "10", "29", "30"})
# Visits (contacts) per user in a year, by kind, when capacity is stated in clients.
VISITS_PER_USER = {"3": (100, 220), "4": (60, 130), "5": (8, 20), "8": (30, 80), "9": (60, 140), "10": (80, 160)}
DEFAULT_VISITS = (4, 12)


# --- the registry facts of a service ----------------------------------------------------------------------------------
@dataclass
class ServiceFacts:
    """What the generator needs to know of a registry service (read in a handful of queries for many)."""

    pk: int
    snapshot: dict = field(default_factory=dict)  # the submission's registry facts, as opening a round takes them
    capacity_type: str = ""
    other_clients: int = 0  # clients of its other (non-residential) forms, for a mixed service
    orp_code: str = ""

    @property
    def kind_code(self) -> str:
        return self.snapshot.get("kind") or ""

    @property
    def forms(self) -> list[str]:
        return list(self.snapshot.get("forms") or [])

    @property
    def capacity(self) -> int | None:
        return self.snapshot.get("capacity")

    @property
    def residential(self) -> bool:
        return "residential" in self.forms


def service_facts(service_ids: Iterable[int]) -> dict[int, ServiceFacts]:
    """The registry facts of each service exactly as opening a round snapshots them
    (:func:`qmss.needs.selectors_rounds.registry_facts`: kind, forms, registered capacity in its primary unit),
    with the primary capacity type, the clients of other forms and the ORP of its first facility."""
    from qmss.needs.selectors_rounds import registry_facts
    from qmss.registry.models import Facility, Service

    services = list(
        Service.objects.filter(pk__in=list(service_ids))
        .select_related("kind")
        .only("pk", "kind_code", "kind__code", "kind__name")
        .order_by("pk")
    )
    facts = {}
    for service_id, snapshot in registry_facts(services).items():
        item = ServiceFacts(pk=service_id, snapshot=snapshot)
        capacities = snapshot.get("capacities") or []
        primary = next((c for c in capacities if c["form"] == "residential"), capacities[0] if capacities else None)
        if primary is not None:
            item.capacity_type = primary["type"]
            if item.residential:
                item.other_clients = sum(
                    c["count"] for c in capacities if c["form"] != "residential" and c["type"] == "klient"
                )
        facts[service_id] = item
    seen: set[int] = set()
    for service_id, orp in (
        Facility.objects.filter(service_id__in=list(facts), municipality__isnull=False)
        .order_by("service_id", "position", "pk")
        .values_list("service_id", "municipality__orp__ruian_code")
    ):
        if service_id not in seen and orp is not None:
            seen.add(service_id)
            facts[service_id].orp_code = str(orp)
    return facts


# --- plausible values -----------------------------------------------------------------------------------------------
def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split into whole numbers in proportion to ``weights`` (largest remainder); sums to ``total``."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    raw = [total * w / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _jitter(rng: random.Random, shares: Sequence[float], spread: float = 0.2) -> list[float]:
    return [s * rng.uniform(1 - spread, 1 + spread) for s in shares]


def _dec(value: float, places: str = "1") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


def plausible_values(
    facts: ServiceFacts,
    *,
    rng: random.Random,
    days: int,
    orp_codes: Sequence[str],
    need_count: int,
    card_counts: dict[str, int] | None,
) -> dict[tuple[str, str], Decimal]:
    """One service's values for a period of ``days`` days: element code, category → value (categories only for
    disaggregated elements, "" for undivided ones). Consistent with the template's blocking rules."""
    year = days / 365
    capacity = max(facts.capacity or 0, 1)
    values: dict[tuple[str, str], Decimal] = {("period_days", TOTAL): Decimal(days)}
    if facts.capacity is not None:
        values[("capacity", TOTAL)] = Decimal(facts.capacity)
    kind = facts.kind_code

    # users, contacts, bed-days
    bed_days = contacts = None
    if facts.residential:
        occupancy = rng.uniform(0.85, 0.99)
        bed_days = int(capacity * days * occupancy)
        users = round(capacity * (1 + rng.uniform(0.1, 0.4) * year))
        if facts.other_clients:
            users += round(facts.other_clients * rng.uniform(1.1, 1.5))
            contacts = round(facts.other_clients * rng.uniform(30, 80) * year)
    elif facts.capacity_type in PER_SESSION_UNITS:
        contacts = round(_yearly(capacity, at_once=600, saturation=5, annual=0.8) * rng.uniform(0.8, 1.2) * year)
        users = max(1, round(contacts / rng.uniform(3, 8)))
    elif kind in DAY_CARE_KINDS:  # places taken by the same people day after day
        users = round(capacity * rng.uniform(1.3, 2.2))
        contacts = round(users * rng.uniform(80, 160) * year)
    else:
        users = round(_yearly(capacity, at_once=15, saturation=10, annual=0.9) * rng.uniform(0.85, 1.2))
        low, high = VISITS_PER_USER.get(kind, DEFAULT_VISITS)
        contacts = round(users * rng.uniform(low, high) * year)
    users = max(users, 1)
    if bed_days is not None:
        values[("bed_days", TOTAL)] = Decimal(bed_days)
    if contacts is not None:
        values[("contacts", TOTAL)] = Decimal(contacts)
    for band, count in zip(
        AGE_BANDS, _apportion(users, _jitter(rng, AGE_PROFILES.get(kind, DEFAULT_AGES))), strict=True
    ):
        values[("users", band)] = Decimal(count)
    if orp_codes:
        home = facts.orp_code if facts.orp_code in orp_codes else rng.choice(list(orp_codes))
        others = [code for code in orp_codes if code != home]
        chosen = rng.sample(others, k=min(len(others), rng.randint(1, 3)))
        weights = [rng.uniform(0.55, 0.85)] + [rng.uniform(0.05, 0.2) for _ in chosen]
        for code, count in zip([home, *chosen], _apportion(users, weights), strict=True):
            if count:
                values[("users_orp", code)] = Decimal(count)

    turnover = (0.2, 0.35) if facts.residential else (0.6, 0.85) if kind == "1" else (0.3, 0.5)
    values[("new_users", TOTAL)] = Decimal(min(users, round(users * rng.uniform(*turnover))))

    # refused applicants by the reasons of §91(3): lack of capacity the largest for residential services
    if facts.residential:
        refused = round(users * rng.uniform(0.3, 1.2))
        shares = [rng.uniform(0.10, 0.20), rng.uniform(0.70, 0.85), rng.uniform(0.03, 0.10), rng.uniform(0, 0.02)]
        waiting = round(capacity * rng.uniform(0.5, 2.5))
    else:
        refused = round(users * rng.uniform(0.05, 0.2))
        shares = [rng.uniform(0.35, 0.5), rng.uniform(0.4, 0.6), 0.0, rng.uniform(0, 0.05)]
        waiting = round(users * rng.uniform(0.02, 0.1))
    for reason, count in zip(
        ("not_provided", "capacity", "health", "terminated"), _apportion(refused, shares), strict=True
    ):
        values[("refused", reason)] = Decimal(count)
    values[("waiting_list", TOTAL)] = Decimal(waiting)

    # staff by role, proportional to users (residential: to the beds); hours of direct work
    fte = _staff(rng, facts, users=users, capacity=capacity)
    for role, amount in fte.items():
        values[("fte", role)] = _dec(amount, "0.01")
    direct = sum(fte[r] for r in ("social_worker", "care_worker", "health_staff", "other_direct"))
    values[("direct_hours", TOTAL)] = _dec(direct * rng.uniform(1300, 1600) * year)

    # needs addressed by response type: the service card when there is one
    if card_counts:
        for response in ServiceCardResponse.Response.values:
            values[("needs_response", response)] = Decimal(card_counts.get(response, 0))
    elif need_count:
        basic = round(need_count * rng.uniform(0.3, 0.55))
        brokering = round(need_count * rng.uniform(0.1, 0.2))
        referral = round(need_count * rng.uniform(0.03, 0.1))
        counts = (basic, brokering, referral, max(0, need_count - basic - brokering - referral))
        for response, count in zip(ServiceCardResponse.Response.values, counts, strict=True):
            values[("needs_response", response)] = Decimal(count)

    # costs and revenues (CZK): personnel cost per FTE, the rest relative to it; revenues close to costs
    personnel = sum(fte.values()) * rng.uniform(560_000, 640_000) * year
    operating_share = (0.30, 0.45) if facts.residential else (0.12, 0.25)
    costs = {
        "personnel": personnel,
        "operating": personnel * rng.uniform(*operating_share),
        "services": personnel * rng.uniform(0.05, 0.12),
        "other": personnel * rng.uniform(0.01, 0.04),
    }
    for category, amount in costs.items():
        values[("costs", category)] = _dec(amount)
    if facts.residential:
        revenue_shares = [(0.40, 0.50), (0.04, 0.08), (0.28, 0.38), (0.03, 0.10), (0.0, 0.02), (0.01, 0.03)]
    elif kind == "1" or kind not in FIELD_CARE_KINDS | DAY_CARE_KINDS:
        revenue_shares = [(0.0, 0.0), (0.0, 0.0), (0.60, 0.80), (0.05, 0.15), (0.0, 0.20), (0.01, 0.05)]
    else:
        revenue_shares = [(0.15, 0.30), (0.0, 0.0), (0.45, 0.60), (0.12, 0.25), (0.0, 0.08), (0.01, 0.03)]
    weights = [rng.uniform(low, high) for low, high in revenue_shares]
    revenue_total = sum(costs.values()) * rng.uniform(0.93, 1.06)
    for category, weight in zip(
        ("users", "health_insurance", "public_subsidy", "municipality", "eu_projects", "other"), weights, strict=True
    ):
        values[("revenues", category)] = _dec(revenue_total * weight / sum(weights))
    return values


def _yearly(capacity: int, *, at_once: float, saturation: float, annual: float) -> float:
    """A year's volume from a registered capacity of a non-residential form, whose meaning varies in the registry:
    a small capacity is mostly the capacity at one time (many users pass through it in a year: ``at_once`` per
    unit), a large one mostly a yearly figure (``annual`` per unit). Smooth and increasing in between."""
    return at_once * capacity / (1 + capacity / saturation) + annual * capacity


def _staff(rng: random.Random, facts: ServiceFacts, *, users: int, capacity: int) -> dict[str, float]:
    kind = facts.kind_code
    if facts.residential:
        base = capacity
        ratios = {
            "social_worker": rng.uniform(1 / 40, 1 / 25),
            "care_worker": rng.uniform(0.38, 0.50),
            "health_staff": rng.uniform(0.10, 0.16),
            "other_direct": rng.uniform(0.02, 0.05),
            "management": rng.uniform(0.04, 0.07),
            "operations": rng.uniform(0.15, 0.25),
        }
        fte = {role: base * ratio for role, ratio in ratios.items()}
        fte["care_worker"] += facts.other_clients / rng.uniform(8, 12)
    elif kind in FIELD_CARE_KINDS:
        per_worker = (4, 6) if kind == "3" else (8, 12)
        fte = {
            "social_worker": users / rng.uniform(60, 100),
            "care_worker": users / rng.uniform(*per_worker),
            "health_staff": 0.0,
            "other_direct": users / rng.uniform(150, 300) if rng.random() < 0.5 else 0.0,
            "management": rng.uniform(0.3, 1.0) + users / 200,
            "operations": rng.uniform(0.1, 0.5),
        }
    elif kind in DAY_CARE_KINDS:
        fte = {
            "social_worker": rng.uniform(0.5, 1.0),
            "care_worker": users / rng.uniform(4, 7),
            "health_staff": 0.0,
            "other_direct": users / rng.uniform(15, 25),
            "management": rng.uniform(0.3, 0.6),
            "operations": rng.uniform(0.3, 0.8),
        }
    else:
        fte = {
            "social_worker": users / rng.uniform(150, 300),
            "care_worker": 0.0,
            "health_staff": 0.0,
            "other_direct": rng.uniform(0.2, 1.0),
            "management": rng.uniform(0.2, 0.5),
            "operations": rng.uniform(0.1, 0.3),
        }
    fte["social_worker"] = max(fte["social_worker"], 0.5)
    return {role: round(amount, 2) for role, amount in fte.items()}


# --- rounds ---------------------------------------------------------------------------------------------------------
def synthetic_name(name: str) -> str:
    return name if SYNTHETIC_LABEL in name else f"{name} {SYNTHETIC_LABEL}"


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _template_and_taxonomy(template, taxonomy) -> tuple[CollectionTemplate, Taxonomy]:
    if template is None or taxonomy is None:
        from qmss.needs import library

        template = template or library.current_template()
        taxonomy = taxonomy or library.current_taxonomy()
    if template is None or taxonomy is None:
        raise RuntimeError("Load the needs libraries first (qmss.needs.library.load_all, run by qmss bootstrap).")
    return template, taxonomy


@transaction.atomic
def generate_round(
    *,
    organisation,
    region,
    services,
    period_start: date,
    period_end: date,
    state: str,
    seed: int | str,
    name: str | None = None,
    deadline: date | None = None,
    submission_state: str | None = None,
    filled: float = 1.0,
    template: CollectionTemplate | None = None,
    taxonomy: Taxonomy | None = None,
    created_by=None,
) -> CollectionRound:
    """A round of ``region`` run by ``organisation`` with one submission per service of ``services`` (services or
    their ids), filled with plausible synthetic values (see :func:`plausible_values`), bulk-created.

    ``state`` is the round's state; its submissions are approved in a closed round and drafts otherwise, unless
    ``submission_state`` says otherwise. ``filled`` is the share of submissions that get values (drafts only; the
    rest are untouched drafts). Deterministic for a ``seed``; the round is marked synthetic.
    """
    template, taxonomy = _template_and_taxonomy(template, taxonomy)
    service_ids = sorted({getattr(s, "pk", s) for s in services})
    days = (period_end - period_start).days + 1
    deadline = deadline or period_end + timedelta(days=45)
    now = timezone.now()
    round_state = state
    if submission_state is None:
        submission_state = (
            Submission.State.APPROVED if round_state == CollectionRound.State.CLOSED else Submission.State.DRAFT
        )
    collection_round = CollectionRound.objects.create(
        organisation=organisation,
        region=region,
        name=synthetic_name(name or f"Sběr dat za rok {period_start.year}"),
        period_start=period_start,
        period_end=period_end,
        deadline=deadline,
        template=template,
        taxonomy=taxonomy,
        state=round_state,
        synthetic=True,
        instructions=SYNTHETIC_INSTRUCTIONS,
        created_by=created_by,
        opened_at=_aware(period_end + timedelta(days=1)) if round_state != CollectionRound.State.DRAFT else None,
        closed_at=_aware(deadline + timedelta(days=30)) if round_state == CollectionRound.State.CLOSED else None,
    )
    if round_state == CollectionRound.State.OPEN and collection_round.opened_at > now:
        collection_round.opened_at = now
        collection_round.save(update_fields=["opened_at"])

    elements = {e.code: e for e in DataElement.objects.filter(template=template)}
    allowed = _allowed_categories(template)
    from qmss.territory.models import Orp

    orp_codes = [
        str(code)
        for code in Orp.objects.filter(region=region).order_by("ruian_code").values_list("ruian_code", flat=True)
    ]
    need_count = Need.objects.filter(taxonomy=taxonomy).count()
    facts = service_facts(service_ids)
    from qmss.needs.layout import card_response_counts

    cards = card_response_counts(service_ids, period_start.year)

    submissions: list[Submission] = []
    generated: list[dict[tuple[str, str], Decimal] | None] = []
    for service_id in service_ids:
        rng = random.Random(f"{seed}:{service_id}:{period_start.isoformat()}")
        item = facts[service_id]
        fill = submission_state != Submission.State.DRAFT or rng.random() < filled
        if fill:
            values = plausible_values(
                item, rng=rng, days=days, orp_codes=orp_codes, need_count=need_count, card_counts=cards.get(service_id)
            )
        else:  # an untouched draft has only its pre-filled (locked) cells, as opening a round stores them
            values = {("period_days", TOTAL): Decimal(days)}
            if item.capacity is not None:
                values[("capacity", TOTAL)] = Decimal(item.capacity)
            if service_id in cards:
                for response in ServiceCardResponse.Response.values:
                    values[("needs_response", response)] = Decimal(cards[service_id].get(response, 0))
        submission = Submission(
            round=collection_round, service_id=service_id, state=submission_state, registry_facts=item.snapshot
        )
        if fill:
            saved = min(now, _aware(deadline - timedelta(days=rng.randint(1, 30))))
            submission.started_at = saved - timedelta(days=rng.randint(1, 10))
            submission.last_saved_at = saved
            if submission_state in (Submission.State.SUBMITTED, Submission.State.APPROVED, Submission.State.RETURNED):
                submission.submitted_at = saved
            if submission_state in (Submission.State.APPROVED, Submission.State.RETURNED):
                submission.decided_at = min(now, saved + timedelta(days=rng.randint(1, 14)))
        submissions.append(submission)
        generated.append(values)
    Submission.objects.bulk_create(submissions, batch_size=BATCH)

    rows: list[tuple] = []
    adapt = connection.ops.adapt_decimalfield_value
    for submission, values in zip(submissions, generated, strict=True):
        forms = set(submission.registry_facts.get("forms") or ())
        for (code, category), value in values.items():
            element = elements.get(code)
            if element is None or (element.forms and not set(element.forms) & forms):
                continue
            if category and allowed.get(code) is not None and category not in allowed[code]:
                continue
            rows.append((submission.pk, element.pk, category, adapt(value, 14, 2)))
    _insert_values(rows)
    return collection_round


def _insert_values(rows: list[tuple]) -> None:
    """Insert (submission id, element id, category, value) rows in batches, below the ORM: hundreds of thousands
    of plain rows for the benches (no signals or audit entries are due for generated demo data)."""
    table = connection.ops.quote_name(SubmissionValue._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(SubmissionValue._meta.get_field(name).column)
        for name in ("submission", "element", "category", "value")
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _allowed_categories(template: CollectionTemplate) -> dict[str, set[str] | None]:
    """Per element code: its fixed categories, or None (undivided or dynamic: not checked here)."""
    allowed: dict[str, set[str] | None] = {}
    by_disaggregation: dict[int, set[str]] = {}
    for disaggregation_id, code in DisaggregationCategory.objects.filter(disaggregation__template=template).values_list(
        "disaggregation_id", "code"
    ):
        by_disaggregation.setdefault(disaggregation_id, set()).add(code)
    for element in DataElement.objects.filter(template=template):
        allowed[element.code] = by_disaggregation.get(element.disaggregation_id) if element.disaggregation_id else None
    return allowed


def load_needs_demo(*, today: date | None = None) -> dict[str, int]:
    """The demo of ``make run`` (see :mod:`qmss.needs.demo_load`)."""
    from qmss.needs.demo_load import load_needs_demo as load

    return load(today=today)
