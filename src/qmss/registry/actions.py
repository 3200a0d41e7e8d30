"""Writes of the registry app: claims of registry providers and their verification (the verified provider link),
and – in :mod:`qmss.registry.actions_imports`, re-exported below – the registry imports.

Every function is one transaction (``qmss.core.audit.action``) and its audit-log entries carry the acting user.

(The claim functions were reconstructed by helper "import" after an accidental overwrite and checked by helper
"link": same rules as the original, which also closed other pending claims of a provider once it is linked.)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core.audit import action
from qmss.core.scoping import Scope
from qmss.registry import selectors_links
from qmss.registry.models import Provider, ProviderClaim, ProviderLink


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the decision."), code="reason")
    return reason


@action
def claim_provider(*, scope: Scope, organisation, provider: Provider, user) -> ProviderClaim:
    """The organisation's administrator claims that the organisation is ``provider``; a verifier decides later."""
    if not selectors_links.can_claim(scope, organisation):
        raise PermissionDenied
    if ProviderLink.objects.filter(organisation_id=organisation.pk).exists():
        raise ValidationError(_("The organisation is already linked to a registry provider."), code="linked")
    if ProviderLink.objects.filter(provider_id=provider.pk).exists():
        raise ValidationError(
            _("This registry provider is already linked to another organisation."), code="provider_linked"
        )
    if ProviderClaim.objects.filter(organisation_id=organisation.pk, state=ProviderClaim.State.PENDING).exists():
        raise ValidationError(_("The organisation already has a claim awaiting verification."), code="pending")
    return ProviderClaim.objects.create(organisation=organisation, provider=provider, claimed_by=user)


@action
def decide_claim(*, scope: Scope, claim: ProviderClaim, verify: bool, reason: str, user) -> ProviderClaim:
    """Verify (creates the :class:`ProviderLink`) or reject a pending claim; superusers and the administrators of
    a regional authority where the provider's services are delivered (not of the claimant) decide."""
    if not selectors_links.can_decide(scope, claim):
        raise PermissionDenied
    reason = _reason(reason)
    claim = ProviderClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.state != ProviderClaim.State.PENDING:
        raise ValidationError(_("The claim has already been decided."), code="decided")
    now = timezone.now()
    if verify:
        if ProviderLink.objects.filter(organisation_id=claim.organisation_id).exists():
            raise ValidationError(_("The organisation is already linked to a registry provider."), code="linked")
        if ProviderLink.objects.filter(provider_id=claim.provider_id).exists():
            raise ValidationError(
                _("This registry provider is already linked to another organisation."), code="provider_linked"
            )
    claim.state = ProviderClaim.State.VERIFIED if verify else ProviderClaim.State.REJECTED
    claim.decided_by, claim.decided_at, claim.reason = user, now, reason
    claim.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    if verify:
        ProviderLink.objects.create(
            organisation_id=claim.organisation_id, provider_id=claim.provider_id, claim=claim, verified_by=user,
            verified_at=now,
        )  # fmt: skip
        # other organisations' pending claims of the same provider can no longer succeed: close them, with why
        others = ProviderClaim.objects.select_for_update().filter(
            provider_id=claim.provider_id, state=ProviderClaim.State.PENDING
        )
        for other in others.exclude(pk=claim.pk):
            other.state = ProviderClaim.State.REJECTED
            other.decided_by, other.decided_at = user, now
            other.reason = _("The provider has been linked to another organisation.")
            other.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    return claim


@action
def revoke_link(*, scope: Scope, claim: ProviderClaim, reason: str, user) -> ProviderClaim:
    """Revoke a verified link (its organisation's work is no longer attributed to the provider's services)."""
    if (
        claim.state != ProviderClaim.State.VERIFIED
        or not selectors_links.decidable_claims(scope).filter(pk=claim.pk).exists()
    ):
        raise PermissionDenied
    reason = _reason(reason)
    for link in ProviderLink.objects.filter(organisation_id=claim.organisation_id, provider_id=claim.provider_id):
        link.delete()  # one by one: each deletion is audited
    claim.state = ProviderClaim.State.REVOKED
    claim.decided_by, claim.decided_at, claim.reason = user, timezone.now(), reason
    claim.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    return claim


# -- registry imports (their own module, shared with the import task and the worker command) --------------------
from qmss.registry.actions_imports import (  # noqa: E402
    cleanup_uploads,
    fail_stale_imports,
    mark_failed,
    prepare_worker,
    remove_upload,
    save_upload,
    start_import,
)

__all__ = [
    "claim_provider", "cleanup_uploads", "decide_claim", "fail_stale_imports", "mark_failed", "prepare_worker",
    "remove_upload", "revoke_link", "save_upload", "start_import",
]  # fmt: skip
