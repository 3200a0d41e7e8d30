"""Writes of the process map, KPIs, development plans and actions. Keyword-only typed arguments, one transaction
each (``@audit.action``), permission-checked; every change is recorded in the audit log (django-auditlog) with the
acting user. Refusals are ``ValidationError`` with a code from :mod:`qmss.improvement.error_codes`.

Fields an update leaves out (``UNSET``) keep their value; on create they take the model's default.

Rules: an organisation's processes link only its own services (by IČO) and evidence; a sub-process takes its
parent's type; a plan is drafted only from a PUBLISHED assessment; an action that answers a nonconformity (or an
unmet essential criterion) is set to *done* only with an effectiveness review (text and verdict).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.assessments.models import Assessment, Finding
from qmss.assessments.permissions import PUBLISHED_STATES
from qmss.assessments.selectors import applicable_ids
from qmss.core import audit
from qmss.core.models import Membership, Organisation
from qmss.core.roles import Perm
from qmss.core.scoping import Scope
from qmss.core.validation import DATE_OUTSIDE_RANGE_CODE, validate_date_range
from qmss.frameworks import pass_rules
from qmss.improvement import selectors
from qmss.improvement.error_codes import ImprovementErrorCode as Code
from qmss.improvement.models import Action, DevelopmentPlan, Kpi, KpiMeasurement, Process
from qmss.improvement.templates import get_template
from qmss.needs.models import Indicator

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from qmss.frameworks.models import Requirement

PROCESS_FIELDS = ("kind", "parent", "code", "name", "purpose", "inputs", "outputs", "customers", "owner", "order")
KPI_FIELDS = ("name", "unit", "target_value", "direction", "description", "source", "indicator_code", "order")
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


class Unset(Enum):
    """The value of a keyword argument the caller left out."""

    TOKEN = "unset"


UNSET: Final = Unset.TOKEN


def review_required_message() -> str:
    return _(
        "An action that answers a nonconformity can be closed only after its effectiveness review (text and verdict)."
    )


def _require(scope: Scope, perm: str, organisation_id: int) -> None:
    if not scope.has_perm(perm, organisation_id):
        raise PermissionDenied


def _given(arguments: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """The fields among an action's ``arguments`` (its ``locals()``) that the caller gave."""
    return {name: arguments[name] for name in fields if name in arguments and arguments[name] is not UNSET}


def _apply(obj, values: dict[str, Any], fields: Iterable[str]) -> None:
    for name in fields:
        if name in values:
            setattr(obj, name, values[name])


def _check_member(organisation: Organisation, user, field: str = "owner") -> None:
    if user is not None and not Membership.objects.filter(organisation=organisation, user=user).exists():
        message = _("The responsible person must be a member of the organisation.")
        raise ValidationError({field: ValidationError(message, code=Code.NOT_A_MEMBER.value)})


def _check_subset(given, allowed_qs, field: str, message: str) -> list:
    given = list(given or ())
    ids = {obj.pk for obj in given}
    if ids and allowed_qs.filter(pk__in=ids).count() != len(ids):
        raise ValidationError({field: ValidationError(message, code=Code.LINK_NOT_ALLOWED.value)})
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


def _save_process(process: Process, values: dict[str, Any], services, evidence, requirements) -> Process:
    _apply(process, values, PROCESS_FIELDS)
    if process.parent_id:
        process.kind = process.parent.kind
    _check_member(process.organisation, process.owner)
    services, evidence = _check_process_links(process.organisation, services, evidence)
    process.full_clean()
    process.save()
    for child in Process.objects.filter(parent=process).exclude(kind=process.kind):  # a few; each one audited
        child.kind = process.kind
        child.save(update_fields=["kind", "updated_at"])
    process.services.set(services)
    process.evidence.set(evidence)
    process.requirements.set(list(requirements or ()))
    return process


@audit.action
def create_process(
    *,
    scope: Scope,
    organisation: Organisation,
    name: str,
    kind: str | Unset = UNSET,
    parent: Process | None | Unset = UNSET,
    code: str | Unset = UNSET,
    purpose: str | Unset = UNSET,
    inputs: str | Unset = UNSET,
    outputs: str | Unset = UNSET,
    customers: str | Unset = UNSET,
    owner: AbstractBaseUser | None | Unset = UNSET,
    order: int | Unset = UNSET,
    services: Iterable = (),
    evidence: Iterable = (),
    requirements: Iterable[Requirement] = (),
) -> Process:
    values = _given(locals(), PROCESS_FIELDS)
    _require(scope, Perm.EDIT, organisation.pk)
    process = Process(organisation=organisation)
    return _save_process(process, values, services, evidence, requirements)


