"""The short "částečný audit (posouzeno 7 z 48)" note shown wherever a published assessment's score or state appears
outside its own page (the three lenses, the region's newly published list), so a partial audit never reads like a
complete one.

:func:`partial_notes` costs no query when none of the given assessments is partial, and at most three queries
(plus a framework tree, cached in-process) for any number of partial ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils.translation import ngettext

from qmss.assessments.models import Assessment, Result
from qmss.assessments.permissions import AUDIT_KINDS
from qmss.frameworks.scoring import applicable_requirements
from qmss.frameworks.selectors import framework_tree


def partial_note(kind: str, assessed: int, total: int) -> str:
    """ "částečný audit (posouzeno 7 z 48)" for an audit or consultation, else "částečné hodnocení (…)"."""
    values = {"assessed": assessed, "total": total}
    if kind in AUDIT_KINDS:
        return (
            ngettext(
                "partial audit (%(assessed)d of %(total)d assessed)",
                "partial audit (%(assessed)d of %(total)d assessed)",
                total,
            )
            % values
        )
    return (
        ngettext(
            "partial assessment (%(assessed)d of %(total)d assessed)",
            "partial assessment (%(assessed)d of %(total)d assessed)",
            total,
        )
        % values
    )


def partial_notes(assessments: Iterable[Assessment]) -> dict[int, str]:
    """``{assessment pk: note}`` for the given assessments published as partial (others are left out)."""
    partial_pks = [a.pk for a in assessments if a.partial]
    if not partial_pks:
        return {}
    partial = list(
        Assessment.objects.filter(pk__in=partial_pks)
        .select_related("framework", "service__kind")
        .prefetch_related("service__forms")
    )
    answered: dict[int, set[int]] = defaultdict(set)
    for assessment_id, requirement_id in Result.objects.filter(
        assessment_id__in=partial_pks, value__isnull=False
    ).values_list("assessment_id", "requirement_id"):
        answered[assessment_id].add(requirement_id)
    notes = {}
    for assessment in partial:
        tree = framework_tree(assessment.framework)
        applicable = None
        service = assessment.service
        if service is not None:
            kind_code = service.kind.code if service.kind_id else service.kind_code.rsplit("/", 1)[-1]
            forms = [form.form_code.rsplit("/", 1)[-1] for form in service.forms.all()]
            applicable = applicable_requirements(assessment.framework, kind_code=kind_code, form_codes=forms)
        criteria = [req.pk for req in tree.assessable() if applicable is None or req.pk in applicable]
        assessed = sum(1 for pk in criteria if pk in answered[assessment.pk])
        notes[assessment.pk] = partial_note(assessment.kind, assessed, len(criteria))
    return notes
