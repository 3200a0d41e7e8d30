"""Inspection readiness of a provider organisation: what an inspector would ask about first.

* criteria of the latest SQSS without linked evidence (in the organisation's latest self-assessment),
* expired evidence and evidence expiring within its reminder window,
* nonconformities (major/minor findings) of the latest published audit and the latest published inspection,
* essential criteria at risk: scored below the pass threshold, without a result, or without evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from qmss.assessments import selectors
from qmss.assessments.models import Assessment, Evidence, Finding, Result
from qmss.assessments.permissions import AUDIT_KINDS, PUBLISHED_STATES
from qmss.core.models import Organisation
from qmss.core.scoping import Scope
from qmss.frameworks import pass_rules
from qmss.frameworks.models import Framework, Requirement

REASON_NO_RESULT = _("no result")
REASON_LOW_SCORE = _("scored below the threshold")
REASON_NO_EVIDENCE = _("no evidence")


@dataclass
class RiskRow:
    requirement: Requirement
    result: Result | None
    reasons: list[str] = field(default_factory=list)


@dataclass
class Readiness:
    organisation: Organisation
    framework: Framework | None
    self_assessment: Assessment | None
    threshold: Decimal | None
    without_evidence: list[Requirement] = field(default_factory=list)
    expired: list[Evidence] = field(default_factory=list)
    expiring: list[Evidence] = field(default_factory=list)
    latest_audit: Assessment | None = None
    latest_inspection: Assessment | None = None
    nonconformities: list[Finding] = field(default_factory=list)
    essential_at_risk: list[RiskRow] = field(default_factory=list)

    @property
    def rule(self) -> pass_rules.RuleStatus | None:
        return pass_rules.rule_status(self.framework) if self.framework is not None else None

    @property
    def issues(self) -> int:
        return (
            len(self.without_evidence)
            + len(self.expired)
            + len(self.expiring)
            + len(self.nonconformities)
            + len(self.essential_at_risk)
        )


def essential_threshold(framework: Framework) -> Decimal | None:
    """The lowest score an essential criterion must reach – from the pass-rule registry, and only while the rule
    is in force (verified or adopted): an unverified rule marks nothing as below the threshold."""
    if not pass_rules.rule_status(framework).in_force:
        return None
    return pass_rules.essential_minimum(framework)


def inspection_readiness(scope: Scope, organisation: Organisation) -> Readiness:
    framework = selectors.latest_framework()
    visible = selectors.visible_assessments(scope).filter(organisation=organisation)
    self_assessment = visible.filter(kind=Assessment.Kind.SELF).order_by("-created_at", "-pk").first()
    published = visible.filter(state__in=PUBLISHED_STATES).order_by("-published_at", "-pk")
    readiness = Readiness(
        organisation=organisation,
        framework=framework,
        self_assessment=self_assessment,
        threshold=essential_threshold(framework) if framework is not None else None,
        latest_audit=published.filter(kind__in=AUDIT_KINDS).first(),
        latest_inspection=published.filter(kind=Assessment.Kind.INSPECTION).first(),
    )
    for item in selectors.expiring_evidence(organisation):
        (readiness.expired if item.status == selectors.EXPIRY_EXPIRED else readiness.expiring).append(item)
    sources = [a for a in (readiness.latest_audit, readiness.latest_inspection) if a is not None]
    readiness.nonconformities = list(
        Finding.objects.filter(result__assessment__in=sources, kind__in=selectors.NONCONFORMITY_KINDS)
        .select_related("result__requirement", "result__assessment")
        .order_by("kind", "deadline", "pk")
    )
    if framework is None:
        return readiness
    results: dict[str, Result] = {}
    if self_assessment is not None:
        for result in (
            Result.objects.filter(assessment=self_assessment)
            .select_related("value", "requirement")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.only("pk")))
        ):
            results[result.requirement.ref_id] = result
    for _standard, criteria in selectors.requirement_tree(framework):
        for criterion in criteria:
            result = results.get(criterion.ref_id)
            has_evidence = result is not None and bool(result.evidence.all())
            if not has_evidence:
                readiness.without_evidence.append(criterion)
            if not criterion.essential:
                continue
            row = RiskRow(requirement=criterion, result=result)
            if result is None or result.value_id is None:
                row.reasons.append(REASON_NO_RESULT)
            elif readiness.threshold is not None and result.score is not None and result.score < readiness.threshold:
                row.reasons.append(REASON_LOW_SCORE)
            if not has_evidence:
                row.reasons.append(REASON_NO_EVIDENCE)
            if row.reasons:
                readiness.essential_at_risk.append(row)
    return readiness
