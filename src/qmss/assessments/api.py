"""Assessments API: published assessments the caller may see (session login; anonymous callers see none), and
moving an assessment along its workflow (session login with the CSRF token, through the same action as the web:
publishing refuses an incomplete assessment unless it is marked partial with a reason).

Working notes are never part of the API.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema
from ninja.utils import check_csrf

from qmss.assessments import actions, selectors
from qmss.core.scoping import get_object_or_404_scoped, get_scope

router = Router(tags=["assessments"])
MAX_LIMIT = 500


class AssessmentOut(Schema):
    id: int
    kind: str = Field(description="self / audit / consultation / inspection")
    state: str = Field(description="published / closed")
    title: str
    organisation_id: int
    organisation_name: str = Field(alias="organisation.name")
    service_portal_id: int | None = Field(None, description="Registry portal id of the service; null = organisation")
    service_name: str | None = None
    framework: str = Field(description="Framework short name and version, e.g. SQSS v1")
    framework_urn: str = Field(alias="framework.urn")
    framework_version: int = Field(alias="framework.version")
    auditing_organisation_name: str | None = None
    published_at: datetime | None = None
    partial: bool = Field(False, description="Published although not every criterion was assessed")
    partial_reason: str = Field("", description="Why it was published as a partial assessment")

    @staticmethod
    def resolve_service_portal_id(obj) -> int | None:
        return obj.service.portal_id if obj.service_id else None

    @staticmethod
    def resolve_service_name(obj) -> str | None:
        return obj.service.name if obj.service_id else None

    @staticmethod
    def resolve_framework(obj) -> str:
        return str(obj.framework)

    @staticmethod
    def resolve_auditing_organisation_name(obj) -> str | None:
        return obj.auditing_organisation.name if obj.auditing_organisation_id else None


class FindingOut(Schema):
    kind: str
    text: str
    measure: str
    deadline: date | None = None


class ResultOut(Schema):
    ref_id: str
    title: str
    essential: bool
    applicable: bool
    value_key: str | None = None
    value_label: str | None = None
    score: Decimal | None = None
    comment: str = ""
    failed_essential: bool = False
    findings: list[FindingOut] = []


class StandardOut(Schema):
    ref_id: str
    title: str
    score: Decimal | None = None
    max_score: Decimal | None = None
    share: float | None = None
    failed_essential: bool = False


class AssessmentDetailOut(AssessmentOut):
    period_start: date | None = None
    period_end: date | None = None
    visit_date: date | None = None
    inspection_type: str = ""
    inspection_authority: str = ""
    summary: str = ""
    total: Decimal | None = None
    max_total: Decimal | None = None
    share: float | None = None
    passed: bool | None = None
    standards: list[StandardOut] = []
    results: list[ResultOut] = []


class Paging(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


@router.get("", response=list[AssessmentOut], summary="Published assessments visible to the caller")
def list_assessments(request, paging: Query[Paging]):
    scope = get_scope(request)
    return list(selectors.published_assessments(scope)[paging.offset : paging.offset + paging.limit])


def _float(value) -> float | None:
    return None if value is None else float(value)


@router.get("{assessment_pk}", response=AssessmentDetailOut, summary="One published assessment with its results")
def get_assessment(request, assessment_pk: int):
    scope = get_scope(request)
    assessment = get_object_or_404_scoped(selectors.published_assessments(scope), pk=assessment_pk)
    report = selectors.assessment_report(scope, assessment)  # the schema has no field for working notes
    evaluation = report.evaluation
    return _Detail(
        assessment,
        total=getattr(evaluation, "total", None),
        max_total=getattr(evaluation, "max_total", None),
        share=_float(getattr(evaluation, "share", None)),
        passed=getattr(evaluation, "passed", None),
        standards=[
            StandardOut(
                ref_id=block.requirement.ref_id,
                title=block.requirement.title,
                score=block.score,
                max_score=block.max_score,
                share=_float(block.share),
                failed_essential=block.failed_essential,
            )
            for block in report.standards
        ],
        results=[
            ResultOut(
                ref_id=row.requirement.ref_id,
                title=row.requirement.title,
                essential=row.requirement.essential,
                applicable=row.applicable,
                value_key=row.value.key if row.value else None,
                value_label=row.value.label if row.value else None,
                score=row.score,
                comment=row.comment,
                failed_essential=row.failed_essential,
                findings=[
                    FindingOut(kind=f.kind, text=f.text, measure=f.measure, deadline=f.deadline) for f in row.findings
                ],
            )
            for row in report.rows
        ],
    )


class _Detail:
    """The assessment's own fields plus the computed ones, for :class:`AssessmentDetailOut`."""

    def __init__(self, assessment, **computed):
        self._assessment = assessment
        self.__dict__.update(computed)

    def __getattr__(self, name):
        return getattr(self._assessment, name)


class TransitionIn(Schema):
    to_state: str = Field(description="in_progress / in_review / published / closed")
    partial: bool = Field(False, description="Publish although some criteria have no result (needs a reason)")
    partial_reason: str = Field("", max_length=2000, description="At most 2,000 characters, as in the web form")


class TransitionOut(Schema):
    id: int
    state: str
    partial: bool
    partial_reason: str


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


def _errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"code": error.code or "invalid", "message": " ".join(error.messages), "field": name}
            for name, errors in exc.error_dict.items()
            for error in errors
        ]
    return [{"code": error.code or "invalid", "message": " ".join(error.messages)} for error in exc.error_list]


@router.post(
    "{assessment_pk}/transition",
    response={200: TransitionOut, 400: list[ErrorOut], 403: ErrorOut},
    summary="Move an assessment to another state (publishing an incomplete one needs partial + reason)",
)
def transition(request, assessment_pk: int, payload: TransitionIn):
    """Session login only, with the CSRF token (as the web forms send it)."""
    if not request.user.is_authenticated or check_csrf(request) is not None:
        return 403, {"code": "permission_denied", "message": "Log in and send the CSRF token."}
    scope = get_scope(request)
    assessment = get_object_or_404_scoped(selectors.visible_assessments(scope), pk=assessment_pk)
    try:
        assessment = actions.transition(
            scope=scope,
            assessment=assessment,
            to_state=payload.to_state,
            user=request.user,
            partial=payload.partial,
            partial_reason=payload.partial_reason,
        )
    except PermissionDenied:
        return 403, {"code": "permission_denied", "message": "Permission denied."}
    except ValidationError as exc:
        return 400, _errors(exc)
    return 200, assessment
