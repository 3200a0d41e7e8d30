"""Registrations of the reports part (called from ``PortalConfig.ready`` through :mod:`qmss.portal.registration`):

- the audit log records reports without the reporter's contact (personal data stays out of the log);
- the contact fields are declared confidential (:mod:`qmss.core.confidential`): only the handlers of the
  report's region (``can_handle_report``) see them; the report itself only its region's staff;
- the report's history page is open to its region's staff (:mod:`qmss.core.history`);
- core hook ``dashboard_sections``: the panel of a regional authority's member counts the open reports;
- core hook ``registration_check_sections``: the public registration check shows the warning signs and the way
  to report (a short box when the service was found).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from qmss.core import confidential, hooks
from qmss.core import history as core_history
from qmss.core.dashboard import Section
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.portal import permissions
from qmss.portal import selectors_reports as selectors
from qmss.portal.models.reports import CONTACT_FIELDS, UnregisteredReport
from qmss.portal.registration import part
from qmss.portal.warning_signs import warning_signs

ORDER = 60


class _RegionOf:
    """What the permission functions need of a report (``region_id``), from the report or its log entry."""

    def __init__(self, region_id) -> None:
        self.region_id = region_id


def _target(target) -> _RegionOf:
    if isinstance(target, UnregisteredReport):
        return _RegionOf(target.region_id)
    region_id = (getattr(target, "additional_data", None) or {}).get("region_id")
    return _RegionOf(region_id if isinstance(region_id, int) else None)


def may_see_report(scope: Scope, target) -> bool:
    return permissions.can_see_report(scope, _target(target))


def may_see_contact(scope: Scope, target) -> bool:
    return permissions.can_handle_report(scope, _target(target))


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    regions = permissions.report_region_ids(scope)
    chosen = [
        p
        for p in panels
        if p.membership.organisation.kind == OrganisationKind.REGION and p.membership.organisation.region_id in regions
    ]
    if not chosen:
        return []
    counts = selectors.open_counts({p.membership.organisation.region_id for p in chosen})
    return [
        Section(
            key="portal-reports",
            template="portal/reports/dashboard_section.html",
            membership_id=panel.membership.pk,
            order=ORDER,
            context={"open": counts.get(panel.membership.organisation.region_id, 0)},
        )
        for panel in chosen
    ]


def registration_check_sections(request, query: str, found: bool) -> list[str]:
    context = {"query": query, "found": found, "signs": warning_signs().signs}
    return [render_to_string("portal/reports/_check_section.html", context, request=request)]


@part
def register_reports() -> None:
    from auditlog.registry import auditlog

    auditlog.register(UnregisteredReport, exclude_fields=list(CONTACT_FIELDS))
    confidential.register(UnregisteredReport, row=may_see_report, fields=dict.fromkeys(CONTACT_FIELDS, may_see_contact))
    core_history.register(UnregisteredReport, lambda scope: selectors.inbox(scope))
    hooks.register("dashboard_sections", dashboard_sections)
    hooks.register("registration_check_sections", registration_check_sections)
