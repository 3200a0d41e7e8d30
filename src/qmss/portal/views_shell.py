"""Views of the portal's shell: display modes (a cookie, no session), easy-read hub and pages, accessibility.

All public: no login, no session writes; the display form works without JavaScript (POST, then a redirect to
the page the visitor came from when it is a local path)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_cookie

from qmss.portal import display
from qmss.portal import easy_read as easy_read_lib
from qmss.portal.forms_shell import DisplayForm

PUBLIC_CACHE = cache_control(max_age=600, public=True)


@never_cache
@require_http_methods(["GET", "POST"])
def display_settings(request: HttpRequest) -> HttpResponse:
    current = display.from_request(request)
    source = request.POST if request.method == "POST" else request.GET
    back_url = display.safe_next(request, source.get("next"))
    if request.method == "POST":
        form = DisplayForm(request.POST)
        if form.is_valid():
            target = back_url or reverse("portal:display") + "?ulozeno=1"
            return display.save(redirect(target), form.display())
    else:
        form = DisplayForm(initial={"contrast": current.contrast, "size": current.size, "next": back_url or ""})
    context = {"form": form, "back_url": back_url, "saved": request.GET.get("ulozeno") == "1", "public_page": True}
    return render(request, "portal/shell/display.html", context)


@require_GET
@PUBLIC_CACHE
@vary_on_cookie
def easy_read(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/shell/easy_read.html", {"topics": easy_read_lib.topics(), "public_page": True})


@require_GET
@PUBLIC_CACHE
@vary_on_cookie
def easy_read_page(request: HttpRequest, topic: str) -> HttpResponse:
    found = easy_read_lib.topic(topic)
    if found is None:
        raise Http404
    topics = easy_read_lib.topics()
    index = topics.index(found)
    return render(
        request,
        "portal/shell/easy_read_page.html",
        {
            "topic": found,
            "previous": topics[index - 1] if index else None,
            "following": topics[index + 1] if index + 1 < len(topics) else None,
            "public_page": True,
        },
    )


@require_GET
@PUBLIC_CACHE
@vary_on_cookie
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/shell/accessibility.html", {"public_page": True})
