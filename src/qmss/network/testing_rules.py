"""Builders of the rules part for tests, and its URL-matrix plug-in."""

from __future__ import annotations

import copy
from typing import Any

from qmss.network.actions_rules import _library_rules


def rule_payload() -> dict[str, Any]:
    """The library's rules as ``new_rule_set`` keyword arguments (criteria, thresholds, tests, costs, parameters)."""
    return copy.deepcopy(_library_rules())
