"""Reads of the reports part, scoped through :class:`~qmss.core.scoping.Scope` and
:mod:`qmss.portal.permissions`: a report is seen only by the staff of the regional authority of its region
(and superusers)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from qmss.core.history import HistoryEntry, redacted_entries
from qmss.core.models import Membership
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.core.selectors import object_history
from qmss.portal import permissions
from qmss.portal.models import UnregisteredReport

State = UnregisteredReport.State
OPEN_STATES = (State.RECEIVED, State.CHECKING)


def inbox(scope: Scope, *, state: str | None = None) -> QuerySet[UnregisteredReport]:
    """The reports of the regions whose inbox the user reads, newest first (``state`` filters)."""
    reports = UnregisteredReport.objects.select_related("region", "municipality", "handled_by")
    if not scope.is_superuser:
        reports = reports.filter(region_id__in=permissions.report_region_ids(scope))
    if state in State.values:
        reports = reports.filter(state=state)
    return reports.order_by("-created_at", "-pk")


def has_inbox(scope: Scope) -> bool:
    return scope.is_superuser or bool(permissions.report_region_ids(scope))


def report_for(scope: Scope, report_pk: int) -> UnregisteredReport:
    """One report of the user's inbox (404 otherwise)."""
    return get_object_or_404_scoped(inbox(scope), pk=report_pk)


def state_counts(scope: Scope) -> dict[str, int]:
    rows = inbox(scope).order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def open_counts(region_ids) -> dict[int, int]:
    """Open (received or being checked) reports per region, in one query."""
    rows = (
        UnregisteredReport.objects.filter(region_id__in=set(region_ids), state__in=OPEN_STATES)
        .order_by()
        .values("region_id")
        .annotate(n=Count("pk"))
    )
    return {row["region_id"]: row["n"] for row in rows}


def inbox_recipients(region_id: int) -> list[str]:
    """E-mail addresses of the active members of the region's regional authority (any role)."""
    emails = (
        Membership.objects.filter(
            organisation__kind=OrganisationKind.REGION, organisation__region_id=region_id, user__is_active=True
        )
        .exclude(Q(user__email="") | Q(user__email__isnull=True))
        .values_list("user__email", flat=True)
        .distinct()
    )
    return sorted(set(emails))


def history(scope: Scope, report: UnregisteredReport) -> list[HistoryEntry]:
    """The report's audit history as the user may see it (oldest first); the contact is never logged."""
    entries = object_history(report).order_by("timestamp", "pk")
    return redacted_entries(scope, entries)
