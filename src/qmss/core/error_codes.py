"""Error codes of the core app (in the style of Saleor's ``error_codes.py``).

The ``ValidationError`` raised by :mod:`qmss.core.actions` carries one of these codes (``exc.error_list[0].code``
or ``exc.code``), so views, the API and tests tell the kinds of refusal apart without reading the translated message.
"""

from __future__ import annotations

from enum import Enum


class CoreErrorCode(Enum):
    PERMISSION_DENIED = "permission_denied"
    ROLE_NOT_AVAILABLE = "role_not_available"
    ALREADY_MEMBER = "already_member"
    INVITATION_INVALID = "invitation_invalid"
    LAST_ADMINISTRATOR = "last_administrator"
    # -- second factor (qmss.core.actions_mfa) ----------------------------------------------------------------------
    AUTHENTICATOR_EXISTS = "authenticator_exists"
    INVALID_CODE = "invalid_code"
