"""Pages of the rules part under /sit/pravidla/: the public rules page of a network (any published version),
a new version of the rules (manager), its publication (confirmation), the demand parameters (the manager's
team) and a new version of them (manager)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from qmss.core.formatting import format_datetime, format_percent
from qmss.core.pagination import paginate
from qmss.core.scoping import get_scope
from qmss.network import actions_rules, permissions, selectors_rules
from qmss.network.forms_rules import ParameterSetForm, RuleSetForm, parameter_labels, target_labels, threshold_labels
from qmss.network.library import default_rules
from qmss.network.selectors_networks import get_network


def _network_or_404(network_pk: int):
    network = get_network(network_pk)
    if network is None:
        raise Http404
    return network


def _network_url(network) -> str:
    try:
        return network.get_absolute_url()
    except NoReverseMatch:  # the network page is the networks part's; until it is routed, the index
        return reverse("network:index")


def _rules_url(network, version: int | None = None) -> str:
    url = reverse("network:rules", kwargs={"network_pk": network.pk})
    return f"{url}?verze={version}" if version else url


def _crumbs(network, *extra):
    return [(_("Networks of services"), reverse("network:index")), (network.name, _network_url(network)), *extra]


def _version_param(request) -> int | None:
    raw = request.GET.get("verze", "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 9 else None


def _learning_url(network) -> str | None:
    try:
        return reverse("network:learning", kwargs={"network_pk": network.pk})
    except NoReverseMatch:
        return None


@require_safe
def rules(request, network_pk: int):
    """The public rules of a network: the criteria tree with weights and shares, thresholds, admission tests,
    reference values, scoring and demand parameters, the library's source and verification, the history."""
    network = _network_or_404(network_pk)
    scope = get_scope(request)
    requested = _version_param(request)
    rule_set = selectors_rules.visible_rule_set(network, requested, scope)
    if requested is not None and rule_set is None:
        raise Http404
    current = selectors_rules.current_rule_set(network)
    values = selectors_rules.rule_values(rule_set) if rule_set else None
    parameter_set = selectors_rules.current_parameters(network)
    demand = selectors_rules.demand_values(parameter_set)
    history = list(selectors_rules.rule_set_history(network, scope))
    cost_kinds = selectors_rules.offered_kinds(values.reference_costs) if values else {}
    library = default_rules()
    context = {
        "network": network,
        "crumbs": _crumbs(network, (_("Rules"), "")),
        "rule_set": rule_set,
        "is_current": rule_set is not None and current is not None and rule_set.pk == current.pk,
        "current": current,
        "criteria": selectors_rules.criteria_rows(values) if values else [],
        "thresholds": [(label, values.thresholds.get(key)) for key, label in threshold_labels().items()]
        if values
        else [],
        "parameters": [(label, values.parameters.get(key)) for key, label in parameter_labels().items()]
        if values
        else [],
        "admission_tests": values.admission_tests if values else (),
        "reference_costs": [
            (kind, cost_kinds.get(kind, kind), cost, library.units.get(cost.unit))
            for kind, cost in sorted(values.reference_costs.items(), key=lambda item: list(cost_kinds).index(item[0]))
        ]
        if values
        else [],
        "parameter_set": parameter_set,
        "demand": selectors_rules.demand_rows(demand, target_labels()),
        "library": library,
        "history": history,
        "can_manage": permissions.can_manage(scope, network),
        "can_see_work": permissions.can_see_work(scope, network),
    }
    return render(request, "network/rules/rules.html", context)


