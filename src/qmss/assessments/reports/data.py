"""Everything an assessment report shows, read in a constant number of queries.

:func:`report_data` returns plain dataclasses, never model instances, so a template cannot reach fields the
report must not show: internal notes of the assessment and working notes of results are not even loaded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from qmss.assessments.models import Assessment, Evidence, EvidenceVersion, Finding, Result
from qmss.assessments.permissions import AUDIT_KINDS
from qmss.assessments.reports import texts
from qmss.core.models import Membership
from qmss.frameworks.pass_rules import status_text
from qmss.frameworks.scoring import applicable_requirements, describe_pass_rule, evaluate
from qmss.frameworks.selectors import framework_tree

# Findings are listed most serious first.
FINDING_ORDER = (
    Finding.Kind.MAJOR,
    Finding.Kind.MINOR,
    Finding.Kind.OBSERVATION,
    Finding.Kind.RECOMMENDATION,
    Finding.Kind.STRENGTH,
)


@dataclass(frozen=True)
class FindingRow:
    kind: str
    kind_label: str
    text: str
    measure: str
    deadline: date | None
    ref_id: str
    criterion_title: str


@dataclass
class CriterionRow:
    requirement_id: int
    ref_id: str
    title: str
    essential: bool
    value_key: str = ""
    value_label: str = ""
    score: Decimal | None = None
    max_score: Decimal | None = None
    failed_essential: bool = False
    comment: str = ""
    findings: list[FindingRow] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return bool(self.value_key)


@dataclass
class StandardRow:
    requirement_id: int
    ref_id: str
    title: str
    score: Decimal
    max_score: Decimal
    share: float | None
    failed_essential: bool
    criteria: list[CriterionRow] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return None if self.share is None else self.share * 100


@dataclass(frozen=True)
class FindingGroup:
    kind: str
    label: str
    findings: list[FindingRow]
    has_measures: bool


@dataclass(frozen=True)
class EvidenceRow:
    pk: int
    title: str
    kind_label: str
    version: int | None
    version_date: date | None
    file_name: str
    expires_on: date | None
    expired: bool
    criteria: tuple[str, ...]


@dataclass
class ReportData:
    pk: int
    title: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    summary: str
    period_start: date | None
    period_end: date | None
    visit_date: date | None
    published_at: datetime | None
    created_at: datetime | None
    inspection_type_label: str
    inspection_authority: str
    inspection_team: str
    service_name: str
    service_identifier: str
    service_kind: str
    provider_name: str
    provider_ico: str
    organisation_name: str
    organisation_ico: str
    auditing_organisation: str
    assigned_by: str
    framework_short_name: str
    framework_title: str
    framework_version: int
    assessors: list[str]
    standards: list[StandardRow]
    total: Decimal
    max_total: Decimal
    share: float | None
    passed: bool | None
    rule_label: str  # the library's label of the rule (may be empty)
    rule_text: str  # the rule in plain words
    failed_essential: list[CriterionRow]
    missing: list[CriterionRow]
    finding_groups: list[FindingGroup]
    evidence: list[EvidenceRow]
    generated_at: datetime
    rule_withheld: bool = False  # no verdict: the rule is unverified and not adopted
    rule_status: str = ""  # "unverified rule – …" (with who adopted it and when), empty for a verified rule
    partial: bool = False  # published although not every criterion was assessed
    partial_reason: str = ""

    @property
    def basis(self) -> texts.Basis:
        criteria = self.criteria
        return texts.Basis(
            scored=sum(1 for c in criteria if c.score is not None),
            assessed=sum(1 for c in criteria if c.answered),
            total=len(criteria),
        )

    @property
    def score_text(self) -> str:
        """ "12 z 18 bodů (67 %) – za 6 posouzených kritérií z celkových 48", or that nothing is assessed yet."""
        return texts.score_text(self.total, self.max_total, self.share, self.basis)

    @property
    def partial_text(self) -> str:
        """ "Částečný audit: posouzeno 8 z celkových 48 kritérií – důvod: …"; "" unless published as partial."""
        if not self.partial:
            return ""
        basis = self.basis
        return texts.partial_text(self.kind, basis.assessed, basis.total, self.partial_reason)

    @property
    def percent(self) -> float | None:
        return None if self.share is None else self.share * 100

    @property
    def is_inspection(self) -> bool:
        return self.kind == Assessment.Kind.INSPECTION

    @property
    def criteria(self) -> list[CriterionRow]:
        return [criterion for standard in self.standards for criterion in standard.criteria]

    @property
    def findings(self) -> list[FindingRow]:
        return [finding for group in self.finding_groups for finding in group.findings]

    @property
    def subject_name(self) -> str:
        """The service's name, or the organisation's for an assessment of the whole organisation."""
        return self.service_name or self.organisation_name


# --- helpers ------------------------------------------------------------------------------------------


def _fraction(value) -> float | None:
    if value is None:
        return None
    return float(value)


def _decimal(value) -> Decimal:
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _label(choices, value: str) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _applicable_ids(assessment: Assessment, tree) -> set[int] | None:
    """Requirement ids that apply to the assessed service; None when nothing is restricted (≤ 1 query).
    The evaluation leaves the others out, so the report lists only criteria that apply."""
    if assessment.service_id is None or not any(req.applicability for req in tree.requirements):
        return None
    service = assessment.service
    kind_code = service.kind.code if service.kind_id else None
    form_codes = [code for code in service.forms.values_list("form__code", flat=True) if code]
    return applicable_requirements(assessment.framework, kind_code=kind_code, form_codes=form_codes)


# --- the read ---------------------------------------------------------------------------------------------


def _load_assessment(assessment) -> Assessment:
    pk = assessment.pk if isinstance(assessment, Assessment) else int(assessment)
    return (
        Assessment.objects.select_related(
            "organisation", "service__provider", "service__kind", "framework",
            "auditing_organisation", "assigned_by", "created_by",
        )
        .defer("internal_notes")
        .get(pk=pk)
    )  # fmt: skip


def _evidence_rows(assessment_pk: int, result_refs: dict[int, tuple[int, str]], today: date):
    """Evidence attached to the assessment's results with its current (highest) version: two queries."""
    links = Result.evidence.through.objects.filter(result__assessment_id=assessment_pk).values_list(
        "evidence_id", "result_id"
    )
    refs_by_evidence: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for evidence_id, result_id in links:
        if result_id in result_refs:
            refs_by_evidence[evidence_id].append(result_refs[result_id])
    current = EvidenceVersion.objects.filter(evidence=OuterRef("pk")).order_by("-number")
    rows = (
        Evidence.objects.filter(results__assessment_id=assessment_pk)
        .distinct()
        .annotate(
            current_number=Subquery(current.values("number")[:1]),
            current_uploaded_at=Subquery(current.values("uploaded_at")[:1]),
            current_name=Subquery(current.values("original_name")[:1]),
        )
        .values("pk", "title", "kind", "expires_on", "current_number", "current_uploaded_at", "current_name")
        .order_by("title", "pk")
    )
    evidence = []
    for row in rows:
        uploaded = row["current_uploaded_at"]
        if isinstance(uploaded, datetime):
            uploaded = timezone.localtime(uploaded).date() if timezone.is_aware(uploaded) else uploaded.date()
        refs = tuple(ref for _order, ref in sorted(set(refs_by_evidence.get(row["pk"], ()))))
        evidence.append(
            EvidenceRow(
                pk=row["pk"], title=row["title"], kind_label=_label(Evidence.Kind, row["kind"]),
                version=row["current_number"], version_date=uploaded, file_name=row["current_name"] or "",
                expires_on=row["expires_on"], expired=bool(row["expires_on"] and row["expires_on"] < today),
                criteria=refs,
            )
        )  # fmt: skip
    return evidence


