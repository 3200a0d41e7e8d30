"""Removing a member ("Odebrat") and revoking an invitation are confirmed on their own page first (issue #9):
the GET shows what will happen and never acts; the POST with the confirmation acts; others are refused."""

from __future__ import annotations

import pytest
from django.test import Client

from qmss.core.models import Invitation, Membership
from qmss.core.roles import OrganisationKind, Role

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_member_removal_is_confirmed_first(tenant_a, provider_org, provider_admin):
    editor = tenant_a.user(OrganisationKind.PROVIDER, Role.EDITOR)
    membership = Membership.objects.get(user=editor, organisation=provider_org)
    url = f"/organizace/{provider_org.pk}/clenove/{membership.pk}/odebrat/"
    client = client_for(provider_admin)
    detail = client.get(provider_org.get_absolute_url()).content.decode()
    assert f'class="link-danger" href="{url}"' in detail
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert editor.email in body and "button button--danger" in body and 'name="confirm"' in body
    assert Membership.objects.filter(pk=membership.pk).exists()
    client.post(url)  # without the confirmation: nothing happens
    assert Membership.objects.filter(pk=membership.pk).exists()
    reader = tenant_a.user(OrganisationKind.PROVIDER, Role.READER)
    assert client_for(reader).get(url).status_code == 403
    assert client_for(reader).post(url, {"confirm": "1"}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_invitation_revocation_is_confirmed_first(tenant_a, tenant_b, provider_org, provider_admin):
    invitation = Invitation.objects.filter(organisation=provider_org, revoked_at__isnull=True).first()
    assert invitation is not None
    url = f"/organizace/{provider_org.pk}/pozvanky/{invitation.pk}/zrusit/"
    client = client_for(provider_admin)
    assert f'href="{url}"' in client.get(provider_org.get_absolute_url()).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and invitation.email in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    outsider = tenant_b.user(OrganisationKind.PROVIDER, Role.ADMIN)
    assert client_for(outsider).post(url, {"confirm": "1"}).status_code == 404
    assert client.post(url, {"confirm": "1"}).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
