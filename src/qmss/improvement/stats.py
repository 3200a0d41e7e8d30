"""Counts for `qmss stats` (registered on the core ``stats`` hook)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone


def improvement_stats() -> dict:
    from qmss.improvement.models import Action, DevelopmentPlan, Kpi, Process

    today = timezone.localdate()
    actions = Action.objects.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES, deadline__lt=today)),
    )
    return {
        "processes": Process.objects.count(),
        "kpis": Kpi.objects.count(),
        "development_plans": DevelopmentPlan.objects.count(),
        "actions": actions["total"],
        "actions_overdue": actions["overdue"],
    }
