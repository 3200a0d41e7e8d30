"""Counts of the territory for `qmss stats` (registered on the core ``stats`` hook)."""

from __future__ import annotations

from django.db.models import Sum


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
