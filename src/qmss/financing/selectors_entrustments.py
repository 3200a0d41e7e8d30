"""Reads of entrustments, scoped: the manager side sees every entrustment of its networks (proposals included); a
provider organisation sees the issued, superseded and ended entrustments of the services it is verified to
provide (``qmss.financing.permissions.can_see_entrustment`` decides one record)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qmss.core.roles import Perm
from qmss.core.scoping import Scope
from qmss.financing import permissions
from qmss.financing.models import Entrustment
from qmss.network.models import Network
from qmss.registry.selectors_links import services_of_organisations

RELATED = ("service__provider", "service__kind", "network_version", "entry__tier", "issued_by", "organisation")


def is_manager_side(scope: Scope, network: Network) -> bool:
    """Members of the network's manager organisation (any role) and superusers."""
    return scope.is_superuser or network.organisation_id in scope.organisation_ids(Perm.VIEW)


def can_manage(scope: Scope, network: Network) -> bool:
    return permissions.can_manage_organisation(scope, network.organisation)


def visible_entrustments(scope: Scope, network: Network) -> QuerySet[Entrustment]:
    """The network's entrustments this user may see, by number."""
    rows = Entrustment.objects.filter(network=network).select_related(*RELATED).order_by("number", "pk")
    if is_manager_side(scope, network):
        return rows
    organisations = scope.organisation_ids(Perm.VIEW)
    if not organisations:
        return rows.none()
    services = services_of_organisations(organisations).values("pk")
    return rows.filter(service__in=services).exclude(state=Entrustment.State.PROPOSED)


def by_state(rows: QuerySet[Entrustment], *states: str) -> QuerySet[Entrustment]:
    return rows.filter(state__in=states)


def get_entrustment(scope: Scope, pk: int) -> Entrustment | None:
    """The entrustment if this user may see it, else None (the view answers 404 for both)."""
    entrustment = (
        Entrustment.objects.select_related(*RELATED, "network__organisation", "supersedes").filter(pk=pk).first()
    )
    if entrustment is None or not permissions.can_see_entrustment(scope, entrustment):
        return None
    return entrustment


def history(entrustment: Entrustment) -> QuerySet[Entrustment]:
    """Every record of the same network entry (service and unit) in the network, newest first."""
    return (
        Entrustment.objects.filter(network_id=entrustment.network_id, service_id=entrustment.service_id)
        .filter(Q(unit=entrustment.unit))
        .select_related("network_version")
        .order_by("-pk")
    )


def networks_with_entrustments(scope: Scope) -> QuerySet[Network]:
    """Networks in which this user sees an entrustment (a provider's entry page; H8's index)."""
    organisations = scope.organisation_ids(Perm.VIEW)
    if scope.is_superuser:
        return Network.objects.filter(entrustments__isnull=False).distinct()
    services = services_of_organisations(organisations).values("pk")
    condition = Q(organisation_id__in=organisations) | Q(
        entrustments__service__in=services,
        entrustments__state__in=[s for s in Entrustment.State.values if s != "proposed"],
    )
    return Network.objects.filter(condition).distinct().order_by("-period_start", "name")


# --- what a page or the PDF shows of one entrustment ------------------------------------------------------------


def _decimal(text):
    from decimal import Decimal, InvalidOperation

    if text in (None, ""):
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def compensation_explained(entrustment: Entrustment) -> dict:
    """The compensation parameters as numbers with the estimate they give for the entrustment's capacity:
    optimal = capacity × (usual cost − usual own revenue), never below 0; cap = max public share × capacity ×
    usual cost. Both None without a reference value."""
    from decimal import Decimal

    data = dict(entrustment.compensation_parameters or {})
    cost, revenue = _decimal(data.get("usual_cost")), _decimal(data.get("usual_revenue"))
    share = _decimal(data.get("max_public_share"))
    capacity = entrustment.capacity
    optimal = cap = None
    if cost is not None and revenue is not None:
        optimal = max(Decimal(0), capacity * (cost - revenue)).quantize(Decimal("0.01"))
        if share is not None:
            cap = (share * capacity * cost).quantize(Decimal("0.01"))
    bands = [
        {
            "from_score": _decimal(b.get("from_score")),
            "to_score": _decimal(b.get("to_score")),
            "percent": _decimal(b.get("percent")),
        }
        for b in data.get("adjustment_bands") or []
    ]
    return {
        "year": data.get("year"),
        "reference_set": data.get("reference_set"),
        "usual_cost": cost,
        "usual_revenue": revenue,
        "reference_unit": data.get("reference_unit"),
        "unit_mismatch": bool(data.get("reference_unit")) and data.get("reference_unit") != entrustment.unit,
        "max_public_share": share,
        "max_public_share_from": data.get("max_public_share_from"),
        "adjustment_enabled": bool(data.get("adjustment_enabled")),
        "adjustment_bands": bands,
        "reasonable_profit_rate": _decimal(data.get("reasonable_profit_rate")),
        "carry_over_max_share": _decimal(data.get("carry_over_max_share")),
        "library": data.get("library", ""),
        "capacity": capacity,
        "optimal": optimal,
        "cap": cap,
        "capped": min(optimal, cap) if optimal is not None and cap is not None else optimal,
    }


def describe(entrustment: Entrustment) -> dict:
    """Names for the codes an entrustment holds: territory, unit, the end-proposal flag, the compensation."""
    from qmss.financing import entrustment_sync as sync

    orp_names, place_names = sync.territory_names(entrustment.orp_codes, entrustment.municipality_codes)
    return {
        "orp_names": orp_names,
        "municipality_names": place_names,
        "unit_name": sync.unit_name(entrustment.unit),
        "is_end_proposal": entrustment.state == Entrustment.State.PROPOSED and sync.is_end_proposal(entrustment),
        "compensation": compensation_explained(entrustment),
    }
