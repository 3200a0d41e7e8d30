"""Report downloads: the assessment as PDF or XLSX, for users who may see its results (404 for anyone else)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from qmss.assessments.permissions import can_see_results
from qmss.assessments.reports.data import report_data
from qmss.assessments.selectors import get_assessment
from qmss.core.scoping import get_scope

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def visible_assessment(request: HttpRequest, assessment_pk: int):
    """The assessment if the request's user may read its results (a report shows nothing else); Http404
    otherwise – an assessment the user may not see and one whose results are still hidden look the same."""
    scope = get_scope(request)
    assessment = get_assessment(scope, assessment_pk)
    if not can_see_results(scope, assessment):
        raise Http404
    return assessment


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_safe
@login_required
def report_pdf(request: HttpRequest, assessment_pk: int) -> HttpResponse:
    from qmss.assessments.reports.pdf import render_pdf

    assessment = visible_assessment(request, assessment_pk)
    content = render_pdf(report_data(assessment))
    return _download(content, PDF_TYPE, f"hodnoceni-{assessment.pk}.pdf")


@never_cache
@require_safe
@login_required
def report_xlsx(request: HttpRequest, assessment_pk: int) -> HttpResponse:
    from qmss.assessments.reports.xlsx import render_xlsx

    assessment = visible_assessment(request, assessment_pk)
    content = render_xlsx(report_data(assessment))
    return _download(content, XLSX_TYPE, f"hodnoceni-{assessment.pk}.xlsx")