@audit.action
def update_process(
    *,
    scope: Scope,
    process: Process,
    name: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    parent: Process | None | Unset = UNSET,
    code: str | Unset = UNSET,
    purpose: str | Unset = UNSET,
    inputs: str | Unset = UNSET,
    outputs: str | Unset = UNSET,
    customers: str | Unset = UNSET,
    owner: AbstractBaseUser | None | Unset = UNSET,
    order: int | Unset = UNSET,
    services: Iterable = (),
    evidence: Iterable = (),
    requirements: Iterable[Requirement] = (),
) -> Process:
    """Change the given fields; the links (services, evidence, criteria) are replaced by the given ones."""
    values = _given(locals(), PROCESS_FIELDS)
    _require(scope, Perm.EDIT, process.organisation_id)
    return _save_process(process, values, services, evidence, requirements)


@audit.action
def delete_process(*, scope: Scope, process: Process) -> None:
    _require(scope, Perm.EDIT, process.organisation_id)
    process.delete()


@audit.action
def create_kpi(
    *,
    scope: Scope,
    process: Process,
    name: str,
    unit: str | Unset = UNSET,
    target_value: Decimal | None | Unset = UNSET,
    direction: str | Unset = UNSET,
    description: str | Unset = UNSET,
    source: str | Unset = UNSET,
    indicator_code: str | Unset = UNSET,
    order: int | Unset = UNSET,
) -> Kpi:
    values = _given(locals(), KPI_FIELDS)
    _require(scope, Perm.EDIT, process.organisation_id)
    if (
        values.get("indicator_code")
        and not Indicator.objects.filter(code=values["indicator_code"], template__published_at__isnull=False).exists()
    ):
        raise ValidationError(_("Choose an indicator of the data collection."), code=Code.UNKNOWN_INDICATOR.value)
    kpi = Kpi(process=process)
    _apply(kpi, values, KPI_FIELDS)
    kpi.full_clean()
    kpi.save()
    return kpi


@audit.action
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


