"""Reads of assessments and evidence – every one scoped by the user's :class:`Scope`.

``assessment_report`` gathers everything a page or a report (PDF, XLSX) shows about one assessment, with the
working notes already removed for whoever may not read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from qmss.assessments.models import Assessment, Evidence, EvidenceVersion, Finding, Result
from qmss.assessments.permissions import AUDIT_KINDS, PUBLISHED_STATES
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.frameworks.models import Framework, Requirement
from qmss.registry.models import Facility, ProviderLink, Service
from qmss.registry.selectors_links import (
    attributed,
    linked_organisation,
    linked_services,
    services_of_organisations,
)

SQSS_URN = "urn:qmss:framework:sqss"
UNIT_KINDS = (Requirement.Kind.STANDARD, Requirement.Kind.AREA)
PAGE_SIZE = 50


# --- frameworks and services -------------------------------------------------------------------------------


def latest_framework(urn: str = SQSS_URN) -> Framework | None:
    """The newest loaded version of a framework (SQSS by default)."""
    qs = Framework.objects.select_related("default_scale").order_by("-version", "-pk")
    return qs.filter(urn=urn, is_latest=True).first() or qs.filter(urn=urn).first()


def provider_services(organisation: Organisation) -> QuerySet[Service]:
    """Registry services of a provider organisation through its VERIFIED link (none while unverified; the IČO
    field of the organisation grants nothing)."""
    return linked_services(organisation).select_related("kind").order_by("name_sort", "portal_id")


def services_of_providers(organisations: QuerySet[Organisation]) -> QuerySet[Service]:
    """Registry services of the verified providers among ``organisations`` (choices of the create form)."""
    return (
        services_of_organisations(organisations.values_list("pk", flat=True))
        .select_related("kind", "provider")
        .order_by("name_sort", "portal_id")
    )


def is_service_of(organisation_ids, service: Service) -> bool:
    """Whether one of the organisations is verified as the service's provider."""
    links = ProviderLink.objects.filter(organisation_id__in=list(organisation_ids), provider_id=service.provider_id)
    return links.exists()


def provider_organisation_for(service: Service) -> Organisation | None:
    """The QMSS provider organisation verified as the service's provider, if it has joined."""
    return linked_organisation(service.provider)


def service_region_ids(service: Service) -> set[int]:
    return set(Facility.objects.filter(service=service, region__isnull=False).values_list("region_id", flat=True))


def region_services(region_ids) -> QuerySet[Service]:
    """Services with a facility in one of the regions whose provider has joined QMSS."""
    in_region = Exists(Facility.objects.filter(service_id=OuterRef("pk"), region_id__in=region_ids))
    joined = Exists(ProviderLink.objects.filter(provider_id=OuterRef("provider_id")))
    services = Service.objects.filter(in_region, joined).select_related("provider", "kind")
    return services.order_by("name_sort", "portal_id")


def audit_bodies(region_ids=(), *, audited_organisation: Organisation | None = None) -> QuerySet[Organisation]:
    """Audit bodies offered for a choice: those seated in the given regions and those that already audit the
    organisation. (Others are found by their IČO – organisations are not listed across tenants.)"""
    condition = Q(region_id__in=[r for r in region_ids if r])
    if audited_organisation is not None:
        condition |= Q(
            pk__in=Assessment.objects.filter(organisation=audited_organisation).values("auditing_organisation")
        )
    return Organisation.objects.filter(condition, kind=OrganisationKind.AUDIT_BODY).order_by("name")


def audit_body_by_ico(ico: str) -> Organisation | None:
    ico = (ico or "").replace(" ", "")
    if len(ico) != 8 or not ico.isdigit():
        return None
    return Organisation.objects.filter(kind=OrganisationKind.AUDIT_BODY, ico=ico).order_by("pk").first()


# --- assessments ------------------------------------------------------------------------------------------


