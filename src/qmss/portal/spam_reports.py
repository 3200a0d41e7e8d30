"""Spam protection of the public report form, without any third-party service.

- a **honeypot** field hidden from people (a bot fills it in);
- a **signed timestamp token** (``django.core.signing``) issued with the form and bound to the browser's CSRF
  cookie: a form sent back sooner than ``MIN_SECONDS`` or later than ``MAX_SECONDS`` after it was issued, or by
  another browser (a replayed token), is refused;
- a **per-address throttle** (:func:`qmss.core.throttle.allow`): at most ``THROTTLE_LIMIT`` reports an hour;
- bounded field lengths (the form) and at most ``MAX_LINKS`` links in the texts.

Each check raises :class:`Refusal` with a Czech message; the view then writes nothing.
"""

from __future__ import annotations

import hashlib
import re
import time

from django.core import signing
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _

from qmss.core import throttle

SALT = "qmss.portal.reports.form"
MIN_SECONDS = 3
MAX_SECONDS = 2 * 60 * 60
MAX_LINKS = 2
THROTTLE_SCOPE = "portal-report"
THROTTLE_LIMIT = 5
THROTTLE_WINDOW = 60 * 60
HONEYPOT_FIELD = "web"
TOKEN_FIELD = "kontrola"
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


class Refusal(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def now() -> float:
    """The clock of the token (tests move it instead of sleeping)."""
    return time.time()


def _browser(request) -> str:
    secret = request.META.get("CSRF_COOKIE") or ""
    return hashlib.sha256(f"{SALT}:{secret}".encode()).hexdigest()[:20] if secret else ""


def issue_token(request) -> str:
    get_token(request)  # makes sure the browser gets a CSRF cookie the token is bound to
    return signing.dumps({"t": int(now()), "b": _browser(request)}, salt=SALT)


def check_honeypot(data) -> None:
    if (data.get(HONEYPOT_FIELD) or "").strip():
        raise Refusal(_("The report could not be sent. Please try again later or contact the regional authority."))


def check_token(request, token: str | None) -> None:
    try:
        data = signing.loads(token or "", salt=SALT)
        issued = int(data["t"])
        browser = str(data["b"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Refusal(_("The form has expired or is not valid. Check your details and send the form again.")) from None
    age = now() - issued
    if not browser or browser != _browser(request):
        raise Refusal(_("The form has expired or is not valid. Check your details and send the form again."))
    if age < MIN_SECONDS:
        raise Refusal(_("The form was sent too quickly. Check your details and send it again."))
    if age > MAX_SECONDS:
        raise Refusal(_("The form was open for more than two hours. Check your details and send it again."))


def count_links(*texts: str) -> int:
    return sum(len(_LINK.findall(text or "")) for text in texts)


def check_throttle(request) -> None:
    if not throttle.allow(
        THROTTLE_SCOPE, throttle.client_ip(request), limit=THROTTLE_LIMIT, window_seconds=THROTTLE_WINDOW
    ):
        raise Refusal(_("Too many reports were sent from your connection. Please try again in an hour."), status=429)
