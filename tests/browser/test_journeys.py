"""One journey per role, by clicking only (issue #9, acceptance): each starts at the dashboard after logging in as the
demo user (the public one at the home page) and reaches the role's main work without typing a URL:

- provider (``poskytovatel``): dashboard → service workspace → start a self-assessment → all criteria on one page,
  48 of 48 saved inline → publish → inspection readiness → development plans → a plan drafted from the assessment;
- auditor (``auditor``): dashboard → assigned audit → results entered inline for a few criteria → submit → publish
  refused while incomplete → published as a partial audit with a reason, which the report shows;
- region (``kraj``): dashboard → ORPs of the region → an ORP with its capacity totals → the catalogue of that ORP →
  XLSX export whose capacity cells are numbers;
- public (anonymous): home → "Je služba registrovaná?" → a home found by its facility name typed with a typo.

Every page reached passes axe-core's WCAG 2.0/2.1 A and AA rules. Selectors are hrefs, ids, roles with Czech-or-
English names and data attributes, so the journeys hold before and after the Czech catalogue is merged.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from qmss.core.models import Organisation
from qmss.setup.demo import DEMO_ORGS, DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login

SERVICE_NAME = "Domov Slunečnice Vlčnov"
HOME = "Charitní dům Vlčnov"


def _org(key: str) -> Organisation:
    kind, name = DEMO_ORGS[key]
    return Organisation.objects.get(kind=kind, name=name)


def _click(page, locator) -> None:
    """Follow a link or send a form by clicking, and wait for the next page."""
    with page.expect_navigation():
        locator.click()


def _link(page, href: str):
    return page.locator(f"main a[href='{href}']").first


def _checked(page, context: str) -> None:
    page.wait_for_load_state()
    assert_no_axe_violations(page, context=context)


# --- provider -----------------------------------------------------------------------------------------------------


@pytest.fixture
def provider_world(demo_data):
    """The demo provider linked to one registered service; the 48-criteria framework with its pass rule adopted."""
    from qmss.assessments.testing import link_provider_to_registry, make_framework

    provider = _org("provider")
    framework = make_framework()
    service = link_provider_to_registry(provider, service_name=SERVICE_NAME, region=provider.region)
    return {"provider": provider, "service": service, "framework": framework}


def test_provider_journey_from_the_dashboard_to_a_development_plan(page, server_url, provider_world):
    from qmss.assessments.models import Assessment, Result
    from qmss.improvement.models import DevelopmentPlan

    provider, service = provider_world["provider"], provider_world["service"]
    criteria = list(provider_world["framework"].requirements.filter(assessable=True).order_by("order"))
    assert len(criteria) == 48
    unmet = next(c for c in criteria if c.essential)  # one essential criterion scored 0: at risk, and a plan action

    login(page, server_url, "poskytovatel", DEMO_PASSWORD)
    assert page.url.rstrip("/") == server_url  # the dashboard is where the login lands
    _checked(page, "provider dashboard")

    workspace = reverse("assessments:service_workspace", kwargs={"service_portal_id": service.portal_id})
    _click(page, _link(page, workspace))
    expect(page.locator("h1")).to_have_text(SERVICE_NAME)
    _checked(page, "service workspace")

    _click(page, page.locator("main .actions a[href*='kind=self']").first)  # "Start a self-assessment"
    expect(page.locator("#id_service")).to_have_value(str(service.pk))
    expect(page.locator("#id_kind")).to_have_value("self")
    _checked(page, "new self-assessment")
    page.fill("#id_title", "Sebehodnocení Slunečnice 2026")
    _click(page, page.locator("main form button[type=submit]"))
    assessment = Assessment.objects.get(organisation=provider, service=service, kind=Assessment.Kind.SELF)
    assert page.url.endswith(assessment.get_absolute_url())
    _checked(page, "self-assessment, just created")
    start = page.locator("main form:has(input[name=to_state][value=in_progress]) button")  # "Start the assessment"
    _click(page, start)
    publish = reverse("assessments:publish", kwargs={"assessment_pk": assessment.pk})
    expect(_link(page, publish)).to_be_visible()
    _checked(page, "self-assessment, started")

    entry = reverse("assessments:entry", kwargs={"assessment_pk": assessment.pk})
    _click(page, _link(page, entry))  # "All criteria on one page"
    progress = page.locator("#entry-progress progress")
    expect(progress).to_have_attribute("max", "48")
    expect(progress).to_have_attribute("value", "0")
    _checked(page, "all-criteria entry page")
    entry_url = page.url

    for index, criterion in enumerate(criteria):
        row = page.locator(f"#criterion-{criterion.pk}")
        # radios: not assessed yet, 0, 1, 2, 3, not applicable – unmet gets 0 points, the others 2 ("met")
        row.locator("input[type=radio]").nth(1 if criterion == unmet else 3).check()
        row.locator("button[type=submit]").click()
        expect(progress).to_have_attribute("value", str(index + 1))
    assert page.url == entry_url  # saved inline, the page never reloaded
    expect(page.locator("#entry-progress-text")).to_contain_text(re.compile(r"\b48\D+48\b"))
    expect(page.locator("#entry-progress.entry-progress--complete")).to_be_visible()
    assert Result.objects.filter(assessment=assessment, value__isnull=False).count() == 48
    _checked(page, "all-criteria entry page, 48 of 48")

    _click(page, _link(page, assessment.get_absolute_url()))  # "Back to the assessment"
    expect(page.locator("#entry-progress progress")).to_have_attribute("value", "48")
    _checked(page, "self-assessment with 48 of 48 criteria")
    _click(page, _link(page, publish))
    _checked(page, "publish confirmation of a complete self-assessment")
    _click(page, page.locator("main form.confirm-form button[type=submit]"))
    assert page.url.endswith(assessment.get_absolute_url())
    assessment.refresh_from_db()
    assert assessment.state == Assessment.State.PUBLISHED and not assessment.partial
    _checked(page, "published self-assessment")

    _click(page, page.locator("main .breadcrumbs a[href='/']"))  # back to the overview
    _checked(page, "provider dashboard after publishing")
    readiness = reverse("assessments:readiness", kwargs={"organisation_pk": provider.pk})
    _click(page, _link(page, readiness))
    expect(page.locator(f"main a[href='{assessment.get_absolute_url()}']").first).to_be_visible()  # based on it
    expect(page.locator("main table[aria-labelledby=essential]")).to_contain_text(unmet.ref_id)
    _checked(page, "inspection readiness")

    plans = reverse("improvement:plan_list", kwargs={"organisation_pk": provider.pk})
    _click(page, _link(page, plans))
    _checked(page, "development plans")
    _click(page, _link(page, reverse("improvement:plan_draft", kwargs={"organisation_pk": provider.pk})))
    page.select_option("#id_assessment", str(assessment.pk))
    _checked(page, "draft a plan from an assessment")
    _click(page, page.locator("main form button[type=submit]").first)
    plan = DevelopmentPlan.objects.get(organisation=provider)
    assert page.url.endswith(plan.get_absolute_url())
    assert plan.actions.filter(requirements=unmet).exists() or plan.actions.filter(target_requirement=unmet).exists()
    expect(page.locator("main")).to_contain_text(unmet.ref_id)
    _checked(page, "development plan drafted from the self-assessment")


# --- auditor ------------------------------------------------------------------------------------------------------

AUDIT_TITLE = "Audit kvality Slunečnice 2026"
REASON = "Audit zaměřený jen na první standard"


@pytest.fixture
def auditor_world(demo_data):
    """An audit of the demo provider's service, to which the provider invited the demo audit body."""
    from django.contrib.auth import get_user_model

    from qmss.assessments import actions
    from qmss.assessments.models import Assessment
    from qmss.assessments.testing import link_provider_to_registry, make_assessment, make_framework
    from qmss.core.scoping import Scope

    provider = _org("provider")
    admin = get_user_model().objects.get(username="poskytovatel")
    framework = make_framework()
    service = link_provider_to_registry(provider, service_name=SERVICE_NAME, region=provider.region)
    audit = make_assessment(
        provider, kind=Assessment.Kind.AUDIT, service=service, framework=framework, title=AUDIT_TITLE
    )
    actions.invite_auditor(
        scope=Scope.for_user(admin), assessment=audit, auditing_organisation=_org("audit_body"), user=admin
    )
    return {"audit": audit, "framework": framework}


