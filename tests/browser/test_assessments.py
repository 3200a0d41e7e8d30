"""Assessments in a real browser: the whole story (self-assessment with evidence → audit → publication →
report and three lenses) and axe-core checks of every assessment page.

Selectors use element ids, names and URLs, not texts, so the tests hold in any language.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from qmss.assessments.models import Assessment, Result
from qmss.assessments.testing import PDF_BYTES, link_provider_to_registry, make_framework
from qmss.core.roles import OrganisationKind, Role
from qmss.testing.browser import assert_no_axe_violations, login
from qmss.testing.factories import TEST_PASSWORD, make_org, make_region, make_user

SERVICE_NAME = "Domov Pohoda Zlín"
EVIDENCE_TITLE = "Směrnice pro vyřizování stížností"
FINDING_TEXT = "Pravidla pro stížnosti nejsou aktuální"
WORKING_NOTE = "INTERNÍ: ověřit u ředitelky"


def _framework():
    """The real SQSS library when it loads, else the 48-criteria stand-in."""
    try:
        from qmss.frameworks.library import load_libraries
        from qmss.frameworks.models import Framework

        load_libraries()
        framework = Framework.objects.filter(urn="urn:qmss:framework:sqss", is_latest=True).first()
        if framework is not None and framework.requirements.filter(assessable=True).count() == 48:
            return framework
    except Exception:  # noqa: BLE001 – the library is optional here
        pass
    return make_framework()


@pytest.fixture
def story(transactional_db, browser):
    """A provider linked by IČO to a registry service, an audit body and a user of each (committed data)."""
    region = make_region("CZ991", "Kraj Příběhový")
    provider = make_org(OrganisationKind.PROVIDER, "Domov Pohoda, z. ú.", region=region, ico="27182818")
    body = make_org(OrganisationKind.AUDIT_BODY, "Audit Kvalita, s. r. o.", region=region, ico="31415926")
    make_user("pribeh-poskytovatel", org=provider, role=Role.ADMIN, first_name="Petra", last_name="Pohodová")
    make_user("pribeh-auditor", org=body, role=Role.AUDITOR, first_name="Adam", last_name="Auditor")
    service = link_provider_to_registry(provider, service_name=SERVICE_NAME, region=region)
    return {"framework": _framework(), "provider": provider, "body": body, "service": service}


def _open(page, url: str):
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response.status if response else 'nothing'}"
    return response


def _submit(page, form_selector: str, *, first: bool = False) -> None:
    with page.expect_navigation():
        buttons = page.locator(f"{form_selector} button[type=submit]")
        (buttons.first if first else buttons.last).click()


def _criteria(framework):
    return list(framework.requirements.filter(assessable=True).order_by("order"))


def _fill_rest(assessment: Assessment, key: str) -> None:
    """Record ``key`` on every criterion still without a result (the browser records the interesting ones)."""
    framework = assessment.framework
    value = framework.default_scale.values.get(key=key)
    done = set(assessment.results.values_list("requirement_id", flat=True))
    Result.objects.bulk_create(
        Result(assessment=assessment, requirement=r, value=value, score=value.score)
        for r in _criteria(framework)
        if r.pk not in done
    )


def _create(page, server_url: str, kind: str, service) -> Assessment:
    _open(page, f"{server_url}/hodnoceni/nove/")
    page.select_option("#id_kind", kind)
    page.select_option("#id_service", str(service.pk))
    _submit(page, "main form[method=post]")
    match = re.search(r"/hodnoceni/(\d+)/$", page.url)
    assert match, page.url
    return Assessment.objects.get(pk=int(match.group(1)))


def _transition(page, state: str) -> None:
    if state == "published":  # publishing is confirmed on its own page (issue #9 guardrails)
        with page.expect_navigation():
            page.locator("a[href$='/zverejnit/']").click()
        with page.expect_navigation():
            page.locator("form.confirm-form button[type=submit]").click()
        return
    button = page.locator(f"form[action$='/stav/']:has(input[value='{state}']) button")
    with page.expect_navigation():
        button.click()


def _record(page, server_url, assessment, requirement, value_key, *, comment="", note=None, evidence=None):
    value = assessment.framework.default_scale.values.get(key=value_key)
    # as from the assessment page's "Record result" link, which asks to come back to it
    _open(page, f"{server_url}/hodnoceni/{assessment.pk}/kriterium/{requirement.pk}/?next=/hodnoceni/{assessment.pk}/")
    page.check(f"input[name=value][value='{value.pk}']")
    page.fill("#id_comment", comment)
    if note is not None:
        page.fill("#id_internal_note", note)
    if evidence is not None:
        page.check(f"input[name=evidence][value='{evidence.pk}']")
    _submit(page, "form[enctype='multipart/form-data']", first=True)  # "Save result", not "save and next"
    assert page.url.endswith(f"/hodnoceni/{assessment.pk}/#criterion-{requirement.pk}"), page.url


def test_assessment_story(page, browser, server_url, story):
    framework, provider, service = story["framework"], story["provider"], story["service"]
    first, second = _criteria(framework)[:2]

    # 1. The provider starts a self-assessment of its registry service …
    login(page, server_url, "pribeh-poskytovatel", TEST_PASSWORD)
    self_assessment = _create(page, server_url, Assessment.Kind.SELF, service)
    assert self_assessment.service == service and self_assessment.framework == framework

    # … uploads a PDF into its evidence library …
    _open(page, f"{server_url}/hodnoceni/doklady/organizace/{provider.pk}/")
    page.set_input_files(
        "#id_file", files=[{"name": "stiznosti.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.fill("#id_title", EVIDENCE_TITLE)
    _submit(page, "form[enctype='multipart/form-data']")
    expect(page.locator("main table")).to_contain_text(EVIDENCE_TITLE)
    evidence = provider.evidence.get()

    # … records results with the evidence linked, and publishes.
    _record(page, server_url, self_assessment, first, "3", comment="Plně zavedeno", evidence=evidence)
    expect(page.locator(f"#criterion-{first.pk}")).to_contain_text(EVIDENCE_TITLE)
    _record(page, server_url, self_assessment, second, "2", comment="Převážně")
    _fill_rest(self_assessment, "2")
    expect(page.locator(".badge--state-in_progress")).to_be_visible()  # the first recorded result started it
    for state in ("in_review", "published"):
        _transition(page, state)
    expect(page.locator(".badge--state-published")).to_be_visible()

    # 2. The provider asks an audit body for an audit.
    audit = _create(page, server_url, Assessment.Kind.AUDIT, service)
    with page.expect_navigation():
        page.locator(f"a[href='/hodnoceni/{audit.pk}/auditor/']").click()
    page.select_option("#id_auditing_organisation", str(story["body"].pk))
    _submit(page, "main form[method=post]")
    expect(page.locator(".badge--state-in_progress")).to_be_visible()

    # 3. The auditor records results, a finding and a working note, and publishes.
    auditor_context = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900})
    auditor_page = auditor_context.new_page()
    try:
        login(auditor_page, server_url, "pribeh-auditor", TEST_PASSWORD)
        _open(auditor_page, f"{server_url}/hodnoceni/")
        with auditor_page.expect_navigation():
            auditor_page.locator(f"a[href='/hodnoceni/{audit.pk}/']").click()
        _record(auditor_page, server_url, audit, first, "1", comment="Směrnice je z roku 2015", note=WORKING_NOTE)
        row = auditor_page.locator(f"#criterion-{first.pk}")
        row.locator("details summary").click()
        row.locator("select[name=kind]").select_option("major_nc")
        row.locator("textarea[name=text]").fill(FINDING_TEXT)
        row.locator("textarea[name=measure]").fill("Aktualizovat směrnici a proškolit pracovníky")
        row.locator("input[name=deadline]").fill("2030-06-30")
        with auditor_page.expect_navigation():
            row.locator("form button[type=submit]").click()
        expect(auditor_page.locator(f"#criterion-{first.pk}")).to_contain_text(FINDING_TEXT)
        expect(auditor_page.locator(f"#criterion-{first.pk}")).to_contain_text(WORKING_NOTE)
        _fill_rest(audit, "2")
        _transition(auditor_page, "in_review")
        _transition(auditor_page, "published")
        expect(auditor_page.locator(".badge--state-published")).to_be_visible()
    finally:
        auditor_context.close()

    # 4. The provider reads the published audit – findings, never the auditor's working notes …
    _open(page, f"{server_url}/hodnoceni/{audit.pk}/")
    expect(page.locator(f"#criterion-{first.pk}")).to_contain_text(FINDING_TEXT)
    expect(page.locator("#scores")).to_be_visible()
    assert WORKING_NOTE not in page.content()

    # … compares the three lenses: the self-assessment (3) and the audit (1) disagree on the first criterion …
    _open(page, f"{server_url}/hodnoceni/sluzba/{service.portal_id}/tri-pohledy/")
    disagreement = page.locator("tr.disagreement")
    expect(disagreement.first).to_contain_text(first.ref_id)
    expect(page.locator("svg[role=img] title")).to_have_count(1)

    # … and downloads the PDF report.
    _open(page, f"{server_url}/hodnoceni/{audit.pk}/")
    with page.expect_download() as download_info:
        page.locator(f"a[href='/hodnoceni/{audit.pk}/zprava.pdf']").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    response = page.request.get(f"{server_url}/hodnoceni/{audit.pk}/zprava.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    try:
        from pypdf import PdfReader
    except ImportError:
        return
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(response.body())).pages)
    text = " ".join(text.split())
    assert SERVICE_NAME in text
    from qmss.frameworks.scoring import evaluate

    evaluation = evaluate(framework, {r.requirement_id: r.value for r in audit.results.select_related("value")})
    for standard in evaluation.standards:
        score = f"{standard.score.normalize():f}".replace(".", ",")
        assert standard.requirement.ref_id in text
        assert score in text, f"score {score} of standard {standard.requirement.ref_id} not in the PDF"


def test_assessment_pages_are_accessible(page, server_url, story):
    """axe-core (WCAG 2.0/2.1 A + AA): 0 violations on every assessment page, as the provider and the auditor."""
    from qmss.assessments.models import Finding
    from qmss.assessments.testing import make_assessment, make_evidence, make_finding

    framework, provider, service = story["framework"], story["provider"], story["service"]
    first = _criteria(framework)[0]
    self_assessment = make_assessment(
        provider,
        service=service,
        framework=framework,
        fill="2",
        state=Assessment.State.PUBLISHED,
        title="Sebehodnocení 2026",
    )
    evidence = make_evidence(provider, title=EVIDENCE_TITLE, expires_on="2020-01-01")
    self_assessment.results.get(requirement=first).evidence.add(evidence)
    audit = make_assessment(
        provider,
        kind=Assessment.Kind.AUDIT,
        state=Assessment.State.IN_REVIEW,
        service=service,
        framework=framework,
        auditing_organisation=story["body"],
        fill="1",
        internal_notes=WORKING_NOTE,
        title="Audit 2026",
    )
    make_finding(audit.results.get(requirement=first), kind=Finding.Kind.MAJOR, text=FINDING_TEXT)

    login(page, server_url, "pribeh-poskytovatel", TEST_PASSWORD)
    draft = make_assessment(provider, service=service, framework=framework, fill={first.ref_id: "3"})
    pages = {
        "list": "/hodnoceni/",
        "create": "/hodnoceni/nove/",
        "detail (editable self-assessment)": f"/hodnoceni/{draft.pk}/",
        "detail (published)": f"/hodnoceni/{self_assessment.pk}/",
        "result edit": f"/hodnoceni/{draft.pk}/kriterium/{first.pk}/",
        "evidence library": f"/hodnoceni/doklady/organizace/{provider.pk}/",
        "evidence detail": f"/hodnoceni/doklady/{evidence.pk}/",
        "three lenses": f"/hodnoceni/sluzba/{service.portal_id}/tri-pohledy/",
        "readiness": f"/hodnoceni/pripravenost/{provider.pk}/",
    }
    for what, path in pages.items():
        _open(page, f"{server_url}{path}")
        expect(page.locator("h1").first).to_be_visible()
        if what.startswith("detail (editable"):
            page.locator(f"#criterion-{first.pk} details summary").click()  # the inline finding form, opened
        assert_no_axe_violations(page, context=f"{what} as the provider")

    page.context.clear_cookies()
    login(page, server_url, "pribeh-auditor", TEST_PASSWORD)
    for what, path in {
        "audit detail with working notes": f"/hodnoceni/{audit.pk}/",
        "audit result edit": f"/hodnoceni/{audit.pk}/kriterium/{first.pk}/",
    }.items():
        _open(page, f"{server_url}{path}")
        expect(page.locator("h1").first).to_be_visible()
        assert_no_axe_violations(page, context=f"{what} as the auditor")
    assert story["body"].kind == OrganisationKind.AUDIT_BODY
