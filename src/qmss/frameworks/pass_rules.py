"""The one registry of pass rules: every kind of rule a framework library may name in ``pass_rule`` is registered
here ONCE, with

* ``params`` – its parameters as written in the YAML (validated by :func:`validate`);
* ``verdict`` – the overall result (True pass / False fail / None unknown) from the scoring :class:`Facts`;
* ``describe`` – the rule in plain words for users (Czech through gettext);
* ``essential_minimum`` – the lowest score an essential criterion must reach (None: the rule has none).

Scoring (:mod:`qmss.frameworks.scoring`), inspection readiness, the three lenses and plan drafting ask this
module and nowhere else interpret ``Framework.pass_rule`` (a test guards that).

A rule carries its provenance: ``verified: true`` with a ``source`` (citation), or it is unverified. A rule is
**in force** – its verdicts are shown – when it and every essential flag it relies on are verified, or when an
administrator adopted the framework version's rule set (:class:`qmss.frameworks.models.RuleSetAdoption`);
:func:`rule_status` tells which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from qmss.core.formatting import format_datetime, format_decimal

if TYPE_CHECKING:
    from qmss.frameworks.models import Framework, RuleSetAdoption

__all__ = [
    "Facts",
    "RuleError",
    "RuleKind",
    "RuleStatus",
    "describe",
    "essential_minimum",
    "kinds",
    "register",
    "rule_status",
    "status_text",
    "validate",
    "verdict",
]

ZERO = Decimal(0)
META_KEYS = ("type", "scale", "label", "verified", "source")


class RuleError(ValueError):
    """A pass rule in a library is invalid: ``key`` names the parameter."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class Facts:
    """What scoring found, on the rule's scale."""

    complete: bool  # every applicable criterion has a result
    scored: list[Decimal]  # numeric results
    total: Decimal
    max_total: Decimal
    average: Decimal | None
    failed_essential: list[str] = field(default_factory=list)  # below the essential minimum


@dataclass(frozen=True)
class RuleKind:
    name: str
    params: dict[str, str]  # parameter -> "score" (on the rule's scale) or "share" (0–1)
    verdict: Callable[[dict[str, Any], Facts], bool | None]
    describe: Callable[[dict[str, Any], str], str]
    essential_minimum: Callable[[dict[str, Any]], Decimal | None] = lambda rule: None

    @property
    def uses_essential(self) -> bool:
        return "essential_min" in self.params


_KINDS: dict[str, RuleKind] = {}


