"""Who may do what in the portal – the one place every part of the portal app asks.

The portal's public pages need no permission: they show public data only (registered services, published
content, published networks). Behind them three kinds of work happen:

- **Editorial work** (awareness content, the editors' situation phrasings of the finder) belongs to the editors
  of a regional authority or of the ministry: members with ``Perm.EDIT`` (editor or administrator) of an
  organisation of kind ``region`` or ``ministry``. An article belongs to one such organisation; only its editors
  change it. Publishing needs a second pair of eyes: the approver is an editor of the same organisation who did
  not write the revision being approved (superusers included – they may not approve their own text either).
- **Reports of unregistered services** (podněty) go to the inbox of the regional authority of the region where
  the reported service operates. Every member of that authority (any role) reads its inbox; editors,
  administrators and network managers (``Perm.EDIT``) move a report through its workflow. Nobody else – not
  another region, not the ministry, not a provider – sees a report. Superusers see all (system administration).
"""

from __future__ import annotations

from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope

EDITORIAL_KINDS = frozenset({OrganisationKind.REGION, OrganisationKind.MINISTRY})


def editorial_organisation_ids(scope: Scope) -> frozenset[int]:
    """Organisations (regional authorities, the ministry) whose awareness content this user edits."""
    return frozenset(
        grant.organisation_id
        for grant in scope.grants
        if grant.organisation_kind in EDITORIAL_KINDS and Perm.EDIT in scope.perms_in(grant.organisation_id)
    )


def is_editor(scope: Scope) -> bool:
    """Any editorial work at all (the editors' entry in the menu and on the dashboard)."""
    return scope.is_superuser or bool(editorial_organisation_ids(scope))


def can_edit_content_of(scope: Scope, organisation_id: int) -> bool:
    """Write and change the content (articles, revisions, attachments) of ``organisation_id``."""
    return scope.is_superuser or organisation_id in editorial_organisation_ids(scope)


def can_see_unpublished_of(scope: Scope, organisation_id: int) -> bool:
    """Read drafts, revisions in review and the approval history of ``organisation_id``'s content."""
    return can_edit_content_of(scope, organisation_id)


def can_approve_revision(scope: Scope, *, organisation_id: int, author_id: int | None) -> bool:
    """Approve (publish or schedule) a revision: an editor of the owner who is not the revision's author."""
    if author_id is not None and author_id == scope.user_id:
        return False
    return can_edit_content_of(scope, organisation_id)


def can_edit_situations(scope: Scope) -> bool:
    """Extend the finder's situation → needs mapping (any regional or ministry editor)."""
    return is_editor(scope)


def can_edit_phrase_of(scope: Scope, organisation_id: int) -> bool:
    """See, change or retire a situation phrasing of ``organisation_id``: its editors (superusers: all)."""
    return scope.is_superuser or organisation_id in editorial_organisation_ids(scope)


def report_region_ids(scope: Scope) -> frozenset[int]:
    """Regions whose inbox of reports this user reads (members of the regional authority, any role)."""
    return scope.region_ids(Perm.VIEW)


def can_see_report(scope: Scope, report) -> bool:
    return scope.is_superuser or report.region_id in report_region_ids(scope)


def can_handle_report(scope: Scope, report) -> bool:
    """Move a report through received → being checked → closed."""
    return scope.is_superuser or report.region_id in scope.region_ids(Perm.EDIT)
