"""Pages of the taxonomy part: the app's index (/potreby/), the needs taxonomy (public reference data), the
collection template (logged-in users) and the library versions with publishing (superusers)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from qmss.core.decorators import superuser_required
from qmss.core.formatting import format_datetime
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope, get_scope
from qmss.needs import actions_taxonomy, selectors_taxonomy


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Needs and data collection"), reverse("needs:index")), *items]


def _version_param(request) -> int | None:
    """``?verze=N`` as a whole number; a malformed value is a missing page, not an error."""
    raw = request.GET.get("verze", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 6:
        raise Http404
    return int(raw)


# ------------------------------------------------------------------------------------------------- index


@dataclass(frozen=True)
class IndexLink:
    names: tuple[str, ...]  # URL names of the part, the first that exists is used
    title: str
    text: str
    audience: str  # anyone / member / provider_or_region / region / superuser


INDEX_LINKS = (
    IndexLink(
        ("card_list", "card_index"),
        gettext_lazy("Kind cards"),
        gettext_lazy("Which needs each kind of service answers and how; the region consults them with providers."),
        "member",
    ),
    IndexLink(
        ("service_card_list_all", "service_card_index"),
        gettext_lazy("Service cards"),
        gettext_lazy("How each service responds to each need: by a basic activity, brokering or referral."),
        "provider_or_region",
    ),
    IndexLink(
        ("round_list", "rounds", "round_index"),
        gettext_lazy("Data collection"),
        gettext_lazy("Rounds of data collection run by the region: forms, submissions, completeness."),
        "provider_or_region",
    ),
    IndexLink(
        ("minimum_index",),
        gettext_lazy("Minimum form of services"),
        gettext_lazy("The needs every service of a kind should answer by its basic activities."),
        "region",
    ),
    IndexLink(
        ("indicator_list",),
        gettext_lazy("Quality indicators"),
        gettext_lazy("Definitions of the indicators computed from the collected data, and comparison of services."),
        "member",
    ),
    IndexLink(
        ("dashboard",),
        gettext_lazy("Evaluation for the region"),
        gettext_lazy("Completeness of rounds, indicators over time, services below the minimum form, outliers."),
        "region",
    ),
    IndexLink(
        ("taxonomy",),
        gettext_lazy("Needs taxonomy"),
        gettext_lazy("Areas of everyday-life needs and the needs in them, in plain language."),
        "anyone",
    ),
    IndexLink(
        ("template_detail",),
        gettext_lazy("Collection template"),
        gettext_lazy("What the providers report, how the figures are checked and which indicators are computed."),
        "member",
    ),
    IndexLink(
        ("library_list",),
        gettext_lazy("Library versions"),
        gettext_lazy("Loaded versions of the taxonomy and the collection template; publishing a new version."),
        "superuser",
    ),
)


def _audience_ok(audience: str, scope: Scope) -> bool:
    if scope.is_superuser or audience == "anyone":
        return True
    if audience == "superuser" or not scope.is_authenticated:
        return False
    region = bool(scope.region_ids())
    if audience == "region":
        return region
    if audience == "provider_or_region":
        return region or OrganisationKind.PROVIDER in scope.kinds()
    return True  # member: any logged-in user


def index_links(scope: Scope) -> list[tuple[str, str, str]]:
    """(title, text, url) of the parts this user may use; parts not built (no such URL name) are skipped."""
    links = []
    for link in INDEX_LINKS:
        if not _audience_ok(link.audience, scope):
            continue
        for name in link.names:
            try:
                url = reverse(f"needs:{name}")
            except NoReverseMatch:
                continue
            links.append((str(link.title), str(link.text), url))
            break
    return links


@require_safe
def index(request):
    scope = get_scope(request)
    context = {"links": index_links(scope), "crumbs": [(_("Needs and data collection"), None)]}
    return render(request, "needs/taxonomy/index.html", context)


# ---------------------------------------------------------------------------------------------- taxonomy


@require_safe
def taxonomy(request):
    version = _version_param(request)
    shown = selectors_taxonomy.taxonomy_version(version)
    if shown is None and version is not None:
        raise Http404
    current = selectors_taxonomy.taxonomy_version()
    context = {
        "taxonomy": shown,
        "is_current": shown is not None and current is not None and shown.pk == current.pk,
        "areas": selectors_taxonomy.taxonomy_areas(shown) if shown else [],
        "versions": list(selectors_taxonomy.published_taxonomies()),
        "crumbs": _crumbs((_("Needs taxonomy"), None)),
    }
    return render(request, "needs/taxonomy/taxonomy.html", context)


@login_required
@require_safe
def template_detail(request):
    version = _version_param(request)
    shown = selectors_taxonomy.template_version(version)
    if shown is None and version is not None:
        raise Http404
    context = {
        "content": selectors_taxonomy.template_content(shown) if shown else None,
        "versions": list(selectors_taxonomy.published_templates()),
        "crumbs": _crumbs((_("Collection template"), None)),
    }
    return render(request, "needs/taxonomy/template.html", context)


# --------------------------------------------------------------------------------------------- libraries


@superuser_required
@require_safe
def library_list(request):
    context = {
        "rows": selectors_taxonomy.library_versions(),
        "crumbs": _crumbs((_("Library versions"), None)),
    }
    return render(request, "needs/taxonomy/libraries.html", context)


@superuser_required
@require_http_methods(["GET", "POST"])
def library_publish(request, library_kind: str, library_pk: int):
    """GET: the confirmation page; POST with ``confirm``: publish the waiting version."""
    version = selectors_taxonomy.get_library_version(library_kind, library_pk)
    if version is None:
        raise Http404
    back = reverse("needs:library_list")
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            actions_taxonomy.publish_version(user=request.user, version=version)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Version {version} of “{title}” is published.").format(version=version.version, title=version.title),
            )
        return redirect(back)
    published = version.published_at is not None
    context = {
        "title": _("Publish version {version} of “{title}”?").format(version=version.version, title=version.title),
        "crumbs": _crumbs((_("Library versions"), back), (_("Publish"), None)),
        "intro": _(
            "New rounds and kind cards will use this version. Rounds and cards already started keep the version "
            "they were made with."
        ),
        "summary": [
            (_("Library"), version.urn),
            (_("Version"), str(version.version)),
            (_("Loaded"), format_datetime(version.loaded_at)),
            (_("Source"), version.source),
        ],
        "warning": _("This version has already been published.")
        if published
        else _("Publishing cannot be undone; a correction needs another version."),
        "confirm_label": _("Publish"),
        "confirm_style": "primary",
        "cancel_url": back,
    }
    return render(request, "core/confirm.html", context)
