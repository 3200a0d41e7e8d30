"""Who may do what with an assessment: product rules, derived from the user's :class:`Scope`.

Roles in an assessment:

* the **provider** – members of ``assessment.organisation`` (VIEW: read; EDIT: create, invite auditors);
* the **assessors** – whoever records results: for a self-assessment the provider's editors, for an
  audit/consultation the auditors of ``auditing_organisation``, for an inspection record the provider's editors
  or, when a region entered it (``assigned_by``), that region's editors;
* **region staff** – read published assessments of services with a facility in their region.

Working notes (``internal_notes``, ``Result.internal_note``) are for the assessors only, before and after
publication. Results of an audit are hidden from the provider and the region until it is published.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qmss.assessments.models import Assessment
from qmss.core.roles import Perm
from qmss.core.scoping import Scope

Kind = Assessment.Kind
State = Assessment.State

AUDIT_KINDS = frozenset({Kind.AUDIT, Kind.CONSULTATION})
PUBLISHED_STATES = frozenset({State.PUBLISHED, State.CLOSED})
OPEN_STATES = frozenset({State.DRAFT, State.IN_PROGRESS, State.IN_REVIEW})

# Allowed transitions per kind: (from, to) -> who may make it ("owner" = provider editors, "assessor").
TRANSITIONS: dict[str, dict[tuple[str, str], str]] = {
    Kind.SELF: {
        (State.DRAFT, State.IN_PROGRESS): "assessor",
        (State.IN_PROGRESS, State.IN_REVIEW): "assessor",
        (State.IN_REVIEW, State.IN_PROGRESS): "assessor",
        (State.IN_PROGRESS, State.PUBLISHED): "assessor",
        (State.IN_REVIEW, State.PUBLISHED): "assessor",
        (State.PUBLISHED, State.CLOSED): "owner",
    },
    Kind.AUDIT: {
        (State.IN_PROGRESS, State.IN_REVIEW): "assessor",
        (State.IN_REVIEW, State.IN_PROGRESS): "assessor",
        (State.IN_REVIEW, State.PUBLISHED): "assessor",
        (State.PUBLISHED, State.CLOSED): "owner_or_assessor",
    },
    Kind.INSPECTION: {
        (State.DRAFT, State.PUBLISHED): "assessor",
        (State.DRAFT, State.IN_PROGRESS): "assessor",
        (State.IN_PROGRESS, State.PUBLISHED): "assessor",
        (State.PUBLISHED, State.CLOSED): "owner_or_assessor",
    },
}
TRANSITIONS[Kind.CONSULTATION] = TRANSITIONS[Kind.AUDIT]

# Button labels of the transitions (by target state).
TRANSITION_LABELS = {
    State.IN_PROGRESS: _("Start the assessment"),
    State.IN_REVIEW: _("Submit for review"),
    State.PUBLISHED: _("Publish"),
    State.CLOSED: _("Close"),
}


def is_published(assessment: Assessment) -> bool:
    return assessment.state in PUBLISHED_STATES


def is_provider_member(scope: Scope, assessment: Assessment, perm: str = Perm.VIEW) -> bool:
    return scope.has_perm(perm, assessment.organisation_id)


def is_auditor(scope: Scope, assessment: Assessment) -> bool:
    return bool(
        assessment.kind in AUDIT_KINDS
        and assessment.auditing_organisation_id
        and Perm.AUDIT in scope.perms_in(assessment.auditing_organisation_id)
    )


def is_assessor(scope: Scope, assessment: Assessment) -> bool:
    """Records results and reads the working notes."""
    if scope.is_superuser:
        return True
    if assessment.kind in AUDIT_KINDS:
        return is_auditor(scope, assessment)
    if assessment.kind == Kind.INSPECTION and assessment.assigned_by_id:
        return Perm.EDIT in scope.perms_in(assessment.assigned_by_id)
    return Perm.EDIT in scope.perms_in(assessment.organisation_id)


def can_see_results(scope: Scope, assessment: Assessment) -> bool:
    """Results, findings and the score. Callers have already checked that the assessment is visible."""
    if scope.is_superuser or is_published(assessment) or is_assessor(scope, assessment):
        return True
    return assessment.kind in (Kind.SELF, Kind.INSPECTION) and is_provider_member(scope, assessment)


def can_see_internal_notes(scope: Scope, assessment: Assessment) -> bool:
    return is_assessor(scope, assessment)


def can_edit_results(scope: Scope, assessment: Assessment) -> bool:
    if assessment.state not in OPEN_STATES:
        return False
    if assessment.kind in AUDIT_KINDS and assessment.state == State.DRAFT:
        return False  # an audit starts when the auditor is invited
    return is_assessor(scope, assessment)


def can_edit_header(scope: Scope, assessment: Assessment) -> bool:
    """Title, period, inspection details, summary."""
    if assessment.state not in OPEN_STATES:
        return False
    return is_assessor(scope, assessment) or (
        assessment.state == State.DRAFT and is_provider_member(scope, assessment, Perm.EDIT)
    )


def can_invite_auditor(scope: Scope, assessment: Assessment) -> bool:
    return (
        assessment.kind in AUDIT_KINDS
        and assessment.state == State.DRAFT
        and is_provider_member(scope, assessment, Perm.EDIT)
    )


def can_change_framework(scope: Scope, assessment: Assessment) -> bool:
    if assessment.state not in OPEN_STATES:
        return False
    return is_assessor(scope, assessment) or is_provider_member(scope, assessment, Perm.EDIT)


def _who_may(scope: Scope, assessment: Assessment, who: str) -> bool:
    if scope.is_superuser:
        return True
    owner = is_provider_member(scope, assessment, Perm.EDIT)
    assessor = is_assessor(scope, assessment)
    return {"owner": owner, "assessor": assessor, "owner_or_assessor": owner or assessor}[who]


def allowed_transitions(scope: Scope, assessment: Assessment) -> list[str]:
    """Target states the user may move the assessment to now."""
    rules = TRANSITIONS.get(assessment.kind, {})
    return [
        target
        for (source, target), who in rules.items()
        if source == assessment.state and _who_may(scope, assessment, who)
    ]


def can_transition(scope: Scope, assessment: Assessment, target: str) -> bool:
    return target in allowed_transitions(scope, assessment)
