"""Writes of assessments, results, findings and evidence uploads. Each is an ``@action`` (one transaction), checks
role and state, and is recorded in the audit log with the acting user (django-auditlog: the models are registered
in ``apps.py``). Refusals are ``ValidationError`` with a code from :mod:`qmss.assessments.error_codes`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.assessments import permissions as perms
from qmss.assessments import selectors, uploads
from qmss.assessments.error_codes import AssessmentErrorCode as Code
from qmss.assessments.models import Assessment, Evidence, EvidenceVersion, Finding, Result
from qmss.core.audit import action
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope
from qmss.frameworks.models import Framework, Requirement, ScaleValue
from qmss.registry.models import Service

State = Assessment.State
Kind = Assessment.Kind

HEADER_FIELDS = (
    "title",
    "period_start",
    "period_end",
    "visit_date",
    "inspection_type",
    "inspection_authority",
    "inspection_team",
    "summary",
    "internal_notes",
)


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _check_service(organisation: Organisation, service: Service | None) -> None:
    if service is not None and not selectors.provider_services(organisation).filter(pk=service.pk).exists():
        raise ValidationError(
            _("The service does not belong to this provider."), code=Code.SERVICE_NOT_OF_PROVIDER.value
        )


def _default_title(kind: str, service: Service | None, organisation: Organisation) -> str:
    subject = service.name if service is not None and service.name else organisation.name
    return f"{Assessment.Kind(kind).label.capitalize()} – {subject}"


@action
def create_assessment(
    *,
    scope: Scope,
    organisation: Organisation,
    kind: str,
    user,
    service: Service | None = None,
    framework: Framework | None = None,
    title: str = "",
    region_organisation: Organisation | None = None,
    **header,
) -> Assessment:
    """A new assessment of one of the organisation's services (or of the whole organisation).

    Provider editors create any kind; an audit starts as a draft until an auditor is invited. Region staff
    record inspections of services in their region by passing their ``region_organisation``.
    """
    if kind not in Kind.values:
        raise ValidationError(_("Unknown kind of assessment."), code=Code.UNKNOWN_KIND.value)
    if organisation.kind != OrganisationKind.PROVIDER:
        raise ValidationError(_("Assessments are kept for provider organisations."), code=Code.NOT_A_PROVIDER.value)
    assigned_by = None
    if region_organisation is not None:
        _require(kind == Kind.INSPECTION and scope.has_perm(Perm.EDIT, region_organisation.pk))
        _require(service is not None and region_organisation.region_id in selectors.service_region_ids(service))
        assigned_by = region_organisation
    else:
        _require(scope.has_perm(Perm.EDIT, organisation.pk))
    _check_service(organisation, service)
    framework = framework or selectors.latest_framework()
    if framework is None:
        raise ValidationError(_("No quality framework has been loaded yet."), code=Code.NO_FRAMEWORK.value)
    unknown = set(header) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    assessment = Assessment(
        organisation=organisation,
        service=service,
        framework=framework,
        kind=kind,
        title=title.strip() or _default_title(kind, service, organisation),
        assigned_by=assigned_by,
        created_by=user,
        **header,
    )
    assessment.full_clean(exclude=["created_by"])
    assessment.save()
    return assessment


@action
def update_assessment(*, scope: Scope, assessment: Assessment, user, **data) -> Assessment:
    _require(perms.can_edit_header(scope, assessment))
    for name, value in data.items():
        if name not in HEADER_FIELDS:
            raise TypeError(f"unknown field: {name}")
        if name == "internal_notes" and not perms.can_see_internal_notes(scope, assessment):
            continue
        setattr(assessment, name, value)
    assessment.full_clean(exclude=["created_by"])
    assessment.save()
    return assessment


@action
def invite_auditor(*, scope: Scope, assessment: Assessment, auditing_organisation: Organisation, user) -> Assessment:
    """The provider hands an audit or consultation to an audit body; the audit starts (in progress)."""
    _require(perms.can_invite_auditor(scope, assessment))
    if auditing_organisation.kind != OrganisationKind.AUDIT_BODY:
        raise ValidationError(_("Choose an audit or consulting body."), code=Code.NOT_AN_AUDIT_BODY.value)
    assessment.auditing_organisation = auditing_organisation
    assessment.state = State.IN_PROGRESS
    assessment.save(update_fields=["auditing_organisation", "state", "updated_at"])
    return assessment


@action
def assign_audit(
    *,
    scope: Scope,
    region_organisation: Organisation,
    service: Service,
    auditing_organisation: Organisation,
    user,
    kind: str = Kind.AUDIT,
    title: str = "",
) -> Assessment:
    """A region assigns an audit of a service in its region to an audit body."""
    _require(
        region_organisation.kind == OrganisationKind.REGION
        and scope.has_perm(Perm.MANAGE_NETWORK, region_organisation.pk)
        and region_organisation.region_id in selectors.service_region_ids(service)
    )
    if kind not in perms.AUDIT_KINDS:
        raise ValidationError(
            _("Only an audit or a consultation can be assigned."), code=Code.KIND_NOT_ASSIGNABLE.value
        )
    if auditing_organisation.kind != OrganisationKind.AUDIT_BODY:
        raise ValidationError(_("Choose an audit or consulting body."), code=Code.NOT_AN_AUDIT_BODY.value)
    provider = selectors.provider_organisation_for(service)
    if provider is None:
        raise ValidationError(
            _("The provider of this service has not joined QMSS yet."), code=Code.PROVIDER_NOT_JOINED.value
        )
    framework = selectors.latest_framework()
    if framework is None:
        raise ValidationError(_("No quality framework has been loaded yet."), code=Code.NO_FRAMEWORK.value)
    return Assessment.objects.create(
        organisation=provider,
        service=service,
        framework=framework,
        kind=kind,
        state=State.IN_PROGRESS,
        title=title.strip() or _default_title(kind, service, provider),
        auditing_organisation=auditing_organisation,
        assigned_by=region_organisation,
        created_by=user,
    )


@dataclass(frozen=True)
class Coverage:
    """How many of the assessment's criteria (those that apply to the service) have a result."""

    assessed: int
    total: int
    missing_refs: tuple[str, ...] = ()

    @property
    def missing(self) -> int:
        return self.total - self.assessed

    @property
    def complete(self) -> bool:
        return self.assessed >= self.total


