"""Pages of the learning part under /sit/uceni/: proposals of demand parameters estimated from a round with
their drift (the manager estimates, accepts or keeps), the data-quality panel and the history of parameters,
rules and decisions. All of it is the manager's working material (others: 404); only the manager POSTs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qmss.core.pagination import paginate
from qmss.core.scoping import get_scope
from qmss.network import actions_learning, learning, permissions, quality_learning, selectors_learning
from qmss.network.models import ParameterSet
from qmss.network.selectors_rules import current_parameters, demand_values


def _crumbs(network, *extra):
    return [(_("Networks of services"), reverse("network:index")), (network.name, _network_url(network)), *extra]


def _network_url(network) -> str:
    try:
        return network.get_absolute_url()
    except Exception:  # the network page is another part's; until it is routed the index is the way back
        return reverse("network:index")


def _learning_url(network) -> str:
    return reverse("network:learning", kwargs={"network_pk": network.pk})


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def learning_view(request, network_pk: int):
    scope = get_scope(request)
    network = selectors_learning.get_network(scope, network_pk)
    can_manage = permissions.can_manage(scope, network)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        proposal = selectors_learning.get_proposal(network, request.POST.get("parameter_set"))
        decision = request.POST.get("decision")
        if proposal is None or decision not in ("accept", "keep"):
            messages.error(request, _("Choose a proposal and whether to accept it or keep the parameters in force."))
            return redirect(_learning_url(network))
        try:
            actions_learning.decide(user=request.user, parameter_set=proposal, accept=decision == "accept")
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            if decision == "accept":
                messages.success(request, _("The proposed parameters are now in force."))
            else:
                messages.success(request, _("The parameters in force were kept; the proposal stays in the history."))
        return redirect(_learning_url(network))
    current = current_parameters(network)
    rounds = selectors_learning.learning_rounds(network)
    pending = selectors_learning.pending_round_ids(network)
    proposals = [
        {"set": item, "kinds": learning.explanation_kinds(item.explanation)}
        for item in selectors_learning.proposals(network)
    ]
    newest = rounds[0] if rounds else None
    context = {
        "network": network,
        "can_manage": can_manage,
        "current": current,
        "current_values": sorted(demand_values(current).items(), key=lambda item: item[0].zfill(4)),
        "rounds": rounds,
        "new_round": newest
        if newest is not None
        and newest.pk not in pending
        and not any(p["set"].round_id == newest.pk for p in proposals)
        else None,  # fmt: skip
        "proposals": proposals,
        "reasons": [str(text) for text in learning.REASONS.values()],
        "States": ParameterSet.State,
        "crumbs": _crumbs(network, (_("Learning"), "")),
    }
    return render(request, "network/learning/page.html", context)


@login_required
@require_POST
def learning_estimate_view(request, network_pk: int):
    scope = get_scope(request)
    network = selectors_learning.get_network(scope, network_pk)
    if not permissions.can_manage(scope, network):
        raise PermissionDenied
    round_obj = selectors_learning.learning_round(network, _int(request.POST.get("round")))
    try:
        proposal = actions_learning.propose_parameters(user=request.user, network=network, round=round_obj)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("Version {version} of the parameters is proposed; decide below whether to accept it.").format(
                version=proposal.version
            ),
        )
    return redirect(_learning_url(network))


@login_required
@require_safe
def data_quality_view(request, network_pk: int):
    network = selectors_learning.get_network(get_scope(request), network_pk)
    sources = quality_learning.data_quality(network)
    context = {
        "network": network,
        "sources": sources,
        "total": sources[0].total if sources else 0,
        "crumbs": _crumbs(network, (_("Learning"), _learning_url(network)), (_("Data quality"), "")),
    }
    return render(request, "network/learning/quality.html", context)


@login_required
@require_safe
def history_view(request, network_pk: int):
    network = selectors_learning.get_network(get_scope(request), network_pk)
    page = paginate(request, selectors_learning.history(network))
    context = {
        "network": network,
        "page": page,
        "events": page.object_list,
        "crumbs": _crumbs(network, (_("Learning"), _learning_url(network)), (_("History"), "")),
    }
    return render(request, "network/learning/history.html", context)
