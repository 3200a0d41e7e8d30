"""Improvement in a real browser: a provider builds its process map through the forms, links a criterion and a
KPI, opens the printable map; drafts a development plan from a published audit and closes a nonconformity's
action (refused without an effectiveness review, accepted with one); the region sees the aggregates.

Every page visited must pass axe-core's WCAG 2.0/2.1 A and AA rules with zero violations.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from qmss.setup.demo import DEMO_ORGS, DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login

REVIEW_MSGID = (
    "An action that answers a nonconformity can be closed only after its effectiveness review (text and verdict)."
)


def _open(page, url: str):
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response.status if response else 'nothing'}"
    return response


def _submit(page):
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()


@pytest.fixture
def improvement_data(demo_data):
    """The demo provider linked to a registry service in its region, a 48-criteria framework and a published
    audit of the service with two nonconformities (committed: the live server uses transactional_db)."""
    from qmss.assessments.testing import link_provider_to_registry, make_framework
    from qmss.core.models import Organisation
    from qmss.improvement.testing import make_published_audit

    kind, name = DEMO_ORGS["provider"]
    provider = Organisation.objects.get(kind=kind, name=name)
    provider.ico = "27182818"
    provider.save(update_fields=["ico"])
    service = link_provider_to_registry(provider, service_name="Domov pro seniory Slunečnice")
    framework = make_framework()
    audit = make_published_audit(
        provider, service=service, framework=framework, title="Audit kvality 2026",
        nonconformities=(("2a", "major_nc"), ("5b", "minor_nc")),
    )  # fmt: skip
    return {"provider": provider, "service": service, "framework": framework, "audit": audit}


def _refusal_texts() -> tuple[str, str]:
    with translation.override("cs"):
        czech = translation.gettext(REVIEW_MSGID)
    return czech, REVIEW_MSGID


def test_process_map_and_development_plan(page, server_url, improvement_data):
    from qmss.improvement.models import Action, DevelopmentPlan, Process

    provider = improvement_data["provider"]
    criterion = improvement_data["framework"].requirements.get(ref_id="3a")
    login(page, server_url, "poskytovatel", DEMO_PASSWORD)
    base = f"{server_url}/rozvoj/organizace/{provider.pk}"

    # --- a process of each type, through the forms ---------------------------------------------------------
    for kind, code, name in (
        ("management", "Ř1", "Řízení kvality a zlepšování"),
        ("main", "H1", "Jednání se zájemcem o službu"),
        ("support", "P1", "Personální zajištění"),
    ):
        _open(page, f"{base}/procesy/novy/?kind={kind}")
        expect(page.locator("#id_kind")).to_have_value(kind)
        page.fill("#id_code", code)
        page.fill("#id_name", name)
        page.fill("#id_purpose", f"Účel procesu {name}.")
        if kind == "main":
            page.select_option("#id_requirements", value=[str(criterion.pk)])
            page.select_option("#id_services", value=[str(improvement_data["service"].pk)])
            assert_no_axe_violations(page, context="process form")
        _submit(page)
        expect(page.locator("h1")).to_contain_text(name)
    main = Process.objects.get(organisation=provider, code="H1")
    assert list(main.requirements.all()) == [criterion]
    assert set(Process.objects.filter(organisation=provider).values_list("kind", flat=True)) == {
        "management", "main", "support"
    }  # fmt: skip

    # a sub-process and a KPI with two values
    _open(page, f"{base}/procesy/novy/?parent={main.pk}")
    page.fill("#id_code", "H1.1")
    page.fill("#id_name", "Informace o službě")
    _submit(page)
    _open(page, f"{server_url}/rozvoj/procesy/{main.pk}/ukazatele/novy/")
    page.fill("#id_name", "Dny do prvního jednání")
    page.fill("#id_unit", "dny")
    page.fill("#id_target_value", "14")
    page.select_option("#id_direction", "lower")
    _submit(page)
    kpi = main.kpis.get()
    for day, value in (("2026-01-15", "20"), ("2026-02-15", "12")):
        _open(page, f"{server_url}/rozvoj/ukazatele/{kpi.pk}/mereni/")
        page.fill("#id_date", day)
        page.fill("#id_value", value)
        _submit(page)
    expect(page).to_have_url(re.compile(rf"/rozvoj/procesy/{main.pk}/$"))
    expect(page.locator("main")).to_contain_text("Dny do prvního jednání")
    expect(page.locator("main")).to_contain_text(criterion.title)
    expect(page.locator("svg.sparkline")).to_have_count(1)
    assert_no_axe_violations(page, context="process detail with a KPI")

    # --- the visual map and its printable version -------------------------------------------------------------
    _open(page, f"{base}/mapa/")
    svg = page.locator("figure svg.process-map")
    expect(svg).to_have_count(1)
    expect(svg.locator("[role=img]")).to_have_count(1)
    for name in ("Řízení kvality a zlepšování", "Jednání se zájemcem o službu", "Personální zajištění",
                 "Informace o službě"):  # fmt: skip
        expect(svg).to_contain_text(name)
    expect(svg.locator("[role=img] polygon")).to_have_count(1)  # one main process, drawn as an arrow
    assert_no_axe_violations(page, context="process map")
    with page.expect_navigation():
        page.locator(f"a[href='/rozvoj/organizace/{provider.pk}/mapa/tisk/']").click()
    expect(page.locator("svg.process-map")).to_contain_text("Personální zajištění")
    expect(page.locator("svg.process-map a[aria-label='P1 Personální zajištění']")).to_have_count(1)
    expect(page.locator("#print-button")).to_be_visible()
    assert_no_axe_violations(page, context="printable process map")
    page.emulate_media(media="print")
    expect(page.locator("#print-button")).to_be_hidden()
    page.emulate_media(media="screen")

    # --- a plan drafted from the published audit ------------------------------------------------------------------
    _open(page, f"{base}/plany/z-hodnoceni/")
    page.select_option("#id_assessment", str(improvement_data["audit"].pk))
    _submit(page)
    plan = DevelopmentPlan.objects.get(organisation=provider)
    expect(page).to_have_url(re.compile(rf"/rozvoj/plany/{plan.pk}/$"))
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)  # its two nonconformities
    expect(rows.nth(0)).to_contain_text("2a: Neshoda")
    expect(rows.nth(1)).to_contain_text("5b: Neshoda")
    assert_no_axe_violations(page, context="development plan detail")

    _open(page, f"{server_url}/rozvoj/plany/{plan.pk}/casova-osa/")
    expect(page.locator("table.gantt tbody tr")).to_have_count(2)
    assert_no_axe_violations(page, context="plan timeline")

    # --- closing a nonconformity's action ----------------------------------------------------------------------
    action = plan.actions.order_by("order").first()
    _open(page, f"{server_url}/rozvoj/opatreni/{action.pk}/")
    assert_no_axe_violations(page, context="action detail")
    page.select_option("#id_status", "done")
    _submit(page)
    czech, english = _refusal_texts()
    expect(page.locator(".error-summary")).to_contain_text(re.compile(f"{re.escape(czech)}|{re.escape(english)}"))
    assert Action.objects.get(pk=action.pk).status == Action.Status.PLANNED
    assert_no_axe_violations(page, context="status change refused")

    page.select_option("#id_status", "done")
    page.fill("#id_review_text", "Vnitřní pravidla jsme přepracovali; kontrola vzorku smluv potvrdila nápravu.")
    page.select_option("#id_review_verdict", "effective")
    _submit(page)
    expect(page).to_have_url(re.compile(rf"/rozvoj/opatreni/{action.pk}/$"))
    action.refresh_from_db()
    assert action.status == Action.Status.DONE and action.review_verdict == "effective"
    expect(page.locator("main")).to_contain_text("Vnitřní pravidla jsme přepracovali")

    # --- the region's view (an active plan counts) -----------------------------------------------------------------
    plan.state = DevelopmentPlan.State.ACTIVE
    plan.save(update_fields=["state"])
    page.context.clear_cookies()
    login(page, server_url, "kraj", DEMO_PASSWORD)
    _open(page, f"{server_url}/rozvoj/region/")
    expect(page.locator("main")).to_contain_text(provider.name)
    expect(page.locator("main svg[role=img]")).to_have_count(1)
    assert_no_axe_violations(page, context="region view")
    # the region does not open the provider's plan
    response = page.goto(f"{server_url}/rozvoj/plany/{plan.pk}/")
    assert response is not None and response.status == 404
