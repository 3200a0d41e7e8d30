"""The new-assessment form in a real browser: the inspection fields appear only for an inspection record."""

from __future__ import annotations

from playwright.sync_api import expect

from qmss.setup.demo import DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login


def test_inspection_fields_follow_the_kind(page, server_url, demo_data):
    login(page, server_url, "poskytovatel", DEMO_PASSWORD)
    page.goto(f"{server_url}/hodnoceni/nove/?kind=self")
    inspection = page.locator('[data-field="inspection_type"]')
    expect(inspection).to_be_hidden()
    page.select_option("#id_kind", "inspection")
    expect(inspection).to_be_visible()
    expect(page.locator('[data-field="inspection_team"]')).to_be_visible()
    assert_no_axe_violations(page, context="new assessment form (inspection)")
    page.select_option("#id_kind", "self")
    expect(inspection).to_be_hidden()
