"""Login protection in a real browser: the region demo user is asked for the second factor and gets in with a
code computed from the known demo secret; an auditor without a device sets the authenticator up; a locked-out
login shows the Czech page. Every page passes axe (WCAG 2.0/2.1 A + AA) and the browser reports no
Content-Security-Policy violation.
"""

from __future__ import annotations

from base64 import b32decode

import pytest
from playwright.sync_api import expect

from qmss.setup.demo import DEMO_PASSWORD
from qmss.testing.browser import assert_no_axe_violations, login

VERIFY = "/ucet/druhy-faktor/overeni/"
SETUP = "/ucet/druhy-faktor/nastaveni/"


def _code(hex_key: str) -> str:
    from django_otp.oath import TOTP

    return f"{TOTP(bytes.fromhex(hex_key)).token():06d}"


@pytest.fixture
def csp_violations(page):
    """Console messages in which the browser refused something because of the Content-Security-Policy."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return refused


@pytest.fixture
def second_factor_required(settings, demo_data):
    from qmss.setup.demo_mfa import seed_demo_second_factor

    settings.QMSS_REQUIRE_2FA = True
    return {account.username: account for account in seed_demo_second_factor()}


def _submit(page):
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()


def test_region_user_enters_the_code_and_reaches_the_dashboard(
    page, server_url, second_factor_required, csp_violations
):
    from qmss.setup.demo_mfa import DEMO_TOTP_KEY

    assert "kraj" in second_factor_required
    login(page, server_url, "kraj", DEMO_PASSWORD)
    assert VERIFY in page.url, f"the region user must be asked for the code, got {page.url}"
    expect(page.locator("h1")).to_be_visible()
    assert_no_axe_violations(page, context="second factor: enter the code")

    page.fill("#id_code", "000000" if _code(DEMO_TOTP_KEY) != "000000" else "111111")
    _submit(page)
    assert VERIFY in page.url
    expect(page.locator(".field__error")).to_be_visible()
    assert_no_axe_violations(page, context="second factor: wrong code")

    page.wait_for_timeout(1100)  # django-otp makes the next try wait a second after a wrong code
    page.fill("#id_code", _code(DEMO_TOTP_KEY))
    _submit(page)
    assert page.url.rstrip("/") == server_url, page.url
    expect(page.locator("body")).to_contain_text("Karla Krajská")

    page.goto(f"{server_url}/ucet/druhy-faktor/")
    expect(page.locator("h1")).to_be_visible()
    assert_no_axe_violations(page, context="second factor: settings")
    assert not csp_violations, csp_violations


def test_auditor_without_a_device_sets_up_the_authenticator(page, server_url, second_factor_required, csp_violations):
    from django.contrib.auth import get_user_model
    from django_otp import devices_for_user

    auditor = get_user_model().objects.get(username="auditor")
    for device in list(devices_for_user(auditor, confirmed=None)):
        device.delete()

    login(page, server_url, "auditor", DEMO_PASSWORD)
    assert SETUP in page.url, page.url
    expect(page.locator("svg.qr-code")).to_be_visible()
    assert_no_axe_violations(page, context="second factor: set up")

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    hex_key = b32decode(secret + "=" * (-len(secret) % 8)).hex()
    page.fill("#id_code", _code(hex_key))
    _submit(page)
    expect(page.locator("ul.recovery-codes li")).to_have_count(10)
    assert_no_axe_violations(page, context="second factor: recovery codes")

    with page.expect_navigation():
        page.locator("main a.button").first.click()
    expect(page.locator("body")).to_contain_text("Alena Auditorová")
    assert not csp_violations, csp_violations


def test_locked_out_login_shows_the_czech_page(page, server_url, demo_data, settings, csp_violations):
    settings.AXES_ENABLED = True
    for attempt in range(5):
        page.goto(f"{server_url}/ucet/prihlaseni/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", f"spatne-{attempt}")
        _submit(page)
    response = page.goto(f"{server_url}/ucet/prihlaseni/")
    assert response is not None
    page.fill("#id_username", "editor")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation() as navigation:
        page.locator("main form[method=post] button[type=submit]").first.click()
    assert navigation.value.status == 429
    expect(page.locator("h1")).to_be_visible()
    assert "/ucet/prihlaseni/" in page.url
    assert_no_axe_violations(page, context="locked-out login")
    assert not csp_violations, csp_violations
