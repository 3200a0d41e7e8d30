"""Assessments API: published assessments the caller may see (session login; anonymous callers see none).

Working notes are never part of the API.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from qmss.assessments import selectors
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