def report_data(assessment: Assessment | int) -> ReportData:
    """Collect the whole report of ``assessment`` (an instance or a pk) in a constant number of queries."""
    assessment = _load_assessment(assessment)
    framework = assessment.framework
    now = timezone.now()
    today = timezone.localdate(now)

    tree = framework_tree(framework)  # cached in-process: no queries once loaded
    req_by_id = tree.by_id
    results = list(
        Result.objects.filter(assessment_id=assessment.pk)
        .select_related("value", "updated_by")
        .defer("internal_note")
        .order_by("requirement__order", "pk")
    )
    values = {result.requirement_id: result.value for result in results}
    applicable = _applicable_ids(assessment, tree)
    evaluation = evaluate(framework, values, applicable=applicable)

    result_by_req = {result.requirement_id: result for result in results}
    result_refs = {
        result.pk: (req_by_id[result.requirement_id].order, req_by_id[result.requirement_id].ref_id)
        for result in results
        if result.requirement_id in req_by_id
    }
    findings_by_req: dict[int, list[FindingRow]] = defaultdict(list)
    req_of_result = {result.pk: result.requirement_id for result in results}
    finding_rows = Finding.objects.filter(result__assessment_id=assessment.pk).values_list(
        "result_id", "kind", "text", "measure", "deadline"
    )
    for result_id, kind, text, measure, deadline in finding_rows.order_by("created_at", "pk"):
        req = req_by_id.get(req_of_result.get(result_id))
        findings_by_req[req.pk if req else None].append(
            FindingRow(
                kind=kind, kind_label=_label(Finding.Kind, kind), text=text, measure=measure, deadline=deadline,
                ref_id=req.ref_id if req else "", criterion_title=req.title if req else "",
            )
        )  # fmt: skip
    evidence = _evidence_rows(assessment.pk, result_refs, today)
    titles_by_ref: dict[str, list[str]] = defaultdict(list)
    for row in evidence:
        for ref in row.criteria:
            titles_by_ref[ref].append(row.title)

    standards = []
    for standard in evaluation.standards:
        req = standard.requirement
        row = StandardRow(
            requirement_id=req.pk, ref_id=req.ref_id, title=req.title, score=_decimal(standard.score),
            max_score=_decimal(standard.max_score), share=_fraction(standard.share),
            failed_essential=bool(standard.failed_essential),
        )  # fmt: skip
        for criterion in standard.criteria:
            creq = req_by_id.get(criterion.requirement_id)
            result = result_by_req.get(criterion.requirement_id)
            value = result.value if result else None
            row.criteria.append(
                CriterionRow(
                    requirement_id=criterion.requirement_id, ref_id=criterion.ref_id,
                    title=creq.title if creq else "", essential=bool(criterion.essential),
                    value_key=value.key if value else "", value_label=value.label if value else "",
                    score=criterion.score, max_score=criterion.max_score,
                    failed_essential=bool(criterion.failed_essential), comment=result.comment if result else "",
                    findings=findings_by_req.get(criterion.requirement_id, []),
                    evidence=titles_by_ref.get(criterion.ref_id, []),
                )
            )  # fmt: skip
        standards.append(row)
    criteria = [criterion for standard in standards for criterion in standard.criteria]

    groups = []
    # In the order of the criteria; findings of no known criterion last.
    all_findings = [finding for criterion in criteria for finding in criterion.findings] + findings_by_req.get(None, [])
    for kind in FINDING_ORDER:
        rows = [finding for finding in all_findings if finding.kind == kind]
        if rows:
            has_measures = any(f.measure or f.deadline for f in rows)
            groups.append(FindingGroup(kind=kind, label=str(kind.label), findings=rows, has_measures=has_measures))

    assessors = _assessors(assessment, results)
    service = assessment.service
    provider = service.provider if service else None
    return ReportData(
        pk=assessment.pk, title=assessment.title, kind=assessment.kind,
        kind_label=_label(Assessment.Kind, assessment.kind), state=assessment.state,
        state_label=_label(Assessment.State, assessment.state), summary=assessment.summary,
        period_start=assessment.period_start, period_end=assessment.period_end, visit_date=assessment.visit_date,
        published_at=assessment.published_at, created_at=assessment.created_at,
        inspection_type_label=_label(Assessment.InspectionType, assessment.inspection_type),
        inspection_authority=assessment.inspection_authority, inspection_team=assessment.inspection_team,
        service_name=str(service) if service else "", service_identifier=service.identifier if service else "",
        service_kind=(service.kind.name if service.kind_id else "") if service else "",
        provider_name=provider.name if provider else assessment.organisation.name,
        provider_ico=provider.ico if provider else assessment.organisation.ico,
        organisation_name=assessment.organisation.name, organisation_ico=assessment.organisation.ico,
        auditing_organisation=assessment.auditing_organisation.name if assessment.auditing_organisation_id else "",
        assigned_by=assessment.assigned_by.name if assessment.assigned_by_id else "",
        framework_short_name=framework.short_name, framework_title=framework.title,
        framework_version=framework.version, assessors=assessors, standards=standards,
        total=_decimal(evaluation.total), max_total=_decimal(evaluation.max_total),
        share=_fraction(evaluation.share), passed=evaluation.passed, rule_label=str(evaluation.rule_label or ""),
        rule_text=describe_pass_rule(framework),
        failed_essential=[c for c in criteria if c.failed_essential],
        missing=[c for c in criteria if not c.answered],
        finding_groups=groups, evidence=evidence, generated_at=now,
        rule_withheld=evaluation.withheld, rule_status=status_text(evaluation.rule) if evaluation.rule else "",
        partial=assessment.partial, partial_reason=assessment.partial_reason,
    )  # fmt: skip


def _assessors(assessment: Assessment, results: list[Result]) -> list[str]:
    """Who assessed: the inspection team as recorded, else the author and everyone who recorded a result.

    An audit or consultation is carried out by the audit body: only its people are named (one query) – never the
    provider's staff who created the audit or a superuser who corrected a result."""
    if assessment.inspection_team.strip():
        return [line.strip() for line in assessment.inspection_team.splitlines() if line.strip()]
    people = [assessment.created_by] + [result.updated_by for result in results]
    if assessment.kind in AUDIT_KINDS:
        ids = {person.pk for person in people if person is not None}
        members = (
            set(
                Membership.objects.filter(
                    organisation_id=assessment.auditing_organisation_id, user_id__in=ids
                ).values_list("user_id", flat=True)
            )
            if assessment.auditing_organisation_id and ids
            else set()
        )
        people = [person for person in people if person is not None and person.pk in members]
    names = [_person(person) for person in people]
    return list(dict.fromkeys(name for name in names if name))