def visible_assessments(scope: Scope) -> QuerySet[Assessment]:
    """Assessments the user may open (the results of an unpublished audit are a further check, see permissions)."""
    qs = Assessment.objects.all()
    if scope.is_superuser:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    member_orgs = scope.organisation_ids(Perm.VIEW)
    condition = Q(organisation_id__in=member_orgs) | Q(assigned_by_id__in=member_orgs)
    audit_orgs = scope.organisation_ids(Perm.AUDIT)
    if audit_orgs:
        condition |= Q(kind__in=AUDIT_KINDS, auditing_organisation_id__in=audit_orgs)
        audited = Assessment.objects.filter(auditing_organisation_id__in=audit_orgs).values("organisation_id")
        condition |= Q(state__in=PUBLISHED_STATES, organisation_id__in=audited)
    regions = scope.region_ids()
    if regions:
        in_region = Exists(Facility.objects.filter(service_id=OuterRef("service_id"), region_id__in=regions))
        condition |= Q(in_region, attributed(), state__in=PUBLISHED_STATES)
    return qs.filter(condition)


def _with_header(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return qs.select_related(
        "organisation",
        "service",
        "service__provider",
        "service__kind",
        "framework",
        "framework__default_scale",
        "auditing_organisation",
        "assigned_by",
        "created_by",
    )


def get_assessment(scope: Scope, assessment_pk: int) -> Assessment:
    return get_object_or_404_scoped(_with_header(visible_assessments(scope)), pk=assessment_pk)


@dataclass(frozen=True)
class AssessmentFilters:
    kind: str = ""
    state: str = ""
    service: int | None = None  # registry portal id
    organisation: int | None = None

    @classmethod
    def from_data(cls, data) -> AssessmentFilters:
        def _int(name):
            value = (data.get(name) or "").strip()
            return int(value) if value.isascii() and value.isdigit() else None  # int("²") fails

        kind = data.get("kind", "")
        state = data.get("state", "")
        return cls(
            kind=kind if kind in Assessment.Kind.values else "",
            state=state if state in Assessment.State.values else "",
            service=_int("service"),
            organisation=_int("organisation"),
        )


def filter_service_choices(scope: Scope) -> list[tuple[int, str]]:
    """``(portal id, name)`` of the services the list can be filtered by, in Czech order: those of the user's
    verified providers and those of the assessments the user may open."""
    own = services_of_organisations(member_providers(scope).values_list("pk", flat=True))
    assessed = visible_assessments(scope).filter(service__isnull=False).values("service_id")
    rows = (
        Service.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=assessed))
        .order_by("name_sort", "portal_id")
        .values_list("portal_id", "name")
    )
    return [(portal_id, name or str(portal_id)) for portal_id, name in rows]


def assessment_list(scope: Scope, filters: AssessmentFilters | None = None) -> QuerySet[Assessment]:
    filters = filters or AssessmentFilters()
    qs = _with_header(visible_assessments(scope))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.service:
        qs = qs.filter(service__portal_id=filters.service)
    if filters.organisation:
        qs = qs.filter(organisation_id=filters.organisation)
    return qs.order_by("-created_at", "-pk")


def assessments_of_service(scope: Scope, service: Service) -> list[Assessment]:
    """The service's assessments the user may open, made by its verified provider (newest first; "Moje služby")."""
    return list(
        visible_assessments(scope)
        .filter(attributed(), service=service)
        .select_related("framework", "auditing_organisation")
        .defer("internal_notes", "summary", "inspection_team")
        .order_by("-created_at", "-pk")
    )


def published_assessments(scope: Scope) -> QuerySet[Assessment]:
    return _with_header(visible_assessments(scope).filter(state__in=PUBLISHED_STATES)).order_by("-published_at", "-pk")


# --- evidence ---------------------------------------------------------------------------------------------


def visible_evidence(scope: Scope) -> QuerySet[Evidence]:
    """Evidence of the user's organisations, plus evidence linked to results of audits the user carries out."""
    qs = Evidence.objects.all()
    if scope.is_superuser:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    condition = Q(organisation_id__in=scope.organisation_ids(Perm.VIEW))
    audit_orgs = scope.organisation_ids(Perm.AUDIT)
    if audit_orgs:
        linked = Result.evidence.through.objects.filter(
            evidence_id=OuterRef("pk"),
            result__assessment__kind__in=AUDIT_KINDS,
            result__assessment__auditing_organisation_id__in=audit_orgs,
        )
        condition |= Q(Exists(linked))
    return qs.filter(condition)


def get_evidence(scope: Scope, evidence_pk: int) -> Evidence:
    return get_object_or_404_scoped(
        visible_evidence(scope).select_related("organisation", "created_by"), pk=evidence_pk
    )


