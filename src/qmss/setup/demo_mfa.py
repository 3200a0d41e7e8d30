"""The second factor of the demo logins: a KNOWN authenticator secret, for demo data only.

So that a reviewer can log in as the region, ministry, auditor or superuser demo account (which must use the
second factor) without guessing: every such demo account gets the same TOTP secret, printed by
``qmss bootstrap``, and one printed recovery code of its own. Only accounts of the demo list whose every
organisation is a demo organisation (``is_demo``) are touched, and only when they have no device yet, so a
second run changes nothing and a real account is never given a known secret.
"""

from __future__ import annotations

import hashlib
from base64 import b32decode
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qmss.core import mfa
from qmss.core.models import Membership
from qmss.core.scoping import Scope
from qmss.setup.demo import DEMO_USERS

# Demo only: published in the README and printed by `qmss bootstrap`. Never used for a non-demo account.
DEMO_TOTP_SECRET = "QMSSDEMOQMSSDEMOQMSSDEMOQMSSDEMO"
DEMO_TOTP_KEY = b32decode(DEMO_TOTP_SECRET).hex()
DEMO_EMAIL_DOMAIN = "@demo.qmss.test"


@dataclass(frozen=True)
class DemoSecondFactor:
    username: str
    recovery_code: str | None  # None when the printed code has been used up


def demo_recovery_code(username: str) -> str:
    """One fixed recovery code per demo account (10 letters, so never taken for an authenticator code)."""
    digest = hashlib.sha256(f"qmss-demo-recovery:{username}".encode()).digest()
    return "".join("abcdefghjkmnpqrstuvwxyz"[b % 23] for b in digest[:10])


def _demo_accounts():
    """Demo users whose memberships are all in demo organisations (the superuser: a demo e-mail, no orgs)."""
    usernames = [demo.username for demo in DEMO_USERS]
    users = get_user_model().objects.filter(username__in=usernames).order_by("username")
    for user in users:
        memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
        if memberships:
            if all(m.organisation.is_demo for m in memberships):
                yield user
        elif user.is_superuser and user.email == f"{user.username}{DEMO_EMAIL_DOMAIN}":
            yield user


def _needs_second_factor(user) -> bool:
    """The rule of ``mfa.must_use_second_factor``, regardless of QMSS_REQUIRE_2FA (demo data stays ready)."""
    return mfa.must_use_second_factor(Scope.for_user(user), whatever_the_setting=True)


@transaction.atomic
def seed_demo_second_factor() -> list[DemoSecondFactor]:
    """Give each demo account that must use the second factor the known secret and its recovery code, if it
    has no device yet. Returns every such account with its recovery code (None once used)."""
    seeded: list[DemoSecondFactor] = []
    for user in _demo_accounts():
        if not _needs_second_factor(user):
            continue
        code = demo_recovery_code(user.username)
        if not mfa.has_device(user):
            TOTPDevice.objects.create(user=user, name=mfa.TOTP_DEVICE_NAME, key=DEMO_TOTP_KEY, confirmed=True)
            device = StaticDevice.objects.create(user=user, name=mfa.RECOVERY_DEVICE_NAME, confirmed=True)
            StaticToken.objects.create(device=device, token=code)
        still_valid = StaticToken.objects.filter(device__user=user, token=code).exists()
        seeded.append(DemoSecondFactor(user.username, code if still_valid else None))
    return seeded


def demo_second_factor_text(accounts: list[DemoSecondFactor]) -> str:
    if not accounts:
        return ""
    uri = mfa.otpauth_uri(hex_key=DEMO_TOTP_KEY, label="demo")
    lines = [
        "Druhý faktor ukázkových účtů – JEN PRO UKÁZKOVÁ DATA / DEMO ONLY:",
        "  Druhý faktor (kód z aplikace) vyžadují: " + ", ".join(a.username for a in accounts),
        f"  Sdílený tajný klíč TOTP (base32), stejný pro všechny ukázkové účty: {DEMO_TOTP_SECRET}",
        f"  otpauth URI (pro aplikaci Authenticator): {uri}",
        "  Záložní kód na jedno použití (bez aplikace; po použití neplatí):",
    ]
    for account in accounts:
        shown = account.recovery_code or "(již použit)"
        lines.append(f"    {account.username:<14} {shown}")
    return "\n".join(lines)
