"""Pages about the quality frameworks: the list of versions and one version's requirement tree.

Any logged-in user may read them (frameworks are shared reference data). Both pages make a constant number
of queries: the tree is read by :func:`qmss.frameworks.selectors.framework_tree` in at most 3 queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from qmss.core.scoping import get_scope
from qmss.frameworks import actions, pass_rules, selectors
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
        "rule": pass_rules.rule_status(framework),
        "can_adopt": actions.can_adopt_rule_set(get_scope(request)),
        "assessable_count": len(assessable),
        "essential_count": sum(1 for req in assessable if req.essential),
        "unverified_count": sum(1 for req in assessable if not req.verified),
        "versions": list(selectors.framework_versions(framework)),
        "assessment_count": selectors.assessment_count(framework),
        "crumbs": [(_("Quality frameworks"), reverse("frameworks:list")), (str(framework), None)],
    }
    return render(request, "frameworks/detail.html", context)


class AdoptRulesForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        help_text=gettext_lazy("Why the rule set is adopted, e.g. the decision it rests on (optional)."),
        required=False,
        max_length=actions.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I adopt this rule set: verdicts will be shown with my name and the date."),
        error_messages={"required": gettext_lazy("Confirm the adoption by ticking the box.")},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def adopt_rules(request: HttpRequest, framework_pk: int) -> HttpResponse:
    """Confirmation page and action: a superuser adopts an unverified rule set of one framework version."""
    scope = get_scope(request)
    if not actions.can_adopt_rule_set(scope):
        raise PermissionDenied
    framework = get_object_or_404(Framework, pk=framework_pk)
    form = AdoptRulesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.adopt_rule_set(scope=scope, user=request.user, framework=framework, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The rule set has been adopted: verdicts are now shown."))
            return redirect(framework.get_absolute_url())
    tree = selectors.framework_tree(framework)
    context = {
        "framework": framework,
        "form": form,
        "pass_rule_text": describe_pass_rule(framework),
        "pass_rule_label": (framework.pass_rule or {}).get("label", ""),
        "unverified_essential": [req for req in tree.assessable() if req.essential and not req.verified],
        "crumbs": [
            (_("Quality frameworks"), reverse("frameworks:list")),
            (str(framework), framework.get_absolute_url()),
            (_("Adopt the rule set"), None),
        ],
    }
    return render(request, "frameworks/adopt_rules.html", context)
