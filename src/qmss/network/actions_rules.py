"""Writes of a network's rules: the initial copy of the library, new rule-set versions and their publication,
new parameter sets and the decision on a proposed one.

A rule set or parameter set is a version: a change is a new version, a published or used rule set and any
parameter set keep their values for ever (``hooks_rules`` refuses saving changed values as a last guard).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.scoping import Scope
from qmss.network import permissions
from qmss.network.checks_rules import check_demand_values, check_rule_values
from qmss.network.error_codes import NetworkErrorCode as Code
from qmss.network.library import decimal_text, default_rules
from qmss.network.models import Network, ParameterSet, RuleSet
from qmss.network.selectors_rules import current_rule_set, known_kind_codes

NAME_LENGTH = 300
SOURCE_LENGTH = 500


def _require_manager(user, network: Network) -> None:
    if not permissions.can_manage(Scope.for_user(user), network):
        raise PermissionDenied


def _refuse(message: str, code: Code, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code.value)
    return ValidationError({field: error}) if field else error


def _invalid(problems: list[tuple[str, str]]) -> ValidationError:
    errors: dict[str, list[ValidationError]] = {}
    for field, problem in problems:
        errors.setdefault(field or "__all__", []).append(ValidationError(problem, code=Code.INVALID_VALUE.value))
    return ValidationError(errors)


def _lock(network: Network) -> None:
    """Serialise version numbering of one network."""
    Network.objects.select_for_update().filter(pk=network.pk).first()


def _next_version(model, network: Network) -> int:
    return (model.objects.filter(network=network).aggregate(n=Max("version"))["n"] or 0) + 1


def _library_rules() -> dict[str, Any]:
    library = default_rules()
    return {
        "criteria": {
            code: {
                "weight": decimal_text(c.weight),
                "parts": {p: decimal_text(part.weight) for p, part in c.parts.items()},
            }
            for code, c in library.criteria.items()
        },
        "thresholds": {key: decimal_text(value) for key, value in library.thresholds.items()},
        "admission_tests": [{"code": t.code, "name": t.name} for t in library.admission_tests],
        "reference_costs": {
            kind: {"unit": cost.unit, "value": decimal_text(cost.value)}
            for kind, cost in library.reference_costs.items()
        },
        "parameters": {key: decimal_text(value) for key, value in library.parameters.items()},
    }


def library_demand() -> dict[str, Any]:
    return {
        kind: {
            "target": d.target,
            "prevalence": decimal_text(d.prevalence),
            "exclusion_weight": decimal_text(d.exclusion_weight),
            "unit": d.unit,
        }
        for kind, d in default_rules().demand.items()
    }


@audit.action
def create_initial_rules(*, user, network: Network) -> tuple[RuleSet, ParameterSet]:
    """Rule set 1 (published) and parameter set 1 (in force), copied from the default rules library.

    ``user`` None is a system call (network creation by a command or test builder); a user must manage the
    network. Refused when the network has rules already."""
    if user is not None:
        _require_manager(user, network)
    if RuleSet.objects.filter(network=network).exists() or ParameterSet.objects.filter(network=network).exists():
        raise _refuse(_("The network has its rules already."), Code.DUPLICATE)
    library = default_rules()
    now = timezone.now()
    source = library.source[:SOURCE_LENGTH]
    rule_set = RuleSet.objects.create(
        network=network,
        version=1,
        name=library.title[:NAME_LENGTH],
        source=source,
        created_by=user,
        published_at=now,
        **_library_rules(),
    )
    parameter_set = ParameterSet.objects.create(
        network=network,
        version=1,
        state=ParameterSet.State.CURRENT,
        values=library_demand(),
        source=source,
        created_by=user,
        decided_at=now,
        decided_by=user,
    )
    return rule_set, parameter_set


@audit.action
def new_rule_set(
    *,
    user,
    network: Network,
    criteria: dict[str, Any],
    thresholds: dict[str, Any],
    admission_tests: list[dict[str, Any]],
    reference_costs: dict[str, Any],
    parameters: dict[str, Any],
    name: str,
    note: str = "",
) -> RuleSet:
    """A new (unpublished) version of the network's rules, validated like the library: weights ≥ 0 with at least
    one > 0, bounded numbers, known kinds and units."""
    _require_manager(user, network)
    name = (name or "").strip()
    if not name:
        raise _refuse(_("Give the version a name."), Code.INVALID_VALUE, "name")
    if len(name) > NAME_LENGTH:
        raise _refuse(_("The name is too long."), Code.INVALID_VALUE, "name")
    values, problems = check_rule_values(
        criteria=criteria,
        thresholds=thresholds,
        admission_tests=admission_tests,
        reference_costs=reference_costs,
        parameters=parameters,
        kinds=known_kind_codes(),
    )
    if problems:
        raise _invalid(problems)
    _lock(network)
    return RuleSet.objects.create(
        network=network,
        version=_next_version(RuleSet, network),
        name=name,
        note=(note or "").strip(),
        created_by=user,
        **values,
    )


@audit.action
def publish_rule_set(*, user, rule_set: RuleSet) -> RuleSet:
    """Publish a draft version; the newest published version is the one in force."""
    _require_manager(user, rule_set.network)
    _lock(rule_set.network)
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.published_at is not None:
        raise _refuse(_("This version is published already."), Code.INVALID_STATE)
    current = current_rule_set(rule_set.network)
    if current is not None and current.version > rule_set.version:
        raise _refuse(
            _("A newer version is in force; create a new version instead of publishing an older one."),
            Code.INVALID_STATE,
        )
    rule_set.published_at = timezone.now()
    rule_set.save(update_fields=["published_at"])
    return rule_set


@audit.action
def new_parameter_set(
    *,
    user,
    network: Network,
    values: dict[str, Any],
    source: str,
    state: str = ParameterSet.State.CURRENT,
    round=None,  # noqa: A002 - the spec's name
    explanation: dict[str, Any] | None = None,
) -> ParameterSet:
    """A new version of the demand parameters (``values``: every kind's ``target``, ``prevalence``,
    ``exclusion_weight``, ``unit`` – the whole set). A CURRENT set puts the previous one out of force
    (ACCEPTED); a PROPOSED set waits for :func:`decide_parameter_set`."""
    _require_manager(user, network)
    if state not in (ParameterSet.State.CURRENT, ParameterSet.State.PROPOSED):
        raise _refuse(_("A new parameter set is either in force or proposed."), Code.INVALID_STATE, "state")
    source = (source or "").strip()
    if len(source) > SOURCE_LENGTH:
        raise _refuse(_("The source is too long."), Code.INVALID_VALUE, "source")
    stored, problems = check_demand_values(values, kinds=known_kind_codes())
    if problems:
        raise _invalid(problems)
    _lock(network)
    now = timezone.now()
    current = state == ParameterSet.State.CURRENT
    if current:
        _retire_current(network, now)
    return ParameterSet.objects.create(
        network=network,
        version=_next_version(ParameterSet, network),
        state=state,
        values=stored,
        source=source,
        round=round,
        explanation=explanation or {},
        created_by=user,
        decided_at=now if current else None,
        decided_by=user if current else None,
    )


def _retire_current(network: Network, now) -> None:
    ParameterSet.objects.filter(network=network, state=ParameterSet.State.CURRENT).update(
        state=ParameterSet.State.ACCEPTED
    )


@audit.action
def decide_parameter_set(*, user, parameter_set: ParameterSet, accept: bool) -> ParameterSet:
    """Accept a proposed set (it comes into force, the previous one is replaced) or keep the old one."""
    network = parameter_set.network
    _require_manager(user, network)
    _lock(network)
    parameter_set = ParameterSet.objects.select_for_update().get(pk=parameter_set.pk)
    if parameter_set.state != ParameterSet.State.PROPOSED:
        raise _refuse(_("Only a proposed parameter set can be decided."), Code.INVALID_STATE)
    now = timezone.now()
    if accept:
        _retire_current(network, now)
    parameter_set.state = ParameterSet.State.CURRENT if accept else ParameterSet.State.KEPT
    parameter_set.decided_at = now
    parameter_set.decided_by = user
    parameter_set.save(update_fields=["state", "decided_at", "decided_by"])
    return parameter_set
