"""Network counts for ``qmss stats`` (core ``stats`` hook): networks, their versions, the entries of each network's
current version (and of every version), applications and the open ones. Imported by
:mod:`qmss.network.registration` (``HOOK_MODULES``)."""

from __future__ import annotations

from django.db.models import Count, Max, OuterRef, Q, Subquery

from qmss.network import registration

OPEN_STATES = ("submitted", "formal_check", "returned", "evaluation", "proposal")


def network_stats() -> dict:
    from qmss.network.models import Application, Network, NetworkEntry, NetworkVersion

    networks = Network.objects.aggregate(total=Count("pk"), demo=Count("pk", filter=Q(is_demo=True)))
    newest = (
        NetworkVersion.objects.filter(network=OuterRef("version__network"))
        .values("network")
        .annotate(top=Max("number"))
        .values("top")
    )
    applications = Application.objects.aggregate(total=Count("pk"), open=Count("pk", filter=Q(state__in=OPEN_STATES)))
    return {
        "networks": networks["total"],
        "networks_demo": networks["demo"],
        "network_versions": NetworkVersion.objects.count(),
        "network_entries": NetworkEntry.objects.filter(version__number=Subquery(newest)).count(),
        "network_entries_all_versions": NetworkEntry.objects.count(),
        "network_applications": applications["total"],
        "network_applications_open": applications["open"],
    }


@registration.part
def register_stats() -> None:
    from qmss.core import hooks

    hooks.register("stats", network_stats)