def get_evidence_version(evidence: Evidence, version_pk: int) -> EvidenceVersion:
    return get_object_or_404_scoped(evidence.versions.all(), pk=version_pk)


EXPIRY_EXPIRED, EXPIRY_SOON, EXPIRY_VALID, EXPIRY_NONE = "expired", "soon", "valid", "none"


def expiry_status(evidence: Evidence, today: date | None = None) -> str:
    today = today or timezone.localdate()
    if evidence.expires_on is None:
        return EXPIRY_NONE
    if evidence.expires_on < today:
        return EXPIRY_EXPIRED
    if evidence.expires_on <= today + timedelta(days=evidence.remind_days_before):
        return EXPIRY_SOON
    return EXPIRY_VALID


@dataclass(frozen=True)
class EvidenceFilters:
    q: str = ""
    kind: str = ""
    status: str = ""

    @classmethod
    def from_data(cls, data) -> EvidenceFilters:
        kind = data.get("kind", "")
        status = data.get("status", "")
        return cls(
            q=(data.get("q") or "").strip()[:100],
            kind=kind if kind in Evidence.Kind.values else "",
            status=status if status in (EXPIRY_EXPIRED, EXPIRY_SOON, EXPIRY_VALID, EXPIRY_NONE) else "",
        )


def evidence_library(
    scope: Scope, organisation: Organisation, filters: EvidenceFilters | None = None
) -> list[Evidence]:
    """An organisation's evidence with its latest version and expiry status (``.latest``, ``.status``)."""
    filters = filters or EvidenceFilters()
    qs = visible_evidence(scope).filter(organisation=organisation)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    items = list(qs.prefetch_related("versions").order_by("title", "pk"))
    today = timezone.localdate()
    for item in items:
        versions = list(item.versions.all())
        item.latest = versions[0] if versions else None
        item.status = expiry_status(item, today)
    if filters.status:
        items = [item for item in items if item.status == filters.status]
    return items


def expiring_evidence(organisation: Organisation, today: date | None = None) -> list[Evidence]:
    """Evidence that has expired or will expire within its reminder window."""
    today = today or timezone.localdate()
    items = Evidence.objects.filter(organisation=organisation, expires_on__isnull=False).order_by("expires_on", "pk")
    result = []
    for item in items:
        item.status = expiry_status(item, today)
        if item.status in (EXPIRY_EXPIRED, EXPIRY_SOON):
            result.append(item)
    return result


def evidence_links(evidence: Evidence, scope: Scope) -> list[Result]:
    """Results (criterion + assessment) the evidence is linked to, among assessments the user may see."""
    visible = visible_assessments(scope)
    return list(
        evidence.results.filter(assessment__in=visible)
        .select_related("requirement", "assessment", "assessment__service")
        .order_by("-assessment__created_at", "requirement__order")
    )


def organisation_evidence_choices(scope: Scope, organisation_id: int) -> QuerySet[Evidence]:
    return visible_evidence(scope).filter(organisation_id=organisation_id).order_by("title", "pk")


# --- results and the report of one assessment -------------------------------------------------------------

FINDING_KIND_CHOICES = Finding.Kind.choices
NONCONFORMITY_KINDS = (Finding.Kind.MAJOR, Finding.Kind.MINOR)


def today() -> date:
    return timezone.localdate()


def results_queryset() -> QuerySet[Result]:
    """Results with everything a row shows, in a constant number of queries."""
    return Result.objects.select_related("value").prefetch_related(
        Prefetch("findings", queryset=Finding.objects.order_by("created_at", "pk")),
        Prefetch("evidence", queryset=Evidence.objects.order_by("title", "pk")),
    )


def findings_of(assessment: Assessment) -> QuerySet[Finding]:
    return Finding.objects.filter(result__assessment=assessment).select_related("result", "result__requirement")


@dataclass
class CriterionRow:
    requirement: Requirement
    result: Result | None = None
    applicable: bool = True
    failed_essential: bool = False
    internal_note: str = ""  # empty unless the user may read working notes

    @property
    def value(self):
        return self.result.value if self.result is not None else None

    @property
    def score(self):
        return self.result.score if self.result is not None else None

    @property
    def comment(self) -> str:
        return self.result.comment if self.result is not None else ""

    @property
    def findings(self) -> list[Finding]:
        return list(self.result.findings.all()) if self.result is not None else []

    @property
    def evidence(self) -> list[Evidence]:
        return list(self.result.evidence.all()) if self.result is not None else []


