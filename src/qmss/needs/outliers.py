"""Outliers of a round: a service whose value lies far from its peers (same kind × delivery forms), found robustly.

For one data element (and optionally one category of it) of a round, the values of submitted and approved
submissions are grouped by the service's kind and its set of delivery forms. In a group of at least
:data:`MIN_GROUP` services, a value is an outlier when its robust z-score exceeds :data:`THRESHOLD`:

    z = 0.6745 · (x − median) / MAD,   MAD = median(|x − median|)     (Iglewicz & Hoaglin)

When MAD is 0 (more than half of the group report the same value) the mean absolute deviation takes its place:
z = (x − median) / (1.253314 · MeanAD); when that is 0 too, all values are equal and nothing is an outlier.
Groups smaller than :data:`MIN_GROUP` are not evaluated (too few peers to say what is usual).

Peers are grouped by the registry facts stored with the submission at opening (kind code and delivery-form
keys), else by the registry service now. Three queries for a round and element, whatever the number of services.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from qmss.needs.models import CollectionRound, DataElement, Submission, SubmissionValue
from qmss.registry.models import Service, ServiceForm

THRESHOLD = Decimal("3.5")
MIN_GROUP = 5
CONSISTENCY = Decimal("0.6745")
MEAN_AD_FACTOR = Decimal("1.253314")
STATES = (Submission.State.SUBMITTED, Submission.State.APPROVED)
# The key elements the region's dashboard looks at by default: (element code, category).
DEFAULT_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("users", ""),
    ("bed_days", ""),
    ("contacts", ""),
    ("fte", ""),
    ("costs", ""),
)


@dataclass
class Outlier:
    service: Service
    value: Decimal
    median: Decimal
    mad: Decimal
    score: Decimal
    peers: list[Decimal]  # the group's values, sorted (the service's own value among them)
    submission_id: int | None = None
    element_code: str = ""
    category: str = ""
    group: tuple = field(default_factory=tuple)  # (kind code, delivery-form keys)

    @property
    def direction(self) -> str:
        return "high" if self.value > self.median else "low"

    @property
    def abs_score(self) -> Decimal:
        return abs(self.score)


def _median(values: list[Decimal]) -> Decimal:
    return Decimal(median(values))


def robust_scores(values: list[Decimal]) -> tuple[Decimal, Decimal, list[Decimal | None]]:
    """(median, MAD, robust z per value); z is None for every value when the spread is 0."""
    mid = _median(values)
    deviations = [abs(v - mid) for v in values]
    mad = _median(deviations)
    if mad > 0:
        scale = mad / CONSISTENCY
    else:
        mean_ad = sum(deviations, Decimal(0)) / len(deviations)
        if mean_ad == 0:
            return mid, mad, [None] * len(values)
        scale = MEAN_AD_FACTOR * mean_ad
    return mid, mad, [(v - mid) / scale for v in values]


def _values(round: CollectionRound, element_code: str, category: str) -> dict[int, Decimal]:
    """Submission pk → value for the round's submitted and approved submissions (one query)."""
    element = DataElement.objects.filter(template_id=round.template_id, code=element_code).values_list("pk", flat=True)
    rows = SubmissionValue.objects.filter(
        element_id__in=element, submission__round_id=round.pk, submission__state__in=STATES
    )
    if category:
        rows = rows.filter(category=category)
    totals: dict[int, Decimal] = {}
    parts: dict[int, Decimal] = defaultdict(Decimal)
    for submission_id, cat, value in rows.values_list("submission_id", "category", "value").order_by():
        if cat == "" or category:
            totals[submission_id] = value
        else:
            parts[submission_id] += value
    # an element's total: its "" value, else the sum of its categories (as qmss.needs.expressions.total)
    return {**parts, **totals}


def peer_groups(round: CollectionRound) -> dict[int, tuple[int, tuple]]:
    """Submission pk → (service pk, (kind code, sorted delivery-form keys)) of the round's submitted and approved
    submissions: the registry facts stored at opening, else the registry service now (one or three queries)."""
    rows = Submission.objects.filter(round_id=round.pk, state__in=STATES).values_list(
        "pk", "service_id", "registry_facts"
    )
    result: dict[int, tuple[int, tuple]] = {}
    missing: dict[int, int] = {}
    for pk, service_id, facts in rows.order_by():
        facts = facts if isinstance(facts, dict) else {}
        kind, forms = facts.get("kind"), facts.get("forms")
        if kind and isinstance(forms, list) and forms and all(isinstance(f, str) for f in forms):
            result[pk] = (service_id, (str(kind), tuple(sorted(forms))))
        else:
            missing[pk] = service_id
    if missing:
        kinds = dict(Service.objects.filter(pk__in=set(missing.values())).values_list("pk", "kind__code"))
        forms_now: dict[int, set[str]] = defaultdict(set)
        for service_id, key in ServiceForm.objects.filter(service_id__in=set(missing.values())).values_list(
            "service_id", "form__key"
        ):
            if key:
                forms_now[service_id].add(key)
        for pk, service_id in missing.items():
            if kinds.get(service_id) and forms_now.get(service_id):
                result[pk] = (service_id, (kinds[service_id], tuple(sorted(forms_now[service_id]))))
    return result


def outliers(
    *, round: CollectionRound, element_code: str, category: str = "", groups: dict | None = None
) -> list[Outlier]:
    """The round's outliers of one element (and category), most extreme first. ``groups``: the round's
    :func:`peer_groups`, when the caller asks for several elements."""
    values = _values(round, element_code, category)
    if not values:
        return []
    groups = peer_groups(round) if groups is None else groups
    by_group: dict[tuple, list[tuple[int, int, Decimal]]] = defaultdict(list)
    for submission_id, value in values.items():
        if submission_id in groups:
            service_id, key = groups[submission_id]
            by_group[key].append((submission_id, service_id, value))
    flagged = []
    for key, members in by_group.items():
        if len(members) < MIN_GROUP:
            continue
        numbers = [value for _s, _v, value in members]
        mid, mad, scores = robust_scores(numbers)
        peers = sorted(numbers)
        for (submission_id, service_id, value), score in zip(members, scores, strict=True):
            if score is not None and abs(score) > THRESHOLD:
                flagged.append((submission_id, service_id, value, mid, mad, score, peers, key))
    if not flagged:
        return []
    services = Service.objects.select_related("provider", "kind").in_bulk({row[1] for row in flagged})
    result = [
        Outlier(
            service=services[service_id],
            value=value,
            median=mid,
            mad=mad,
            score=score.quantize(Decimal("0.01")),
            peers=peers,
            submission_id=submission_id,
            element_code=element_code,
            category=category,
            group=key,
        )
        for submission_id, service_id, value, mid, mad, score, peers, key in flagged
    ]
    result.sort(key=lambda o: (-o.abs_score, o.service.name_sort, o.service.pk))
    return result