def test_auditor_journey_from_the_dashboard_to_a_partial_audit(page, server_url, auditor_world):
    from qmss.assessments.models import Assessment, Result

    audit = auditor_world["audit"]
    criteria = list(auditor_world["framework"].requirements.filter(assessable=True).order_by("order"))
    assessed = criteria[:4]  # the first standard

    login(page, server_url, "auditor", DEMO_PASSWORD)
    _checked(page, "auditor dashboard")
    _click(page, _link(page, audit.get_absolute_url()))  # the assigned audit
    expect(page.locator("h1")).to_have_text(AUDIT_TITLE)
    _checked(page, "assigned audit")

    _click(page, _link(page, reverse("assessments:entry", kwargs={"assessment_pk": audit.pk})))
    progress = page.locator("#entry-progress progress")
    expect(progress).to_have_attribute("max", "48")
    _checked(page, "audit results, all criteria")
    for index, criterion in enumerate(assessed):
        row = page.locator(f"#criterion-{criterion.pk}")
        row.locator("input[type=radio]").nth(3).check()
        row.locator("textarea").first.fill(f"Ověřeno při návštěvě ({criterion.ref_id})")
        row.locator("button[type=submit]").click()
        expect(progress).to_have_attribute("value", str(index + 1))
    assert Result.objects.filter(assessment=audit, value__isnull=False).count() == len(assessed)
    _checked(page, "audit results, four criteria assessed")

    _click(page, _link(page, audit.get_absolute_url()))  # back to the audit
    _checked(page, "audit with four criteria assessed")
    _click(page, page.locator("main form:has(input[name=to_state][value=in_review]) button"))  # submit for review
    _checked(page, "audit in review")
    publish = reverse("assessments:publish", kwargs={"assessment_pk": audit.pk})
    _click(page, page.locator(f"main a.button--primary[href='{publish}']"))
    expect(page.locator("main .alert--warning")).to_contain_text("44")  # 44 of 48 criteria not assessed
    _checked(page, "publish confirmation of an incomplete audit")

    confirm = page.locator("main form.confirm-form button.button--primary")
    _click(page, confirm)  # without the partial flag: refused
    expect(page.locator("main .error-summary")).to_contain_text("44")
    audit.refresh_from_db()
    assert audit.state == Assessment.State.IN_REVIEW
    _checked(page, "publish refused while incomplete")

    page.get_by_role("checkbox").and_(page.locator("input[name=partial]")).check()
    page.locator("textarea[name=partial_reason]").fill(REASON)
    _click(page, confirm)
    audit.refresh_from_db()
    assert audit.state == Assessment.State.PUBLISHED and audit.partial and audit.partial_reason == REASON
    assert page.url.endswith(audit.get_absolute_url())
    notice = page.locator("main .partial-notice")
    expect(notice).to_contain_text(REASON)
    expect(notice).to_contain_text(re.compile(r"\b4\D+48\b"))  # computed over 4 of 48 criteria
    _checked(page, "published partial audit")

    with page.expect_download() as info:  # the report file carries the flag and the reason too
        _link(page, reverse("assessments:report_xlsx", kwargs={"assessment_pk": audit.pk})).click()
    with open(info.value.path(), "rb") as handle:
        cells = [str(v) for ws in load_workbook(handle).worksheets for r in ws.iter_rows(values_only=True) for v in r]
    assert any(REASON in cell for cell in cells)


