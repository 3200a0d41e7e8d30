"""Help (Nápověda): a short page per role describing its main journeys, with links to the real pages.

The texts are templates per language (``core/help/<language>/<slug>.html``; Czech is the fallback), because a
journey reads better as a whole page than as dozens of separate messages. The index highlights the roles of the
user's memberships; the dashboard links them through the ``dashboard_sections`` hook (``help_section``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import select_template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.core import selectors
from qmss.core.roles import OrganisationKind, Role
from qmss.core.scoping import Scope, get_scope

ANY_ROLE = None


@dataclass(frozen=True)
class HelpRole:
    slug: str
    title: Promise
    summary: Promise
    kind: str | None  # organisation kind whose members it is for; None for the public
    roles: frozenset[str] | None = ANY_ROLE  # the membership roles (None: every role of the kind)

    def fits(self, kind: str, role: str) -> bool:
        return self.kind == kind and (self.roles is None or role in self.roles)

    @property
    def url(self) -> str:
        return reverse("help_role", kwargs={"role_slug": self.slug})


HELP_ROLES: tuple[HelpRole, ...] = (
    HelpRole(
        "poskytovatel-spravce",
        gettext_lazy("Provider – administrator"),
        gettext_lazy("Team and registry link, self-assessment, readiness and the development plan."),
        OrganisationKind.PROVIDER,
        frozenset({Role.ADMIN}),
    ),
    HelpRole(
        "poskytovatel-editor",
        gettext_lazy("Provider – editor"),
        gettext_lazy("Self-assessment criterion by criterion, evidence, readiness and plan actions."),
        OrganisationKind.PROVIDER,
        frozenset({Role.EDITOR}),
    ),
    HelpRole(
        "poskytovatel-ctenar",
        gettext_lazy("Provider – reader"),
        gettext_lazy("Where to read the results, readiness and plans of your organisation."),
        OrganisationKind.PROVIDER,
        frozenset({Role.READER}),
    ),
    HelpRole(
        "auditor",
        gettext_lazy("Auditor"),
        gettext_lazy("From an assigned audit to its results and publication, complete or partial."),
        OrganisationKind.AUDIT_BODY,
    ),
    HelpRole(
        "kraj",
        gettext_lazy("Regional authority – network manager and administrator"),
        gettext_lazy("The catalogue of services with capacity totals, ORP pages, exports and audits."),
        OrganisationKind.REGION,
    ),
    HelpRole(
        "obec",
        gettext_lazy("Municipality"),
        gettext_lazy("Services in your municipality and your ORP, with their capacities."),
        OrganisationKind.MUNICIPALITY,
    ),
    HelpRole(
        "ministerstvo",
        gettext_lazy("Ministry"),
        gettext_lazy("The national overview by region, the catalogue and exports."),
        OrganisationKind.MINISTRY,
    ),
    HelpRole(
        "vzdelavatel",
        gettext_lazy("Training provider"),
        gettext_lazy("Your organisation's page and team."),
        OrganisationKind.TRAINING_PROVIDER,
    ),
    HelpRole(
        "verejnost",
        gettext_lazy("Public"),
        gettext_lazy("Check whether a social service is registered, by the name of the home or its provider."),
        None,
    ),
)
BY_SLUG = {role.slug: role for role in HELP_ROLES}


def roles_of(scope: Scope) -> list[HelpRole]:
    """The help roles of the user's memberships, in the order of ``HELP_ROLES``."""
    pairs = {(grant.organisation_kind, grant.role) for grant in scope.grants}
    return [role for role in HELP_ROLES if any(role.fits(kind, member_role) for kind, member_role in pairs)]


def _organisation_for(scope: Scope, role: HelpRole):
    """The user's own organisation this role's links point to (None when the user has none of that kind)."""
    if role.kind is None or not scope.is_authenticated:
        return None
    ids = [g.organisation_id for g in scope.grants if role.fits(g.organisation_kind, g.role)]
    if not ids:
        return None
    return (
        selectors.visible_organisations(scope)
        .filter(pk__in=ids)
        .select_related("region", "municipality", "municipality__orp")
        .order_by("name", "pk")
        .first()
    )


@require_safe
def help_index(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    mine = roles_of(scope)
    others = [role for role in HELP_ROLES if role not in mine]
    context = {"mine": mine, "others": others, "crumbs": [(_("Help"), None)]}
    return render(request, "core/help/index.html", context)


@require_safe
def help_role(request: HttpRequest, role_slug: str) -> HttpResponse:
    role = BY_SLUG.get(role_slug)
    if role is None:
        raise Http404
    scope = get_scope(request)
    org = _organisation_for(scope, role)
    language = (get_language() or "cs").split("-")[0]
    body = select_template([f"core/help/{language}/{role.slug}.html", f"core/help/cs/{role.slug}.html"])
    context = {
        "role": role,
        "org": org,
        "org_perms": scope.perms_in(org.pk) if org is not None else frozenset(),
        "is_mine": role in roles_of(scope),
        "body_template": body.template.name,
        "crumbs": [(_("Help"), reverse("help")), (role.title, None)],
    }
    return render(request, "core/help/role.html", context)


def help_section(request, scope: Scope, panels) -> list:
    """The dashboard's top section "Help for your roles" (the ``dashboard_sections`` hook)."""
    from qmss.core.dashboard import Section

    if not scope.is_authenticated:
        return []
    return [
        Section(
            key="help",
            template="core/help/dashboard_section.html",
            context={"roles": roles_of(scope)},
            membership_id=None,
            order=900,
        )
    ]
