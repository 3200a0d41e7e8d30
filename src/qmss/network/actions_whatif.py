"""Writes of the what-if part: saving a what-if as a named scenario of a network and deleting one. A scenario is
the manager's working material (``permissions.can_manage``); it is never applied to the network. One
transaction each, recorded in the audit log with the acting user (``@audit.action``)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.scoping import Scope
from qmss.network import permissions
from qmss.network.error_codes import NetworkErrorCode as Code
from qmss.network.forms_whatif import CAPACITY_MAX, NAME_LENGTH, NOTE_LENGTH, WEIGHT_MAX, WhatIf
from qmss.network.models import Application, Network, NetworkEntry, Scenario


def _require_manager(user, network: Network) -> None:
    if user is None or not permissions.can_manage(Scope.for_user(user), network):
        raise PermissionDenied(_("Only the network's manager saves and deletes its scenarios."))


def _pks(keys, prefix: str) -> list[int]:
    pks = []
    for key in sorted(keys):
        if not (key.startswith(prefix) and key[1:].isdigit()):
            raise ValidationError(_("Unknown service or application “%(value)s”.") % {"value": key[:20]},
                                  code=Code.INVALID_VALUE.value)  # fmt: skip
        pks.append(int(key[1:]))
    return pks


def _bounded(value: Decimal, maximum: Decimal) -> str:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0 or value > maximum:
        raise ValidationError(_("A value of the scenario is out of range."), code=Code.INVALID_VALUE.value)
    return str(value)


@audit.action
def save_scenario(*, user, network: Network, name: str, whatif: WhatIf, note: str = "") -> Scenario:
    """Store ``whatif`` as a named scenario of ``network``. Entries must be of the network, applications filed
    to it; weights and capacities are bounded (the form checked the keys against the rules and the inputs)."""
    _require_manager(user, network)
    name = (name or "").strip()
    note = (note or "").strip()
    if not name:
        raise ValidationError(_("Name of the scenario: enter a name."), code=Code.INVALID_VALUE.value)
    if len(name) > NAME_LENGTH or len(note) > NOTE_LENGTH:
        raise ValidationError(_("The name or the note of the scenario is too long."), code=Code.INVALID_VALUE.value)
    removed = _pks(whatif.removed, "e")
    added = _pks(whatif.added, "a")
    if removed and NetworkEntry.objects.filter(pk__in=removed, version__network=network).count() != len(removed):
        raise ValidationError(_("An entry removed in the scenario is not in this network."),
                              code=Code.NOT_IN_SCOPE.value)  # fmt: skip
    if added and Application.objects.filter(pk__in=added, network=network).count() != len(added):
        raise ValidationError(_("An application added in the scenario was not filed to this network."),
                              code=Code.NOT_IN_SCOPE.value)  # fmt: skip
    capacity = {}
    for key, value in whatif.capacity.items():
        _pks([key], key[:1] if key[:1] in ("a", "e") else "e")
        capacity[key] = _bounded(value, CAPACITY_MAX)
    return Scenario.objects.create(
        network=network,
        name=name,
        note=note,
        weights={key: _bounded(value, WEIGHT_MAX) for key, value in sorted(whatif.weights.items())},
        removed_entries=removed,
        added_applications=added,
        capacity_changes=dict(sorted(capacity.items())),
        created_by=user,
    )


@audit.action
def delete_scenario(*, user, scenario: Scenario) -> None:
    _require_manager(user, scenario.network)
    scenario.delete()