# --- region -------------------------------------------------------------------------------------------------------


@pytest.fixture
def region_world(demo_data):
    """Three services in the demo region: two in one ORP (41 beds, 1 client), one in another ORP (3 beds)."""
    from qmss.registry.testing import make_provider, make_service
    from qmss.territory.models import Municipality

    region = _org("region").region
    towns = list(Municipality.objects.filter(region=region).select_related("orp").order_by("code"))
    other_orp = next(t for t in towns if t.orp_id != towns[0].orp_id)
    provider = make_provider("Domov Slunečnice, z. ú.", ico="12345678")
    make_service(
        provider, name="Domov pro seniory Slunečnice", kind="13", forms=[("pob", [("luzka", 41)])],
        municipalities=[towns[0]],
    )  # fmt: skip
    make_service(
        provider, name="Pečovatelská služba Slunečnice", kind="4", forms=[("ter", [("klient", 1)])],
        municipalities=[towns[0]],
    )  # fmt: skip
    make_service(provider, name="Domov jinde", kind="13", forms=[("pob", [("luzka", 3)])], municipalities=[other_orp])
    return {"region": region, "orp": towns[0].orp}


def test_region_journey_from_the_dashboard_to_an_orp_capacity_export(page, server_url, region_world):
    region, orp = region_world["region"], region_world["orp"]

    login(page, server_url, "kraj", DEMO_PASSWORD)
    _checked(page, "region dashboard")

    _click(page, _link(page, reverse("territory:region", kwargs={"region_code": region.code})))  # ORPs of the region
    _checked(page, "region page with its ORPs")
    _click(page, _link(page, orp.get_absolute_url()))
    section = page.locator(".place-services")
    expect(section).to_contain_text("Domov pro seniory Slunečnice")
    expect(section).to_contain_text("41 lůžek")
    expect(section).not_to_contain_text("Domov jinde")
    _checked(page, "ORP page with its services and capacity totals")

    _click(page, section.locator("a[href^='/registr/']").first)  # "Open them in the catalogue (filters, export)"
    totals = page.locator(".capacity-totals")
    expect(totals).to_contain_text("41 lůžek")
    expect(totals).to_contain_text("1 klient")
    expect(totals).not_to_contain_text("44 lůžek")  # the other ORP's home is not counted
    _checked(page, "catalogue of the ORP with capacity totals")

    with page.expect_download() as info:
        page.locator("a[href*='/registr/export/xlsx/']").first.click()
    assert info.value.suggested_filename.endswith(".xlsx")
    with open(info.value.path(), "rb") as handle:
        sheet = load_workbook(handle).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    column = next(i for i, name in enumerate(header) if name in ("Registrovaná kapacita", "Registered capacity"))
    capacities = [row[column] for row in rows]
    assert all(isinstance(value, int | float) for value in capacities), capacities
    assert sorted(capacities) == [1, 41]


