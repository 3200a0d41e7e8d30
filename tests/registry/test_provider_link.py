"""The verified link between a provider organisation and its registry provider (issue #8, finding 6).

An organisation's IČO is a plain field anyone of its administrators can type; it must grant nothing. Only a
claim verified by a superuser or by an administrator of the regional authority where the provider's services
are delivered links the organisation to the provider, and only linked work is attributed to the services.
"""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from qmss.assessments import actions as assessment_actions
from qmss.assessments import lenses
from qmss.assessments import selectors as assessment_selectors
from qmss.assessments.models import Assessment
from qmss.assessments.testing import make_assessment
from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.registry import actions, selectors_links
from qmss.registry.models import ProviderClaim, ProviderLink
from qmss.registry.testing import make_provider, make_service
from qmss.testing.factories import make_user
from tests.conftest import ServiceWorld

PROVIDER, REGION = OrganisationKind.PROVIDER, OrganisationKind.REGION


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(tenant_a, framework) -> ServiceWorld:
    return ServiceWorld.build(tenant_a, framework)


# --- the attack of finding 6 --------------------------------------------------------------------------------------


def test_typing_another_providers_ico_grants_nothing(world, tenant_b):
    """B's administrator types A's IČO and tries to assess A's registered service: impossible."""
    b_org = tenant_b.orgs[PROVIDER]
    b_admin = tenant_b.user(PROVIDER, Role.ADMIN)
    a_ico = world.service.provider.ico
    client = client_for(b_admin)
    response = client.post(
        f"/organizace/{b_org.pk}/upravit/",
        {"name": b_org.name, "ico": a_ico, "email": "", "phone": "", "website": ""},
    )
    assert response.status_code == 302
    b_org.refresh_from_db()
    assert b_org.ico == a_ico  # the field stays editable – it is information only

    page = client.get(reverse("assessments:create"))
    assert page.status_code == 200
    assert world.service.name not in page.content.decode()
    client.post(
        reverse("assessments:create"),
        {"organisation": b_org.pk, "kind": Assessment.Kind.SELF, "service": world.service.pk, "title": "Podvrh"},
    )
    assert not Assessment.objects.filter(organisation=b_org, service=world.service).exists()
    with pytest.raises(ValidationError):
        assessment_actions.create_assessment(
            scope=Scope.for_user(b_admin), organisation=b_org, kind=Assessment.Kind.SELF, user=b_admin,
            service=world.service,
        )  # fmt: skip
    assert selectors_links.linked_provider(b_org) is None
    assert not assessment_selectors.provider_services(b_org).exists()


def test_work_of_an_unlinked_organisation_is_never_shown_as_the_services(world, tenant_b):
    """Even if such an assessment exists (data from before the fix), the region and the lenses do not show it."""
    b_org = tenant_b.orgs[PROVIDER]
    b_org.ico = world.service.provider.ico
    b_org.save()
    forged = make_assessment(
        b_org, service=world.service, framework=world.framework, state=Assessment.State.PUBLISHED,
        fill="3", title="Podvržené hodnocení",
    )  # fmt: skip
    genuine = make_assessment(
        world.provider, service=world.service, framework=world.framework, state=Assessment.State.PUBLISHED,
        fill="1", title="Skutečné hodnocení",
    )  # fmt: skip
    region_scope = Scope.for_user(world.region_manager)
    visible = set(assessment_selectors.visible_assessments(region_scope).values_list("pk", flat=True))
    assert genuine.pk in visible and forged.pk not in visible
    assert [a.pk for a in lenses.service_assessments(Scope(user_id=None, is_superuser=True), world.service)] == [
        genuine.pk
    ]
    body = client_for(world.region_manager).get(
        reverse("assessments:lenses", kwargs={"service_portal_id": world.service.portal_id})
    )
    assert body.status_code == 200
    assert "Podvržené hodnocení" not in body.content.decode()
    # B itself cannot open A's service's lenses any more
    b_admin = tenant_b.user(PROVIDER, Role.ADMIN)
    assert not lenses.can_view_service(Scope.for_user(b_admin), world.service)


