"""The dashboards of a regional authority, a municipality and the ministry in a real browser, with registry data,
a published audit and a registry import in the demo region: each shows its sections, leads on to the catalogue,
and passes axe-core's WCAG 2.0/2.1 A and AA rules with zero violations."""

from __future__ import annotations

import pytest
from django.utils import timezone

from qmss.setup.demo import DEMO_ORGS, DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login


@pytest.fixture
def region_data(demo_data):
    from qmss.assessments.models import Assessment
    from qmss.assessments.testing import link_provider_to_registry, make_assessment, make_framework
    from qmss.core.models import Organisation
    from qmss.improvement.testing import make_action, make_plan
    from qmss.registry.models import RegistryChange
    from qmss.registry.testing import make_change, make_import, make_service

    kind, name = DEMO_ORGS["municipality"]
    municipality = Organisation.objects.get(kind=kind, name=name).municipality
    kind, name = DEMO_ORGS["provider"]
    provider = Organisation.objects.get(kind=kind, name=name)
    provider.ico = "27182818"
    provider.save(update_fields=["ico"])
    service = link_provider_to_registry(provider, service_name="Domov pro seniory Slunečnice")
    make_service(
        name="Pečovatelská služba Lípa",
        forms=(("ter", (("klient", 60),)), ("amb", (("klient", 10),))),
        municipalities=[municipality],
    )
    make_assessment(
        provider, kind=Assessment.Kind.AUDIT, state=Assessment.State.PUBLISHED, service=service,
        framework=make_framework(), title="Audit kvality 2026",
    )  # fmt: skip
    make_action(make_plan(provider, service=service))
    registry_import = make_import(finished_at=timezone.now(), counts={"new": 2, "changed": 1, "ended": 0})
    make_change(service, registry_import, kind=RegistryChange.Kind.NEW)
    return {"service": service}


@pytest.mark.parametrize(
    ("username", "headings"),
    [  # (Czech, English): the Czech catalogue of these strings is merged by the lead
        ("kraj", ("Nově zveřejněná hodnocení v kraji", "Newly published assessments in the region")),
        ("kraj-admin", ("Rozvojové plány v kraji", "Development plans in the region")),
        ("obec", ("Vaše obec", "Your municipality")),
        ("ministerstvo", ("Celostátní přehled podle krajů", "National overview by region")),
    ],
)
def test_dashboards_of_region_municipality_and_ministry(page, server_url, region_data, username, headings):
    login(page, server_url, username, DEMO_PASSWORD)
    page.goto(f"{server_url}/")
    panel = page.locator("section.dashboard-panel").first
    panel.wait_for()
    titles = panel.locator("h3").all_inner_texts()
    assert any(heading in titles for heading in headings), titles
    assert panel.locator("a[href^='/registr/']").count() >= 1, "the panel leads to the catalogue"
    assert_no_axe_violations(page, f"dashboard of {username}")
