"""Counts of the registry mirror, for `qmss stats` and monitoring (registered on the core ``stats`` hook)."""

from __future__ import annotations


def registry_stats() -> dict:
    from qmss.registry.models import Facility, Provider, Service

    return {
        "providers": Provider.objects.count(),
        "services": Service.objects.count(),
        "active_services": Service.objects.active().count(),
        "facilities": Facility.objects.count(),
    }
