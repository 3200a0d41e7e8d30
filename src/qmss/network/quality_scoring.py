"""The data behind the quality and cost parts of the scores, read for many services at once (a constant number of
queries however many services):

- the latest PUBLISHED audit (or consultation) and inspection record of each service that its verified provider
  made (``attributed``), with the fulfilment % = the framework's scoring (``frameworks.scoring.evaluate``) share
  × 100 over the criteria that apply to the service's kind and forms;
- open nonconformities (major / minor findings) of those two assessments: a nonconformity is closed when an
  improvement action answering it is done with an effectiveness review saying "effective" (the improvement app's
  rule for closing a nonconformity); every other one is open;
- the minimum form of the service's kind in the network's region (``needs.minimum``): met when the service's
  newest service card addresses every need of the kind's latest minimum form by a basic activity;
- the latest approved data-collection round of the region: ``needs_basic_share`` (indicator engine) and the
  service's refused for capacity, waiting list, costs and registered capacity.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef

from qmss.assessments.models import Assessment, Finding, Result
from qmss.assessments.permissions import AUDIT_KINDS, PUBLISHED_STATES
from qmss.frameworks import pass_rules
from qmss.frameworks.scoring import applicable_requirements, evaluate
from qmss.improvement.models import Action
from qmss.registry.selectors_links import attributed

INDICATOR_CODE = "needs_basic_share"
NONCONFORMITIES = (Finding.Kind.MAJOR, Finding.Kind.MINOR)
ROUND_ELEMENTS = ("refused", "waiting_list", "costs", "capacity")


@dataclass
class ServiceQuality:
    audit: Decimal | None = None
    audit_source: dict[str, Any] = field(default_factory=dict)
    inspection: Decimal | None = None
    inspection_source: dict[str, Any] = field(default_factory=dict)
    major: int | None = None
    minor: int | None = None
    minimum: bool | None = None
    minimum_source: dict[str, Any] = field(default_factory=dict)
    indicator: Decimal | None = None
    refused: Decimal | None = None
    waiting: Decimal | None = None
    costs: Decimal | None = None
    round_capacity: Decimal | None = None
    round_days: int | None = None
    round_source: dict[str, Any] = field(default_factory=dict)


def _latest_assessments(service_ids: list[int]) -> dict[tuple[int, str], Assessment]:
    """(service id, "audit" | "inspection") → the latest published assessment of that lens."""
    latest: dict[tuple[int, str], Assessment] = {}
    qs = (
        Assessment.objects.filter(attributed(), service_id__in=service_ids, state__in=PUBLISHED_STATES)
        .filter(kind__in=[*AUDIT_KINDS, Assessment.Kind.INSPECTION])
        .select_related("framework")
        .only("pk", "service_id", "kind", "title", "published_at", "framework", "state")
        .order_by("-published_at", "-pk")
    )
    for assessment in qs:
        lens = "inspection" if assessment.kind == Assessment.Kind.INSPECTION else "audit"
        latest.setdefault((assessment.service_id, lens), assessment)
    return latest


def _fulfilment(latest: dict[tuple[int, str], Assessment], forms: dict[int, list[str]], kinds: dict[int, str]):
    """Assessment pk → fulfilment % (None when nothing was scored)."""
    chosen = {a.pk: a for a in latest.values()}
    values: dict[int, dict[int, Any]] = defaultdict(dict)
    for result in (
        Result.objects.filter(assessment_id__in=list(chosen))
        .select_related("value")
        .only("assessment_id", "requirement_id", "value")
    ):
        values[result.assessment_id][result.requirement_id] = result.value
    statuses: dict[int, Any] = {}
    applicable_cache: dict[tuple, set[int]] = {}
    shares: dict[int, Decimal | None] = {}
    for pk, assessment in chosen.items():
        framework = assessment.framework
        if framework.pk not in statuses:
            statuses[framework.pk] = pass_rules.rule_status(framework)
        key = (framework.pk, kinds.get(assessment.service_id, ""), tuple(forms.get(assessment.service_id, ())))
        if key not in applicable_cache:
            applicable_cache[key] = applicable_requirements(framework, kind_code=key[1] or None, form_codes=key[2])
        evaluation = evaluate(
            framework, values.get(pk, {}), applicable=applicable_cache[key], status=statuses[framework.pk]
        )
        shares[pk] = evaluation.share * 100 if evaluation.share is not None else None
    return shares


def _open_nonconformities(assessment_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Assessment pk → (open major, open minor) nonconformities."""
    closing = Action.objects.filter(
        findings=OuterRef("pk"), status=Action.Status.DONE, review_verdict=Action.Verdict.EFFECTIVE
    )
    counts: dict[int, list[int]] = {pk: [0, 0] for pk in assessment_ids}
    rows = (
        Finding.objects.filter(
            result__assessment_id__in=assessment_ids, kind__in=(Finding.Kind.MAJOR, Finding.Kind.MINOR)
        )
        .annotate(closed=Exists(closing))
        .values_list("result__assessment_id", "kind", "closed")
    )
    for assessment_id, kind, closed in rows:
        if not closed:
            counts[assessment_id][0 if kind == Finding.Kind.MAJOR else 1] += 1
    return {pk: (pair[0], pair[1]) for pk, pair in counts.items()}


