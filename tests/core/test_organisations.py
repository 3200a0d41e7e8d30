from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client

from qmss.core.models import Invitation, Membership
from qmss.core.roles import OrganisationKind, Role
from qmss.testing.factories import make_user
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_member_sees_own_organisation_with_members(tenant_a, provider_org):
    reader = tenant_a.user(OrganisationKind.PROVIDER, Role.READER)
    response = client_for(reader).get(provider_org.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert provider_org.name in body
    assert tenant_a.user(OrganisationKind.PROVIDER, Role.EDITOR).email in body
    assert "Pozvat člena" not in body  # readers cannot invite
    assert "Invite a member" not in body


def test_other_tenant_gets_404(tenant_a, tenant_b, provider_org):
    outsider = tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN)
    assert client_for(outsider).get(provider_org.get_absolute_url()).status_code == 404


def test_organisation_list_only_own(tenant_a, tenant_b):
    user = tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    body = client_for(user).get("/organizace/").content.decode()
    assert tenant_b.orgs[OrganisationKind.REGION].name in body
    assert all(org.name not in body for org in tenant_a.orgs.values())


def test_invitation_flow_creates_membership_and_audit_entries(
    tenant_a, provider_org, provider_admin, django_capture_on_commit_callbacks
):
    admin = client_for(provider_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/organizace/{provider_org.pk}/pozvanky/",
            {"email": "nova.kolegyne@example.test", "role": Role.EDITOR},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/pozvanka/(\S+)/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    token = link.group(1)

    anonymous = Client()
    page = anonymous.get(f"/pozvanka/{token}/")
    assert page.status_code == 200
    assert provider_org.name in page.content.decode()
    response = anonymous.post(
        f"/pozvanka/{token}/",
        {
            "username": "kolegyne",
            "first_name": "Nová",
            "last_name": "Kolegyně",
            "password1": "Velmi-tajne-heslo-42",
            "password2": "Velmi-tajne-heslo-42",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="kolegyne", organisation=provider_org)
    assert membership.role == Role.EDITOR
    invitation = Invitation.objects.get(token=token)
    assert invitation.accepted_by.username == "kolegyne"
    # used invitations cannot be reused
    assert anonymous.get(f"/pozvanka/{token}/").status_code == 404
    # the audit log holds who created the invitation and the new membership
    entries = LogEntry.objects.filter(additional_data__organisation_id=provider_org.pk)
    assert entries.filter(
        content_type__model="invitation", action=LogEntry.Action.CREATE, actor=provider_admin
    ).exists()
    assert entries.filter(content_type__model="membership", action=LogEntry.Action.CREATE).exists()


def test_invite_with_role_not_allowed_for_kind_is_refused(tenant_a, provider_org, provider_admin):
    response = client_for(provider_admin).post(
        f"/organizace/{provider_org.pk}/pozvanky/",
        {"email": "x@example.test", "role": Role.NETWORK_MANAGER},
        follow=True,
    )
    assert (
        "Vyberte platnou možnost" in response.content.decode() or "Select a valid choice" in response.content.decode()
    )
    assert not Invitation.objects.filter(email="x@example.test").exists()


def test_editor_cannot_invite(tenant_a, provider_org):
    editor = tenant_a.user(OrganisationKind.PROVIDER, Role.EDITOR)
    response = client_for(editor).post(
        f"/organizace/{provider_org.pk}/pozvanky/", {"email": "x@example.test", "role": Role.READER}
    )
    assert response.status_code == 403
    assert not Invitation.objects.filter(email="x@example.test").exists()


def test_role_change_is_logged_with_old_and_new_value(tenant_a, provider_org, provider_admin):
    reader = tenant_a.user(OrganisationKind.PROVIDER, Role.READER)
    membership = Membership.objects.get(user=reader, organisation=provider_org)
    client_for(provider_admin).post(
        f"/organizace/{provider_org.pk}/clenove/{membership.pk}/role/", {"role": Role.EDITOR}
    )
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR
    entry = LogEntry.objects.get_for_object(membership).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == provider_admin
    assert entry.changes_dict["role"] == [Role.READER, Role.EDITOR]
    log_page = client_for(provider_admin).get(f"/organizace/{provider_org.pk}/historie/").content.decode()
    assert "Čtenář" in log_page and "Editor" in log_page


def test_last_admin_cannot_be_removed_or_demoted(tenant_a, provider_org, provider_admin):
    membership = Membership.objects.get(user=provider_admin, organisation=provider_org)
    client = client_for(provider_admin)
    response = client.post(
        f"/organizace/{provider_org.pk}/clenove/{membership.pk}/odebrat/", {"confirm": "1"}, follow=True
    )
    assert "alespoň jednoho správce" in response.content.decode()
    client.post(f"/organizace/{provider_org.pk}/clenove/{membership.pk}/role/", {"role": Role.READER})
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_organisation_edit_validates_ico_in_czech(tenant_a, provider_org, provider_admin):
    response = client_for(provider_admin).post(
        f"/organizace/{provider_org.pk}/upravit/", {"name": provider_org.name, "ico": "12A45"}
    )
    assert response.status_code == 200
    assert "IČO musí mít přesně 8 číslic" in response.content.decode()


def test_organisation_edit_is_audited(tenant_a, provider_org, provider_admin):
    client_for(provider_admin).post(
        f"/organizace/{provider_org.pk}/upravit/",
        {"name": "Nový název", "ico": "12345678", "email": "", "phone": "777 123 456", "website": ""},
    )
    provider_org.refresh_from_db()
    assert provider_org.name == "Nový název"
    history = client_for(provider_admin).get(f"/historie/core.organisation/{provider_org.pk}/").content.decode()
    assert "Nový název" in history and "777 123 456" in history


def test_audit_log_hidden_from_non_admins(tenant_a, provider_org):
    editor = tenant_a.user(OrganisationKind.PROVIDER, Role.EDITOR)
    assert client_for(editor).get(f"/organizace/{provider_org.pk}/historie/").status_code == 403


def test_history_of_unknown_model_is_404(provider_admin):
    assert client_for(provider_admin).get("/historie/auth.user/1/").status_code == 404
    assert client_for(provider_admin).get("/historie/core.organisation/abc/").status_code == 404


def test_profile_edit(provider_admin):
    client = client_for(provider_admin)
    response = client.post(
        "/ucet/profil/", {"first_name": "Jana", "last_name": "Nováková", "email": "jana@example.test"}
    )
    assert response.status_code == 302
    provider_admin.refresh_from_db()
    assert provider_admin.get_full_name() == "Jana Nováková"


def test_password_reset_sends_email(provider_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes out after commit
        response = Client().post("/ucet/obnova-hesla/", {"email": provider_admin.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/ucet/obnova-hesla/" in mail.outbox[0].body


def test_login_and_logout(provider_admin, password):
    client = Client()
    response = client.post("/ucet/prihlaseni/", {"username": provider_admin.username, "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/ucet/odhlaseni/")
    assert client.get("/organizace/").status_code == 302


def test_wrong_password_message_is_czech(provider_admin):
    response = Client().post("/ucet/prihlaseni/", {"username": provider_admin.username, "password": "spatne"})
    assert "Zadejte správnou hodnotu" in response.content.decode()


def test_organisation_detail_query_budget(tenant_a, provider_org, provider_admin):
    client = client_for(provider_admin)

    def grow(n):
        while Membership.objects.filter(organisation=provider_org).count() < n:
            make_user(org=provider_org, role=Role.READER)
        while Invitation.objects.filter(organisation=provider_org).count() < n:
            Invitation.objects.create(
                organisation=provider_org, email=f"p{Invitation.objects.count()}@x.test", role=Role.READER
            )

    assert_constant_queries(
        lambda: client.get(provider_org.get_absolute_url()),
        grow,
        count=Membership.objects.filter(organisation=provider_org),
        max_queries=20,
    )


def test_organisation_list_and_log_query_budget(tenant_a, provider_org, provider_admin):
    from qmss.testing.factories import make_org

    client = client_for(provider_admin)

    def grow_memberships(n):
        while Membership.objects.filter(user=provider_admin).count() < n:
            org = make_org(OrganisationKind.PROVIDER)
            Membership.objects.create(user=provider_admin, organisation=org, role=Role.ADMIN)

    def log_entries():
        from qmss.core.scoping import Scope
        from qmss.core.selectors import organisation_log

        return organisation_log(Scope.for_user(provider_admin), provider_org).count()

    def grow_log(n):
        """Entries of both shapes the log shows: a changed field, and a new membership (foreign keys)."""
        while log_entries() < n:
            provider_org.phone = str(log_entries())
            provider_org.save()
            make_user(org=provider_org, role=Role.READER)

    assert_constant_queries(
        lambda: client.get("/organizace/"),
        grow_memberships,
        count=Membership.objects.filter(user=provider_admin),
        max_queries=15,
    )
    assert_constant_queries(
        lambda: client.get(f"/organizace/{provider_org.pk}/historie/"),
        grow_log,
        count=log_entries,
        small=log_entries() + 1,
        large=45,  # within the first page (50 entries)
        max_queries=15,
    )
