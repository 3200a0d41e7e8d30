"""Counts of the main tables, for `qmss stats` and monitoring. Later apps add their keys through STAT_SOURCES."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Sum

STAT_SOURCES: list[Callable[[], dict]] = []


def territory_stats() -> dict:
    from qmss.territory.models import District, Municipality, Orp, Population, Region

    latest = Population.objects.order_by("-reference_date").values_list("reference_date", flat=True).first()
    total = Population.objects.filter(reference_date=latest).aggregate(s=Sum("total"))["s"] if latest else 0
    return {
        "regions": Region.objects.count(),
        "districts": District.objects.count(),
        "orps": Orp.objects.count(),
        "municipalities": Municipality.objects.count(),
        "population_total": total or 0,
        "population_date": latest.isoformat() if latest else None,
    }


def core_stats() -> dict:
    from qmss.core.models import Organisation

    return {"organisations": Organisation.objects.count(), "users": get_user_model().objects.count()}


def registry_stats() -> dict:
    from qmss.registry.stats import registry_stats as stats

    return stats()


STAT_SOURCES.extend([territory_stats, core_stats, registry_stats])


def framework_stats() -> dict:
    from qmss.frameworks.stats import framework_stats as stats

    return stats()


STAT_SOURCES.append(framework_stats)


def assessment_stats() -> dict:
    from qmss.assessments.stats import assessment_stats as stats

    return stats()


STAT_SOURCES.append(assessment_stats)


def improvement_stats() -> dict:
    from qmss.improvement.stats import improvement_stats as stats

    return stats()


STAT_SOURCES.append(improvement_stats)


def collect_stats() -> dict:
    stats: dict = {}
    for source in STAT_SOURCES:
        stats.update(source())
    return stats
