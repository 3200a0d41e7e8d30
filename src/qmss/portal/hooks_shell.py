"""The shell's hooks: the portal's sections of the home page (core ``public_home_sections``) and the display
mode and search-engine flags of every page (core ``context``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from qmss.portal import display, registration

# Quick situations on the home page: (label, the words sent to the finder – Czech, as a visitor would type them).
QUICK_SITUATIONS = (
    (_("Caring for a parent at home"), "potřebuji pomoc s péčí o maminku doma"),
    (_("Nowhere to live"), "nemám kde bydlet"),
    (_("A family member takes drugs"), "syn bere drogy"),
    (_("Debts and money trouble"), "mám dluhy a nevím si rady"),
    (_("Violence at home"), "doma mi ubližují"),
    (_("A child with a disability"), "dítě s postižením potřebuje pomoc"),
)

# Routes an anonymous visitor (and a search engine) may see and that are worth indexing.
INDEXED_NAMESPACES = frozenset({"portal", "territory"})
INDEXED_NAMES = frozenset({"home", "registration_check"})


def portal_home_sections(request: HttpRequest) -> list[str]:
    """The portal's part of the home page: the finder's search box, quick situations and the ways into the portal
    for anonymous visitors; a compact "for the public" box for logged-in users."""
    template = "portal/shell/home_public_box.html" if request.user.is_authenticated else "portal/shell/home.html"
    return [render_to_string(template, {"quick_situations": QUICK_SITUATIONS}, request=request)]


def shell_context(request: HttpRequest) -> dict:
    """Display classes of ``<html>`` (from the display cookie) and whether search engines may index the page."""
    current = display.from_request(request)
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    indexable = bool(
        match is not None
        and not (user is not None and user.is_authenticated)
        and (match.namespace in INDEXED_NAMESPACES or (not match.namespace and match.url_name in INDEXED_NAMES))
    )
    return {"display": current, "display_classes": current.css_classes, "seo_indexable": indexable}


@registration.part
def register_shell() -> None:
    from qmss.core import hooks

    hooks.register("public_home_sections", portal_home_sections)
    hooks.register("context", shell_context)