def coverage(assessment: Assessment) -> Coverage:
    """Criteria with a result (any value, "does not apply" included) out of the criteria that apply – the
    framework's scoring decides which apply and which have no result (one query for the results)."""
    values = {
        result.requirement_id: result.value
        for result in Result.objects.filter(assessment=assessment, value__isnull=False).select_related("value")
    }
    evaluation = selectors.evaluate_results(
        assessment.framework, values, applicable=selectors.applicable_ids(assessment.framework, assessment.service)
    )
    total = sum(len(standard.criteria) for standard in evaluation.standards)
    return Coverage(assessed=total - len(evaluation.missing), total=total, missing_refs=tuple(evaluation.missing))


def _check_publishable(assessment: Assessment, *, partial: bool, partial_reason: str) -> tuple[bool, str]:
    """Publishing needs every criterion assessed, or the explicit partial flag with a reason.
    Returns the (partial, reason) to store: a complete assessment is never marked partial."""
    found = coverage(assessment)
    if found.complete:
        return False, ""
    if not partial:
        raise ValidationError(
            ngettext(
                "It cannot be published yet: %(missing)d criterion of %(total)d has not been assessed. Assess it, "
                "or publish it as a partial assessment and give the reason.",
                "It cannot be published yet: %(missing)d criteria of %(total)d have not been assessed. Assess them, "
                "or publish it as a partial assessment and give the reason.",
                found.missing,
            )
            % {"missing": found.missing, "total": found.total},
            code=Code.INCOMPLETE.value,
        )
    reason = (partial_reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "partial_reason": ValidationError(
                    _("Give the reason why the assessment is published as partial."),
                    code=Code.PARTIAL_REASON_REQUIRED.value,
                )
            }
        )
    return True, reason


