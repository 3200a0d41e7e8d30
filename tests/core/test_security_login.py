"""Login protection: lock-out after repeated failures (login page and /admin/), throttled password reset."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from qmss.core import throttle
from qmss.testing.factories import TEST_PASSWORD, make_user

LOGIN = "/ucet/prihlaseni/"
ADMIN_LOGIN = "/admin/login/"
RESET = "/ucet/obnova-hesla/"


@pytest.fixture(autouse=True)
def _protection_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def _cs(message: str) -> str:
    """The Czech text of a message (as the page shows it once the catalogue has it; English until then)."""
    with translation.override("cs"):
        return gettext(message)


def _cs_minutes(minutes: int) -> str:
    with translation.override("cs"):
        return ngettext("Try again in %(minutes)s minute.", "Try again in %(minutes)s minutes.", minutes) % {
            "minutes": minutes
        }


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _hammer(client: Client, url: str, username: str, times: int = 30) -> list[int]:
    return [client.post(url, {"username": username, "password": f"spatne-{i}"}).status_code for i in range(times)]


@pytest.mark.django_db
def test_thirty_wrong_passwords_then_the_right_one_is_refused_on_the_login_page():
    user = make_user("obet")
    client = Client()
    statuses = _hammer(client, LOGIN, user.username)
    assert statuses[:4] == [200] * 4, "the first failures show the form again"
    assert set(statuses[4:]) == {429}, "the fifth failure locks, and every later attempt is refused"

    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert not _logged_in(client)
    text = response.content.decode()
    assert _cs("Too many attempts") in text
    assert _cs_minutes(15) in text
    assert '<main id="main"' in text, "a proper page of the site, not a bare text"

    # Another address does not help: the user name itself is locked.
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD}).status_code == 429
    assert not _logged_in(other)


@pytest.mark.django_db
def test_a_colleague_at_the_same_address_is_not_locked_out():
    """One person's typos behind an office NAT must not lock out everybody else at that address."""
    clumsy, colleague = make_user("nesikovny"), make_user("kolega")
    client = Client(REMOTE_ADDR="10.20.30.40")
    assert set(_hammer(client, LOGIN, clumsy.username)[4:]) == {429}
    other = Client(REMOTE_ADDR="10.20.30.40")
    assert other.post(LOGIN, {"username": colleague.username, "password": TEST_PASSWORD}).status_code == 302
    assert _logged_in(other)


@pytest.mark.django_db
def test_the_lock_ends_after_the_cool_off():
    from axes.models import AccessAttempt

    user = make_user("trpelivy")
    client = Client()
    _hammer(client, LOGIN, user.username, times=6)
    assert client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD}).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert _logged_in(client)


@pytest.mark.django_db
def test_a_few_mistakes_do_not_lock(settings):
    user = make_user("preklep")
    client = Client()
    _hammer(client, LOGIN, user.username, times=4)
    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302 and _logged_in(client)


@pytest.mark.django_db
def test_thirty_wrong_passwords_then_the_right_one_is_refused_on_admin():
    admin = get_user_model().objects.create_superuser("spravce-test", "s@example.test", TEST_PASSWORD)
    client = Client()
    statuses = _hammer(client, ADMIN_LOGIN, admin.username)
    assert statuses[:4] == [200] * 4 and set(statuses[4:]) == {429}
    response = client.post(ADMIN_LOGIN, {"username": admin.username, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert not _logged_in(client)


@pytest.mark.django_db
def test_password_reset_is_throttled_per_email(settings, django_capture_on_commit_callbacks):
    settings.QMSS_RESET_LIMIT_PER_EMAIL = 3
    user = make_user("zapomnetlivy")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post(RESET, {"email": user.email}).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    # From another address too: the limit is per e-mail.
    assert Client(REMOTE_ADDR="10.9.9.9").post(RESET, {"email": user.email.upper()}).status_code == 429
    response = client.post(RESET, {"email": user.email})
    assert (
        _cs(
            "Too many requests to reset a password came from here or for this e-mail address. For your security, "
            "try again later."
        )
        in response.content.decode()
    )


@pytest.mark.django_db
def test_password_reset_is_throttled_per_address_whether_or_not_the_account_exists(settings):
    settings.QMSS_RESET_LIMIT_PER_IP = 10
    client = Client()
    statuses = [client.post(RESET, {"email": f"nikdo{i}@example.test"}).status_code for i in range(12)]
    assert statuses == [302] * 10 + [429, 429]
    assert Client(REMOTE_ADDR="10.0.0.7").post(RESET, {"email": "nikdo@example.test"}).status_code == 302


def test_allow_counts_within_the_window_and_forgets_after(settings):
    caches["throttle"].clear()
    assert [throttle.allow("t", "a@b.cz", limit=2, window_seconds=60) for _ in range(3)] == [True, True, False]
    assert throttle.allow("t", "jiny@b.cz", limit=2, window_seconds=60), "another value has its own counter"
    assert throttle.allow("jiny-ucel", "a@b.cz", limit=2, window_seconds=60), "another scope has its own counter"
    throttle.reset("t", "a@b.cz")
    assert throttle.allow("t", "A@B.CZ ", limit=2, window_seconds=60), "values are compared case-insensitively"


def test_client_ip_trusts_forwarded_for_only_behind_our_proxy(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2")
    settings.SECURE_PROXY_SSL_HEADER = None
    assert throttle.client_ip(request) == "10.0.0.1"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert throttle.client_ip(request) == "2.2.2.2", "the hop our proxy appended, not the client's own claim"
