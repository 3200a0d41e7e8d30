"""The assessments' sections of the home dashboard for regional authorities, and their column of the ministry's
national overview.

* a regional authority: assessments of services in its region published in the last ``RECENT_DAYS`` days – only
  those the user may open (``visible_assessments``: published and attributed to the service's verified
  provider), newest first;
* the ministry: published audits per region in the national table (a count, no assessment is listed), through
  the registry's hook ``dashboard_region_columns``.

A constant number of queries for any number of panels.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.assessments.models import Assessment
from qmss.assessments.partial import partial_notes
from qmss.assessments.permissions import PUBLISHED_STATES
from qmss.assessments.selectors import visible_assessments
from qmss.core.dashboard import Section, regional_panels
from qmss.core.scoping import Scope
from qmss.registry.dashboard_region import RegionColumn
from qmss.registry.models import Facility
from qmss.registry.selectors_links import attributed

RECENT_DAYS = 30
SHOWN = 8
ORDER = 20


def _regions_of_services(service_ids, region_ids) -> dict[int, set[int]]:
    """The wanted regions each service lies in (through a facility's region or its municipality's) – one query."""
    wanted = set(region_ids)
    rows = (
        Facility.objects.filter(service_id__in=list(service_ids))
        .filter(Q(region_id__in=wanted) | Q(municipality__region_id__in=wanted))
        .values_list("service_id", "region_id", "municipality__region_id")
        .order_by()
        .distinct()
    )
    regions: dict[int, set[int]] = defaultdict(set)
    for service_id, region_id, municipality_region_id in rows:
        regions[service_id].update({region_id, municipality_region_id} & wanted)
    return regions


def recently_published(scope: Scope, region_ids, *, days: int = RECENT_DAYS) -> dict[int, list[Assessment]]:
    """Assessments the user may open, published in the last ``days`` days, of services in each region, newest
    first – two queries for any number of regions."""
    region_ids = list(region_ids)
    if not region_ids:
        return {}
    since = timezone.now() - timedelta(days=days)
    in_regions = Exists(
        Facility.objects.filter(
            Q(region_id__in=region_ids) | Q(municipality__region_id__in=region_ids), service_id=OuterRef("service_id")
        )
    )
    assessments = list(
        visible_assessments(scope)
        .filter(in_regions, state__in=PUBLISHED_STATES, published_at__gte=since, service__isnull=False)
        .select_related("organisation", "service")
        .only(
            "pk",
            "title",
            "kind",
            "state",
            "partial",
            "published_at",
            "organisation__name",
            "service__name",
            "service__portal_id",
            "service_id",
            "organisation_id",
        )
        .order_by("-published_at", "-pk")
    )
    notes = partial_notes(assessments)
    for assessment in assessments:  # "částečný audit (posouzeno 7 z 48)" beside the kind
        assessment.partial_note = notes.get(assessment.pk, "")
    regions = _regions_of_services({a.service_id for a in assessments}, region_ids)
    result: dict[int, list[Assessment]] = defaultdict(list)
    for assessment in assessments:
        for region_id in regions.get(assessment.service_id, ()):
            result[region_id].append(assessment)
    return result


def published_audits_per_region(region_ids) -> tuple[dict[int, int], int, int]:
    """Published audits of services per region (a service spanning regions counts in each), nationally (each
    audit once) and how many of those are partial – only audits attributed to the service's verified provider –
    one query."""
    rows = (
        Assessment.objects.filter(kind=Assessment.Kind.AUDIT, state__in=PUBLISHED_STATES, service__isnull=False)
        .filter(attributed())
        .values_list("pk", "partial", "service__facilities__region_id", "service__facilities__municipality__region_id")
        .order_by()
        .distinct()
    )
    wanted = set(region_ids)
    per_region: dict[int, set[int]] = defaultdict(set)
    audits: set[int] = set()
    partial: set[int] = set()
    for pk, is_partial, region_id, municipality_region_id in rows:
        audits.add(pk)
        if is_partial:
            partial.add(pk)
        for region in {region_id, municipality_region_id} & wanted:
            per_region[region].add(pk)
    return {region: len(pks) for region, pks in per_region.items()}, len(audits), len(partial)


def region_columns(region_ids) -> list[RegionColumn]:
    """The registry's hook ``dashboard_region_columns``: published audits per region for the ministry; the note
    says how many of them are partial (not every criterion assessed)."""
    values, total, partial = published_audits_per_region(region_ids)
    note = ""
    if partial:
        note = ngettext(
            "Of the published audits, %(n)d is a partial audit (not every criterion was assessed).",
            "Of the published audits, %(n)d are partial audits (not every criterion was assessed).",
            partial,
        ) % {"n": partial}
    return [
        RegionColumn(
            key="published_audits", label=_("Published audits"), values=values, total=total, order=50, note=note
        )
    ]


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    """The core hook ``dashboard_sections``: recently published assessments in each regional authority's panel."""
    regional = regional_panels(panels)
    if not regional:
        return []
    recent = recently_published(scope, {p.membership.organisation.region_id for p in regional})
    sections = []
    for panel in regional:
        items = recent.get(panel.membership.organisation.region_id, [])
        sections.append(
            Section(
                key="assessments-region-published",
                template="assessments/dashboard/region_published.html",
                membership_id=panel.membership.pk,
                order=ORDER,
                context={"assessments": items[:SHOWN], "count": len(items), "days": RECENT_DAYS},
            )
        )
    return sections
