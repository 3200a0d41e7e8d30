"""Error codes of the financing app: every ``ValidationError`` raised by the financing actions carries one."""

from __future__ import annotations

from enum import Enum


class FinancingErrorCode(Enum):
    PERMISSION_DENIED = "permission_denied"
    INVALID_STATE = "invalid_state"
    NOT_IN_SCOPE = "not_in_scope"
    INVALID_VALUE = "invalid_value"
    DUPLICATE = "duplicate"
    BAD_FILE = "bad_file"
    NOT_VERIFIED = "not_verified"
    UNKNOWN_KIND = "unknown_kind"
    UNKNOWN_FORM = "unknown_form"
    UNKNOWN_UNIT = "unknown_unit"
    NO_REFERENCE_VALUE = "no_reference_value"
    UNIT_MISMATCH = "unit_mismatch"
    NO_BUDGET = "no_budget"
    INFEASIBLE = "infeasible"
    # parts add their codes below, one block per part
    # compensation (H4)
    NO_APPLICATIONS = "no_applications"
    NOT_NEWEST_RUN = "not_newest_run"
    # standards (personnel standard, MTS)
    NO_MTS_RULE = "no_mts_rule"
    UNKNOWN_QUALIFICATION = "unknown_qualification"
    TOO_MANY = "too_many"
