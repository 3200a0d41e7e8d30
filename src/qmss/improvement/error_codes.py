"""Error codes of the improvement app (in the style of Saleor's ``error_codes.py``).

Every ``ValidationError`` raised by :mod:`qmss.improvement.actions` carries one of these codes, so views, the API
and tests tell the kinds of refusal apart without reading the translated message.
"""

from __future__ import annotations

from enum import Enum


class ImprovementErrorCode(Enum):
    PERMISSION_DENIED = "permission_denied"
    NOT_A_MEMBER = "not_a_member"
    LINK_NOT_ALLOWED = "link_not_allowed"
    SERVICE_NOT_OWN = "service_not_own"
    KPI_NOT_OWN = "kpi_not_own"
    UNKNOWN_TEMPLATE = "unknown_template"
    MAP_NOT_EMPTY = "map_not_empty"
    INVALID_STATE = "invalid_state"
    UNKNOWN_STATUS = "unknown_status"
    REVIEW_INCOMPLETE = "review_incomplete"
    REVIEW_REQUIRED = "review_required"
    UNKNOWN_INDICATOR = "unknown_indicator"
