"""Writes of the process map, KPIs, development plans and actions. Keyword-only, atomic, permission-checked;
every change is recorded in the audit log (django-auditlog).

Rules: an organisation's processes link only its own services (by IČO) and evidence; a sub-process takes its
parent's type; a plan is drafted only from a PUBLISHED assessment; an action that answers a nonconformity (or an
unmet essential criterion) is set to *done* only with an effectiveness review (text and verdict).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from qmss.assessments.models import Assessment, Finding
from qmss.assessments.permissions import PUBLISHED_STATES
from qmss.assessments.selectors import applicable_ids
from qmss.core.models import Membership, Organisation
from qmss.core.roles import Perm
from qmss.core.scoping import Scope
from qmss.frameworks import pass_rules
from qmss.improvement import selectors
from qmss.improvement.models import Action, DevelopmentPlan, Kpi, KpiMeasurement, Process
from qmss.improvement.templates import get_template

PROCESS_FIELDS = ("kind", "parent", "code", "name", "purpose", "inputs", "outputs", "customers", "owner", "order")
KPI_FIELDS = ("name", "unit", "target_value", "direction", "description", "source", "order")
PLAN_FIELDS = ("title", "service", "period_start", "period_end", "goals", "state")
ACTION_FIELDS = (
    "title",
    "description",
    "owner",
    "deadline",
    "priority",
    "target_requirement",
    "expected_score_change",
    "target_kpi",
    "expected_kpi_value",
    "order",
)
TITLE_LENGTH = 120


def review_required_message() -> str:
    return _(
        "An action that answers a nonconformity can be closed only after its effectiveness review (text and verdict)."
    )


def _require(scope: Scope, perm: str, organisation_id: int) -> None:
    if not scope.has_perm(perm, organisation_id):
        raise PermissionDenied


def _apply(obj, data: dict, fields: Iterable[str]) -> None:
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])


def _check_member(organisation: Organisation, user, field: str = "owner") -> None:
    if user is not None and not Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError({field: _("The responsible person must be a member of the organisation.")})


def _check_subset(given, allowed_qs, field: str, message: str) -> list:
    given = list(given or ())
    ids = {obj.pk for obj in given}
    if ids and allowed_qs.filter(pk__in=ids).count() != len(ids):
        raise ValidationError({field: message})
    return given


# --- processes ------------------------------------------------------------------------------------------


def _check_process_links(organisation: Organisation, services, evidence) -> tuple[list, list]:
    services = _check_subset(
        services,
        selectors.organisation_services(organisation),
        "services",
        _("Only the organisation's own registered services can be linked."),
    )
    evidence = _check_subset(
        evidence,
        selectors.organisation_evidence(organisation),
        "evidence",
        _("Only the organisation's own evidence can be linked."),
    )
    return services, evidence


def _save_process(process: Process, data: dict, services, evidence, requirements) -> Process:
    _apply(process, data, PROCESS_FIELDS)
    if process.parent_id:
        process.kind = process.parent.kind
    _check_member(process.organisation, process.owner)
    services, evidence = _check_process_links(process.organisation, services, evidence)
    process.full_clean()
    process.save()
    Process.objects.filter(parent=process).exclude(kind=process.kind).update(kind=process.kind)
    process.services.set(services)
    process.evidence.set(evidence)
    process.requirements.set(list(requirements or ()))
    return process


@transaction.atomic
def create_process(
    *, scope: Scope, organisation: Organisation, data: dict, services=(), evidence=(), requirements=()
) -> Process:
    _require(scope, Perm.EDIT, organisation.pk)
    process = Process(organisation=organisation)
    return _save_process(process, data, services, evidence, requirements)


@transaction.atomic
def update_process(*, scope: Scope, process: Process, data: dict, services=(), evidence=(), requirements=()) -> Process:
    _require(scope, Perm.EDIT, process.organisation_id)
    return _save_process(process, data, services, evidence, requirements)


@transaction.atomic
def delete_process(*, scope: Scope, process: Process) -> None:
    _require(scope, Perm.EDIT, process.organisation_id)
    process.delete()


@transaction.atomic
def create_kpi(*, scope: Scope, process: Process, data: dict) -> Kpi:
    _require(scope, Perm.EDIT, process.organisation_id)
    kpi = Kpi(process=process)
    _apply(kpi, data, KPI_FIELDS)
    kpi.full_clean()
    kpi.save()
    return kpi


@transaction.atomic
def add_measurement(
    *, scope: Scope, kpi: Kpi, day: date, value: Decimal, note: str = "", source: str = "", user=None
) -> KpiMeasurement:
    _require(scope, Perm.EDIT, kpi.process.organisation_id)
    measurement = KpiMeasurement(kpi=kpi, date=day, value=value, note=note, source=source, created_by=user)
    measurement.full_clean()
    measurement.save()
    return measurement


def _free_code(code: str, taken: set[str]) -> str:
    candidate, n = code, 1
    while candidate in taken:
        n += 1
        candidate = f"{code}-{n}"[:20]
    taken.add(candidate)
    return candidate


@transaction.atomic
def copy_process_template(
    *, scope: Scope, organisation: Organisation, template_key: str, confirm: bool = False
) -> list[Process]:
    """Create the template's processes, sub-processes and KPIs in the organisation's map. A map that already
    has processes is extended only with ``confirm`` (codes that are taken get a suffix)."""
    _require(scope, Perm.EDIT, organisation.pk)
    template = get_template(template_key)
    if template is None:
        raise ValidationError(_("Unknown process template."))
    existing = Process.objects.filter(organisation=organisation)
    if existing.exists() and not confirm:
        raise ValidationError(
            _("The process map is not empty. Confirm that the template's processes should be added to it.")
        )
    taken = set(existing.exclude(code="").values_list("code", flat=True))
    order = (existing.aggregate(m=Max("order"))["m"] or 0) + 1
    created = []
    for spec in template.processes:
        process = Process.objects.create(
            organisation=organisation,
            kind=spec.kind,
            code=_free_code(spec.code, taken),
            name=spec.name,
            order=order,
            **spec.texts,
        )
        created.append(process)
        order += 1
        for index, (code, name) in enumerate(spec.subprocesses, start=1):
            created.append(
                Process.objects.create(
                    organisation=organisation,
                    kind=spec.kind,
                    parent=process,
                    code=_free_code(code, taken),
                    name=name,
                    order=index,
                )
            )
        for index, kpi in enumerate(spec.kpis, start=1):
            Kpi.objects.create(
                process=process,
                name=kpi.name,
                unit=kpi.unit,
                target_value=kpi.target,
                direction=kpi.direction,
                order=index,
            )
    return created


# --- development plans ----------------------------------------------------------------------------------


def _save_plan(plan: DevelopmentPlan, data: dict) -> DevelopmentPlan:
    _apply(plan, data, PLAN_FIELDS)
    if plan.service_id and not selectors.organisation_services(plan.organisation).filter(pk=plan.service_id).exists():
        raise ValidationError({"service": _("Choose one of the organisation's own registered services.")})
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def create_plan(*, scope: Scope, organisation: Organisation, data: dict, user=None) -> DevelopmentPlan:
    _require(scope, Perm.EDIT, organisation.pk)
    return _save_plan(DevelopmentPlan(organisation=organisation, created_by=user), data)


@transaction.atomic
def update_plan(*, scope: Scope, plan: DevelopmentPlan, data: dict) -> DevelopmentPlan:
    _require(scope, Perm.EDIT, plan.organisation_id)
    return _save_plan(plan, data)


def _essential_min(assessment: Assessment) -> Decimal | None:
    """The essential minimum from the pass-rule registry; None while the rule is not in force (unverified and not
    adopted) or sets no minimum – then no action is drafted from an essential criterion's score."""
    if not pass_rules.rule_status(assessment.framework).in_force:
        return None
    return pass_rules.essential_minimum(assessment.framework)


