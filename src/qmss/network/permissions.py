"""Who may do what with a network – the one place every part of the network app asks.

- Who is in a network (its entries, tiers, versions, brief, rules page) is public.
- The manager of a network is its organisation: a regional authority's network managers (``Perm.MANAGE_NETWORK``),
  or a municipality's editors (``Perm.EDIT``; municipalities have no network-manager role) – and superusers.
- Scores, rankings, what-if, parameters and the data-quality panel are the manager's working material: members
  of the managing organisation (any role) and superusers see them.
- A provider sees its own applications with their state, reasons and score explanation; a municipality sees
  the applications serving its territory and files its statement on them (editors and administrators).
"""

from __future__ import annotations

from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope


def manage_perm(organisation_kind: str) -> str:
    """The permission that makes a member of the manager organisation a manager of its networks."""
    return Perm.MANAGE_NETWORK if organisation_kind == OrganisationKind.REGION else Perm.EDIT


def can_create_network(scope: Scope, organisation) -> bool:
    if organisation.kind not in (OrganisationKind.REGION, OrganisationKind.MUNICIPALITY):
        return False
    return scope.has_perm(manage_perm(organisation.kind), organisation.pk)


def can_manage(scope: Scope, network) -> bool:
    """Change the network: entries, tiers, brief, rules, parameters, applications' workflow, scenarios."""
    return scope.has_perm(manage_perm(network.organisation.kind), network.organisation_id)


def can_see_work(scope: Scope, network) -> bool:
    """See the manager's working material: scores, rankings, what-if, scenarios, parameters, data quality."""
    return scope.is_superuser or network.organisation_id in scope.organisation_ids(Perm.VIEW)


def managed_organisation_ids(scope: Scope) -> frozenset[int]:
    """Organisations whose networks this user manages (regional authorities and municipalities)."""
    return frozenset(
        g.organisation_id
        for g in scope.grants
        if g.organisation_kind in (OrganisationKind.REGION, OrganisationKind.MUNICIPALITY)
        and manage_perm(g.organisation_kind) in scope.perms_in(g.organisation_id)
    )
