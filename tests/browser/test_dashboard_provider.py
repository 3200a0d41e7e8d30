"""The provider's and the auditor's dashboards and "Moje služby" in a real browser, as the demo users
``poskytovatel`` and ``auditor`` see them: reached by clicking from the dashboard, and axe-clean.

Selectors use URLs and element ids, not texts, so the tests hold in any language.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from qmss.assessments import actions
from qmss.assessments.models import Assessment
from qmss.assessments.testing import link_provider_to_registry, make_assessment, make_evidence, make_framework
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.improvement.testing import make_action, make_plan
from qmss.setup.demo import DEMO_ORGS, DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login

SERVICE_NAME = "Domov Slunečnice Vlčnov"
AUDIT_TITLE = "Audit kvality Slunečnice 2026"


def _org(key: str) -> Organisation:
    kind, name = DEMO_ORGS[key]
    return Organisation.objects.get(kind=kind, name=name)


@pytest.fixture
def provider_world(demo_data):
    """The demo provider linked to a registry service, with a published self-assessment, an expired document, an
    overdue action, and an audit it invited the demo audit body to."""
    from django.contrib.auth import get_user_model

    provider, body = _org("provider"), _org("audit_body")
    admin = get_user_model().objects.get(username="poskytovatel")
    framework = make_framework()
    service = link_provider_to_registry(provider, service_name=SERVICE_NAME, region=provider.region)
    make_assessment(
        provider,
        service=service,
        framework=framework,
        state=Assessment.State.PUBLISHED,
        fill={"1a": "2"},
        title="Sebehodnocení Slunečnice",
    )
    make_evidence(provider, title="Směrnice o stížnostech", store=False, expires_on=timezone.localdate() - timedelta(1))
    plan = make_plan(provider, title="Rozvojový plán Slunečnice", service=service)
    make_action(plan, title="Aktualizovat směrnici", deadline=timezone.localdate() - timedelta(days=2))
    audit = make_assessment(
        provider, kind=Assessment.Kind.AUDIT, service=service, framework=framework, title=AUDIT_TITLE
    )
    actions.invite_auditor(scope=Scope.for_user(admin), assessment=audit, auditing_organisation=body, user=admin)
    return {"provider": provider, "service": service, "audit": audit}


def _open(page, url: str):
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response.status if response else 'nothing'}"


def test_provider_dashboard_leads_to_the_service_and_a_self_assessment(page, server_url, provider_world):
    service, provider = provider_world["service"], provider_world["provider"]
    workspace = reverse("assessments:service_workspace", kwargs={"service_portal_id": service.portal_id})
    services = reverse("assessments:organisation_services", kwargs={"organisation_pk": provider.pk})

    login(page, server_url, "poskytovatel", DEMO_PASSWORD)
    _open(page, f"{server_url}/")
    expect(page.locator(f"a[href='{workspace}']").first).to_be_visible()
    expect(page.locator(f"a[href='{provider_world['audit'].get_absolute_url()}']").first).to_be_visible()
    assert_no_axe_violations(page, context="provider dashboard (poskytovatel)")

    with page.expect_navigation():
        page.locator(f"a[href='{services}']").first.click()
    assert page.url.endswith(services)
    expect(page.locator(f"a[href='{workspace}']").first).to_be_visible()
    assert_no_axe_violations(page, context="my services (poskytovatel)")

    with page.expect_navigation():
        page.locator(f"a[href='{workspace}']").first.click()
    assert page.url.endswith(workspace)
    lenses = reverse("assessments:lenses", kwargs={"service_portal_id": service.portal_id})
    expect(page.locator(f"a[href='{lenses}']")).to_be_visible()
    assert_no_axe_violations(page, context="service workspace (poskytovatel)")

    start = page.locator(f"a[href*='{reverse('assessments:create')}?kind=self']")
    with page.expect_navigation():
        start.first.click()
    expect(page.locator("#id_service")).to_have_value(str(service.pk))
    expect(page.locator("#id_kind")).to_have_value("self")


def test_auditor_dashboard_lists_the_invited_audit(page, server_url, provider_world):
    audit = provider_world["audit"]
    login(page, server_url, "auditor", DEMO_PASSWORD)
    _open(page, f"{server_url}/")
    link = page.locator(f"a[href='{audit.get_absolute_url()}']")
    expect(link.first).to_be_visible()
    expect(page.locator("body")).to_contain_text(SERVICE_NAME)
    assert_no_axe_violations(page, context="auditor dashboard (auditor)")
    with page.expect_navigation():
        link.first.click()
    assert page.url.endswith(audit.get_absolute_url())


def test_unlinked_provider_dashboard_is_accessible(page, server_url, demo_data):
    """poskytovatel2's organisation has no link to the registry: the panel says what to do next."""
    provider = _org("provider_b")
    login(page, server_url, "poskytovatel2", DEMO_PASSWORD)
    _open(page, f"{server_url}/")
    link = reverse("registry:organisation_link", kwargs={"organisation_pk": provider.pk})
    expect(page.locator(f"a[href='{link}']").first).to_be_visible()
    assert_no_axe_violations(page, context="dashboard of an unlinked provider (poskytovatel2)")
    assert provider.kind == OrganisationKind.PROVIDER
