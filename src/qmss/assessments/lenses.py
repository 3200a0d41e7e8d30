"""Three lenses on one service: the latest self-assessment, audit and inspection side by side on the criteria of
the latest SQSS version, with disagreements marked, and the overall score over time per kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmss.assessments import permissions as perms
from qmss.assessments import selectors
from qmss.assessments.charts import Series
from qmss.assessments.models import Assessment, Result
from qmss.assessments.partial import partial_notes
from qmss.core.roles import Perm
from qmss.core.scoping import Scope
from qmss.frameworks import pass_rules
from qmss.frameworks.models import Framework, Requirement
from qmss.registry.models import Facility, Service

Kind = Assessment.Kind

# lens key -> (label, kinds of assessment)
LENSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "self": (_("Self-assessment"), (Kind.SELF,)),
    "audit": (_("Audit / consultation"), (Kind.AUDIT, Kind.CONSULTATION)),
    "inspection": (_("Inspection"), (Kind.INSPECTION,)),
}
DISAGREEMENT_POINTS = Decimal(1)


def can_view_service(scope: Scope, service: Service) -> bool:
    """Whoever may see assessments of the service: its provider's members, staff of a region where it has a
    facility, auditors of its audits, superusers."""
    if scope.is_superuser:
        return True
    if not scope.is_authenticated:
        return False
    member_orgs = scope.organisation_ids(Perm.VIEW)
    if selectors.is_service_of(member_orgs, service):  # verified provider link, never the IČO field
        return True
    regions = scope.region_ids()
    if regions and Facility.objects.filter(service=service, region_id__in=regions).exists():
        return True
    audit_orgs = scope.organisation_ids(Perm.AUDIT)
    return bool(
        audit_orgs and Assessment.objects.filter(service=service, auditing_organisation_id__in=audit_orgs).exists()
    )


def assessment_day(assessment: Assessment) -> date:
    moment = assessment.published_at or assessment.created_at
    return assessment.visit_date or assessment.period_end or timezone.localdate(moment)


def service_assessments(scope: Scope, service: Service) -> list[Assessment]:
    """Assessments of the service whose results the user may see, oldest first."""
    has_results = Exists(Result.objects.filter(assessment_id=OuterRef("pk")))
    items = [
        a
        for a in selectors.visible_assessments(scope)
        .filter(has_results, selectors.attributed(), service=service)
        .select_related("framework")
        .order_by("created_at", "pk")
        if perms.can_see_results(scope, a)
    ]
    items.sort(key=lambda a: (assessment_day(a), a.pk))
    notes = partial_notes(items)
    for a in items:  # "částečný audit (posouzeno 7 z 48)" next to its state and score
        a.partial_note = notes.get(a.pk, "")
    return items


@dataclass
class LensColumn:
    key: str
    label: str
    assessment: Assessment | None


@dataclass
class LensRow:
    requirement: Requirement
    cells: list[Result | None]
    disagreement: bool = False


@dataclass
class Lenses:
    service: Service
    framework: Framework | None
    columns: list[LensColumn]
    standards: list[tuple[Requirement, list[LensRow]]] = field(default_factory=list)
    history: list[Series] = field(default_factory=list)
    history_rows: list[tuple[date, str, Assessment, float]] = field(default_factory=list)

    @property
    def rule(self) -> pass_rules.RuleStatus | None:
        return pass_rules.rule_status(self.framework) if self.framework is not None else None

    @property
    def disagreements(self) -> int:
        return sum(1 for _standard, rows in self.standards for row in rows if row.disagreement)


def _fulfilment_threshold(framework: Framework) -> Decimal | None:
    """The score from which a criterion counts as fulfilled: the pass-rule registry's essential minimum, only while
    the rule is in force (an unverified, unadopted rule decides nothing)."""
    if not pass_rules.rule_status(framework).in_force:
        return None
    return pass_rules.essential_minimum(framework)


def disagree(scores: list[Decimal | None], threshold: Decimal | None) -> bool:
    """Two lenses disagree when their scores differ by a point or more, or one fulfils the criterion and the
    other does not."""
    known = [Decimal(s) for s in scores if s is not None]
    if len(known) < 2:
        return False
    if max(known) - min(known) >= DISAGREEMENT_POINTS:
        return True
    return threshold is not None and any(s >= threshold for s in known) and any(s < threshold for s in known)


def three_lenses(scope: Scope, service: Service) -> Lenses:
    framework = selectors.latest_framework()
    assessments = service_assessments(scope, service)
    latest: dict[str, Assessment | None] = {}
    for key, (_label, kinds) in LENSES.items():
        of_kind = [a for a in assessments if a.kind in kinds]
        latest[key] = of_kind[-1] if of_kind else None
    lenses = Lenses(
        service=service,
        framework=framework,
        columns=[LensColumn(key, label, latest[key]) for key, (label, _kinds) in LENSES.items()],
    )
    chosen = [a for a in latest.values() if a is not None]
    by_assessment: dict[int, dict[str, Result]] = {a.pk: {} for a in chosen}
    for result in Result.objects.filter(assessment__in=chosen).select_related("value", "requirement"):
        by_assessment[result.assessment_id][result.requirement.ref_id] = result
    if framework is not None:
        threshold = _fulfilment_threshold(framework)
        for standard, criteria in selectors.requirement_tree(framework):
            rows = []
            for criterion in criteria:
                cells = [
                    by_assessment[col.assessment.pk].get(criterion.ref_id) if col.assessment else None
                    for col in lenses.columns
                ]
                row = LensRow(requirement=criterion, cells=cells)
                row.disagreement = disagree([c.score if c else None for c in cells], threshold)
                rows.append(row)
            lenses.standards.append((standard, rows))
    _history(lenses, assessments)
    return lenses


def _history(lenses: Lenses, assessments: list[Assessment]) -> None:
    """Overall share of the attainable score per assessment, as one series per lens."""
    if not assessments:
        return
    values: dict[int, dict[int, object]] = {a.pk: {} for a in assessments}
    for result in Result.objects.filter(assessment__in=assessments).select_related("value"):
        values[result.assessment_id][result.requirement_id] = result.value
    applicable_cache: dict[int, set[int] | None] = {}
    status_cache: dict[int, pass_rules.RuleStatus] = {}
    series = {key: Series(str(label)) for key, (label, _kinds) in LENSES.items()}
    for assessment in assessments:
        if assessment.framework_id not in applicable_cache:
            applicable_cache[assessment.framework_id] = selectors.applicable_ids(assessment.framework, lenses.service)
        if assessment.framework_id not in status_cache:
            status_cache[assessment.framework_id] = pass_rules.rule_status(assessment.framework)
        evaluation = selectors.evaluate_results(
            assessment.framework,
            values[assessment.pk],
            applicable_cache[assessment.framework_id],
            status=status_cache[assessment.framework_id],
        )
        share = getattr(evaluation, "share", None)
        if share is None:
            continue
        key = next(k for k, (_label, kinds) in LENSES.items() if assessment.kind in kinds)
        day = assessment_day(assessment)
        series[key].points.append((day, float(share)))
        lenses.history_rows.append((day, str(LENSES[key][0]), assessment, float(share)))
    lenses.history = [s for s in series.values() if s.points]
