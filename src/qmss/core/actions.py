"""Writes of organisations, memberships and invitations. Each is an ``@action``: atomic, and recorded in the audit log
with the acting user (the ``scope``'s, else the ``user`` argument)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core.audit import action
from qmss.core.error_codes import CoreErrorCode
from qmss.core.mail import send_after_commit
from qmss.core.models import Invitation, Membership, Organisation
from qmss.core.roles import ROLES_BY_KIND, Perm, Role
from qmss.core.scoping import Scope


def _require(scope: Scope, perm: str, organisation: Organisation) -> None:
    if not scope.has_perm(perm, organisation.pk):
        raise PermissionDenied


def _check_role(organisation: Organisation, role: str) -> None:
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise ValidationError(
            _("This role is not available for this kind of organisation."), code=CoreErrorCode.ROLE_NOT_AVAILABLE.value
        )


@action
def update_organisation(
    *, scope: Scope, organisation: Organisation, name: str, ico: str, email: str, phone: str, website: str
) -> Organisation:
    """Replace the organisation's contact details (its kind and region are set by the platform, not here)."""
    _require(scope, Perm.MANAGE_MEMBERS, organisation)
    organisation.name, organisation.ico, organisation.email = name, ico, email
    organisation.phone, organisation.website = phone, website
    organisation.full_clean()
    organisation.save()
    return organisation


@action
def invite_member(
    *, scope: Scope, organisation: Organisation, email: str, role: str, invited_by, accept_url_builder
) -> Invitation:
    """Create an invitation and e-mail its link. ``accept_url_builder(token)`` gives the absolute link."""
    _require(scope, Perm.MANAGE_MEMBERS, organisation)
    _check_role(organisation, role)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email, role=role).exists():
        raise ValidationError(
            _("A member with this e-mail already has this role."), code=CoreErrorCode.ALREADY_MEMBER.value
        )
    older = Invitation.objects.select_for_update().filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    )
    for previous in older:  # one save each (few rows), so every revocation is in the audit log with the actor
        previous.revoked_at = timezone.now()
        previous.save(update_fields=["revoked_at", "updated_at"])
    invitation = Invitation.objects.create(organisation=organisation, email=email, role=role, invited_by=invited_by)
    context = {
        "invitation": invitation,
        "organisation": organisation,
        "role": Role(role).label,
        "accept_url": accept_url_builder(invitation.token),
        "invited_by": invited_by,
    }
    send_after_commit(
        subject=_("Invitation to %(organisation)s in QMSS") % {"organisation": organisation.name},
        message=render_to_string("core/email/invitation.txt", context),
        recipient_list=[email],
    )
    return invitation


@action
def revoke_invitation(*, scope: Scope, invitation: Invitation) -> None:
    _require(scope, Perm.MANAGE_MEMBERS, invitation.organisation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])


@action
def accept_invitation(*, invitation: Invitation, user) -> Membership:
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation is no longer valid."), code=CoreErrorCode.INVITATION_INVALID.value)
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@action
def register_and_accept(*, invitation: Invitation, username: str, first_name: str, last_name: str, password: str):
    user = get_user_model().objects.create_user(
        username=username,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        password=password,
    )
    accept_invitation(invitation=invitation, user=user)
    return user


def _admin_count(organisation: Organisation) -> int:
    return (
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN, user__is_active=True)
        .values("user")
        .distinct()
        .count()
    )


@action
def change_member_role(*, scope: Scope, membership: Membership, role: str) -> Membership:
    organisation = membership.organisation
    _require(scope, Perm.MANAGE_MEMBERS, organisation)
    _check_role(organisation, role)
    if membership.role == role:
        return membership
    if membership.role == Role.ADMIN and _admin_count(organisation) <= 1:
        raise ValidationError(
            _("The organisation must keep at least one administrator."), code=CoreErrorCode.LAST_ADMINISTRATOR.value
        )
    if Membership.objects.filter(user=membership.user, organisation=organisation, role=role).exists():
        membership.delete()
        return Membership.objects.get(user=membership.user, organisation=organisation, role=role)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@action
def remove_member(*, scope: Scope, membership: Membership) -> None:
    organisation = membership.organisation
    _require(scope, Perm.MANAGE_MEMBERS, organisation)
    if membership.role == Role.ADMIN and _admin_count(organisation) <= 1:
        raise ValidationError(
            _("The organisation must keep at least one administrator."), code=CoreErrorCode.LAST_ADMINISTRATOR.value
        )
    membership.delete()


@action
def update_profile(*, user, first_name: str, last_name: str, email: str):
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.save(update_fields=["first_name", "last_name", "email"])
    return user
