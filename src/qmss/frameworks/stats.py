"""Counts of the quality frameworks for `qmss stats` (registered on the core ``stats`` hook)."""

from __future__ import annotations

from django.db.models import Count, Q


def framework_stats() -> dict:
    from qmss.frameworks.models import Framework, Requirement

    rows = (
        Framework.objects.annotate(n=Count("requirements", filter=Q(requirements__kind=Requirement.Kind.CRITERION)))
        .only("pk", "short_name", "version")
        .order_by("short_name", "version")
    )
    criteria = {str(framework): framework.n for framework in rows}
    return {"frameworks": len(criteria), "criteria": criteria}
