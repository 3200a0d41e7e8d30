"""Home dashboard, health check and error pages."""

from __future__ import annotations

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from qmss import __version__
from qmss.core import hooks


def home(request: HttpRequest):
    from qmss.core.dashboard import build_panels, collect_sections, system_figures
    from qmss.core.scoping import get_scope

    context: dict = {}
    if request.user.is_authenticated:
        scope = get_scope(request)
        context["panels"] = build_panels(scope, request.user)
        context["top_sections"] = collect_sections(request, scope, context["panels"])
        if scope.is_superuser:
            context["system"] = system_figures()
    # the portal's sections, already rendered by its templates
    context["public_sections"] = [
        html for answer in hooks.call_all("public_home_sections", request) for html in answer or ()
    ]
    return render(request, "core/home.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {
                "status": "error",
                "database": "unreachable",
                "detail": exc.__class__.__name__,
                "version": __version__,
            },
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor, "version": __version__})


def _error(template: str, status: int):
    def view(request: HttpRequest, exception: Exception | None = None):
        return render(request, template, {}, status=status)

    return view


bad_request = _error("errors/400.html", 400)
permission_denied = _error("errors/403.html", 403)
page_not_found = _error("errors/404.html", 404)


def server_error(request: HttpRequest):
    # Rendered without context processors: the database may be the reason we are here.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("errors/500.html").render({}))
