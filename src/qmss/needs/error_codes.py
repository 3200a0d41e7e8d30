"""Error codes of the needs app: every ``ValidationError`` raised by the needs actions carries one of these."""

from __future__ import annotations

from enum import Enum


class NeedsErrorCode(Enum):
    PERMISSION_DENIED = "permission_denied"
    INVALID_STATE = "invalid_state"
    NOT_IN_SCOPE = "not_in_scope"
    UNKNOWN_ELEMENT = "unknown_element"
    INVALID_VALUE = "invalid_value"
    BLOCKING_RULE = "blocking_rule"
    WARNING_NEEDS_COMMENT = "warning_needs_comment"
    NO_TAXONOMY = "no_taxonomy"
    NO_TEMPLATE = "no_template"
    NO_PUBLISHED_CARD = "no_published_card"
    OPEN_COMMENTS = "open_comments"
    BAD_FILE = "bad_file"
    DUPLICATE = "duplicate"
    # parts add their codes below, one block per part
    # rounds (H4)
    REQUIRED_MISSING = "required_missing"
    COMMENT_REQUIRED = "comment_required"
