"""The second factor: who must use it, the middleware that enforces it, the pages, recovery codes, demo data."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qmss.core import actions_mfa, mfa
from qmss.core.roles import ROLES_BY_KIND, OrganisationKind, Role
from qmss.core.scoping import Scope
from qmss.setup import demo_mfa
from qmss.testing.factories import TEST_PASSWORD

VERIFY = "/ucet/druhy-faktor/overeni/"
SETUP = "/ucet/druhy-faktor/nastaveni/"
MANAGE = "/ucet/druhy-faktor/"
DISABLE = "/ucet/druhy-faktor/vypnout/"
RECOVERY = "/ucet/druhy-faktor/zalozni-kody/"
KEY = "3132333435363738393031323334353637383930"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.QMSS_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the throttle has its own test
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _code(key: str = KEY) -> str:
    return f"{TOTP(bytes.fromhex(key)).token():06d}"


def _with_device(user, *, recovery: list[str] = ()) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name=mfa.TOTP_DEVICE_NAME, key=KEY, confirmed=True)
    if recovery:
        static = StaticDevice.objects.create(user=user, name=mfa.RECOVERY_DEVICE_NAME, confirmed=True)
        for code in recovery:
            StaticToken.objects.create(device=static, token=code)
    return device


def _superuser():
    return get_user_model().objects.create_superuser("koren", "koren@example.test", TEST_PASSWORD)


# --- who must use it -------------------------------------------------------------------------------------------

REQUIRED = {OrganisationKind.REGION, OrganisationKind.MINISTRY}


@pytest.mark.parametrize(
    "kind,role",
    [(kind, role) for kind, roles in ROLES_BY_KIND.items() for role in roles],
)
def test_the_rule_names_region_ministry_and_auditors(tenant_a, kind, role):
    expected = kind in REQUIRED or role == Role.AUDITOR
    assert mfa.must_use_second_factor(Scope.for_user(tenant_a.user(kind, role))) is expected


@pytest.mark.django_db
def test_superusers_must_and_the_setting_turns_the_requirement_off(settings):
    admin = _superuser()
    assert mfa.must_use_second_factor(Scope.for_user(admin))
    settings.QMSS_REQUIRE_2FA = False
    assert not mfa.must_use_second_factor(Scope.for_user(admin))


# --- the middleware --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,role",
    [
        (OrganisationKind.REGION, Role.NETWORK_MANAGER),
        (OrganisationKind.REGION, Role.READER),
        (OrganisationKind.MINISTRY, Role.READER),
        (OrganisationKind.AUDIT_BODY, Role.AUDITOR),
    ],
)
def test_required_accounts_without_a_device_are_sent_to_setup(tenant_a, kind, role):
    client = _login(tenant_a.user(kind, role))
    for url in ("/", "/organizace/", "/ucet/profil/", "/registr/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url
    assert client.get(SETUP).status_code == 200
    api = client.get("/api/v1/territory/regions")
    assert api.status_code == 403
    assert api["Content-Type"].startswith("application/json") and "detail" in api.json()


def test_a_provider_editor_is_not_asked(tenant_a):
    client = _login(tenant_a.user(OrganisationKind.PROVIDER, Role.EDITOR))
    assert client.get("/").status_code == 200
    assert client.get("/organizace/").status_code == 200


def test_open_paths_stay_open_for_an_unverified_user(tenant_a):
    client = _login(tenant_a.user(OrganisationKind.REGION, Role.ADMIN))
    assert client.get("/healthz").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.get("/static/css/qmss.css").status_code == 200
    response = client.post("/ucet/odhlaseni/")
    assert response.status_code == 302 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_superuser_admin_requires_the_second_factor():
    admin = _superuser()
    _with_device(admin)
    client = _login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": _code()}).status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_admin_itself_refuses_an_unverified_superuser(rf):
    """Second layer, independent of the middleware: the admin site's own permission check."""
    from django.contrib import admin as django_admin

    user = _superuser()
    request = rf.get("/admin/")
    user.is_verified = lambda: False
    request.user = user
    assert not django_admin.site.has_permission(request)
    user.is_verified = lambda: True
    assert django_admin.site.has_permission(request)


# --- verifying after login -------------------------------------------------------------------------------------


