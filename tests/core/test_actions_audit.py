"""Core writes go through actions: each change – also the revocation of older invitations, once a silent bulk
update – is in the audit log with the acting user; organisation details are typed arguments; refusals carry
error codes."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from qmss.core import actions
from qmss.core.error_codes import CoreErrorCode
from qmss.core.models import Invitation, Membership
from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope

pytestmark = pytest.mark.django_db


def _invite(tenant, admin, email: str, role: str = Role.READER) -> Invitation:
    return actions.invite_member(
        scope=Scope.for_user(admin),
        organisation=tenant.orgs[OrganisationKind.PROVIDER],
        email=email,
        role=role,
        invited_by=admin,
        accept_url_builder=lambda token: f"http://testserver/pozvanka/{token}/",
    )


def test_a_new_invitation_revokes_the_older_one_in_the_audit_log(tenant_a):
    admin = tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN)
    older = _invite(tenant_a, admin, "kolega@example.test")
    newer = _invite(tenant_a, admin, "Kolega@example.test", role=Role.EDITOR)
    older.refresh_from_db()
    assert older.revoked_at is not None and newer.revoked_at is None
    revocation = LogEntry.objects.get_for_object(older).filter(action=LogEntry.Action.UPDATE).get()
    assert revocation.actor == admin
    assert "revoked_at" in revocation.changes_dict


def test_update_organisation_takes_typed_fields(tenant_a):
    admin = tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN)
    organisation = tenant_a.orgs[OrganisationKind.PROVIDER]
    details = {"name": "Nové jméno", "ico": "", "email": "", "phone": "123 456 789", "website": ""}
    actions.update_organisation(scope=Scope.for_user(admin), organisation=organisation, **details)
    organisation.refresh_from_db()
    assert organisation.name == "Nové jméno" and organisation.phone == "123 456 789"
    assert LogEntry.objects.get_for_object(organisation).order_by("-pk").first().actor == admin
    with pytest.raises(TypeError):  # no dictionary of arbitrary fields (kind, region …) any more
        actions.update_organisation(scope=Scope.for_user(admin), organisation=organisation, data=details)
    with pytest.raises(TypeError):
        actions.update_organisation(scope=Scope.for_user(admin), organisation=organisation, kind="region", **details)


def test_refusals_carry_error_codes(tenant_a):
    admin = tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN)
    organisation = tenant_a.orgs[OrganisationKind.PROVIDER]
    with pytest.raises(ValidationError) as exc:
        _invite(tenant_a, admin, "x@example.test", role=Role.NETWORK_MANAGER)
    assert exc.value.code == CoreErrorCode.ROLE_NOT_AVAILABLE.value
    membership = Membership.objects.get(user=admin, organisation=organisation, role=Role.ADMIN)
    Membership.objects.filter(organisation=organisation, role=Role.ADMIN).exclude(pk=membership.pk).delete()
    with pytest.raises(ValidationError) as exc:
        actions.remove_member(scope=Scope.for_user(admin), membership=membership)
    assert exc.value.code == CoreErrorCode.LAST_ADMINISTRATOR.value == "last_administrator"
