"""The second factor (django-otp): who must use it, what a session still owes, and reading the user's devices.

An authenticator app (TOTP device) plus one-time recovery codes (a static device). Writes live in
``actions_mfa``; pages in ``views_mfa``; the middleware that enforces it in ``middleware``.
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope, get_scope

# Accounts that see regional, national or audit data across providers must use the second factor.
SECOND_FACTOR_KINDS = frozenset({OrganisationKind.REGION, OrganisationKind.MINISTRY})
SECOND_FACTOR_ROLES = frozenset({Role.AUDITOR})

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"

# What the session of a logged-in user still owes (kept in the session, recomputed at every login).
SESSION_KEY = "qmss_second_factor"
STATE_NONE = "none"  # nothing: no device and not required
STATE_SETUP = "setup"  # required, but no device yet: set up the authenticator
STATE_VERIFY = "verify"  # has a device: enter a code


def must_use_second_factor(scope: Scope, *, whatever_the_setting: bool = False) -> bool:
    """THE rule of who must use the second factor: superusers, members of regional authorities and of the
    ministry, and auditors. Everybody else may turn it on (profile page). Off when ``QMSS_REQUIRE_2FA`` is off
    (unless ``whatever_the_setting``, used to prepare the demo accounts)."""
    if not (settings.QMSS_REQUIRE_2FA or whatever_the_setting) or not scope.is_authenticated:
        return False
    return scope.is_superuser or any(
        grant.organisation_kind in SECOND_FACTOR_KINDS or grant.role in SECOND_FACTOR_ROLES for grant in scope.grants
    )


def has_device(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def remaining_recovery_codes(user) -> int:
    device = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    return device.token_set.count() if device else 0


def compute_state(user, scope: Scope) -> str:
    if has_device(user):
        return STATE_VERIFY
    return STATE_SETUP if must_use_second_factor(scope) else STATE_NONE


def session_state(request) -> str:
    """What the current session still owes; computed once per login and kept in the session."""
    state = request.session.get(SESSION_KEY)
    if state not in (STATE_NONE, STATE_SETUP, STATE_VERIFY):
        state = compute_state(request.user, get_scope(request))
        request.session[SESSION_KEY] = state
    return state


def refresh_session_state(request) -> None:
    request.session.pop(SESSION_KEY, None)


@receiver(user_logged_in, dispatch_uid="qmss-second-factor-on-login")
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        refresh_session_state(request)


def base32_secret(hex_key: str) -> str:
    """The TOTP secret as authenticator apps want it typed: base32 without padding."""
    return b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")


def grouped(secret: str, size: int = 4) -> str:
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def otpauth_uri(*, hex_key: str, label: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code (issuer from ``OTP_TOTP_ISSUER``)."""
    issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
    params = urlencode(
        {"secret": base32_secret(hex_key), "algorithm": "SHA1", "digits": 6, "period": 30, "issuer": issuer},
        quote_via=quote,
    )
    return f"otpauth://totp/{quote(f'{issuer}:{label}')}?{params}"


def qr_svg(data: str, *, title: str) -> str:
    """The QR code of ``data`` as inline SVG; segno escapes the title and draws no inline styles."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(data, error="m").save(
        buffer,
        kind="svg",
        scale=5,
        border=4,
        xmldecl=False,
        svgns=True,
        svgclass="qr-code",
        lineclass=None,
        title=title,
    )
    return buffer.getvalue().decode().replace("<svg ", '<svg role="img" ', 1)


def normalise_code(code: str) -> str:
    """Codes as people type them: spaces and dashes dropped, lower case (recovery codes are lower case)."""
    return "".join(ch for ch in code.strip().lower() if ch not in " -")


def register_audit(auditlog) -> None:
    """Record in the audit log when a user adds or removes a device (never the secret or the codes)."""
    volatile = ["throttling_failure_timestamp", "throttling_failure_count", "last_used_at", "created_at"]
    auditlog.register(TOTPDevice, exclude_fields=["key", "last_t", "drift", *volatile])
    auditlog.register(StaticDevice, exclude_fields=volatile)
