"""Guardrails in a real browser (issue #9): the demo auditor opens an assigned audit with 8 of 48 criteria
assessed, tries to publish it (refused, with the reason), then publishes it as a partial audit with a reason;
axe finds nothing on the confirmation pages (publish, send back, delete a finding, remove a member).

Selectors use URLs, names and classes, not texts, so the test holds in any language.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from qmss.assessments.models import Assessment, Finding
from qmss.assessments.testing import criteria, make_assessment, make_finding, make_framework
from qmss.core.models import Membership, Organisation
from qmss.setup.demo import DEMO_ORGS, DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login

REASON = "Kontrola zaměřená jen na standardy 1 a 2"


def _org(key: str) -> Organisation:
    kind, name = DEMO_ORGS[key]
    return Organisation.objects.get(kind=kind, name=name)


@pytest.fixture
def assigned_audit(demo_data):
    """An audit of the demo provider by the demo audit body, in review, with 8 of 48 criteria assessed and a
    finding (committed, so the live server sees it)."""
    framework = make_framework()
    audit = make_assessment(
        _org("provider"),
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.IN_REVIEW,
        framework=framework,
        auditing_organisation=_org("audit_body"),
        fill={r.ref_id: "2" for r in criteria(framework)[:8]},
        title="Audit kvality Domova Slunečnice",
    )
    make_finding(audit.results.order_by("pk").first(), kind=Finding.Kind.MINOR, text="Doplnit záznamy o stížnostech")
    return audit


def _go(page, action) -> None:
    with page.expect_navigation():
        action()


def test_auditor_is_refused_then_publishes_a_partial_audit(page, server_url, assigned_audit):
    audit = assigned_audit
    login(page, server_url, "auditor", DEMO_PASSWORD)
    page.goto(f"{server_url}/hodnoceni/")
    _go(page, lambda: page.locator(f"a[href='/hodnoceni/{audit.pk}/']").first.click())

    # the finding's delete link leads to a confirmation page that deletes nothing by itself
    finding = audit.results.order_by("pk").first().findings.get()
    _go(page, lambda: page.locator(f"a[href='/hodnoceni/{audit.pk}/zjisteni/{finding.pk}/smazat/']").click())
    expect(page.locator("form.confirm-form button.button--danger")).to_be_visible()
    assert_no_axe_violations(page, context="confirmation: delete a finding")
    _go(page, lambda: page.locator("form.confirm-form a.button--secondary").click())
    assert Finding.objects.filter(pk=finding.pk).exists()

    # send back: a confirmation page with a destructive button
    _go(page, lambda: page.locator(f"a.button--danger[href='/hodnoceni/{audit.pk}/vratit/']").click())
    assert_no_axe_violations(page, context="confirmation: send back")
    _go(page, lambda: page.locator("form.confirm-form a.button--secondary").click())

    # publish: refused while incomplete, with the reason and the number of missing criteria
    _go(page, lambda: page.locator(f"a.button--primary[href='/hodnoceni/{audit.pk}/zverejnit/']").click())
    expect(page.locator(".alert--warning")).to_contain_text("40")
    assert_no_axe_violations(page, context="confirmation: publish an incomplete audit")
    _go(page, lambda: page.locator("form.confirm-form button.button--primary").click())
    expect(page.locator(".error-summary")).to_contain_text("40")
    audit.refresh_from_db()
    assert audit.state == Assessment.State.IN_REVIEW
    assert_no_axe_violations(page, context="confirmation: publish refused")

    # … then published as a partial audit with a reason, shown on the report page
    page.check("input[name=partial]")
    page.fill("textarea[name=partial_reason]", REASON)
    _go(page, lambda: page.locator("form.confirm-form button.button--primary").click())
    audit.refresh_from_db()
    assert audit.state == Assessment.State.PUBLISHED and audit.partial and audit.partial_reason == REASON
    notice = page.locator(".partial-notice")
    expect(notice).to_contain_text(REASON)
    expect(notice).to_contain_text("48")
    expect(page.locator(".badge--state-published")).to_be_visible()


def test_member_removal_confirmation_is_accessible(page, server_url, demo_data):
    provider = _org("provider")
    membership = Membership.objects.filter(organisation=provider, user__username="ctenar").get()
    login(page, server_url, "poskytovatel", DEMO_PASSWORD)
    page.goto(f"{server_url}/organizace/{provider.pk}/")
    url = f"/organizace/{provider.pk}/clenove/{membership.pk}/odebrat/"
    _go(page, lambda: page.locator(f"a[href='{url}']").click())
    expect(page.locator("form.confirm-form button.button--danger")).to_be_visible()
    assert_no_axe_violations(page, context="confirmation: remove a member")
    assert Membership.objects.filter(pk=membership.pk).exists()
    _go(page, lambda: page.locator("form.confirm-form button.button--danger").click())
    assert not Membership.objects.filter(pk=membership.pk).exists()
