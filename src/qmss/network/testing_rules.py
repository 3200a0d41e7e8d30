"""Builders of the rules part for tests, and its URL-matrix plug-in."""

from __future__ import annotations

import copy
from typing import Any

from qmss.core.roles import OrganisationKind
from qmss.network.actions_rules import _library_rules, library_demand

FILTER_VALUES: dict[str, str] = {}


def rule_payload() -> dict[str, Any]:
    """The library's rules as ``new_rule_set`` keyword arguments (criteria, thresholds, tests, costs, parameters)."""
    return copy.deepcopy(_library_rules())


def matrix_kwargs(tenant) -> dict:
    """A draft rule set and a proposed parameter set on tenant A's network (the networks part's network when it
    built one, else a new one), their name and source carrying A's secrets – drafts and proposals are the
    manager's working material, never public. The network itself comes from the networks part (``network_pk``)."""
    from qmss.network.actions_rules import new_parameter_set, new_rule_set
    from qmss.network.models import Network, ParameterSet
    from qmss.network.testing_networks import make_network, manager_of

    region_org = tenant.orgs[OrganisationKind.REGION]
    secret = tenant.orgs[OrganisationKind.PROVIDER].name
    network = Network.objects.filter(organisation=region_org).order_by("pk").first() or make_network(region_org)
    manager = manager_of(region_org)
    draft = new_rule_set(
        user=manager, network=network, name=f"Koncept pravidel {secret}", note=f"Důvod {secret}", **rule_payload()
    )
    new_parameter_set(
        user=manager,
        network=network,
        values=library_demand(),
        source=f"Odhad ze sběru {secret}",
        state=ParameterSet.State.PROPOSED,
    )
    return {"rule_set_pk": draft.pk}