@audit.action
def copy_process_template(
    *, scope: Scope, organisation: Organisation, template_key: str, confirm: bool = False
) -> list[Process]:
    """Create the template's processes, sub-processes and KPIs in the organisation's map. A map that already
    has processes is extended only with ``confirm`` (codes that are taken get a suffix)."""
    _require(scope, Perm.EDIT, organisation.pk)
    template = get_template(template_key)
    if template is None:
        raise ValidationError(_("Unknown process template."), code=Code.UNKNOWN_TEMPLATE.value)
    existing = Process.objects.filter(organisation=organisation)
    if existing.exists() and not confirm:
        raise ValidationError(
            _("The process map is not empty. Confirm that the template's processes should be added to it."),
            code=Code.MAP_NOT_EMPTY.value,
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


def _check_action_deadlines(plan: DevelopmentPlan) -> None:
    """A changed period must still hold the deadlines of the plan's actions (the shared date rule)."""
    if plan.pk is None or plan.period_start is None or plan.period_end is None:
        return
    outside = plan.actions.exclude(deadline__isnull=True).exclude(
        deadline__gte=plan.period_start, deadline__lte=plan.period_end
    )
    count = outside.count()
    if count:
        message = ngettext(
            "%(count)d action has its deadline outside this period; change its deadline first.",
            "%(count)d actions have their deadlines outside this period; change their deadlines first.",
            count,
        ) % {"count": count}
        raise ValidationError({"period_end": ValidationError(message, code=DATE_OUTSIDE_RANGE_CODE)})


def _save_plan(plan: DevelopmentPlan, values: dict[str, Any]) -> DevelopmentPlan:
    _apply(plan, values, PLAN_FIELDS)
    if plan.service_id and not selectors.organisation_services(plan.organisation).filter(pk=plan.service_id).exists():
        message = _("Choose one of the organisation's own registered services.")
        raise ValidationError({"service": ValidationError(message, code=Code.SERVICE_NOT_OWN.value)})
    validate_date_range(plan.period_start, plan.period_end)  # also in full_clean(); named here for the API
    plan.full_clean(exclude=["created_by"])  # may be empty once its creator's account is deleted
    _check_action_deadlines(plan)
    plan.save()
    return plan


@audit.action
def create_plan(
    *,
    scope: Scope,
    organisation: Organisation,
    title: str,
    period_start: date,
    period_end: date,
    service=None,
    goals: str | Unset = UNSET,
    state: str | Unset = UNSET,
    user=None,
) -> DevelopmentPlan:
    values = _given(locals(), PLAN_FIELDS)
    _require(scope, Perm.EDIT, organisation.pk)
    return _save_plan(DevelopmentPlan(organisation=organisation, created_by=user), values)


@audit.action
def update_plan(
    *,
    scope: Scope,
    plan: DevelopmentPlan,
    title: str | Unset = UNSET,
    period_start: date | Unset = UNSET,
    period_end: date | Unset = UNSET,
    service: Any = UNSET,
    goals: str | Unset = UNSET,
    state: str | Unset = UNSET,
) -> DevelopmentPlan:
    values = _given(locals(), PLAN_FIELDS)
    _require(scope, Perm.EDIT, plan.organisation_id)
    return _save_plan(plan, values)


def _essential_min(assessment: Assessment) -> Decimal | None:
    """The essential minimum from the pass-rule registry; None while the rule is not in force (unverified and not
    adopted) or sets no minimum – then no action is drafted from an essential criterion's score."""
    if not pass_rules.rule_status(assessment.framework).in_force:
        return None
    return pass_rules.essential_minimum(assessment.framework)


def _short(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(TITLE_LENGTH)


@audit.action
def draft_plan_from_assessment(*, scope: Scope, assessment: Assessment, user=None, title: str = "") -> DevelopmentPlan:
    """A draft plan with one action per nonconformity (major/minor) of a published assessment and one per
    essential criterion ASSESSED as unmet (a score below the essential minimum of the framework's pass rule) that no
    nonconformity already covers – only while the pass rule is in force (verified or adopted). A criterion without
    a result is never drafted: not assessed is not failed (a partial audit of 8 criteria lists only those 8).
    Titles, deadlines and links are prefilled, ready to edit."""
    organisation = assessment.organisation
    _require(scope, Perm.EDIT, organisation.pk)
    if assessment.state not in PUBLISHED_STATES:
        raise ValidationError(
            _("A plan can be drafted only from a published assessment."), code=Code.INVALID_STATE.value
        )
    day = timezone.localdate()
    findings = list(
        Finding.objects.filter(result__assessment=assessment, kind__in=selectors.NONCONFORMITY_KINDS)
        .select_related("result__requirement")
        .order_by("result__requirement__order", "pk")
    )
    deadlines = [finding.deadline for finding in findings if finding.deadline is not None]
    plan = DevelopmentPlan.objects.create(
        organisation=organisation,
        service=assessment.service,
        title=title or _short(_("Development plan after “%(title)s”") % {"title": assessment.title}),
        # the period holds every drafted deadline (an action's deadline lies inside its plan's period)
        period_start=min([day, *deadlines]),
        period_end=max([day + timedelta(days=365), *deadlines]),
        goals=_("Remedy the nonconformities and unmet essential criteria found in “%(title)s”.")
        % {"title": assessment.title},
        state=DevelopmentPlan.State.DRAFT,
        source_assessment=assessment,
        created_by=user,
    )
    order = 0
    covered: set[int] = set()
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
        if result is None or result.value_id is None or result.score is None:
            continue  # not assessed (not assessed ≠ failed), or assessed as not applicable
        score = result.score
        if score >= minimum:
            continue
        description = _("The essential criterion %(ref)s scored %(score)s, below the required %(min)s.") % {
            "ref": requirement.ref_id,
            "score": pass_rules.format_score(score),
            "min": pass_rules.format_score(minimum),
        }
        order += 1
        action = Action.objects.create(
            plan=plan,
            title=_short(f"{requirement.ref_id}: {requirement.title}"),
            description=description,
            priority=Action.Priority.HIGH,
            origin=Action.Origin.ESSENTIAL,
            target_requirement=requirement,
            expected_score_change=minimum - score,
            order=order,
        )
        action.requirements.add(requirement)
    return plan


# --- actions --------------------------------------------------------------------------------------------


def _save_action(action: Action, values: dict[str, Any], findings, requirements) -> Action:
    organisation = action.plan.organisation
    _apply(action, values, ACTION_FIELDS)
    _check_member(organisation, action.owner)
    if action.target_kpi_id and action.target_kpi.process.organisation_id != organisation.pk:
        message = _("Choose a KPI of the organisation's own processes.")
        raise ValidationError({"target_kpi": ValidationError(message, code=Code.KPI_NOT_OWN.value)})
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


@audit.action
def create_action(
    *,
    scope: Scope,
    plan: DevelopmentPlan,
    title: str,
    description: str | Unset = UNSET,
    owner: AbstractBaseUser | None | Unset = UNSET,
    deadline: date | None | Unset = UNSET,
    priority: str | Unset = UNSET,
    target_requirement: Requirement | None | Unset = UNSET,
    expected_score_change: Decimal | None | Unset = UNSET,
    target_kpi: Kpi | None | Unset = UNSET,
    expected_kpi_value: Decimal | None | Unset = UNSET,
    order: int | Unset = UNSET,
    findings: Iterable[Finding] = (),
    requirements: Iterable[Requirement] = (),
) -> Action:
    values = _given(locals(), ACTION_FIELDS)
    _require(scope, Perm.EDIT, plan.organisation_id)
    next_order = (plan.actions.aggregate(m=Max("order"))["m"] or 0) + 1
    return _save_action(Action(plan=plan, order=next_order), values, findings, requirements)


@audit.action
def update_action(
    *,
    scope: Scope,
    action: Action,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    owner: AbstractBaseUser | None | Unset = UNSET,
    deadline: date | None | Unset = UNSET,
    priority: str | Unset = UNSET,
    target_requirement: Requirement | None | Unset = UNSET,
    expected_score_change: Decimal | None | Unset = UNSET,
    target_kpi: Kpi | None | Unset = UNSET,
    expected_kpi_value: Decimal | None | Unset = UNSET,
    order: int | Unset = UNSET,
    findings: Iterable[Finding] | None = None,
    requirements: Iterable[Requirement] | None = None,
) -> Action:
    """Change an action's content (links of None stay); the status changes only through :func:`set_action_status`."""
    values = _given(locals(), ACTION_FIELDS)
    _require(scope, Perm.EDIT, action.plan.organisation_id)
    return _save_action(action, values, findings, requirements)


def _apply_review(action: Action, text: str, verdict: str, user) -> None:
    text = (text or "").strip()
    if not text or verdict not in Action.Verdict.values:
        raise ValidationError(
            _("An effectiveness review needs both a text and a verdict."), code=Code.REVIEW_INCOMPLETE.value
        )
    action.review_text = text
    action.review_verdict = verdict
    action.reviewed_by = user
    action.reviewed_at = timezone.now()


@audit.action
def review_action(*, scope: Scope, action: Action, text: str, verdict: str, user=None) -> Action:
    _require(scope, Perm.EDIT, action.plan.organisation_id)
    _apply_review(action, text, verdict, user)
    action.save()
    return action


@audit.action
def set_action_status(
    *, scope: Scope, action: Action, status: str, user=None, review_text: str = "", review_verdict: str = ""
) -> Action:
    """Move an action to ``status``, recording an effectiveness review given with it. Setting *done* on an action
    that answers a nonconformity without a review (text and verdict) is refused."""
    _require(scope, Perm.EDIT, action.plan.organisation_id)
    if status not in Action.Status.values:
        raise ValidationError(_("Unknown status."), code=Code.UNKNOWN_STATUS.value)
    if (review_text or "").strip() or review_verdict:
        _apply_review(action, review_text, review_verdict, user)
    if status == Action.Status.DONE and not action.has_review and selectors.answers_nonconformity(action):
        raise ValidationError(review_required_message(), code=Code.REVIEW_REQUIRED.value)
    if status == Action.Status.DONE and action.status != Action.Status.DONE:
        action.done_at = timezone.now()
    elif status != Action.Status.DONE:
        action.done_at = None
    action.status = status
    action.save()
    return action
