"""Pages of the what-if part under /sit/co-kdyby/: the what-if page (GET form; POST recomputes – an htmx request
gets the form's inner part, a plain POST the whole page; nothing is saved), saved scenarios (save, list, open,
compare two, delete with a confirmation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qmss.core.formatting import format_datetime
from qmss.core.pagination import paginate
from qmss.core.scoping import get_scope
from qmss.network import actions_whatif, forms_whatif, permissions, selectors_whatif, tables_whatif
from qmss.network.forms_whatif import Parsed, WhatIf


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def _crumbs(network, *extra):
    return [
        (_("Networks of services"), reverse("network:index")),
        (network.name, _network_url(network)),
        *extra,
    ]


def _network_url(network) -> str:
    try:
        return network.get_absolute_url()
    except Exception:  # the network page is H1's; until it is routed the index is the way back
        return reverse("network:index")


def _whatif_url(network) -> str:
    return reverse("network:whatif", kwargs={"network_pk": network.pk})


def _no_rules(request, network):
    context = {"network": network, "crumbs": _crumbs(network, (_("What if"), ""))}
    return render(request, "network/whatif/no_rules.html", context)


def _page(request, model, parsed: Parsed, *, scenario=None, stale: int = 0, status: int = 200) -> HttpResponse:
    whatif = parsed.whatif
    table = model.baseline if parsed.errors else selectors_whatif.evaluate(model, whatif)
    view = selectors_whatif.kind_view(model, whatif, table)
    network = model.network
    scope = get_scope(request)
    shown = {row.key for row in view.inputs}
    context = {
        "network": network,
        "model": model,
        "whatif": whatif,
        "view": view,
        "ranking_rows": tables_whatif.ranking_rows(view),
        "input_rows": tables_whatif.input_rows(view),
        "errors": parsed.errors,
        "weights": _weight_fields(model, whatif, parsed.refused),
        "kinds": [(code, model.kind_names.get(code, code)) for code in model.known.kinds],
        "carried": _carried(whatif, shown),
        "scenario": scenario,
        "stale": stale,
        "name": parsed.name,
        "note": parsed.note,
        "can_manage": permissions.can_manage(scope, network),
        "thresholds": model.rules.thresholds,
        "whatif_url": _whatif_url(network),
        "crumbs": _crumbs(network, (_("What if"), "")),
    }
    if scenario is not None:
        context["crumbs"] = _crumbs(
            network,
            (_("Scenarios"), reverse("network:scenarios", kwargs={"network_pk": network.pk})),
            (scenario.name, ""),
        )
    context["htmx"] = _is_htmx(request)
    template = "network/whatif/_main.html" if context["htmx"] else "network/whatif/page.html"
    response = render(request, template, context, status=200 if _is_htmx(request) else status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _weight_fields(model, whatif: WhatIf, refused: dict[str, str]) -> list[dict]:
    def field(item):
        key = item["key"]
        return {
            "key": key,
            "name": item["name"],
            "value": refused.get(f"{forms_whatif.WEIGHT_PREFIX}{key}", whatif.weights.get(key, item["weight"])),
            "invalid": f"{forms_whatif.WEIGHT_PREFIX}{key}" in refused,
            "base": item["weight"],
            "changed": key in whatif.weights,
        }

    return [{**field(c), "parts": [field(p) for p in c["parts"]]} for c in model.criteria]


def _carried(whatif: WhatIf, shown: set[str]) -> dict:
    """Changes to candidates of other kinds, carried in hidden fields while another kind is shown."""
    return {
        "removed": sorted(k for k in whatif.removed if k not in shown),
        "added": sorted(k for k in whatif.added if k not in shown),
        "capacity": sorted((k, v) for k, v in whatif.capacity.items() if k not in shown),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def whatif_view(request, network_pk: int):
    network = selectors_whatif.get_network(get_scope(request), network_pk)
    model = selectors_whatif.load(network)
    if model is None:
        return _no_rules(request, network)
    if request.method == "POST":
        parsed = forms_whatif.parse(request.POST, model.known, labels=model.labels)
        return _page(request, model, parsed, status=400 if parsed.errors else 200)
    kind = (request.GET.get(forms_whatif.KIND) or "")[:20]
    kind = kind if kind in model.known.kinds else model.known.default_kind
    return _page(request, model, Parsed(WhatIf(kind=kind), []))


@login_required
@require_POST
def scenario_save_view(request, network_pk: int):
    network = selectors_whatif.get_network(get_scope(request), network_pk)
    model = selectors_whatif.load(network)
    if model is None:
        return _no_rules(request, network)
    parsed = forms_whatif.parse(request.POST, model.known, labels=model.labels)
    if not parsed.errors and not parsed.name:
        parsed.errors.append(_("Name of the scenario: enter a name."))
    if parsed.errors:
        return _page(request, model, parsed, status=400)
    try:
        scenario = actions_whatif.save_scenario(
            user=request.user, network=network, name=parsed.name, whatif=parsed.whatif, note=parsed.note
        )
    except ValidationError as exc:
        parsed.errors.extend(exc.messages)
        return _page(request, model, parsed, status=400)
    messages.success(request, _("The scenario “%(name)s” is saved.") % {"name": scenario.name})
    url = reverse("network:scenario", kwargs={"scenario_pk": scenario.pk})
    return redirect(f"{url}?{forms_whatif.KIND}={parsed.whatif.kind}")


@login_required
@require_safe
def scenarios_view(request, network_pk: int):
    scope = get_scope(request)
    network = selectors_whatif.get_network(scope, network_pk)
    scenarios = selectors_whatif.network_scenarios(network)
    page = paginate(request, scenarios)
    context = {
        "network": network,
        "page": page,
        "scenarios": page.object_list,
        "all_scenarios": list(scenarios.values_list("pk", "name")) if page.paginator.count > 1 else [],
        "can_manage": permissions.can_manage(scope, network),
        "whatif_url": _whatif_url(network),
        "crumbs": _crumbs(network, (_("What if"), _whatif_url(network)), (_("Scenarios"), "")),
    }
    return render(request, "network/whatif/scenarios.html", context)


@login_required
@require_safe
def scenario_view(request, scenario_pk: int):
    scenario = selectors_whatif.get_scenario(get_scope(request), scenario_pk)
    model = selectors_whatif.load(scenario.network)
    if model is None:
        return _no_rules(request, scenario.network)
    whatif, stale = forms_whatif.from_scenario(scenario, model.known, request.GET.get(forms_whatif.KIND))
    return _page(request, model, Parsed(whatif, []), scenario=scenario, stale=stale)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scenario_delete_view(request, scenario_pk: int):
    scope = get_scope(request)
    scenario = selectors_whatif.get_scenario(scope, scenario_pk)
    network = scenario.network
    if not permissions.can_manage(scope, network):
        raise PermissionDenied
    list_url = reverse("network:scenarios", kwargs={"network_pk": network.pk})
    if request.method == "POST":
        name = scenario.name
        actions_whatif.delete_scenario(user=request.user, scenario=scenario)
        messages.success(request, _("The scenario “%(name)s” is deleted.") % {"name": name})
        return redirect(list_url)
    context = {
        "title": _("Delete the scenario?"),
        "crumbs": _crumbs(
            network,
            (_("Scenarios"), list_url),
            (scenario.name, reverse("network:scenario", kwargs={"scenario_pk": scenario.pk})),
            (_("Delete"), ""),
        ),
        "intro": _("The scenario is only a what-if: deleting it changes nothing in the network."),
        "summary": [
            (_("Scenario"), scenario.name),
            (_("Saved"), format_datetime(scenario.created_at)),
            (_("Saved by"), scenario.created_by.get_full_name() or scenario.created_by.get_username())
            if scenario.created_by
            else (_("Saved by"), ""),
        ],
        "warning": _("A deleted scenario cannot be restored."),
        "confirm_label": _("Delete the scenario"),
        "confirm_style": "danger",
        "cancel_url": list_url,
    }
    return render(request, "core/confirm.html", context)


@login_required
@require_safe
def scenario_compare_view(request, network_pk: int):
    network = selectors_whatif.get_network(get_scope(request), network_pk)
    scenarios = list(selectors_whatif.network_scenarios(network).values_list("pk", "name"))
    first = selectors_whatif.scenario_in_network(network, request.GET.get("a"))
    second = selectors_whatif.scenario_in_network(network, request.GET.get("b"))
    context = {
        "network": network,
        "scenarios": scenarios,
        "first": first,
        "second": second,
        "asked": bool(request.GET.get("a") or request.GET.get("b")),
        "crumbs": _crumbs(
            network,
            (_("Scenarios"), reverse("network:scenarios", kwargs={"network_pk": network.pk})),
            (_("Comparison"), ""),
        ),
    }
    if first is not None and second is not None:
        model = selectors_whatif.load(network)
        if model is None:
            return _no_rules(request, network)
        kind = (request.GET.get(forms_whatif.KIND) or "")[:20]
        whatif_a, stale_a = forms_whatif.from_scenario(first, model.known, kind)
        whatif_b, stale_b = forms_whatif.from_scenario(second, model.known, whatif_a.kind)
        kind = whatif_a.kind
        rows, gaps = selectors_whatif.compare(model, kind, whatif_a, whatif_b)
        context.update(
            {
                "model": model,
                "kind": kind,
                "kind_name": model.kind_names.get(kind, kind),
                "kinds": [(code, model.kind_names.get(code, code)) for code in model.known.kinds],
                "rows": rows,
                "gaps": gaps,
                "stale": stale_a + stale_b,
                "whatif_a": whatif_a,
                "whatif_b": whatif_b,
                "unit": next((r.a.unit for r in rows if r.a), ""),
            }
        )
    return render(request, "network/whatif/compare.html", context)
