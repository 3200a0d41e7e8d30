"""Demand for a service kind per ORP – the one rule scoring's need sub-score and the analysis both use.

``target_population``: the latest population figure of each municipality (the newest reference date that has the
figure, on or before ``on``), summed by ORP; target "65+" uses ``age_65_plus``, "all" the residents total.

``demand_by_orp``: demand = population × prevalence × (1 + exclusion weight × exclusion share) + refused for lack
of capacity + waiting lists of the latest approved data-collection round. The exclusion share (share of the ORP's
population living in socially excluded municipalities) comes from ``qmss.territory.selectors.
exclusion_share_by_orp``; while that function does not exist the share is 0 and every row says so
(``exclusion_missing``). Refusals and waiting lists are reported per service and reach the ORPs by the capacity
split rule (:mod:`qmss.network.capacity`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from qmss.network.capacity import _facility_orps, _shares, part
from qmss.territory.models import Orp, Population

TARGET_65_PLUS = "65+"
TARGET_ALL = "all"
TARGET_FIELDS = {TARGET_65_PLUS: "age_65_plus", TARGET_ALL: "total"}
REFUSED_ELEMENT, REFUSED_CATEGORY = "refused", "capacity"
WAITING_ELEMENT, WAITING_CATEGORY = "waiting_list", ""
ZERO = Decimal(0)


@dataclass(frozen=True)
class DemandRow:
    population: int
    base: Decimal  # population × prevalence
    exclusion_factor: Decimal  # 1 + exclusion weight × exclusion share
    refused: Decimal
    waiting: Decimal
    total: Decimal
    exclusion_share: Decimal = ZERO
    exclusion_missing: bool = False  # the territory has no exclusion index yet: share taken as 0
    round_id: int | None = None


def _field(target: str) -> str:
    try:
        return TARGET_FIELDS[target]
    except KeyError:
        raise ValueError(f"unknown target population {target!r}") from None


def target_population(
    *,
    orp_ids: Iterable[int] | None = None,
    region_ids: Iterable[int] | None = None,
    target: str,
    on: date | None = None,
) -> dict[int, int]:
    """ORP pk → the target population (one query)."""
    column = _field(target)
    latest = Population.objects.filter(municipality=OuterRef("municipality"), **{f"{column}__isnull": False})
    if on is not None:
        latest = latest.filter(reference_date__lte=on)
    latest = latest.order_by("-reference_date").values("reference_date")[:1]
    rows = Population.objects.filter(**{f"{column}__isnull": False}, reference_date=Subquery(latest))
    if orp_ids is not None:
        rows = rows.filter(municipality__orp_id__in=list(orp_ids))
    if region_ids is not None:
        rows = rows.filter(municipality__orp__region_id__in=list(region_ids))
    totals = rows.order_by().values_list("municipality__orp_id").annotate(value=Sum(column))
    return {orp_id: int(value or 0) for orp_id, value in totals}


def exclusion_shares(orp_ids: list[int]) -> dict[int, Decimal] | None:
    """ORP pk → share of its population in socially excluded municipalities; None while the territory app does
    not provide it yet."""
    from qmss.territory import selectors

    function = getattr(selectors, "exclusion_share_by_orp", None)
    if function is None:
        return None
    return {orp_id: Decimal(share) for orp_id, share in function(orp_ids).items()}


def latest_round(region_ids: Iterable[int], kind_code: str):
    """The region's newest round (by period end) with an approved submission of a service of the kind."""
    from qmss.needs.models import CollectionRound, Submission

    approved = Submission.objects.filter(
        round=OuterRef("pk"), state=Submission.State.APPROVED, service__kind__code=kind_code
    )
    return (
        CollectionRound.objects.filter(region_id__in=list(region_ids))
        .filter(Exists(approved))
        .order_by("-period_end", "-pk")
        .first()
    )


def _round_figures(round_obj, kind_code: str) -> dict[int, tuple[Decimal, Decimal]]:
    """Service id → (refused for capacity, waiting list) of the round's approved submissions of the kind."""
    from qmss.needs.models import Submission, SubmissionValue

    rows = (
        SubmissionValue.objects.filter(
            submission__round=round_obj,
            submission__state=Submission.State.APPROVED,
            submission__service__kind__code=kind_code,
        )
        .filter(
            Q(element__code=REFUSED_ELEMENT, category=REFUSED_CATEGORY)
            | Q(element__code=WAITING_ELEMENT, category=WAITING_CATEGORY)
        )
        .order_by()
        .values_list("submission__service_id", "element__code", "value")
    )
    figures: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for service_id, code, value in rows:
        figures[service_id][0 if code == REFUSED_ELEMENT else 1] += value
    return {service_id: (pair[0], pair[1]) for service_id, pair in figures.items()}


def demand_by_orp(*, region_ids, kind_code: str, demand, round=None, on: date | None = None) -> dict[int, DemandRow]:  # noqa: A002 – the spec's name
    """ORP pk → demand for ``kind_code`` (every ORP of the regions). ``demand``: a ``Demand`` of the rules library
    or a parameter set (``target``, ``prevalence``, ``exclusion_weight``). ``round``: the data-collection round
    for refusals and waiting lists (default: the regions' latest with approved submissions of the kind)."""
    region_ids = [int(pk) for pk in region_ids]
    orp_ids = list(Orp.objects.filter(region_id__in=region_ids).order_by().values_list("pk", flat=True))
    population = target_population(region_ids=region_ids, target=demand.target, on=on)
    shares = exclusion_shares(orp_ids)
    refused: dict[int, Decimal] = defaultdict(Decimal)
    waiting: dict[int, Decimal] = defaultdict(Decimal)
    if round is None:
        round = latest_round(region_ids, kind_code)
    if round is not None:
        figures = _round_figures(round, kind_code)
        located = _facility_orps(list(figures), on or timezone.localdate()) if figures else {}
        for service_id, (service_refused, service_waiting) in figures.items():
            places = located.get(service_id)
            if not places:
                continue
            for (orp_id, _region), share in _shares(places).items():
                refused[orp_id] += part(service_refused, share)
                waiting[orp_id] += part(service_waiting, share)
    prevalence = Decimal(demand.prevalence)
    weight = Decimal(demand.exclusion_weight)
    result = {}
    for orp_id in orp_ids:
        people = population.get(orp_id, 0)
        share = ZERO if shares is None else shares.get(orp_id, ZERO)
        factor = 1 + weight * share
        base = people * prevalence
        total = base * factor + refused.get(orp_id, ZERO) + waiting.get(orp_id, ZERO)
        result[orp_id] = DemandRow(
            population=people,
            base=base,
            exclusion_factor=factor,
            refused=refused.get(orp_id, ZERO),
            waiting=waiting.get(orp_id, ZERO),
            total=total,
            exclusion_share=share,
            exclusion_missing=shares is None,
            round_id=round.pk if round is not None else None,
        )
    return result