def _require_manager(request, network):
    scope = get_scope(request)
    if not permissions.can_manage(scope, network):
        raise PermissionDenied
    return scope


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_new(request, network_pk: int):
    network = _network_or_404(network_pk)
    scope = _require_manager(request, network)
    base = selectors_rules.current_rule_set(network)
    values = selectors_rules.rule_values(base) if base else default_rules().rule_values()
    kinds = selectors_rules.offered_kinds(values.reference_costs)
    number = selectors_rules.next_rule_set_version(network)
    initial = {"name": _("Rules of the network, version {version}").format(version=number)}
    form = RuleSetForm(request.POST or None, values=values, kinds=kinds, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule_set = actions_rules.new_rule_set(
                user=request.user,
                network=network,
                name=form.cleaned_data["name"],
                note=form.cleaned_data["note"],
                **form.cleaned_data["values"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Version {version} of the rules has been created; publish it to bring it into force.").format(
                    version=rule_set.version
                ),
            )
            return redirect("network:rule_set_publish", rule_set_pk=rule_set.pk)
    drafts = [rs for rs in selectors_rules.rule_set_history(network, scope) if rs.published_at is None]
    context = {
        "network": network,
        "crumbs": _crumbs(network, (_("Rules"), _rules_url(network)), (_("New version"), "")),
        "form": form,
        "base": base,
        "drafts": drafts,
        "units": default_rules().units,
    }
    return render(request, "network/rules/rule_set_form.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_publish(request, rule_set_pk: int):
    rule_set = selectors_rules.get_rule_set(rule_set_pk)
    if rule_set is None:
        raise Http404
    network = rule_set.network
    _require_manager(request, network)
    current = selectors_rules.current_rule_set(network)
    warning = ""
    if request.method == "POST":
        try:
            actions_rules.publish_rule_set(user=request.user, rule_set=rule_set)
        except ValidationError as exc:
            warning = " ".join(exc.messages)
        else:
            messages.success(request, _("Version {version} of the rules is in force.").format(version=rule_set.version))
            return redirect(_rules_url(network))
    elif rule_set.published_at is not None:
        warning = _("This version is published already.")
    values = selectors_rules.rule_values(rule_set)
    summary = [
        (_("Network"), network.name),
        (_("Version"), rule_set.version),
        (_("Name"), rule_set.name),
        (_("Created"), format_datetime(rule_set.created_at)),
        (_("In force now"), _("version {version}").format(version=current.version) if current else "–"),
        *[
            (_("Weight of the criterion “{name}”").format(name=row["name"]), format_percent(ratio=row["share"]))
            for row in selectors_rules.criteria_rows(values)
        ],
    ]
    if rule_set.note:
        summary.append((_("What changes and why"), rule_set.note))
    context = {
        "title": _("Publish version {version} of the rules?").format(version=rule_set.version),
        "crumbs": _crumbs(network, (_("Rules"), _rules_url(network)), (_("Publish"), "")),
        "intro": _(
            "The published version comes into force at once: new scores and decisions use it. A published version "
            "cannot be changed; a further change is a new version."
        ),
        "summary": summary,
        "warning": warning,
        "confirm_label": _("Publish"),
        "confirm_style": "primary",
        "cancel_url": _rules_url(network, rule_set.version),
    }
    return render(request, "core/confirm.html", context, status=422 if warning and request.method == "POST" else 200)


@login_required
@require_safe
def parameters(request, network_pk: int):
    """The demand parameters in force and every earlier or proposed set (the manager's working material)."""
    network = _network_or_404(network_pk)
    scope = get_scope(request)
    if not permissions.can_see_work(scope, network):
        raise PermissionDenied
    current = selectors_rules.current_parameters(network)
    page = paginate(request, selectors_rules.parameter_set_history(network))
    sets = list(page.object_list)
    all_kinds = [k for ps in sets for k in (ps.values or {})] + list(current.values if current else {})
    kinds = selectors_rules.offered_kinds(all_kinds)
    labels = target_labels()
    rows = [(ps, selectors_rules.demand_rows(selectors_rules.demand_values(ps, names=kinds), labels)) for ps in sets]
    context = {
        "network": network,
        "crumbs": _crumbs(network, (_("Rules"), _rules_url(network)), (_("Demand parameters"), "")),
        "current": current,
        "current_demand": selectors_rules.demand_rows(selectors_rules.demand_values(current, names=kinds), labels),
        "page": page,
        "rows": rows,
        "can_manage": permissions.can_manage(scope, network),
        "learning_url": _learning_url(network),
    }
    return render(request, "network/rules/parameters.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def parameter_set_new(request, network_pk: int):
    network = _network_or_404(network_pk)
    scope = _require_manager(request, network)
    current = selectors_rules.current_parameters(network)
    demand = selectors_rules.demand_values(current)
    kinds = selectors_rules.offered_kinds(demand)
    form = ParameterSetForm(request.POST or None, demand=demand, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            parameter_set = actions_rules.new_parameter_set(
                user=request.user,
                network=network,
                values=form.cleaned_data["values"],
                source=form.cleaned_data["source"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Version {version} of the demand parameters is in force.").format(version=parameter_set.version),
            )
            return redirect("network:parameters", network_pk=network.pk)
    proposed = [ps for ps in selectors_rules.parameter_set_history(network) if ps.state == ps.State.PROPOSED]
    context = {
        "network": network,
        "crumbs": _crumbs(
            network,
            (_("Rules"), _rules_url(network)),
            (_("Demand parameters"), reverse("network:parameters", kwargs={"network_pk": network.pk})),
            (_("New version"), ""),
        ),
        "form": form,
        "current": current,
        "proposed": proposed,
        "learning_url": _learning_url(network),
        "scope_can_manage": permissions.can_manage(scope, network),
    }
    return render(request, "network/rules/parameter_set_form.html", context, status=422 if form.errors else 200)