@action
def transition(
    *,
    scope: Scope,
    assessment: Assessment,
    to_state: str,
    user,
    partial: bool = False,
    partial_reason: str = "",
) -> Assessment:
    """Move an assessment along its workflow (see ``permissions.TRANSITIONS``).

    Publishing requires every criterion that applies to have a result – or ``partial`` with a ``partial_reason``
    (shown on the report page, in the PDF and in the XLSX)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if to_state not in State.values:
        raise ValidationError(_("Unknown state."), code=Code.UNKNOWN_STATE.value)
    rules = perms.TRANSITIONS.get(assessment.kind, {})
    if (assessment.state, to_state) not in rules:
        raise ValidationError(
            _("An assessment in the state “%(state)s” cannot move to “%(target)s”.")
            % {"state": assessment.get_state_display(), "target": State(to_state).label},
            code=Code.INVALID_STATE.value,
        )
    _require(perms.can_transition(scope, assessment, to_state))
    fields = ["state", "updated_at"]
    if to_state == State.PUBLISHED:
        assessment.partial, assessment.partial_reason = _check_publishable(
            assessment, partial=partial, partial_reason=partial_reason
        )
        fields += ["partial", "partial_reason"]
    assessment.state = to_state
    if to_state == State.PUBLISHED and assessment.published_at is None:
        assessment.published_at = timezone.now()
        fields.append("published_at")
    assessment.save(update_fields=fields)
    return assessment


# --- results and findings ---------------------------------------------------------------------------------


def allowed_values(requirement: Requirement, framework: Framework) -> list[ScaleValue]:
    """Values of the requirement's scale (its own, else the framework's default), from the cached tree."""
    from qmss.frameworks.selectors import framework_tree

    tree = framework_tree(framework)
    scale = tree.scale_of(requirement)
    return list(tree.values.get(scale.pk, [])) if scale is not None else []


def _start_on_first_result(assessment: Assessment) -> None:
    """Recording a result of a draft starts it (draft → in progress, where its kind has that step): whoever may
    record results may start it, and a fully entered self-assessment must not wait behind a forgotten button."""
    if assessment.state == State.DRAFT and (State.DRAFT, State.IN_PROGRESS) in perms.TRANSITIONS.get(
        assessment.kind, {}
    ):
        assessment.state = State.IN_PROGRESS
        assessment.save(update_fields=["state", "updated_at"])


def _check_requirement(assessment: Assessment, requirement: Requirement) -> None:
    if requirement.framework_id != assessment.framework_id or not requirement.assessable:
        raise ValidationError(
            _("This criterion is not part of the assessment."), code=Code.REQUIREMENT_NOT_IN_ASSESSMENT.value
        )


@action
def set_result(
    *,
    scope: Scope,
    assessment: Assessment,
    requirement: Requirement,
    user,
    value: ScaleValue | None = None,
    comment: str = "",
    internal_note: str | None = None,
    evidence_ids: Iterable[int] | None = None,
    uploaded_evidence: Iterable[Evidence] = (),
) -> Result:
    """Record the result of one criterion. ``internal_note``/``evidence_ids`` of None leave them unchanged.

    Evidence may be linked when the user can see it (or it is already linked); ``uploaded_evidence`` – just
    uploaded by the assessor for the assessed organisation – is linked as well."""
    _require(perms.can_edit_results(scope, assessment))
    _check_requirement(assessment, requirement)
    if value is not None and value.pk not in {v.pk for v in allowed_values(requirement, assessment.framework)}:
        raise ValidationError(_("This value is not on the scale of the criterion."), code=Code.VALUE_NOT_ON_SCALE.value)
    result, _created = Result.objects.get_or_create(assessment=assessment, requirement=requirement)
    result.value = value
    result.score = value.score if value is not None else None
    result.comment = comment
    if internal_note is not None and perms.can_see_internal_notes(scope, assessment):
        result.internal_note = internal_note
    result.updated_by = user
    result.save()
    _start_on_first_result(assessment)
    if evidence_ids is not None:
        wanted = set(evidence_ids)
        allowed = set(
            selectors.organisation_evidence_choices(scope, assessment.organisation_id)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        current = set(result.evidence.values_list("pk", flat=True))
        for item in uploaded_evidence:
            if item.organisation_id == assessment.organisation_id:
                wanted.add(item.pk)
                allowed.add(item.pk)
        if wanted - allowed - current:
            raise ValidationError(
                _("Some of the evidence cannot be linked to this assessment."), code=Code.EVIDENCE_NOT_LINKABLE.value
            )
        result.evidence.set(Evidence.objects.filter(pk__in=wanted))
    return result


def _result_for(assessment: Assessment, requirement: Requirement, user) -> Result:
    _check_requirement(assessment, requirement)
    result, _created = Result.objects.get_or_create(
        assessment=assessment, requirement=requirement, defaults={"updated_by": user}
    )
    return result


@action
def add_finding(
    *,
    scope: Scope,
    assessment: Assessment,
    requirement: Requirement,
    kind: str,
    text: str,
    user,
    measure: str = "",
    deadline: date | None = None,
) -> Finding:
    _require(perms.can_edit_results(scope, assessment))
    result = _result_for(assessment, requirement, user)
    finding = Finding(result=result, kind=kind, text=text, measure=measure, deadline=deadline, created_by=user)
    finding.full_clean(exclude=["created_by"])
    finding.save()
    return finding


@action
def edit_finding(
    *, scope: Scope, finding: Finding, user, kind: str, text: str, measure: str = "", deadline: date | None = None
) -> Finding:
    _require(perms.can_edit_results(scope, finding.result.assessment))
    finding.kind, finding.text, finding.measure, finding.deadline = kind, text, measure, deadline
    finding.full_clean(exclude=["created_by"])
    finding.save()
    return finding


@action
def delete_finding(*, scope: Scope, finding: Finding, user) -> None:
    _require(perms.can_edit_results(scope, finding.result.assessment))
    finding.delete()


# --- evidence uploads -------------------------------------------------------------------------------------


def _store_upload(
    *,
    owner: Organisation,
    upload: UploadedFile,
    user,
    evidence: Evidence | None = None,
    title: str = "",
    kind: str = Evidence.Kind.DOCUMENT,
    description: str = "",
    expires_on: date | None = None,
    remind_days_before: int | None = None,
    note: str = "",
) -> EvidenceVersion:
    """Check the file (:func:`uploads.check_upload`), then store it as a new evidence item of ``owner`` or as the
    next version of ``evidence``. The caller has checked the right to upload."""
    file_type = uploads.check_upload(upload)
    digest = uploads.sha256_of(upload)
    if evidence is None:
        evidence = Evidence(
            organisation=owner,
            kind=kind,
            title=title.strip() or uploads.safe_name(upload.name),
            description=description,
            expires_on=expires_on,
            remind_days_before=remind_days_before if remind_days_before is not None else 30,
            created_by=user,
        )
        evidence.full_clean(exclude=["created_by"])
        evidence.save()
    else:
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        changed = []
        if expires_on is not None:
            evidence.expires_on = expires_on
            changed.append("expires_on")
        if remind_days_before is not None:
            evidence.remind_days_before = remind_days_before
            changed.append("remind_days_before")
        if changed:
            evidence.save(update_fields=[*changed, "updated_at"])
    number = (evidence.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    name = uploads.safe_name(upload.name)
    version = EvidenceVersion(
        evidence=evidence,
        number=number,
        original_name=name,
        size=upload.size,
        content_type=file_type.content_type,
        sha256=digest,
        note=note,
        uploaded_by=user,
    )
    upload.seek(0)
    version.file.save(name, upload, save=False)
    try:
        version.save()
    except Exception:
        version.file.delete(save=False)
        raise
    return version


@action
def upload_evidence(
    *,
    scope: Scope,
    upload: UploadedFile,
    user,
    organisation: Organisation | None = None,
    evidence: Evidence | None = None,
    title: str = "",
    kind: str = Evidence.Kind.DOCUMENT,
    description: str = "",
    expires_on: date | None = None,
    remind_days_before: int | None = None,
    note: str = "",
) -> EvidenceVersion:
    """Store a new evidence item (``organisation`` + ``title``) or a new version of ``evidence``; editors of the
    owning organisation only. The file is checked for size, type and content before anything is written."""
    owner = evidence.organisation if evidence is not None else organisation
    if owner is None:
        raise TypeError("organisation or evidence is required")
    _require(scope.has_perm(Perm.EDIT, owner.pk))
    return _store_upload(
        owner=owner,
        upload=upload,
        user=user,
        evidence=evidence,
        title=title,
        kind=kind,
        description=description,
        expires_on=expires_on,
        remind_days_before=remind_days_before,
        note=note,
    )


@action
def record_result(
    *,
    scope: Scope,
    assessment: Assessment,
    requirement: Requirement,
    user,
    value: ScaleValue | None = None,
    comment: str = "",
    internal_note: str | None = None,
    evidence_ids: Iterable[int] | None = None,
    new_file: UploadedFile | None = None,
    new_title: str = "",
) -> Result:
    """The result form in one action: the assessor may upload ``new_file`` as new evidence of the assessed
    organisation (its editors' right is not needed – recording results of this assessment is), linked to the
    result together with ``evidence_ids``. A refused result stores no file."""
    _require(perms.can_edit_results(scope, assessment))
    if new_file is None:
        uploaded = None
    else:
        uploaded = _store_upload(owner=assessment.organisation, upload=new_file, user=user, title=new_title)
        if evidence_ids is None:  # keep the links the result has, and add the new file
            linked = Result.objects.filter(assessment=assessment, requirement=requirement)
            evidence_ids = [pk for pk in linked.values_list("evidence", flat=True) if pk is not None]
    try:
        return set_result(
            scope=scope,
            assessment=assessment,
            requirement=requirement,
            user=user,
            value=value,
            comment=comment,
            internal_note=internal_note,
            evidence_ids=evidence_ids,
            uploaded_evidence=[uploaded.evidence] if uploaded is not None else (),
        )
    except Exception:
        if uploaded is not None:
            uploaded.file.delete(save=False)  # the transaction rolls the rows back; the file goes with them
        raise


# --- framework versions -----------------------------------------------------------------------------------


@dataclass
class MoveReport:
    mapped: int = 0
    unmapped: list[str] = field(default_factory=list)  # ref_ids of results that have no counterpart
    values_lost: list[str] = field(default_factory=list)  # ref_ids whose value is not on the new scale


@action
def move_to_framework_version(*, scope: Scope, assessment: Assessment, framework: Framework, user) -> MoveReport:
    """Move an open assessment to another version of its framework: results follow by ``ref_id``; values follow
    by scale key. Results without a counterpart are removed (and reported); every change is in the audit log."""
    _require(perms.can_change_framework(scope, assessment))
    if framework.urn != assessment.framework.urn:
        raise ValidationError(_("Choose a version of the same framework."), code=Code.OTHER_FRAMEWORK.value)
    if framework.pk == assessment.framework_id:
        raise ValidationError(_("The assessment already uses this version."), code=Code.SAME_FRAMEWORK_VERSION.value)
    report = MoveReport()
    targets = {r.ref_id: r for r in Requirement.objects.filter(framework=framework, assessable=True)}
    values: dict[tuple[int, str], ScaleValue] = {
        (v.scale_id, v.key): v for v in ScaleValue.objects.filter(scale__framework=framework)
    }
    for result in Result.objects.filter(assessment=assessment).select_related("requirement", "value"):
        target = targets.get(result.requirement.ref_id)
        if target is None:
            report.unmapped.append(result.requirement.ref_id)
            result.delete()
            continue
        new_value = None
        if result.value is not None:
            scale_id = target.scale_id or framework.default_scale_id
            new_value = values.get((scale_id, result.value.key))
            if new_value is None:
                report.values_lost.append(target.ref_id)
        result.requirement = target
        result.value = new_value
        result.score = new_value.score if new_value is not None else None
        result.updated_by = user
        result.save()
        report.mapped += 1
    assessment.framework = framework
    assessment.save(update_fields=["framework", "updated_at"])
    return report
