"""Writes of the second factor: add the authenticator, (re)issue recovery codes, turn the second factor off,
check a code. Each write is an ``@action`` (atomic); adding and removing devices is recorded in the audit log with
the user as actor
(never the secret or the codes, see ``mfa.register_audit``)."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qmss.core import mfa
from qmss.core.audit import action
from qmss.core.error_codes import CoreErrorCode
from qmss.core.scoping import Scope

# Recovery codes: 10 characters from an alphabet without look-alikes (no 0/o, 1/l/i), shown as "xxxxx-xxxxx".
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_totp_key() -> str:
    """A fresh 20-byte TOTP secret, hex-encoded as django-otp stores it."""
    return secrets.token_hex(20)


def totp_code_matches(*, hex_key: str, code: str) -> bool:
    """Check a code against a secret that is not saved yet (while setting up the authenticator)."""
    code = mfa.normalise_code(code)
    if not code.isdigit():
        return False
    return TOTP(bytes.fromhex(hex_key)).verify(int(code), tolerance=1)


def format_recovery_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


@action
def add_authenticator(*, user, hex_key: str, code: str) -> TOTPDevice:
    """Save the authenticator the user has just paired, once they prove it with a current code."""
    if mfa.totp_device(user) is not None:
        raise ValidationError(
            _("An authenticator is already set up for this account."), code=CoreErrorCode.AUTHENTICATOR_EXISTS.value
        )
    if not totp_code_matches(hex_key=hex_key, code=code):
        raise ValidationError(
            _("The code is not valid. Check the time on your phone and enter the current code."),
            code=CoreErrorCode.INVALID_CODE.value,
        )
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice(user=user, name=mfa.TOTP_DEVICE_NAME, key=hex_key, confirmed=True)
    # The code just used may not be used again to log in (django-otp accepts only later time steps).
    totp = TOTP(device.bin_key)
    device.last_t = totp.t()
    device.save()
    return device


def _new_recovery_code() -> str:
    while True:
        code = "".join(secrets.choice(_RECOVERY_ALPHABET) for _i in range(10))
        if not code.isdigit():  # all digits would be taken for an authenticator code
            return code


@action
def issue_recovery_codes(*, user, codes: list[str] | None = None) -> list[str]:
    """Replace the user's recovery codes with new ones; returns them (formatted) to be shown once."""
    if codes is None:
        codes = [_new_recovery_code() for _n in range(mfa.RECOVERY_CODE_COUNT)]
    device = StaticDevice.objects.filter(user=user, name=mfa.RECOVERY_DEVICE_NAME).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=mfa.RECOVERY_DEVICE_NAME, confirmed=True)
    device.token_set.all().delete()
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return [format_recovery_code(code) for code in codes]


@action
def disable_second_factor(*, user, scope: Scope) -> None:
    """Remove every device of a user who is not required to use the second factor."""
    if mfa.must_use_second_factor(scope):
        raise PermissionDenied
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()


def verify_code(*, user, code: str):
    """The user's device that accepts ``code`` (authenticator code or unused recovery code), or None.

    Each device is checked on its own through django-otp, which throttles repeated failures and consumes a
    recovery code on use; an authenticator code is accepted only once."""
    from django_otp import verify_token

    code = mfa.normalise_code(code)
    if not code or len(code) > 16:
        return None
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, TOTPDevice) and not code.isdigit():
            continue
        if isinstance(device, StaticDevice) and code.isdigit():
            continue
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def throttled(user) -> bool:
    """True while django-otp makes the user wait after wrong codes."""
    return any(not device.verify_is_allowed()[0] for device in devices_for_user(user, confirmed=True))