# --- public -------------------------------------------------------------------------------------------------------


@pytest.fixture
def public_world(demo_data):
    """A home known only by its facility name (as in the registry file), and a few other services."""
    from qmss.registry import cache
    from qmss.registry.models import Service
    from qmss.registry.testing import make_provider, make_service
    from qmss.territory.models import Municipality

    towns = list(Municipality.objects.filter(region=_org("region").region).order_by("code")[:2])
    charity = make_provider("Charita Uherský Brod", ico="48489336")
    service = make_service(charity, kind="13", facilities=[{"municipality": towns[0], "name": HOME}])
    Service.objects.filter(pk=service.pk).update(name="")
    cache.bump_version()
    make_service(charity, name="Pečovatelská služba Charity", kind="4", municipalities=towns)
    for number in range(3):
        make_service(make_provider(f"Domov Lipová {number}"), name=f"Domov pro seniory Lipová {number}", kind="13")
    return {"town": towns[0]}


def test_public_journey_from_the_home_page_to_a_home_found_despite_a_typo(page, server_url, public_world):
    response = page.goto(f"{server_url}/")
    assert response is not None and response.ok
    _checked(page, "home page, anonymous")

    check = page.get_by_role("link", name=re.compile(r"Je služba registrovaná\?|Is the service registered\?"))
    _click(page, check.first)
    assert page.url.endswith(reverse("registration_check"))
    _checked(page, "public check, empty")

    page.get_by_role("searchbox").or_(page.locator("#check-q")).first.fill("Charitni dum Vlcnv")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("#check-status")).to_have_attribute("data-state", re.compile(r"^(found|suggested)$"))
    card = page.locator("#check-results li.check-result").first
    expect(card.locator("h3")).to_have_text(HOME)
    expect(card).to_contain_text(re.compile(r"domovy pro seniory|homes for the elderly", re.IGNORECASE))  # kind
    expect(card).to_contain_text(public_world["town"].name)  # place
    expect(card).to_contain_text("Charita Uherský Brod")  # provider
    _checked(page, "public check, the home found despite the typo")