@dataclass
class StandardBlock:
    requirement: Requirement
    rows: list[CriterionRow] = field(default_factory=list)
    score: object = None  # Decimal
    max_score: object = None
    share: float | None = None
    failed_essential: bool = False

    @property
    def percent(self) -> float | None:
        return None if self.share is None else float(self.share) * 100


@dataclass
class AssessmentReport:
    """Everything a page or a report shows about one assessment for one user.

    ``show_results`` is False while an audit is unpublished and the user is not its assessor: then ``standards``
    hold the criteria without results. Working notes are only filled in when ``show_internal`` is True.
    """

    assessment: Assessment
    standards: list[StandardBlock]
    show_results: bool
    show_internal: bool
    evaluation: object = None  # qmss.frameworks.scoring.Evaluation
    failed_essential: list[CriterionRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # finding kind -> number
    answered: int = 0
    total_criteria: int = 0

    @property
    def rows(self) -> list[CriterionRow]:
        return [row for block in self.standards for row in block.rows]

    @property
    def total(self):
        return getattr(self.evaluation, "total", None)

    @property
    def max_total(self):
        return getattr(self.evaluation, "max_total", None)

    @property
    def percent(self) -> float | None:
        share = getattr(self.evaluation, "share", None)
        return None if share is None else float(share) * 100

    @property
    def passed(self) -> bool | None:
        return getattr(self.evaluation, "passed", None)

    @property
    def rule_label(self) -> str:
        return getattr(self.evaluation, "rule_label", "") or ""

    @property
    def rule(self):
        """The pass rule's status (qmss.frameworks.pass_rules.RuleStatus): verified, adopted or neither."""
        from qmss.frameworks.pass_rules import rule_status

        rule = getattr(self.evaluation, "rule", None)
        return rule if rule is not None else rule_status(self.assessment.framework)

    @property
    def withheld(self) -> bool:
        """No verdict because the rule is unverified and not adopted."""
        return bool(getattr(self.evaluation, "withheld", False))

    @property
    def missing(self) -> int:
        missing = getattr(self.evaluation, "missing", None)
        return self.total_criteria - self.answered if missing is None else len(missing)


def requirement_tree(framework: Framework) -> list[tuple[Requirement, list[Requirement]]]:
    """(standard or area, its assessable criteria) in framework order, from the cached framework tree.
    Criteria outside any standard are grouped under their top-level ancestor. Treat the objects as read-only."""
    from qmss.frameworks.selectors import framework_tree

    tree = framework_tree(framework)
    blocks: dict[int, tuple[Requirement, list[Requirement]]] = {}
    for requirement in tree.assessable():
        chain = [requirement, *tree.ancestors(requirement)]
        unit = next((node for node in chain if node.kind in UNIT_KINDS), chain[-1])
        blocks.setdefault(unit.pk, (unit, []))[1].append(requirement)
    return sorted(blocks.values(), key=lambda block: (block[0].order, block[0].pk))


def applicable_ids(framework: Framework, service: Service | None) -> set[int] | None:
    """Ids of the requirements that apply to the service's kind and forms (None = all apply)."""
    if service is None:
        return None
    from qmss.frameworks.scoring import applicable_requirements

    kind_code = service.kind.code if service.kind_id else service.kind_code.rsplit("/", 1)[-1]
    form_codes = [code.rsplit("/", 1)[-1] for code in service.forms.values_list("form_code", flat=True)]
    return applicable_requirements(framework, kind_code=kind_code, form_codes=form_codes)


def evaluate_results(framework: Framework, results: dict, applicable: set[int] | None = None, *, status=None):
    """The framework's scoring (:func:`qmss.frameworks.scoring.evaluate`) of ``{requirement_id: ScaleValue}``;
    ``status``: the rule status when already known (saves its query)."""
    from qmss.frameworks.scoring import evaluate

    return evaluate(framework, results, applicable=applicable, status=status)


def assessment_report(scope: Scope, assessment: Assessment) -> AssessmentReport:
    """Standards, criteria with results, findings and evidence, the score and the pass verdict – in a constant
    number of queries however many results, findings and evidence there are."""
    from qmss.assessments import permissions as perms

    show_results = perms.can_see_results(scope, assessment)
    show_internal = perms.can_see_internal_notes(scope, assessment)
    framework = assessment.framework
    tree = requirement_tree(framework)
    results: dict[int, Result] = {}
    if show_results:
        qs = results_queryset().filter(assessment=assessment)
        if not show_internal:
            qs = qs.defer("internal_note")
        results = {r.requirement_id: r for r in qs}
    applicable = applicable_ids(framework, assessment.service)
    evaluation = (
        evaluate_results(framework, {rid: r.value for rid, r in results.items()}, applicable=applicable)
        if show_results
        else None
    )
    failed_refs = set(evaluation.failed_essential) if evaluation is not None else set()
    standard_scores = {s.requirement.pk: s for s in getattr(evaluation, "standards", [])}
    report = AssessmentReport(
        assessment=assessment,
        standards=[],
        show_results=show_results,
        show_internal=show_internal,
        evaluation=evaluation,
    )
    for standard, criteria in tree:
        block = StandardBlock(requirement=standard)
        score = standard_scores.get(standard.pk)
        if score is not None:
            block.score, block.max_score, block.share = score.score, score.max_score, score.share
            block.failed_essential = bool(score.failed_essential)
        for criterion in criteria:
            result = results.get(criterion.pk)
            row = CriterionRow(
                requirement=criterion,
                result=result,
                applicable=applicable is None or criterion.pk in applicable,
                failed_essential=criterion.ref_id in failed_refs,
                internal_note=result.internal_note if (result is not None and show_internal) else "",
            )
            block.rows.append(row)
            report.total_criteria += 1
            if result is not None and result.value_id:
                report.answered += 1
            if row.failed_essential:
                report.failed_essential.append(row)
            for finding in row.findings:
                report.counts[finding.kind] = report.counts.get(finding.kind, 0) + 1
        report.standards.append(block)
    return report


# ------------------------------------------------------------------------------ framework usage (core hooks)


def framework_usage_expression():
    """Assessments per framework version as a subquery over ``OuterRef("pk")`` (hook ``framework_usage_expression``)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    usage = (
        Assessment.objects.filter(framework=OuterRef("pk")).order_by().values("framework").annotate(n=Count("pk"))
    ).values("n")
    return Coalesce(Subquery(usage, output_field=IntegerField()), Value(0))


def framework_in_use(framework) -> int:
    """Assessments made against ``framework`` (hook ``framework_in_use``)."""
    return Assessment.objects.filter(framework=framework).count()


def assessable_requirements(assessment: Assessment) -> QuerySet[Requirement]:
    """The requirements of the assessment's framework that take a result."""
    return Requirement.objects.filter(framework_id=assessment.framework_id, assessable=True)


def findings_with_results(assessment: Assessment) -> QuerySet[Finding]:
    """The assessment's findings with their result and requirement (for the finding pages)."""
    return Finding.objects.filter(result__assessment=assessment).select_related("result", "result__requirement")


# ------------------------------------------------------------------------------ organisations and versions for views


def editable_providers(scope: Scope) -> QuerySet[Organisation]:
    """Provider organisations the user may create assessments for (all for a superuser)."""
    qs = Organisation.objects.filter(kind=OrganisationKind.PROVIDER).order_by("name")
    return qs if scope.is_superuser else qs.filter(pk__in=scope.organisation_ids(Perm.EDIT))


def region_organisations(scope: Scope, perm: str) -> QuerySet[Organisation]:
    """Regional authorities in which the user holds ``perm`` (all for a superuser)."""
    qs = Organisation.objects.filter(kind=OrganisationKind.REGION).order_by("name")
    return qs if scope.is_superuser else qs.filter(pk__in=scope.organisation_ids(perm))


def member_providers(scope: Scope) -> QuerySet[Organisation]:
    """Provider organisations the user is a member of (for the list's filter shortcuts)."""
    return Organisation.objects.filter(
        kind=OrganisationKind.PROVIDER, pk__in=scope.organisation_ids(Perm.VIEW)
    ).order_by("name")


def other_framework_versions(assessment: Assessment) -> QuerySet[Framework]:
    """Other versions of the assessment's framework it could be moved to."""
    return Framework.objects.filter(urn=assessment.framework.urn).exclude(pk=assessment.framework_id)
