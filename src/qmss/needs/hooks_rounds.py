"""Data-collection rounds on the home dashboard: a regional authority's panel lists the region's open rounds with
their completeness; a provider's panel lists the reports still to fill in or correct, with their deadlines.
A constant number of queries for any number of panels."""

from __future__ import annotations

from django.db.models import Count, Q

from qmss.core import hooks
from qmss.core.dashboard import Section, regional_panels
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.needs.models import CollectionRound, Submission
from qmss.needs.registration import part
from qmss.needs.selectors_rounds import OPEN_STATES, Completeness, late_condition

ORDER = 35
SHOWN = 10


def _open_rounds(region_ids) -> dict[int, list[tuple[CollectionRound, Completeness]]]:
    rounds = list(
        CollectionRound.objects.filter(region_id__in=list(region_ids), state=CollectionRound.State.OPEN).order_by(
            "deadline", "name"
        )
    )
    if not rounds:
        return {}
    late_q = Q(pk__in=[])
    for round_ in rounds:
        late_q |= Q(late_condition(round_), round_id=round_.pk)
    rows = (
        Submission.objects.filter(round__in=[r.pk for r in rounds])
        .values("round_id", "state")
        .annotate(n=Count("pk"), late=Count("pk", filter=late_q))
        .order_by()
    )
    by_state: dict[int, dict[str, int]] = {r.pk: {} for r in rounds}
    late: dict[int, int] = {}
    for row in rows:
        by_state[row["round_id"]][row["state"]] = row["n"]
        late[row["round_id"]] = late.get(row["round_id"], 0) + row["late"]
    result: dict[int, list] = {}
    for round_ in rounds:
        done = Completeness(
            total=sum(by_state[round_.pk].values()), by_state=by_state[round_.pk], late=late.get(round_.pk, 0)
        )
        result.setdefault(round_.region_id, []).append((round_, done))
    return result


def _to_fill(organisation_ids) -> dict[int, list[Submission]]:
    """Per provider organisation: its reports being filled in or returned in open rounds, nearest deadline first."""
    submissions = (
        Submission.objects.filter(
            state__in=OPEN_STATES,
            round__state=CollectionRound.State.OPEN,
            service__provider__link__organisation_id__in=list(organisation_ids),
        )
        .select_related("round", "service", "service__provider__link")
        .order_by("round__deadline", "service__name_sort")
    )
    grouped: dict[int, list[Submission]] = {}
    for submission in submissions:
        grouped.setdefault(submission.service.provider.link.organisation_id, []).append(submission)
    return grouped


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    regional = regional_panels(panels)
    providers = [p for p in panels if p.membership.organisation.kind == OrganisationKind.PROVIDER]
    sections = []
    if regional:
        rounds = _open_rounds({p.membership.organisation.region_id for p in regional})
        sections += [
            Section(
                key="needs-rounds-region",
                template="needs/rounds/dashboard_region.html",
                membership_id=panel.membership.pk,
                order=ORDER,
                context={"rounds": rounds.get(panel.membership.organisation.region_id, [])},
            )
            for panel in regional
        ]
    if providers:
        grouped = _to_fill({p.membership.organisation_id for p in providers})
        for panel in providers:
            items = grouped.get(panel.membership.organisation_id, [])
            sections.append(
                Section(
                    key="needs-rounds-provider",
                    template="needs/rounds/dashboard_provider.html",
                    membership_id=panel.membership.pk,
                    order=ORDER,
                    context={"submissions": items[:SHOWN], "count": len(items)},
                )
            )
    return sections


@part
def register_rounds() -> None:
    hooks.register("dashboard_sections", dashboard_sections)
