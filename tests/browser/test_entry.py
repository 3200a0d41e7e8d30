"""Fast criterion entry in a real browser: the demo provider records a whole self-assessment on the all-criteria
page, inline (htmx) with the keyboard and the mouse, sees the progress reach every criterion, and the entry pages
pass axe. Without JavaScript a row is a normal form that returns to the criterion.

Selectors use ids, names and attributes, not texts, so the test holds in any language.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from qmss.assessments.models import Assessment, Result
from qmss.assessments.testing import make_assessment, make_framework
from qmss.core.models import Organisation
from qmss.setup.demo import DEMO_ORGS, DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login


def _framework():
    """The real SQSS library when it loads, else the 48-criteria stand-in."""
    try:
        from qmss.frameworks.library import load_libraries
        from qmss.frameworks.models import Framework

        load_libraries()
        framework = Framework.objects.filter(urn="urn:qmss:framework:sqss", is_latest=True).first()
        if framework is not None and framework.requirements.filter(assessable=True).exists():
            return framework
    except Exception:  # noqa: BLE001 – the library is optional here
        pass
    return make_framework()


@pytest.fixture
def self_assessment(demo_data):
    kind, name = DEMO_ORGS["provider"]
    provider = Organisation.objects.get(kind=kind, name=name)
    return make_assessment(
        provider, framework=_framework(), state=Assessment.State.IN_PROGRESS, title="Sebehodnocení 2026 (demo)"
    )


def _criteria(assessment):
    return list(assessment.framework.requirements.filter(assessable=True).order_by("order"))


def test_provider_fills_every_criterion_inline(page, server_url, self_assessment):
    assessment = self_assessment
    criteria = _criteria(assessment)
    total = len(criteria)
    login(page, server_url, "poskytovatel", DEMO_PASSWORD)
    page.goto(f"{server_url}{assessment.get_absolute_url()}")
    entry_path = f"/hodnoceni/{assessment.pk}/zadani/"
    with page.expect_navigation():
        page.locator(f'a[href="{entry_path}"]').click()
    assert page.url.endswith(entry_path)
    expect(page.locator("#entry-progress progress")).to_have_attribute("max", str(total))
    assert_no_axe_violations(page, "entry page, all criteria")
    page_url = page.url

    for index, criterion in enumerate(criteria):
        row = page.locator(f"#criterion-{criterion.pk}")
        radio = row.locator("input[type=radio]").nth(2)  # the second value of the scale
        if index % 3 == 0:  # keyboard: choose the result and press Enter
            radio.focus()
            page.keyboard.press("Space")
            page.keyboard.press("Enter")
        elif index % 3 == 1:  # a comment, saved with Ctrl+Enter
            radio.check()
            row.locator("textarea").first.fill(f"Doloženo ke kritériu {criterion.ref_id}")
            row.locator("textarea").first.press("Control+Enter")
        else:  # the mouse
            radio.check()
            row.locator("button[type=submit]").click()
        expect(page.locator(f"#criterion-{criterion.pk}.entry-row--saved")).to_be_visible()
        expect(page.locator("#entry-progress progress")).to_have_attribute("value", str(index + 1))

    assert page.url == page_url  # inline: the page never reloaded
    expect(page.locator("#entry-progress-text")).to_contain_text(re.compile(rf"\b{total}\D+{total}\b"))
    expect(page.locator("#entry-announcer")).to_contain_text(criteria[-1].ref_id)
    assert Result.objects.filter(assessment=assessment, value__isnull=False).count() == total
    second = Result.objects.get(assessment=assessment, requirement=criteria[1])
    assert second.comment == f"Doloženo ke kritériu {criteria[1].ref_id}"
    # every standard in the navigation is complete
    counts = page.locator(".entry-nav__count")
    assert counts.count() >= 1 and page.locator(".entry-nav__count--complete").count() == counts.count()
    assert_no_axe_violations(page, "entry page after inline saves")

    # a standard page and the detail page with its progress
    page.locator('.entry-nav a[href^="?standard="]').first.click()
    page.wait_for_load_state()
    expect(page.locator(".entry-nav a[aria-current=page]")).to_have_count(1)
    assert_no_axe_violations(page, "entry page, one standard")
    page.goto(f"{server_url}{assessment.get_absolute_url()}")
    expect(page.locator("#entry-progress progress")).to_have_attribute("value", str(total))
    assert_no_axe_violations(page, "assessment detail with the progress")


def test_without_javascript_a_row_returns_to_the_criterion(browser, server_url, self_assessment):
    assessment = self_assessment
    criterion = _criteria(assessment)[1]
    context = browser.new_context(locale="cs-CZ", java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, server_url, "poskytovatel", DEMO_PASSWORD)
        page.goto(f"{server_url}/hodnoceni/{assessment.pk}/zadani/")
        row = page.locator(f"#criterion-{criterion.pk}")
        row.locator("input[type=radio]").nth(1).check()
        with page.expect_navigation():
            row.locator("button[type=submit]").click()
        assert page.url.endswith(f"#criterion-{criterion.pk}"), page.url
        assert f"/hodnoceni/{assessment.pk}/zadani/" in page.url
        expect(page.locator(".messages .alert")).to_be_visible()
        expect(page.locator("#entry-progress progress")).to_have_attribute("value", "1")
        assert Result.objects.filter(assessment=assessment, requirement=criterion, value__isnull=False).exists()
    finally:
        context.close()