def test_unlinked_organisation_offers_no_registered_service(tenant_a, framework):
    org = tenant_a.orgs[PROVIDER]
    make_service(make_provider("Domov bez ověření", ico=org.ico), name="Služba bez ověření")
    page = client_for(tenant_a.user(PROVIDER, Role.EDITOR)).get(reverse("assessments:create"))
    assert "Služba bez ověření" not in page.content.decode()


# --- the claim and its verification --------------------------------------------------------------------------


@pytest.fixture
def claimable(tenant_a):
    """A registry provider with a service in tenant A's region, and tenant A's (unlinked) provider organisation."""
    provider = make_provider("Domov Nový z. ú.", emails=["registr@novy.test"], phones=["777 111 222"])
    make_service(
        provider,
        name="Domov Nový",
        facilities=[{"region": tenant_a.region, "name": "Domov Nový"}],
        emails=["domov@novy.test"],
        phones=["588 000 111"],
    )
    return provider


def _claim(tenant, provider) -> ProviderClaim:
    admin = tenant.user(PROVIDER, Role.ADMIN)
    response = client_for(admin).post(
        reverse("registry:organisation_link", kwargs={"organisation_pk": tenant.orgs[PROVIDER].pk}),
        {"provider": provider.pk},
    )
    claim = ProviderClaim.objects.get(organisation=tenant.orgs[PROVIDER])
    assert response.status_code == 302 and response.url == claim.get_absolute_url()
    return claim


def test_only_an_organisation_administrator_claims(tenant_a, claimable):
    url = reverse("registry:organisation_link", kwargs={"organisation_pk": tenant_a.orgs[PROVIDER].pk})
    editor = client_for(tenant_a.user(PROVIDER, Role.EDITOR))
    assert editor.get(url).status_code == 200
    assert editor.post(url, {"provider": claimable.pk}).status_code == 403
    assert not ProviderClaim.objects.exists()


def test_claim_page_lists_registry_providers_to_claim(tenant_a, claimable):
    admin = client_for(tenant_a.user(PROVIDER, Role.ADMIN))
    url = reverse("registry:organisation_link", kwargs={"organisation_pk": tenant_a.orgs[PROVIDER].pk})
    body = admin.get(url, {"q": "domov nový"}).content.decode()
    assert "Domov Nový z. ú." in body and f'value="{claimable.pk}"' in body
    org_page = admin.get(tenant_a.orgs[PROVIDER].get_absolute_url()).content.decode()
    assert url in org_page and 'id="registry-link-title"' in org_page