def register(kind: RuleKind) -> RuleKind:
    if kind.name in _KINDS and _KINDS[kind.name] is not kind:
        raise ValueError(f"pass rule {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def kinds() -> dict[str, RuleKind]:
    return dict(_KINDS)


def _number(rule: dict[str, Any], name: str) -> Decimal:
    value = rule.get(name)
    return ZERO if value is None else Decimal(str(value))


def format_score(value: Any) -> str:
    """A score or rule parameter for display: no trailing zeros, localised decimal separator (1,5)."""
    return format_decimal(value)


# ------------------------------------------------------------------------------------------ the rules


def _essential_and_share_verdict(rule: dict[str, Any], facts: Facts) -> bool | None:
    if facts.failed_essential:
        return False  # a failed essential criterion settles it, however many results are still missing
    if not facts.complete or not facts.scored:
        return None
    return not facts.failed_essential and facts.total >= _number(rule, "overall_min_share") * facts.max_total


def _essential_and_share_text(rule: dict[str, Any], scale_name: str) -> str:
    return _(
        "Every essential criterion must reach at least {essential_min} on the scale “{scale}”, and the total "
        "score must reach at least {share} % of the maximum. Criteria that do not apply are left out of the "
        "maximum."
    ).format(
        essential_min=format_score(_number(rule, "essential_min")),
        scale=scale_name,
        share=format_score(_number(rule, "overall_min_share") * 100),
    )


def _min_average_verdict(rule: dict[str, Any], facts: Facts) -> bool | None:
    if not facts.complete or facts.average is None:
        return None
    return facts.average >= _number(rule, "min_average")


def _min_average_text(rule: dict[str, Any], scale_name: str) -> str:
    return _(
        "The average of all assessed criteria must be at least {min_average} on the scale “{scale}”. "
        "Criteria that do not apply are not counted."
    ).format(min_average=format_score(_number(rule, "min_average")), scale=scale_name)


register(
    RuleKind(
        name="essential_min_and_share",
        params={"essential_min": "score", "overall_min_share": "share"},
        verdict=_essential_and_share_verdict,
        describe=_essential_and_share_text,
        essential_minimum=lambda rule: _number(rule, "essential_min"),
    )
)
register(
    RuleKind(
        name="min_average",
        params={"min_average": "score"},
        verdict=_min_average_verdict,
        describe=_min_average_text,
    )
)


# --------------------------------------------------------------------------------------------- the API


def validate(rule: Any, scale_maxima: dict[str, Decimal]) -> dict[str, Any]:
    """The rule as stored (``Framework.pass_rule``) from its YAML mapping; raise :class:`RuleError`.

    ``scale_maxima``: scale key → maximum score of the framework's scales."""
    if not isinstance(rule, dict):
        raise RuleError("", _("must be a mapping."))
    name = rule.get("type")
    if name not in _KINDS:
        raise RuleError("type", _("unknown pass rule; known: {rules}.").format(rules=", ".join(_KINDS)))
    kind = _KINDS[name]
    allowed = (*META_KEYS, *kind.params)
    for key in rule:
        if key not in allowed:
            raise RuleError(str(key), _("unknown key; allowed: {keys}.").format(keys=", ".join(allowed)))
    scale = rule.get("scale")
    if not isinstance(scale, str) or scale not in scale_maxima:
        raise RuleError("scale", _("the scale “{key}” is not defined in “scales”.").format(key=scale))
    result: dict[str, Any] = {"type": name, "scale": scale}
    for param, param_type in kind.params.items():
        if param not in rule:
            raise RuleError(param, _("this required key is missing."))
        value = rule[param]
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise RuleError(param, _("must be a number."))
        number = Decimal(str(value))
        if param_type == "share" and not ZERO <= number <= Decimal(1):
            raise RuleError(param, _("must be a share between 0 and 1 (e.g. 0.5 for 50 %)."))
        if param_type == "score" and not ZERO <= number <= scale_maxima[scale]:
            raise RuleError(param, _("must be between 0 and the maximum of the scale “{key}”.").format(key=scale))
        result[param] = value  # kept as written (JSON number)
    for key in ("label", "source"):
        value = rule.get(key)
        if value is not None and not isinstance(value, str):
            raise RuleError(key, _("must be text (put it in quotes)."))
        if value and value.strip():
            result[key] = value.strip()
    verified = rule.get("verified", False)
    if not isinstance(verified, bool):
        raise RuleError("verified", _("must be true or false."))
    if verified and not result.get("source"):
        raise RuleError("source", _("a verified rule must name its source."))
    result["verified"] = verified
    return result


def kind_of(framework: Framework) -> RuleKind | None:
    return _KINDS.get((framework.pass_rule or {}).get("type", ""))


def verdict(framework: Framework, facts: Facts) -> bool | None:
    """The rule's overall verdict (None without a rule or when unknown) – regardless of whether it is in force."""
    kind = kind_of(framework)
    return None if kind is None else kind.verdict(framework.pass_rule, facts)


def essential_minimum(framework: Framework) -> Decimal | None:
    """The lowest score an essential criterion must reach on the rule's scale (None: the rule sets none)."""
    kind = kind_of(framework)
    return None if kind is None else kind.essential_minimum(framework.pass_rule)


def describe(framework: Framework) -> str:
    """The framework's pass rule in plain words (translated)."""
    from qmss.frameworks.selectors import framework_tree

    kind = kind_of(framework)
    if kind is None:
        return _("This framework has no pass rule: results are shown without an overall verdict.")
    rule = framework.pass_rule
    scale = framework_tree(framework).scales_by_key.get(rule.get("scale", ""))
    return kind.describe(rule, scale.name if scale is not None else str(rule.get("scale", "")))


# ------------------------------------------------------------------------------------------ in force?


@dataclass(frozen=True)
class RuleStatus:
    """Whether the framework version's pass rule may give verdicts, and why."""

    has_rule: bool
    verified: bool  # the rule and every essential flag it relies on carry a source
    adoption: RuleSetAdoption | None = None

    @property
    def in_force(self) -> bool:
        return self.has_rule and (self.verified or self.adoption is not None)

    @property
    def unverified(self) -> bool:
        return self.has_rule and not self.verified


def status_text(status: RuleStatus) -> str:
    """The status in words for reports: "" for a verified rule (or none), else the label shown near verdicts."""

    if not status.unverified:
        return ""
    if status.adoption is None:
        return _("unverified rule – not adopted, no pass/fail verdict is given")
    user = status.adoption.adopted_by
    who = user.get_full_name() or user.get_username()
    when = format_datetime(status.adoption.adopted_at)
    return _("unverified rule – rule adopted by {who} on {when}").format(who=who, when=when)


def _verified(framework: Framework, kind: RuleKind) -> bool:
    from qmss.frameworks.selectors import framework_tree

    if not (framework.pass_rule or {}).get("verified"):
        return False
    if not kind.uses_essential:
        return True
    return all(req.verified for req in framework_tree(framework).assessable() if req.essential)


def rule_status(framework: Framework) -> RuleStatus:
    """The rule status of a framework version (at most one query, remembered on the instance)."""
    cached = framework.__dict__.get("_rule_status")
    if cached is not None:
        return cached
    kind = kind_of(framework)
    if kind is None:
        status = RuleStatus(has_rule=False, verified=False)
    elif _verified(framework, kind):
        status = RuleStatus(has_rule=True, verified=True)
    else:
        from qmss.frameworks.models import RuleSetAdoption

        adoption = (
            RuleSetAdoption.objects.filter(framework_id=framework.pk).select_related("adopted_by").first()
            if framework.pk
            else None
        )
        status = RuleStatus(has_rule=True, verified=False, adoption=adoption)
    framework.__dict__["_rule_status"] = status
    return status


def forget_status(framework: Framework) -> None:
    framework.__dict__.pop("_rule_status", None)
