"""Pages of the scoring part: the ranking of one kind (``?druh=``), the explanation of one candidate's points and
the comparison of competing applications (``?klic=a12&klic=a13``). Read-only; who sees what is decided by
:mod:`qmss.network.selectors_scoring` (the manager's members; a provider the explanation of its own
application)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.core.scoping import get_scope
from qmss.network import permissions, scoring_explain, selectors_scoring
from qmss.network.selectors_networks import get_network


def _network(network_pk: int):
    network = get_network(network_pk)
    if network is None:
        raise Http404
    return network


def _crumbs(network, *extra):
    return [
        (_("Networks of services"), reverse("network:index")),
        (network.name, network.get_absolute_url()),
        *extra,
    ]


def _ranking_url(network, kind: str = "") -> str:
    url = reverse("network:ranking", kwargs={"network_pk": network.pk})
    return f"{url}?druh={kind}" if kind else url


def _no_rules(request, network, title):
    context = {"network": network, "crumbs": _crumbs(network, (title, ""))}
    return render(request, "network/scoring/no_rules.html", context)


@require_safe
@login_required
def ranking_view(request, network_pk: int):
    network = _network(network_pk)
    if not permissions.can_see_work(get_scope(request), network):
        raise PermissionDenied
    model = selectors_scoring.load(network)
    if model is None:
        return _no_rules(request, network, _("Ranking"))
    kinds = selectors_scoring.kinds(model)
    codes = [code for code, _name in kinds]
    kind = request.GET.get("druh", "")
    if kind not in codes:
        kind = codes[0] if codes else ""
    kind_name = dict(kinds).get(kind, kind)
    names = scoring_explain.criterion_names()
    context = {
        "network": network,
        "model": model,
        "kinds": kinds,
        "kind": kind,
        "kind_name": kind_name,
        "rows": selectors_scoring.ranking(model, kind) if kind else [],
        "gaps": selectors_scoring.gaps_of(model, kind) if kind else [],
        "criteria": names,
        "weight_items": [
            (name, model.table.weights.get(code, 0)) for code, name in scoring_explain.criterion_names().items()
        ],
        "thresholds": model.table.thresholds,
        "crumbs": _crumbs(network, (_("Ranking"), "")),
    }
    return render(request, "network/scoring/ranking.html", context)


@require_safe
@login_required
def explain_view(request, network_pk: int, candidate_key: str):
    network = _network(network_pk)
    scope = get_scope(request)
    if not selectors_scoring.may_see_explanation(scope, network, candidate_key):
        raise PermissionDenied
    model = selectors_scoring.load(network)
    if model is None:
        return _no_rules(request, network, _("Why these points"))
    if candidate_key not in model.table.keys:
        raise Http404
    explanation = scoring_explain.explain(model.inputs, model.table, candidate_key)
    sees_work = permissions.can_see_work(scope, network)
    crumbs = [(_("Why these points"), "")]
    if sees_work:
        crumbs.insert(0, (_("Ranking"), _ranking_url(network, explanation.kind_code)))
    competing = selectors_scoring.competitors(model, candidate_key) if sees_work else []
    compare_url = ""
    if competing:
        query = "&".join(f"klic={k}" for k in [candidate_key, *competing])
        compare_url = reverse("network:compare", kwargs={"network_pk": network.pk}) + "?" + query
    context = {
        "network": network,
        "model": model,
        "explanation": explanation,
        "kind_name": model.kind_names.get(explanation.kind_code, explanation.kind_code),
        "sees_work": sees_work,
        "compare_url": compare_url,
        "crumbs": _crumbs(network, *crumbs),
    }
    return render(request, "network/scoring/explain.html", context)


@require_safe
@login_required
def compare_view(request, network_pk: int):
    network = _network(network_pk)
    if not permissions.can_see_work(get_scope(request), network):
        raise PermissionDenied
    model = selectors_scoring.load(network)
    if model is None:
        return _no_rules(request, network, _("Competing applications"))
    keys = [k.strip() for k in request.GET.getlist("klic")[:20] if k.strip()]
    rows = selectors_scoring.compared(model, keys)
    explanations = [scoring_explain.explain(model.inputs, model.table, row.key) for row in rows]
    kind = model.inputs.kind_codes[model.inputs.index(rows[0].key)] if rows else ""
    context = {
        "network": network,
        "rows": rows,
        "explanations": explanations,
        "criteria": scoring_explain.criterion_names(),
        "parts": scoring_explain.part_names(),
        "kind_name": model.kind_names.get(kind, kind),
        "ranking_url": _ranking_url(network, kind),
        "thresholds": model.table.thresholds,
        "crumbs": _crumbs(network, (_("Ranking"), _ranking_url(network, kind)), (_("Competing applications"), "")),
    }
    return render(request, "network/scoring/compare.html", context)
