"""Error codes of the network app: every ``ValidationError`` raised by the network actions carries one of these."""

from __future__ import annotations

from enum import Enum


class NetworkErrorCode(Enum):
    PERMISSION_DENIED = "permission_denied"
    INVALID_STATE = "invalid_state"
    NOT_IN_SCOPE = "not_in_scope"
    INVALID_VALUE = "invalid_value"
    DUPLICATE = "duplicate"
    FROZEN_TIER = "frozen_tier"
    UNKNOWN_UNIT = "unknown_unit"
    UNKNOWN_TERRITORY = "unknown_territory"
    BAD_FILE = "bad_file"
    NOT_VERIFIED = "not_verified"
    USED_VERSION = "used_version"
    BAD_LIBRARY = "bad_library"
    # parts add their codes below, one block per part
    # applications
    STATEMENT_MISSING = "statement_missing"