def _short(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(TITLE_LENGTH)


@transaction.atomic
def draft_plan_from_assessment(*, scope: Scope, assessment: Assessment, user=None, title: str = "") -> DevelopmentPlan:
    """A draft plan with one action per nonconformity (major/minor) of a published assessment and one per
    unmet essential criterion (score below the essential minimum of the framework's pass rule, or no result) that no
    nonconformity already covers – only while the pass rule is in force (verified or adopted). Titles, deadlines
    and links are prefilled, ready to edit."""
    organisation = assessment.organisation
    _require(scope, Perm.EDIT, organisation.pk)
    if assessment.state not in PUBLISHED_STATES:
        raise ValidationError(_("A plan can be drafted only from a published assessment."))
    day = timezone.localdate()
    plan = DevelopmentPlan.objects.create(
        organisation=organisation,
        service=assessment.service,
        title=title or _short(_("Development plan after “%(title)s”") % {"title": assessment.title}),
        period_start=day,
        period_end=day + timedelta(days=365),
        goals=_("Remedy the nonconformities and unmet essential criteria found in “%(title)s”.")
        % {"title": assessment.title},
        state=DevelopmentPlan.State.DRAFT,
        source_assessment=assessment,
        created_by=user,
    )
    order = 0
    covered: set[int] = set()
    findings = (
        Finding.objects.filter(result__assessment=assessment, kind__in=selectors.NONCONFORMITY_KINDS)
        .select_related("result__requirement")
        .order_by("result__requirement__order", "pk")
    )
    for finding in findings:
        requirement = finding.result.requirement
        order += 1
        action = Action.objects.create(
            plan=plan,
            title=_short(f"{requirement.ref_id}: {finding.text}"),
            description="\n\n".join(part for part in (finding.text, finding.measure) if part),
            deadline=finding.deadline,
            priority=Action.Priority.HIGH if finding.kind == Finding.Kind.MAJOR else Action.Priority.MEDIUM,
            origin=Action.Origin.NONCONFORMITY,
            target_requirement=requirement,
            order=order,
        )
        action.findings.add(finding)
        action.requirements.add(requirement)
        covered.add(requirement.pk)

    minimum = _essential_min(assessment)
    if minimum is None:
        return plan
    applicable = applicable_ids(assessment.framework, assessment.service)
    results = {r.requirement_id: r for r in assessment.results.only("requirement_id", "value_id", "score")}
    essentials = assessment.framework.requirements.filter(essential=True, assessable=True).order_by("order")
    for requirement in essentials:
        if requirement.pk in covered or (applicable is not None and requirement.pk not in applicable):
            continue
        result = results.get(requirement.pk)
        if result is not None and result.value_id is not None and result.score is None:
            continue  # not applicable
        if result is not None and result.score is not None and result.score >= minimum:
            continue
        score = result.score if result is not None else None
        if score is None:
            description = _("The essential criterion %(ref)s has no result in the assessment.") % {
                "ref": requirement.ref_id
            }
        else:
            description = _("The essential criterion %(ref)s scored %(score)s, below the required %(min)s.") % {
                "ref": requirement.ref_id,
                "score": score.normalize(),
                "min": minimum.normalize(),
            }
        order += 1
        action = Action.objects.create(
            plan=plan,
            title=_short(f"{requirement.ref_id}: {requirement.title}"),
            description=description,
            priority=Action.Priority.HIGH,
            origin=Action.Origin.ESSENTIAL,
            target_requirement=requirement,
            expected_score_change=minimum - (score or Decimal(0)),
            order=order,
        )
        action.requirements.add(requirement)
    return plan


# --- actions --------------------------------------------------------------------------------------------


def _save_action(action: Action, data: dict, findings, requirements) -> Action:
    organisation = action.plan.organisation
    _apply(action, data, ACTION_FIELDS)
    _check_member(organisation, action.owner)
    if action.target_kpi_id and action.target_kpi.process.organisation_id != organisation.pk:
        raise ValidationError({"target_kpi": _("Choose a KPI of the organisation's own processes.")})
    if findings is not None:
        findings = _check_subset(
            findings,
            selectors.published_findings(organisation),
            "findings",
            _("Only findings of the organisation's published assessments can be linked."),
        )
    action.full_clean()
    action.save()
    if findings is not None:
        action.findings.set(findings)
    if requirements is not None:
        action.requirements.set(list(requirements))
    return action


@transaction.atomic
def create_action(*, scope: Scope, plan: DevelopmentPlan, data: dict, findings=(), requirements=()) -> Action:
    _require(scope, Perm.EDIT, plan.organisation_id)
    order = (plan.actions.aggregate(m=Max("order"))["m"] or 0) + 1
    action = Action(plan=plan, order=order)
    return _save_action(action, data, findings, requirements)


@transaction.atomic
def update_action(*, scope: Scope, action: Action, data: dict, findings=None, requirements=None) -> Action:
    """Change an action's content; the status changes only through :func:`set_action_status`."""
    _require(scope, Perm.EDIT, action.plan.organisation_id)
    return _save_action(action, {k: v for k, v in data.items() if k != "status"}, findings, requirements)


def _apply_review(action: Action, text: str, verdict: str, user) -> None:
    text = (text or "").strip()
    if not text or verdict not in Action.Verdict.values:
        raise ValidationError(_("An effectiveness review needs both a text and a verdict."))
    action.review_text = text
    action.review_verdict = verdict
    action.reviewed_by = user
    action.reviewed_at = timezone.now()


@transaction.atomic
def review_action(*, scope: Scope, action: Action, text: str, verdict: str, user=None) -> Action:
    _require(scope, Perm.EDIT, action.plan.organisation_id)
    _apply_review(action, text, verdict, user)
    action.save()
    return action


@transaction.atomic
def set_action_status(
    *, scope: Scope, action: Action, status: str, user=None, review_text: str = "", review_verdict: str = ""
) -> Action:
    """Move an action to ``status``, recording an effectiveness review given with it. Setting *done* on an action
    that answers a nonconformity without a review (text and verdict) is refused."""
    _require(scope, Perm.EDIT, action.plan.organisation_id)
    if status not in Action.Status.values:
        raise ValidationError(_("Unknown status."))
    if (review_text or "").strip() or review_verdict:
        _apply_review(action, review_text, review_verdict, user)
    if status == Action.Status.DONE and not action.has_review and selectors.answers_nonconformity(action):
        raise ValidationError(review_required_message())
    if status == Action.Status.DONE and action.status != Action.Status.DONE:
        action.done_at = timezone.now()
    elif status != Action.Status.DONE:
        action.done_at = None
    action.status = status
    action.save()
    return action
