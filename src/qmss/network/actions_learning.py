"""Writes of the learning part: a proposal of new demand parameters estimated from a round (through the rules
part's ``new_parameter_set(..., state="proposed")``) and the manager's decision on it (``decide_parameter_set``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.scoping import Scope
from qmss.network import actions_rules, learning, permissions
from qmss.network.error_codes import NetworkErrorCode as Code
from qmss.network.models import Network, ParameterSet
from qmss.network.selectors_rules import current_parameters

SOURCE_TEXT_LENGTH = 500


def _require_manager(user, network: Network) -> None:
    if not permissions.can_manage(Scope.for_user(user), network):
        raise PermissionDenied


@audit.action
def propose_parameters(*, user, network: Network, round) -> ParameterSet:  # noqa: A002 – the spec's name
    """Estimate the prevalences from ``round`` (a round of the network's region with approved reports) and store
    them as a PROPOSED parameter set with the explanation; refuses when no kind could be estimated or a proposal
    from the same round is still waiting."""
    _require_manager(user, network)
    if round is None or round.region_id != network.region_id:
        message = _("Choose a data-collection round of the network's region.")
        raise ValidationError(message, code=Code.NOT_IN_SCOPE.value)
    current = current_parameters(network)
    if current is None:
        raise ValidationError(_("The network has no demand parameters in force."), code=Code.INVALID_STATE.value)
    waiting = ParameterSet.objects.filter(network=network, state=ParameterSet.State.PROPOSED, round=round)
    if waiting.exists():
        raise ValidationError(
            _("A proposal from this round is already waiting for your decision."), code=Code.INVALID_STATE.value
        )
    estimates = learning.estimate(network=network, round_obj=round, parameter_set=current)
    if not any(item.estimate is not None for item in estimates):
        raise ValidationError(
            _(
                "No kind of service could be estimated from this round: no ORP had every service of the kind "
                "reported and nobody on a waiting list."
            ),
            code=Code.INVALID_VALUE.value,
        )
    source = _("Estimated from the round “{round}” (use in ORPs without waiting lists)").format(round=round.name)
    return actions_rules.new_parameter_set(
        user=user,
        network=network,
        values=learning.proposal_values(current, estimates),
        source=source[:SOURCE_TEXT_LENGTH],
        state=ParameterSet.State.PROPOSED,
        round=round,
        explanation=learning.explanation(round, estimates, current),
    )


def decide(*, user, parameter_set: ParameterSet, accept: bool) -> ParameterSet:
    """Accept the proposal (it comes into force) or keep the parameters in force – the rules part's action."""
    return actions_rules.decide_parameter_set(user=user, parameter_set=parameter_set, accept=accept)
