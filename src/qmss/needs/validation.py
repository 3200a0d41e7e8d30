"""Validation of a submission against the rules of its round's template (data, Czech messages).

A rule whose expression cannot be decided (a value it needs is missing, or the element does not apply to the
service) is "not applied" (``passed is None``); the required-values check (:func:`missing_required`) asks for the
values instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from qmss.needs import expressions
from qmss.needs.layout import TOTAL, applies, form_layout
from qmss.needs.models import Submission, ValidationRule

Values = Mapping[str, Mapping[str, Decimal]]


@dataclass(frozen=True)
class RuleResult:
    rule: ValidationRule
    passed: bool | None
    severity: str
    message: str

    @property
    def blocking(self) -> bool:
        return self.severity == ValidationRule.Severity.BLOCKING

    @property
    def failed(self) -> bool:
        return self.passed is False


def template_rules(round) -> list[ValidationRule]:
    cached = getattr(round, "_needs_rules", None)
    if cached is None:
        cached = list(ValidationRule.objects.filter(template_id=round.template_id).order_by("order", "code"))
        round._needs_rules = cached
    return cached


def check(submission: Submission, values: Values | None = None) -> list[RuleResult]:
    """Every rule of the round's template evaluated over ``values`` (default: the submission's stored values)."""
    if values is None:
        from qmss.needs.selectors_rounds import submission_values

        values = submission_values(submission)
    results = []
    for rule in template_rules(submission.round):
        try:
            outcome = expressions.evaluate(rule.expression, values)
        except expressions.ExpressionError:
            outcome = None
        passed = None if outcome is None else bool(outcome)
        results.append(RuleResult(rule=rule, passed=passed, severity=rule.severity, message=rule.message))
    return results


def blocking_failures(results: list[RuleResult]) -> list[RuleResult]:
    return [r for r in results if r.failed and r.blocking]


def warning_failures(results: list[RuleResult]) -> list[RuleResult]:
    return [r for r in results if r.failed and not r.blocking]


def missing_required(submission: Submission, values: Values) -> list[tuple[str, str, str]]:
    """Required cells of elements that apply to the service and are still empty: (element code, category,
    label)."""
    missing = []
    for spec in form_layout(submission.round).elements:
        if not spec.required or spec.locked or not applies(spec, submission):
            continue
        cells = values.get(spec.code) or {}
        for code, name in spec.categories:
            if cells.get(code) is None:
                label = spec.name if code == TOTAL else f"{spec.name} – {name}"
                missing.append((spec.code, code, label))
    return missing
