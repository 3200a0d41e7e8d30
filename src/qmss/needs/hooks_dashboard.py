"""The evaluation's section on the home dashboard of regional authority staff: the latest round's completeness
and the way to the region evaluation dashboard. Two queries for any number of regional panels."""

from __future__ import annotations

from django.db.models import Count, Q

from qmss.core import hooks
from qmss.core.dashboard import Section, regional_panels
from qmss.core.scoping import Scope
from qmss.needs.models import CollectionRound, Submission
from qmss.needs.registration import part

ORDER = 40


def latest_rounds(region_ids) -> dict[int, dict]:
    """Region pk → the newest opened or closed round with its counts (services, submitted, approved)."""
    rounds = (
        CollectionRound.objects.filter(
            region_id__in=region_ids, state__in=(CollectionRound.State.OPEN, CollectionRound.State.CLOSED)
        )
        .order_by("region_id", "-period_end", "-pk")
        .only("pk", "name", "region_id", "period_end", "state", "deadline")
    )
    latest: dict[int, CollectionRound] = {}
    for round_ in rounds:
        latest.setdefault(round_.region_id, round_)
    if not latest:
        return {}
    done = (Submission.State.SUBMITTED, Submission.State.APPROVED)
    counts = {
        row["round_id"]: row
        for row in Submission.objects.filter(round_id__in=[r.pk for r in latest.values()])
        .values("round_id")
        .annotate(
            services=Count("pk"),
            submitted=Count("pk", filter=Q(state__in=done)),
            approved=Count("pk", filter=Q(state=Submission.State.APPROVED)),
        )
        .order_by()
    }
    return {
        region_id: {"round": round_, **counts.get(round_.pk, {"services": 0, "submitted": 0, "approved": 0})}
        for region_id, round_ in latest.items()
    }


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    """The core hook ``dashboard_sections``: the evaluation in each regional authority's panel."""
    regional = regional_panels(panels)
    if not regional:
        return []
    latest = latest_rounds({p.membership.organisation.region_id for p in regional})
    return [
        Section(
            key="needs-region-evaluation",
            template="needs/dashboard/section.html",
            membership_id=panel.membership.pk,
            order=ORDER,
            context={
                "region": panel.membership.organisation.region,
                "latest": latest.get(panel.membership.organisation.region_id),
            },
        )
        for panel in regional
    ]


@part
def register_dashboard() -> None:
    hooks.register("dashboard_sections", dashboard_sections)
