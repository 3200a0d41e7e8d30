"""Reads of the learning part: the network whose working material the user may see, the rounds a network can
learn from, what the round's approved reports say per service, the proposals and the one timeline of
parameter sets, rule sets and decisions.

Everything here is the manager's working material (``permissions.can_see_work``): another organisation gets a
404 (the network's existence is public, its work is not).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from qmss.core.scoping import Scope
from qmss.network import permissions
from qmss.network.models import Application, Network, ParameterSet, RuleSet

ZERO = Decimal(0)
USE_ELEMENTS = ("users", "bed_days", "period_days", "waiting_list", "refused")
REFUSED_CATEGORY = "capacity"


def get_network(scope: Scope, network_pk: int) -> Network:
    """The network whose working material the user may see (404 otherwise)."""
    network = Network.objects.select_related("organisation", "region").filter(pk=network_pk).first()
    if network is None or not permissions.can_see_work(scope, network):
        raise Http404
    return network


def learning_rounds(network: Network) -> list:
    """Rounds of the network's region with at least one approved report, newest first."""
    from qmss.needs.models import CollectionRound, Submission

    approved = Submission.objects.filter(round=OuterRef("pk"), state=Submission.State.APPROVED)
    return list(
        CollectionRound.objects.filter(region_id=network.region_id)
        .filter(Exists(approved))
        .order_by("-period_end", "-pk")
    )


def learning_round(network: Network, round_pk: int | None):
    """The chosen round (one of :func:`learning_rounds`), or the newest; None when there is none."""
    rounds = learning_rounds(network)
    if round_pk is None:
        return rounds[0] if rounds else None
    return next((r for r in rounds if r.pk == round_pk), None)


@dataclass
class ServiceFigures:
    """What one approved report says (None: the value was not reported)."""

    users: Decimal | None = None
    bed_days: Decimal | None = None
    period_days: Decimal | None = None
    waiting: Decimal = ZERO
    refused: Decimal = ZERO  # refused for lack of capacity


def round_figures(round_obj, kind_code: str) -> dict[int, ServiceFigures]:
    """Service id → the figures of its approved report of the kind in the round (one query)."""
    from qmss.needs.models import Submission, SubmissionValue

    rows = (
        SubmissionValue.objects.filter(
            submission__round=round_obj,
            submission__state=Submission.State.APPROVED,
            submission__service__kind__code=kind_code,
            element__code__in=USE_ELEMENTS,
        )
        .order_by()
        .values_list("submission__service_id", "element__code", "category", "value")
    )
    approved = Submission.objects.filter(
        round=round_obj, state=Submission.State.APPROVED, service__kind__code=kind_code
    ).values_list("service_id", flat=True)
    figures: dict[int, ServiceFigures] = defaultdict(ServiceFigures)
    for service_id, code, category, value in rows:
        found = figures[service_id]
        if code == "users":  # a total or the sum of its age bands
            found.users = (found.users or ZERO) + value
        elif code == "bed_days" and not category:
            found.bed_days = value
        elif code == "period_days" and not category:
            found.period_days = value
        elif code == "waiting_list" and not category:
            found.waiting += value
        elif code == "refused" and category == REFUSED_CATEGORY:
            found.refused += value
    result = {service_id: figures.get(service_id, ServiceFigures()) for service_id in approved}
    return result


def service_names(service_ids) -> dict[int, str]:
    from qmss.registry.models import Service

    return {pk: str(name) for pk, name in Service.objects.filter(pk__in=list(service_ids)).values_list("pk", "name")}


# --------------------------------------------------------------------------------------------- proposals


def proposals(network: Network) -> list[ParameterSet]:
    """Parameter sets estimated from rounds, newest first (proposed ones first)."""
    rows = list(
        ParameterSet.objects.filter(network=network)
        .filter(Q(round__isnull=False) | Q(state=ParameterSet.State.PROPOSED))
        .select_related("round", "created_by", "decided_by")
        .order_by("-version")
    )
    return sorted(rows, key=lambda p: (p.state != ParameterSet.State.PROPOSED, -p.version))


def get_proposal(network: Network, parameter_set_pk) -> ParameterSet | None:
    try:
        pk = int(parameter_set_pk)
    except (TypeError, ValueError):
        return None
    return ParameterSet.objects.select_related("network__organisation").filter(network=network, pk=pk).first()


def pending_round_ids(network: Network) -> set[int]:
    """Rounds that already have a proposal waiting for the manager."""
    return set(
        ParameterSet.objects.filter(
            network=network, state=ParameterSet.State.PROPOSED, round__isnull=False
        ).values_list("round_id", flat=True)
    )


# --------------------------------------------------------------------------------------------- history


@dataclass
class Event:
    when: datetime
    kind: str  # "parameters" | "rules" | "decision"
    title: str
    obj: object


def history(network: Network) -> list[Event]:
    """Parameter sets, rule sets and decided applications of the network on one timeline, newest first (three
    queries whatever their number)."""
    events: list[Event] = []
    for item in ParameterSet.objects.filter(network=network).select_related("created_by", "decided_by", "round"):
        events.append(Event(item.created_at, "parameters", str(item.version), item))
    for item in RuleSet.objects.filter(network=network).select_related("created_by"):
        events.append(Event(item.created_at, "rules", str(item.version), item))
    decided = (
        Application.objects.filter(network=network, decision_date__isnull=False)
        .select_related("organisation", "service", "rule_set", "parameter_set")
        .order_by()
    )
    for item in decided:
        when = item.updated_at
        if timezone.localdate(when) != item.decision_date:  # decided on paper earlier (or later) than recorded
            when = timezone.make_aware(datetime.combine(item.decision_date, time(12)))
        events.append(Event(when, "decision", str(item.pk), item))
    events.sort(key=lambda e: (e.when, e.kind, e.title), reverse=True)
    return events