def _minimum_forms(region_id: int, services: dict[int, Any]) -> dict[int, tuple[bool, dict]]:
    """Service id → (meets the minimum form, source) for services of a kind with a minimum form in the region."""
    from qmss.needs.minimum import BASIC
    from qmss.needs.models import ServiceCard, ServiceCardResponse
    from qmss.needs.selectors_service_cards import latest_minimum_forms

    kind_ids = {s.kind_id for s in services.values() if s.kind_id}
    minimums = latest_minimum_forms(region_id, kind_ids) if kind_ids else {}
    wanted = [pk for pk, s in services.items() if s.kind_id in minimums]
    if not wanted:
        return {}
    newest: dict[int, Any] = {}
    for card in (
        ServiceCard.objects.filter(service_id__in=wanted)
        .only("pk", "service_id", "year", "state")
        .order_by("service_id", "-year", "-pk")
    ):
        newest.setdefault(card.service_id, card)
    basic: dict[int, set[str]] = defaultdict(set)
    for card_id, code in ServiceCardResponse.objects.filter(
        card_id__in=[c.pk for c in newest.values()], response=BASIC
    ).values_list("card_id", "need__code"):
        basic[card_id].add(code)
    result = {}
    for pk in wanted:
        minimum = minimums[services[pk].kind_id]
        needs = [need.code for need in minimum.needs.all()]
        card = newest.get(pk)
        if card is None:
            continue  # no card: unknown, not "not met"
        missing = [code for code in needs if code not in basic[card.pk]]
        result[pk] = (
            not missing,
            {
                "minimum_form_version": minimum.version,
                "card_year": card.year,
                "missing": len(missing),
                "needs": len(needs),
            },
        )
    return result


def latest_round(region_id: int):
    """The region's newest data-collection round (by period end) with an approved submission."""
    from qmss.needs.models import CollectionRound, Submission

    approved = Submission.objects.filter(round=OuterRef("pk"), state=Submission.State.APPROVED)
    return (
        CollectionRound.objects.filter(region_id=region_id)
        .filter(Exists(approved))
        .order_by("-period_end", "-pk")
        .first()
    )


def _total(values: dict[str, Decimal] | None) -> Decimal | None:
    if not values:
        return None
    if "" in values:
        return values[""]
    return sum(values.values(), Decimal(0))


def _round_figures(round_obj, service_ids: list[int]) -> dict[int, dict[str, Any]]:
    from qmss.needs import indicators
    from qmss.needs.indicator_data import load_values
    from qmss.needs.models import Indicator, Submission

    if round_obj is None:
        return {}
    submissions = dict(
        Submission.objects.filter(round=round_obj, state=Submission.State.APPROVED, service_id__in=service_ids)
        .order_by()
        .values_list("pk", "service_id")
    )
    if not submissions:
        return {}
    values = load_values([round_obj.pk], ROUND_ELEMENTS, service_ids)
    indicator = Indicator.objects.filter(template_id=round_obj.template_id, code=INDICATOR_CODE).first()
    shares = indicators.service_values(round=round_obj, indicator=indicator) if indicator is not None else {}
    days = (round_obj.period_end - round_obj.period_start).days + 1
    result = {}
    for submission_id, service_id in submissions.items():
        found = values.get(submission_id, {})
        refused = found.get("refused", {})
        result[service_id] = {
            "indicator": shares.get(service_id),
            "refused": refused.get("capacity", Decimal(0)) if refused else None,
            "waiting": _total(found.get("waiting_list")),
            "costs": _total(found.get("costs")),
            "capacity": _total(found.get("capacity")),
            "days": days,
        }
    return result


def service_quality(*, region_id: int, services: dict[int, Any], forms: dict[int, list[str]]) -> tuple[dict, dict]:
    """Service id → :class:`ServiceQuality`; and the round used (``{"round": pk, "name": …}`` or {})."""
    ids = list(services)
    result = {pk: ServiceQuality() for pk in ids}
    if not ids:
        return result, {}
    kinds = {pk: (s.kind.code if s.kind_id else "") for pk, s in services.items()}
    latest = _latest_assessments(ids)
    shares = _fulfilment(latest, forms, kinds)
    findings = _open_nonconformities([a.pk for a in latest.values()])
    for (service_id, lens), assessment in latest.items():
        row = result[service_id]
        source = {
            "assessment": assessment.pk,
            "title": assessment.title,
            "published": assessment.published_at.date().isoformat() if assessment.published_at else "",
        }
        setattr(row, lens, shares.get(assessment.pk))
        setattr(row, f"{lens}_source", source)
        major, minor = findings.get(assessment.pk, (0, 0))
        row.major = (row.major or 0) + major
        row.minor = (row.minor or 0) + minor
    for service_id, (met, source) in _minimum_forms(region_id, services).items():
        result[service_id].minimum = met
        result[service_id].minimum_source = source
    round_obj = latest_round(region_id)
    for service_id, figures in _round_figures(round_obj, ids).items():
        row = result[service_id]
        row.indicator = figures["indicator"]
        row.refused, row.waiting = figures["refused"], figures["waiting"]
        row.costs, row.round_capacity, row.round_days = figures["costs"], figures["capacity"], figures["days"]
        row.round_source = {"round": round_obj.pk, "name": round_obj.name}
    used = {"round": round_obj.pk, "name": round_obj.name} if round_obj is not None else {}
    return result, used
