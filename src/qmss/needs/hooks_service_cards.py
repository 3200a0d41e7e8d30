"""Service cards on other apps' pages (registered through :func:`qmss.needs.registration.part`):

- ``registry_service_sections`` – the registry's page of a service: its card state and its comparison with the
  kind's minimum form, only for the provider itself (members of the verified organisation) and the staff of the
  service's regions (and superusers); the public and everybody else see nothing from here;
- ``service_workspace_sections`` – the same on the provider's service workspace ("Moje služby");
- ``dashboard_sections`` – "Karty služeb" in every provider panel: the services whose card for the current year
  is still to be filled in or confirmed (one query set for all panels); a short way in for region panels.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from qmss.core import hooks
from qmss.core.dashboard import Section
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope
from qmss.needs import minimum
from qmss.needs import selectors_service_cards as selectors
from qmss.needs.models import ServiceCard
from qmss.needs.registration import part
from qmss.registry.selectors_links import linked_organisation


def _service_context(scope: Scope, service) -> dict | None:
    """What the sections show of ``service`` to this user, or None when the user may see nothing of it."""
    if not scope.is_authenticated:
        return None
    organisation = linked_organisation(service.provider)
    member = organisation is not None and scope.has_perm(Perm.VIEW, organisation.pk)
    region_staff = bool(scope.region_ids(Perm.VIEW) & selectors.service_region_ids(service))
    if not (scope.is_superuser or member or region_staff):
        return None
    year = selectors.current_year()
    cards = ServiceCard.objects.filter(service=service, year__lte=year + 1).order_by("-year")
    if not scope.is_superuser and not region_staff:
        cards = cards.filter(organisation=organisation)
    latest = cards.only("pk", "year", "state", "confirmed_at").first()
    shown_year = latest.year if latest is not None else year
    return {
        "service": service,
        "organisation": organisation,
        "member": member,
        "can_edit": organisation is not None and scope.has_perm(Perm.EDIT, organisation.pk),
        "latest": latest,
        "year": shown_year,
        "comparison": minimum.comparison(service, year=shown_year),
    }


def registry_service_sections(request, scope: Scope, service) -> list[str]:
    context = _service_context(scope, service)
    if context is None:
        return []
    return [render_to_string("needs/service_cards/_service_section.html", context, request=request)]


def service_workspace_sections(request, scope: Scope, service, organisation) -> list[Section]:
    context = _service_context(scope, service)
    if context is None:
        return []
    return [Section(key="needs.service_card", template="needs/service_cards/_workspace_section.html",
                    context=context, order=45)]  # fmt: skip


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    provider_panels = [p for p in panels if p.membership.organisation.kind == OrganisationKind.PROVIDER]
    region_panels = [p for p in panels if p.membership.organisation.kind == OrganisationKind.REGION]
    sections = []
    year = selectors.current_year()
    if provider_panels:
        states = selectors.dashboard_cards({p.membership.organisation_id for p in provider_panels}, year)
        for panel in provider_panels:
            organisation = panel.membership.organisation
            sections.append(
                Section(
                    key="needs.service_cards",
                    template="needs/service_cards/dashboard_provider.html",
                    context={
                        "organisation": organisation,
                        "year": year,
                        "states": states.get(organisation.pk),
                        "can_edit": Perm.EDIT in panel.perms,
                    },
                    membership_id=panel.membership.pk,
                    order=45,
                )
            )
    for panel in region_panels:
        region = panel.membership.organisation.region
        if region is None:
            continue
        sections.append(
            Section(
                key="needs.minimum_form",
                template="needs/service_cards/dashboard_region.html",
                context={"region": region},
                membership_id=panel.membership.pk,
                order=85,
            )
        )
    return sections


@part
def register_service_cards() -> None:
    hooks.register("registry_service_sections", registry_service_sections)
    hooks.register("service_workspace_sections", service_workspace_sections)
    hooks.register("dashboard_sections", dashboard_sections)
