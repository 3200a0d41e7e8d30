"""Error codes of the portal app: every ``ValidationError`` raised by the portal actions carries one."""

from __future__ import annotations

from enum import Enum


class PortalErrorCode(Enum):
    PERMISSION_DENIED = "permission_denied"
    INVALID_STATE = "invalid_state"
    INVALID_VALUE = "invalid_value"
    NOT_IN_SCOPE = "not_in_scope"
    DUPLICATE = "duplicate"
    BAD_FILE = "bad_file"
    TOO_MANY = "too_many"
    SPAM = "spam"
    # parts add their codes below, one block per part
