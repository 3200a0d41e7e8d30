"""Scoring an assessment against a framework version and its pass rule (kept as data in the library).

``evaluate(framework, results)`` groups the assessable requirements under their standard/area and sums the
scores. Conventions:

* ``results`` maps requirement id → the chosen ScaleValue, or None (no result yet); a requirement missing from
  the mapping counts as no result;
* only criteria with a numeric result count: a "not applicable" value (score None) and a missing result add
  nothing to ``score`` or ``max_score``; missing ones are listed in ``Evaluation.missing`` and make the verdict
  ``passed = None`` (incomplete);
* requirements outside ``applicable`` (when given) are ignored entirely;
* scores are compared with the rule's parameters on the rule's scale; a score on another scale of the same
  framework is first converted in proportion to the maxima (1.5 of 3 is 2 of 4).

Pass rules (``Framework.pass_rule``) are interpreted only by :mod:`qmss.frameworks.pass_rules` (verdict, essential
minimum, description). Without a rule ``passed`` is None. A verdict is given only when the rule is in force
(:func:`qmss.frameworks.pass_rules.rule_status`: verified, or the rule set adopted by an administrator); otherwise
``passed`` is None, nothing is marked as a failed essential criterion and ``rule`` says why (``withheld``).

Everything is read through :func:`qmss.frameworks.selectors.framework_tree` (cached), so evaluating makes no
queries once the tree is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from qmss.frameworks import pass_rules
from qmss.frameworks.pass_rules import RuleStatus, format_score
from qmss.frameworks.selectors import FrameworkTree, framework_tree

if TYPE_CHECKING:
    from qmss.frameworks.models import Framework, Requirement, ScaleValue

__all__ = [
    "Evaluation",
    "RequirementScore",
    "StandardScore",
    "applicable_requirements",
    "describe_pass_rule",
    "evaluate",
    "format_score",
]

ZERO = Decimal(0)
SHARE_PLACES = Decimal("0.0001")
UNIT_KINDS = ("standard", "area")


@dataclass
class RequirementScore:
    requirement_id: int
    ref_id: str
    value_key: str | None
    score: Decimal | None  # None: no result or not applicable
    max_score: Decimal  # 0 unless the result has a numeric score
    essential: bool
    failed_essential: bool = False


@dataclass
class StandardScore:
    requirement: Requirement  # the standard / area node
    score: Decimal
    max_score: Decimal
    share: Decimal | None  # 0..1, None when nothing was scored
    failed_essential: list[str] = field(default_factory=list)
    criteria: list[RequirementScore] = field(default_factory=list)


@dataclass
class Evaluation:
    standards: list[StandardScore]
    total: Decimal
    max_total: Decimal
    share: Decimal | None
    passed: bool | None  # None: incomplete, or no rule
    failed_essential: list[str]
    missing: list[str]  # assessable ref_ids without a result
    rule_label: str
    average: Decimal | None = None  # average score of the criteria with a numeric result (rule scale)
    rule: RuleStatus | None = None  # whether the rule gives verdicts (verified or adopted)

    @property
    def withheld(self) -> bool:
        """True when the framework has a rule but it is unverified and not adopted: no verdict is given."""
        return self.rule is not None and self.rule.has_rule and not self.rule.in_force


def _share(score: Decimal, maximum: Decimal) -> Decimal | None:
    return (score / maximum).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP) if maximum else None


def _unit_of(tree: FrameworkTree, requirement: Requirement) -> Requirement:
    """The nearest standard/area above (or at) the requirement, else its root."""
    chain = [requirement, *tree.ancestors(requirement)]
    return next((node for node in chain if node.kind in UNIT_KINDS), chain[-1])


def evaluate(
    framework: Framework,
    results: dict[int, ScaleValue | None],
    *,
    applicable: set[int] | None = None,
    status: RuleStatus | None = None,
) -> Evaluation:
    """Score ``results``; ``status`` (default :func:`~qmss.frameworks.pass_rules.rule_status`, ≤ 1 query) says
    whether the verdict may be given."""
    tree = framework_tree(framework)
    status = status if status is not None else pass_rules.rule_status(framework)
    rule = framework.pass_rule or {}
    rule_scale = tree.scales_by_key.get(rule.get("scale", ""))
    essential_min = pass_rules.essential_minimum(framework) if status.in_force else None

    def on_rule_scale(score: Decimal, scale_max: Decimal) -> Decimal:
        if rule_scale is None or not scale_max or scale_max == rule_scale.max_score:
            return score
        return score * rule_scale.max_score / scale_max

    units: dict[int, StandardScore] = {}
    missing: list[str] = []
    failed: list[str] = []
    scored: list[Decimal] = []
    for req in tree.assessable():
        if applicable is not None and req.pk not in applicable:
            continue
        value = results.get(req.pk)
        scale = tree.scales.get(value.scale_id) if value is not None else None
        scale = scale or tree.scale_of(req)
        scale_max = scale.max_score if scale is not None else ZERO
        item = RequirementScore(req.pk, req.ref_id, value.key if value is not None else None, None, ZERO, req.essential)
        if value is None:
            missing.append(req.ref_id)
        elif value.score is not None:
            item.score = Decimal(str(value.score))
            item.max_score = scale_max
            normalised = on_rule_scale(item.score, scale_max)
            scored.append(normalised)
            if req.essential and essential_min is not None and normalised < essential_min:
                item.failed_essential = True
                failed.append(req.ref_id)
        unit = _unit_of(tree, req)
        standard = units.get(unit.pk)
        if standard is None:
            standard = units[unit.pk] = StandardScore(unit, ZERO, ZERO, None)
        standard.criteria.append(item)
        if item.score is not None:
            standard.score += item.score
            standard.max_score += item.max_score
        if item.failed_essential:
            standard.failed_essential.append(req.ref_id)
    standards = sorted(units.values(), key=lambda s: (s.requirement.order, s.requirement.pk))
    for standard in standards:
        standard.share = _share(standard.score, standard.max_score)
    total = sum((s.score for s in standards), ZERO)
    max_total = sum((s.max_score for s in standards), ZERO)
    share = _share(total, max_total)
    average = (sum(scored, ZERO) / len(scored)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP) if scored else None

    passed: bool | None = None
    if status.in_force:
        facts = pass_rules.Facts(not missing, scored, total, max_total, average, failed)
        passed = pass_rules.verdict(framework, facts)
    return Evaluation(
        standards=standards,
        total=total,
        max_total=max_total,
        share=share,
        passed=passed,
        failed_essential=failed,
        missing=missing,
        rule_label=str(rule.get("label", "")),
        average=average,
        rule=status,
    )


def applicable_requirements(
    framework: Framework, *, kind_code: str | None = None, form_codes: list[str] | tuple[str, ...] = ()
) -> set[int]:
    """Ids of the requirements that apply to a service of ``kind_code`` (ServiceKind.code) provided in
    ``form_codes`` (pob / amb / ter). A node whose parent does not apply does not apply either."""
    tree = framework_tree(framework)
    applies: dict[int, bool] = {}
    for req in tree.requirements:  # parents come first (order)
        parent_ok = applies.get(req.parent_id, True) if req.parent_id else True
        applies[req.pk] = parent_ok and req.applies_to(kind_code=kind_code, form_codes=form_codes)
    return {pk for pk, ok in applies.items() if ok}


def describe_pass_rule(framework: Framework) -> str:
    """The framework's pass rule in plain words (translated) – from the pass-rule registry."""
    return pass_rules.describe(framework)