def test_an_account_with_a_device_is_asked_for_the_code_and_a_wrong_code_is_refused(tenant_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 1  # as in production
    user = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    _with_device(user)
    client = _login(user)
    response = client.get("/organizace/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)

    wrong = f"{(int(_code()) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200 and "field__error" in response.content.decode()
    from django.utils import translation

    with translation.override("cs"):
        not_valid = translation.gettext(
            "The code is not valid. Enter the current code from your app or a recovery code."
        )
        too_many = translation.gettext("Too many wrong codes. Wait a moment and try again.")
    body = response.content.decode()
    assert not_valid in body and too_many not in body, "a first wrong code is simply not valid"
    assert client.get("/organizace/").status_code == 302, "still not verified"
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None, throttling_failure_count=0)

    response = client.post(VERIFY, {"code": _code(), "next": "/organizace/"})
    assert response.status_code == 302 and response["Location"] == "/organizace/"
    assert client.get("/organizace/").status_code == 200


def test_an_authenticator_code_works_only_once(tenant_a):
    user = tenant_a.user(OrganisationKind.MINISTRY, Role.READER)
    _with_device(user)
    code = _code()
    first = _login(user)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    second = _login(user)
    assert second.post(VERIFY, {"code": code}).status_code == 200, "a replayed code is refused"


def test_next_may_not_leave_the_site(tenant_a):
    user = tenant_a.user(OrganisationKind.REGION, Role.ADMIN)
    _with_device(user)
    response = _login(user).post(VERIFY, {"code": _code(), "next": "https://zly.example/"})
    assert response["Location"] == "/"


def test_wrong_codes_are_throttled(tenant_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    user = tenant_a.user(OrganisationKind.REGION, Role.ADMIN)
    _with_device(user)
    client = _login(user)
    client.post(VERIFY, {"code": "000000"})
    response = client.post(VERIFY, {"code": _code()})
    assert response.status_code == 200, "right after a wrong code, even the right one waits"
    assert client.get("/").status_code == 302


def test_a_recovery_code_works_once(tenant_a):
    user = tenant_a.user(OrganisationKind.AUDIT_BODY, Role.AUDITOR)
    _with_device(user, recovery=["abcdefghjk", "mnpqrstuvw"])
    client = _login(user)
    assert client.post(VERIFY, {"code": "ABCDE-FGHJK"}).status_code == 302, "typed as printed, upper case"
    assert client.get("/").status_code == 200
    assert mfa.remaining_recovery_codes(user) == 1

    again = _login(user)
    assert again.post(VERIFY, {"code": "abcdefghjk"}).status_code == 200
    assert again.get("/").status_code == 302


# --- setting up ------------------------------------------------------------------------------------------------


def test_setup_shows_the_qr_code_and_the_secret_then_issues_ten_recovery_codes(tenant_a):
    user = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    client = _login(user)
    page = client.get(SETUP).content.decode()
    assert '<svg role="img"' in page and "<title>" in page
    hex_key = client.session["qmss_totp_setup_key"]
    assert mfa.grouped(mfa.base32_secret(hex_key)) in page

    assert client.post(SETUP, {"code": "123456" if _code(hex_key) != "123456" else "654321"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()

    response = client.post(SETUP, {"code": _code(hex_key)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=user).key == hex_key
    assert client.get("/").status_code == 200, "the session is verified"
    assert "qmss_totp_setup_key" not in client.session


def test_someone_with_only_the_password_cannot_add_a_second_authenticator(tenant_a):
    user = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    _with_device(user)
    client = _login(user)
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.post(SETUP, {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert client.post(RECOVERY).status_code == 302
    assert mfa.remaining_recovery_codes(user) == 0


def test_new_recovery_codes_replace_the_old(tenant_a):
    user = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    _with_device(user, recovery=["abcdefghjk"])
    client = _login(user)
    client.post(VERIFY, {"code": _code()})
    response = client.post(RECOVERY)
    assert response.status_code == 200
    assert len(re.findall(r"<code>[a-z0-9]{5}-[a-z0-9]{5}</code>", response.content.decode())) == 10
    assert not StaticToken.objects.filter(token="abcdefghjk").exists()


# --- optional for others, and turning it off --------------------------------------------------------------------


def test_a_provider_may_turn_it_on_from_the_profile_and_off_again(tenant_a):
    user = tenant_a.user(OrganisationKind.PROVIDER, Role.EDITOR)
    client = _login(user)
    assert MANAGE in client.get("/ucet/profil/").content.decode()
    client.get(SETUP)
    hex_key = client.session["qmss_totp_setup_key"]
    client.post(SETUP, {"code": _code(hex_key)})
    assert mfa.has_device(user)

    later = _login(user)  # a new login must give the code: optional, but then enforced
    assert later.get("/").status_code == 302

    device = TOTPDevice.objects.get(user=user)
    device.last_t = -1
    device.save()
    assert later.post(VERIFY, {"code": _code(hex_key)}).status_code == 302
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    assert later.post(DISABLE, {"code": _code(hex_key)}).status_code == 302
    assert not mfa.has_device(user)
    assert _login(user).get("/").status_code == 200


def test_a_required_account_cannot_turn_it_off(tenant_a):
    user = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    _with_device(user)
    client = _login(user)
    client.post(VERIFY, {"code": _code()})
    assert client.get(DISABLE).status_code == 403
    assert client.post(DISABLE, {"code": "123456"}).status_code == 403
    assert mfa.has_device(user)
    with pytest.raises(PermissionDenied):
        actions_mfa.disable_second_factor(user=user, scope=Scope.for_user(user))


def test_second_factor_pages_are_czech_pages_of_the_site(tenant_a):
    user = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    client = _login(user)
    page = client.get(SETUP).content.decode()
    assert '<html lang="cs">' in page and '<main id="main"' in page


# --- demo data -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bootstrap_prints_the_pairing_info_and_a_second_run_changes_nothing(settings):
    settings.QMSS_DATA_DIR = None
    out = io.StringIO()
    call_command("bootstrap", "--no-registry", stdout=out)
    text = out.getvalue()
    assert "JEN PRO UKÁZKOVÁ DATA / DEMO ONLY" in text
    assert demo_mfa.DEMO_TOTP_SECRET in text
    assert f"otpauth://totp/QMSS%3Ademo?secret={demo_mfa.DEMO_TOTP_SECRET}" in text
    must = {"spravce", "kraj", "kraj-admin", "ministerstvo", "redaktor", "auditor"}
    for username in must:
        assert re.search(rf"^\s+{re.escape(username)}\s+{demo_mfa.demo_recovery_code(username)}$", text, re.M)
    for username in ("poskytovatel", "editor", "obec", "lektor"):
        assert not TOTPDevice.objects.filter(user__username=username).exists()
    assert set(TOTPDevice.objects.values_list("user__username", flat=True)) == must
    assert set(TOTPDevice.objects.values_list("key", flat=True)) == {demo_mfa.DEMO_TOTP_KEY}

    devices = sorted(TOTPDevice.objects.values_list("pk", "key", "last_t"))
    tokens = sorted(StaticToken.objects.values_list("pk", "token"))
    again = io.StringIO()
    call_command("bootstrap", "--no-registry", stdout=again)
    assert sorted(TOTPDevice.objects.values_list("pk", "key", "last_t")) == devices
    assert sorted(StaticToken.objects.values_list("pk", "token")) == tokens
    assert demo_mfa.DEMO_TOTP_SECRET in again.getvalue()


@pytest.mark.django_db
def test_the_known_secret_is_never_given_to_a_real_account(settings):
    settings.QMSS_DATA_DIR = None
    from qmss.core.models import Membership, Organisation
    from qmss.setup.demo import load_demo
    from qmss.territory import synthetic

    synthetic.build_synthetic_territory()
    load_demo()
    real = Organisation.objects.create(kind=OrganisationKind.PROVIDER, name="Skutečný poskytovatel", is_demo=False)
    kraj = get_user_model().objects.get(username="kraj")
    Membership.objects.create(user=kraj, organisation=real, role=Role.READER)
    seeded = {account.username for account in demo_mfa.seed_demo_second_factor()}
    assert "kraj" not in seeded and "kraj-admin" in seeded
    assert not TOTPDevice.objects.filter(user=kraj).exists()


@pytest.mark.django_db
def test_a_demo_recovery_code_logs_in_without_an_app(settings):
    settings.QMSS_DATA_DIR = None
    from qmss.setup.demo import load_demo
    from qmss.territory import synthetic

    synthetic.build_synthetic_territory()
    load_demo()
    demo_mfa.seed_demo_second_factor()
    user = get_user_model().objects.get(username="kraj")
    client = _login(user)
    assert client.post(VERIFY, {"code": demo_mfa.demo_recovery_code("kraj")}).status_code == 302
    assert client.get("/").status_code == 200
    used = {a.username: a.recovery_code for a in demo_mfa.seed_demo_second_factor()}
    assert used["kraj"] is None, "a used code is reported as used, not re-created"
