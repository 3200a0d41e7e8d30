"""Error codes of the frameworks app (in the style of Saleor's ``error_codes.py``).

The ``ValidationError`` raised by :mod:`qmss.frameworks.actions` carries one of these codes, so views, the API and
tests tell the kinds of refusal apart without reading the translated message.
"""

from __future__ import annotations

from enum import Enum


class FrameworkErrorCode(Enum):
    PERMISSION_DENIED = "permission_denied"
    NO_PASS_RULE = "no_pass_rule"
    RULE_VERIFIED = "rule_verified"
    ALREADY_ADOPTED = "already_adopted"
