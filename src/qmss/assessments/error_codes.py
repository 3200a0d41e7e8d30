"""Error codes of the assessments app (in the style of Saleor's ``error_codes.py``).

Every ``ValidationError`` raised by :mod:`qmss.assessments.actions` and by the upload checks of
:mod:`qmss.assessments.uploads` carries one of these codes, so views, the API and tests tell the kinds of refusal
apart without reading the translated message.
"""

from __future__ import annotations

from enum import Enum


class AssessmentErrorCode(Enum):
    PERMISSION_DENIED = "permission_denied"
    # -- assessments and their workflow ----------------------------------------------------------------------------
    UNKNOWN_KIND = "unknown_kind"
    NOT_A_PROVIDER = "not_a_provider"
    SERVICE_NOT_OF_PROVIDER = "service_not_of_provider"
    NO_FRAMEWORK = "no_framework"
    NOT_AN_AUDIT_BODY = "not_an_audit_body"
    KIND_NOT_ASSIGNABLE = "kind_not_assignable"
    PROVIDER_NOT_JOINED = "provider_not_joined"
    UNKNOWN_STATE = "unknown_state"
    INVALID_STATE = "invalid_state"
    INCOMPLETE = "incomplete"  # publishing with criteria unassessed, not flagged as a partial assessment
    PARTIAL_REASON_REQUIRED = "partial_reason_required"  # a partial assessment needs its reason
    # -- results, findings, framework versions ---------------------------------------------------------------------
    REQUIREMENT_NOT_IN_ASSESSMENT = "requirement_not_in_assessment"
    VALUE_NOT_ON_SCALE = "value_not_on_scale"
    EVIDENCE_NOT_LINKABLE = "evidence_not_linkable"
    OTHER_FRAMEWORK = "other_framework"
    SAME_FRAMEWORK_VERSION = "same_framework_version"
    # -- evidence uploads (the values are the codes the upload checks always used) --------------------------------
    FILE_TOO_BIG = "too_big"
    FILE_EMPTY = "empty"
    FILE_TYPE_NOT_ALLOWED = "type"
    FILE_CONTENT_MISMATCH = "mismatch"
