"""Pages about the quality frameworks: the list of versions and one version's requirement tree.

Any logged-in user may read them (frameworks are shared reference data). Both pages make a constant number
of queries: the tree is read by :func:`qmss.frameworks.selectors.framework_tree` in at most 3 queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.frameworks import selectors
from qmss.frameworks.models import Framework, Requirement
from qmss.frameworks.scoring import describe_pass_rule, format_score


@dataclass(frozen=True)
class Row:
    """An assessable requirement as shown on the page."""

    req: Requirement
    applicability: str  # "" = applies to every service


def _applicability_text(req: Requirement) -> str:
    forms = {"pob": _("residential"), "amb": _("outpatient"), "ter": _("field")}
    parts = []
    if req.applicability.get("forms"):
        names = ", ".join(forms.get(code, code) for code in req.applicability["forms"])
        parts.append(_("forms: {forms}").format(forms=names))
    if req.applicability.get("kinds"):
        parts.append(_("service kinds: {kinds}").format(kinds=", ".join(req.applicability["kinds"])))
    return "; ".join(parts)


def _row(req: Requirement) -> Row:
    return Row(req, _applicability_text(req))


@login_required
@require_safe
def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = list(selectors.framework_list())
    context = {"frameworks": frameworks, "crumbs": [(_("Quality frameworks"), None)]}
    return render(request, "frameworks/list.html", context)


@login_required
@require_safe
def framework_detail(request: HttpRequest, framework_pk: int) -> HttpResponse:
    framework = get_object_or_404(Framework, pk=framework_pk)
    tree = selectors.framework_tree(framework)
    sections, loose_rows = selectors.sections(tree, _row)
    assessable = tree.assessable()
    scales = [
        (
            scale,
            [(value, None if value.score is None else format_score(value.score)) for value in tree.values[scale.pk]],
        )
        for scale in tree.scales.values()
    ]
    context = {
        "framework": framework,
        "sections": sections,
        "loose_rows": loose_rows,
        "scales": scales,
        "default_scale": tree.default_scale,
        "pass_rule_text": describe_pass_rule(framework),
        "pass_rule_label": (framework.pass_rule or {}).get("label", ""),
        "assessable_count": len(assessable),
        "essential_count": sum(1 for req in assessable if req.essential),
        "unverified_count": sum(1 for req in assessable if not req.verified),
        "versions": list(selectors.framework_versions(framework)),
        "assessment_count": selectors.assessment_count(framework),
        "crumbs": [(_("Quality frameworks"), reverse("frameworks:list")), (str(framework), None)],
    }
    return render(request, "frameworks/detail.html", context)
