"""Display modes of every page (high contrast, text size): one cookie, read on every request, no session.

The cookie holds ``<contrast>.<size>`` (e.g. ``high.large``); anything else is ignored (the defaults apply). The
core ``context`` hook (:mod:`qmss.portal.hooks_shell`) turns it into classes of ``<html>`` so the mode works
without JavaScript and persists on every page, public or not; ``static/css/portal-display.css`` styles them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

COOKIE = "qmss_display"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60  # one year
CONTRASTS = {"normal": _("Normal"), "high": _("High contrast")}
SIZES = {"normal": _("Normal text"), "large": _("Large text"), "largest": _("Largest text")}


@dataclass(frozen=True)
class Display:
    contrast: str = "normal"
    size: str = "normal"

    @property
    def is_default(self) -> bool:
        return self == DEFAULT

    @property
    def css_classes(self) -> str:
        """Classes of ``<html>``: none for the default display."""
        classes = []
        if self.contrast != "normal":
            classes.append(f"display-contrast-{self.contrast}")
        if self.size != "normal":
            classes.append(f"display-text-{self.size}")
        return " ".join(classes)

    def cookie_value(self) -> str:
        return f"{self.contrast}.{self.size}"


DEFAULT = Display()


def parse(value: str | None) -> Display:
    """The display stored in the cookie; the default for a missing, long or unknown value."""
    if not value or len(value) > 20:
        return DEFAULT
    contrast, _sep, size = value.partition(".")
    if contrast not in CONTRASTS or size not in SIZES:
        return DEFAULT
    return Display(contrast=contrast, size=size)


def from_request(request: HttpRequest) -> Display:
    return parse(request.COOKIES.get(COOKIE))


def save(response: HttpResponse, display: Display) -> HttpResponse:
    """Store the display for a year (the default display deletes the cookie)."""
    if display.is_default:
        response.delete_cookie(COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            COOKIE,
            display.cookie_value(),
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    """``candidate`` when it is a local path of this site (no other host or scheme, no header tricks); else None."""
    if not candidate or len(candidate) > 2000 or not candidate.startswith("/") or "\\" in candidate:
        return None
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None