def test_region_administrator_verifies_with_reason_and_everything_is_audited(tenant_a, claimable):
    claim = _claim(tenant_a, claimable)
    assert claim.state == ProviderClaim.State.PENDING and not ProviderLink.objects.exists()

    verifier = tenant_a.user(REGION, Role.ADMIN)
    client = client_for(verifier)
    listing = client.get(reverse("registry:claim_list")).content.decode()
    assert tenant_a.orgs[PROVIDER].name in listing
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "registr@novy.test" in page and "777 111 222" in page and claimable.ico in page
    assert "domov@novy.test" in page and "588 000 111" in page, "the services' registry contacts are shown too"
    region_page = client.get(tenant_a.orgs[REGION].get_absolute_url()).content.decode()
    assert reverse("registry:claim_list") in region_page

    # a decision needs a reason and the confirmation
    client.post(claim.get_absolute_url(), {"decision": "verify", "reason": "", "confirm": "on"})
    client.post(claim.get_absolute_url(), {"decision": "verify", "reason": "Ověřeno telefonem", "confirm": ""})
    assert not ProviderLink.objects.exists()
    response = client.post(
        claim.get_absolute_url(), {"decision": "verify", "reason": "Ověřeno telefonem z registru", "confirm": "on"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ProviderClaim.State.VERIFIED and claim.decided_by == verifier
    link = ProviderLink.objects.get()
    assert link.organisation == tenant_a.orgs[PROVIDER] and link.provider == claimable and link.verified_by == verifier
    assert selectors_links.linked_services(tenant_a.orgs[PROVIDER]).get().name == "Domov Nový"

    entries = LogEntry.objects.filter(content_type__model__in=["providerclaim", "providerlink"])
    actors = {(e.content_type.model, e.action, e.actor_id) for e in entries}
    admin = tenant_a.user(PROVIDER, Role.ADMIN)
    assert ("providerclaim", LogEntry.Action.CREATE, admin.pk) in actors
    assert ("providerclaim", LogEntry.Action.UPDATE, verifier.pk) in actors
    assert ("providerlink", LogEntry.Action.CREATE, verifier.pk) in actors
    log = client_for(admin).get(f"/organizace/{tenant_a.orgs[PROVIDER].pk}/historie/")
    assert "Ověřeno telefonem z registru" in log.content.decode()


def test_rejection_links_nothing(tenant_a, claimable):
    claim = _claim(tenant_a, claimable)
    client_for(tenant_a.user(REGION, Role.ADMIN)).post(
        claim.get_absolute_url(), {"decision": "reject", "reason": "Poskytovatel o žádosti neví", "confirm": "on"}
    )
    claim.refresh_from_db()
    assert claim.state == ProviderClaim.State.REJECTED and not ProviderLink.objects.exists()


@pytest.mark.parametrize(
    "who",
    [
        ("own", PROVIDER, Role.ADMIN),  # the claimant cannot verify itself
        ("own", REGION, Role.NETWORK_MANAGER),  # region staff other than its administrators
        ("own", REGION, Role.EDITOR),
        ("other", REGION, Role.ADMIN),  # the administrator of another region
        ("other", PROVIDER, Role.ADMIN),
    ],
)
def test_only_the_regions_administrator_or_a_superuser_decides(tenant_a, tenant_b, claimable, who):
    claim = _claim(tenant_a, claimable)
    tenant = tenant_a if who[0] == "own" else tenant_b
    user = tenant.user(who[1], who[2])
    client = client_for(user)
    response = client.post(claim.get_absolute_url(), {"decision": "verify", "reason": "Ano", "confirm": "on"})
    assert response.status_code in (403, 404)
    assert not ProviderLink.objects.exists()
    with pytest.raises(PermissionDenied):
        actions.decide_claim(scope=Scope.for_user(user), claim=claim, verify=True, reason="Ano", user=user)
    assert not ProviderLink.objects.exists()
    listing = client.get(reverse("registry:claim_list"))
    if who == ("other", REGION, Role.ADMIN):  # a verifier elsewhere: the list answers, without this claim
        assert listing.status_code == 200 and tenant_a.orgs[PROVIDER].name not in listing.content.decode()
    else:
        assert listing.status_code == 403


def test_other_tenants_do_not_see_the_claim(tenant_a, tenant_b, claimable):
    claim = _claim(tenant_a, claimable)
    for kind, role in ((PROVIDER, Role.ADMIN), (REGION, Role.ADMIN)):
        assert client_for(tenant_b.user(kind, role)).get(claim.get_absolute_url()).status_code == 404
    url = reverse("registry:organisation_link", kwargs={"organisation_pk": tenant_a.orgs[PROVIDER].pk})
    assert client_for(tenant_b.user(PROVIDER, Role.ADMIN)).get(url).status_code == 404


def test_superuser_verifies_and_revokes(tenant_a, claimable, superuser):
    claim = _claim(tenant_a, claimable)
    client = client_for(superuser)
    client.post(claim.get_absolute_url(), {"decision": "verify", "reason": "Ověřeno", "confirm": "on"})
    assert ProviderLink.objects.filter(organisation=tenant_a.orgs[PROVIDER]).exists()
    revoke = reverse("registry:claim_revoke", kwargs={"claim_pk": claim.pk})
    assert (
        client_for(tenant_a.user(PROVIDER, Role.ADMIN)).post(revoke, {"reason": "x", "confirm": "on"}).status_code
        == 403
    )
    client.post(revoke, {"reason": "Omyl", "confirm": "on"})
    claim.refresh_from_db()
    assert claim.state == ProviderClaim.State.REVOKED and not ProviderLink.objects.exists()


def test_a_provider_links_to_one_organisation_only(world, tenant_b, superuser):
    b_org = tenant_b.orgs[PROVIDER]
    b_admin = tenant_b.user(PROVIDER, Role.ADMIN)
    with pytest.raises(ValidationError):
        actions.claim_provider(
            scope=Scope.for_user(b_admin), organisation=b_org, provider=world.service.provider, user=b_admin
        )
    other = make_provider("Jiný poskytovatel")
    claim = actions.claim_provider(scope=Scope.for_user(b_admin), organisation=b_org, provider=other, user=b_admin)
    with pytest.raises(ValidationError):  # one pending claim at a time
        actions.claim_provider(scope=Scope.for_user(b_admin), organisation=b_org, provider=other, user=b_admin)
    assert claim.state == ProviderClaim.State.PENDING


def test_registry_provider_page_says_qmss_only_when_verified(tenant_a, claimable, superuser):
    user = make_user("ctenar-registru")
    client = client_for(user)
    tenant_a.orgs[PROVIDER].ico = claimable.ico
    tenant_a.orgs[PROVIDER].save()
    assert "Tento poskytovatel také používá QMSS." not in client.get(claimable.get_absolute_url()).content.decode()
    claim = _claim(tenant_a, claimable)
    actions.decide_claim(scope=Scope.for_user(superuser), claim=claim, verify=True, reason="Ověřeno", user=superuser)
    assert "Tento poskytovatel také používá QMSS." in client.get(claimable.get_absolute_url()).content.decode()


def test_verifying_one_claim_closes_the_others_for_the_same_provider(tenant_a, claimable, superuser):
    from qmss.testing.factories import make_org

    rival = make_org(PROVIDER, "Soupeř", region=tenant_a.region)
    rival_admin = make_user("soupeř-admin", org=rival, role=Role.ADMIN)
    rival_claim = actions.claim_provider(
        scope=Scope.for_user(rival_admin), organisation=rival, provider=claimable, user=rival_admin
    )
    claim = _claim(tenant_a, claimable)
    actions.decide_claim(scope=Scope.for_user(superuser), claim=claim, verify=True, reason="Ověřeno", user=superuser)
    rival_claim.refresh_from_db()
    assert rival_claim.state == ProviderClaim.State.REJECTED and rival_claim.decided_by == superuser
    assert list(ProviderLink.objects.values_list("organisation_id", flat=True)) == [tenant_a.orgs[PROVIDER].pk]


def test_region_improvement_view_counts_only_the_verified_providers_work(world, tenant_b):
    from qmss.improvement.selectors_region import frequent_nonconformities, plan_progress
    from qmss.improvement.testing import make_action, make_plan, make_published_audit

    b_org = tenant_b.orgs[PROVIDER]
    b_org.ico = world.service.provider.ico
    b_org.save()
    make_action(make_plan(b_org, service=world.service, title="Podvržený plán"))
    make_action(make_plan(b_org, title="Plán celé podvržené organizace"))
    make_published_audit(b_org, service=world.service, framework=world.framework, nonconformities=(("2a", "major_nc"),))
    region_ids = [world.tenant.region.pk]
    assert plan_progress(region_ids) == []
    assert frequent_nonconformities(region_ids) == []
    make_action(make_plan(world.provider, service=world.service))
    assert [row["org_id"] for row in plan_progress(region_ids)] == [world.provider.pk]


def test_demo_providers_are_linked_by_a_verified_claim_once(db):
    from qmss.core.models import Organisation
    from qmss.setup.demo import DEMO_ORGS, DEMO_PROVIDER_KEYS, link_demo_providers, load_demo
    from qmss.testing.factories import make_region

    region = make_region("CZ072", "Zlínský kraj")
    load_demo()
    for i in range(3):
        make_service(make_provider(f"Demo poskytovatel {i}"), facilities=[{"region": region, "name": f"D {i}"}])
    linked = link_demo_providers()
    assert len(linked) == 2
    for key in DEMO_PROVIDER_KEYS:
        org = Organisation.objects.get(name=DEMO_ORGS[key][1])
        claim = ProviderClaim.objects.get(organisation=org)
        assert claim.state == ProviderClaim.State.VERIFIED and claim.decided_by.username == "spravce"
        assert claim.claimed_by.memberships.filter(organisation=org, role=Role.ADMIN).exists()
        assert selectors_links.linked_provider(org).ico == org.ico
    assert link_demo_providers() == [] and ProviderClaim.objects.count() == 2
