"""Did an action have the effect it declared? (closed-loop action effectiveness)

* A **criterion** target: the criterion's score in the baseline assessment (the one the plan was drafted from,
  otherwise the newest published assessment of the same organisation and service before the action) is compared
  with its score in the newest published assessment after it. The criterion is matched by its reference id
  within the same framework, so a newer framework version still compares.
* A **KPI** target: the latest measurement is compared with the expected value in the KPI's direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from qmss.assessments.models import Assessment, Result
from qmss.assessments.permissions import PUBLISHED_STATES
from qmss.improvement.models import Action, Kpi

PENDING = "pending"  # nothing to compare with yet
ACHIEVED = "achieved"
NOT_ACHIEVED = "not_achieved"


@dataclass
class Effect:
    kind: str  # "requirement" or "kpi"
    status: str  # PENDING / ACHIEVED / NOT_ACHIEVED
    baseline: Decimal | None = None
    expected: Decimal | None = None
    observed: Decimal | None = None
    baseline_assessment: Assessment | None = None
    newer_assessment: Assessment | None = None
    measured_on: object = None

    @property
    def achieved(self) -> bool:
        return self.status == ACHIEVED

    @property
    def pending(self) -> bool:
        return self.status == PENDING


def _published(action: Action):
    plan = action.plan
    qs = Assessment.objects.filter(
        organisation_id=plan.organisation_id,
        state__in=PUBLISHED_STATES,
        published_at__isnull=False,
        framework__urn=action.target_requirement.framework.urn,
    )
    service_id = plan.service_id
    if plan.source_assessment_id:
        service_id = plan.source_assessment.service_id
    return qs.filter(service_id=service_id) if service_id else qs.filter(service__isnull=True)


def _score(assessment: Assessment, ref_id: str) -> Decimal | None:
    return (
        Result.objects.filter(assessment=assessment, requirement__ref_id=ref_id).values_list("score", flat=True).first()
    )


def requirement_effect(action: Action) -> Effect | None:
    requirement = action.target_requirement
    if requirement is None:
        return None
    published = _published(action)
    baseline_assessment = action.plan.source_assessment
    if baseline_assessment is None or baseline_assessment.state not in PUBLISHED_STATES:
        baseline_assessment = (
            published.filter(published_at__lte=action.created_at).order_by("-published_at", "-pk").first()
        )
    effect = Effect(kind="requirement", status=PENDING, baseline_assessment=baseline_assessment)
    if baseline_assessment is None:
        return effect
    effect.baseline = _score(baseline_assessment, requirement.ref_id)
    change = action.expected_score_change
    if change is not None:
        effect.expected = (effect.baseline or Decimal(0)) + change
    newer = (
        published.filter(
            Q(published_at__gt=baseline_assessment.published_at)
            | Q(published_at=baseline_assessment.published_at, pk__gt=baseline_assessment.pk)
        )
        .exclude(pk=baseline_assessment.pk)
        .select_related("framework")
        .order_by("-published_at", "-pk")
        .first()
    )
    if newer is None:
        return effect
    effect.newer_assessment = newer
    effect.observed = _score(newer, requirement.ref_id)
    if effect.observed is None:
        return effect
    if effect.expected is not None:
        good = effect.observed >= effect.expected
    else:
        good = effect.observed > (effect.baseline or Decimal(0))
    effect.status = ACHIEVED if good else NOT_ACHIEVED
    return effect


def kpi_effect(action: Action) -> Effect | None:
    kpi: Kpi | None = action.target_kpi
    if kpi is None:
        return None
    effect = Effect(kind="kpi", status=PENDING, expected=action.expected_kpi_value)
    measurements = list(kpi.measurements.order_by("date", "pk").values_list("date", "value"))
    if not measurements:
        return effect
    started = action.created_at.date()
    before = [value for day, value in measurements if day < started]
    effect.baseline = before[-1] if before else None
    effect.measured_on, effect.observed = measurements[-1]
    expected = action.expected_kpi_value if action.expected_kpi_value is not None else kpi.target_value
    effect.expected = expected
    if expected is None or effect.measured_on < started:
        return effect  # no measurement since the action started
    lower_is_better = kpi.direction == Kpi.Direction.LOWER
    good = effect.observed <= expected if lower_is_better else effect.observed >= expected
    effect.status = ACHIEVED if good else NOT_ACHIEVED
    return effect


def action_effects(action: Action) -> list[Effect]:
    return [effect for effect in (requirement_effect(action), kpi_effect(action)) if effect is not None]
