"""The manager's pages of the networks part: a new network, its header, tiers (rename, freeze, add), entries (add,
change, remove – each a new version with a note) and brief items. Thin: forms in, actions do the work (and check
the permission again); a refused action shows its message on the form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from qmss.core.formatting import format_number
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import get_scope
from qmss.network import actions_networks as actions
from qmss.network import defaults_networks as defaults
from qmss.network import permissions
from qmss.network import selectors_networks as selectors
from qmss.network.actions_networks import EntryChange
from qmss.network.forms_networks import (
    BriefItemForm,
    EntryAddForm,
    EntryEditForm,
    NetworkCreateForm,
    NetworkForm,
    NewTierForm,
    RemoveEntryForm,
    TierForm,
)
from qmss.network.models import BriefItem, Network, NetworkEntry, Tier
from qmss.network.views_networks import crumbs, network_context, network_or_404
from qmss.registry.models import ServiceKind
from qmss.territory.models import Orp

MANAGER_KINDS = (OrganisationKind.REGION, OrganisationKind.MUNICIPALITY)


def _managed(request, network_pk: int) -> Network:
    network = network_or_404(network_pk)
    if not permissions.can_manage(get_scope(request), network):
        raise PermissionDenied
    return network


def _refused(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _page(request, network: Network | None, template: str, title: str, **extra):
    context = network_context(request, network) if network is not None else {}
    context.update({"title": title, "crumbs": crumbs(network, title) if network else crumbs(None, title), **extra})
    return render(request, f"network/networks/{template}", context)


# --- networks -----------------------------------------------------------------------------------------------


@login_required
def network_new(request):
    scope = get_scope(request)
    organisations = Organisation.objects.filter(kind__in=MANAGER_KINDS).select_related("region", "municipality")
    if not scope.is_superuser:
        organisations = organisations.filter(pk__in=permissions.managed_organisation_ids(scope))
    organisations = sorted(organisations, key=lambda o: o.name.casefold())
    if not organisations:
        raise PermissionDenied
    form = NetworkCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = next(o for o in organisations if o.pk == data["organisation"])
        try:
            network = actions.create_network(
                user=request.user,
                organisation=organisation,
                name=data["name"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                description=data["description"],
                prefill_from_registry=data["prefill"],
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The network has been created (version 1)."))
            return redirect(network.get_absolute_url())
    return _page(request, None, "form.html", _("New network"), form=form, cancel_url=reverse("network:index"))


@login_required
def network_edit(request, network_pk: int):
    network = _managed(request, network_pk)
    initial = {
        "name": network.name,
        "period_start": network.period_start,
        "period_end": network.period_end,
        "description": network.description,
    }
    form = NetworkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_network(user=request.user, network=network, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The network has been saved."))
            return redirect(network.get_absolute_url())
    return _page(request, network, "form.html", _("Edit the network"), form=form, cancel_url=network.get_absolute_url())


# --- tiers --------------------------------------------------------------------------------------------------


@login_required
def tiers(request, network_pk: int):
    network = _managed(request, network_pk)
    rows = selectors.tiers(network)
    posted = request.POST if request.method == "POST" else None
    chosen = str(posted.get("tier", "")) if posted else ""
    forms = [
        (
            tier,
            TierForm(
                posted if chosen == str(tier.pk) else None,
                prefix=f"tier-{tier.pk}",
                initial={"name": tier.name, "description": tier.description, "frozen": tier.frozen},
            ),
        )
        for tier in rows
    ]
    new_form = NewTierForm(posted if posted and "add" in posted else None, prefix="new")
    if posted:
        try:
            if "add" in posted:
                if new_form.is_valid():
                    actions.add_tier(user=request.user, network=network, **new_form.cleaned_data)
                    messages.success(request, _("The tier has been added."))
                    return redirect("network:tiers", network_pk=network.pk)
            else:
                tier, form = next(((t, f) for t, f in forms if str(t.pk) == chosen), (None, None))
                if tier is None:
                    raise Http404
                if form.is_valid():
                    actions.update_tier(user=request.user, tier=tier, **form.cleaned_data)
                    messages.success(request, _("The tier has been saved."))
                    return redirect("network:tiers", network_pk=network.pk)
        except ValidationError as error:
            _refused(new_form if "add" in posted else form, error)
    return _page(request, network, "tiers.html", _("Tiers of the network"), forms=forms, new_form=new_form)


# --- entries ------------------------------------------------------------------------------------------------


def _new_version(request, form, *, network: Network, note: str, changes: list[EntryChange]):
    try:
        version = actions.new_version(user=request.user, network=network, note=note, changes=changes)
    except ValidationError as error:
        _refused(form, error)
        return None
    messages.success(request, _("Version %(number)s of the network has been saved.") % {"number": version.number})
    return redirect(network.get_absolute_url())


@login_required
def entry_add(request, network_pk: int):
    network = _managed(request, network_pk)
    version = selectors.current_version(network)
    query = request.GET.get("q", "")[:100]
    posted_id = request.POST.get("service", "") if request.method == "POST" else ""
    if posted_id:
        services = list(selectors.entry_services_in_territory(network, service_id=_int(posted_id)))
    else:
        services = list(selectors.entry_services_in_territory(network, query=query, exclude_version=version))
    orps = selectors.network_orps(network)
    form = EntryAddForm(
        request.POST or None,
        services=services,
        tiers=selectors.tiers(network),
        orps=orps,
        municipalities=selectors.municipality_choices(network),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = services[0]
        unit = data["unit"] or defaults.unit_for_kind(service.kind.code if service.kind_id else None)
        capacity = data["capacity"]
        if capacity is None:
            capacity = defaults.registry_capacity(service, unit) or 0
        orp_codes = data["orp_codes"] or selectors.service_orp_codes(network, service)
        change = EntryChange(
            service_id=service.pk,
            unit=unit,
            capacity=capacity,
            tier_id=data["tier"],
            orp_codes=orp_codes,
            municipality_codes=data["municipality_codes"],
            financing_category=data["financing_category"],
            note=data["note"],
        )
        response = _new_version(request, form, network=network, note=data["version_note"], changes=[change])
        if response is not None:
            return response
    return _page(
        request, network, "entry_add.html", _("Add a service to the network"), form=form, query=query,
        services=services,
    )  # fmt: skip


def _int(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _current_entry(network: Network, entry_pk: int) -> NetworkEntry:
    """The entry of the current version for ``entry_pk`` (an entry of an older version leads to the same service
    in the same unit now)."""
    entry = NetworkEntry.objects.filter(pk=entry_pk, version__network=network).first()
    version = selectors.current_version(network)
    if entry is None or version is None:
        raise Http404
    current = selectors.version_entries(version).filter(service_id=entry.service_id, unit=entry.unit).first()
    if current is None:
        raise Http404
    return current


@login_required
def entry_edit(request, network_pk: int, entry_pk: int):
    network = _managed(request, network_pk)
    entry = _current_entry(network, entry_pk)
    if entry.pk != entry_pk and request.method == "GET":
        return redirect("network:entry_edit", network_pk=network.pk, entry_pk=entry.pk)
    orps = selectors.network_orps(network)
    removing = request.method == "POST" and "remove" in request.POST
    initial = {
        "capacity": entry.capacity,
        "unit": entry.unit,
        "tier": entry.tier_id,
        "orp_codes": [int(code) for code in entry.orp_codes or []],
        "municipality_codes": list(entry.municipality_codes or []),
        "financing_category": entry.financing_category,
        "note": entry.note,
    }
    form = EntryEditForm(
        request.POST if request.method == "POST" and not removing else None,
        initial=initial,
        tiers=selectors.tiers(network),
        orps=orps,
        municipalities=selectors.municipality_choices(network),
    )
    remove_form = RemoveEntryForm(request.POST if removing else None, prefix="remove")
    if removing and remove_form.is_valid():
        change = EntryChange(service_id=entry.service_id, unit=entry.unit, capacity=None)
        note = remove_form.cleaned_data["version_note"]
        response = _new_version(request, remove_form, network=network, note=note, changes=[change])
        if response is not None:
            return response
    elif request.method == "POST" and not removing and form.is_valid():
        data = form.cleaned_data
        values = {
            "capacity": data["capacity"],
            "tier_id": data["tier"],
            "orp_codes": data["orp_codes"],
            "municipality_codes": data["municipality_codes"],
            "financing_category": data["financing_category"],
            "note": data["note"],
        }
        changes = [EntryChange(service_id=entry.service_id, unit=data["unit"], **values)]
        if data["unit"] != entry.unit:  # another unit: the entry in the old unit leaves
            changes.insert(0, EntryChange(service_id=entry.service_id, unit=entry.unit, capacity=None))
        response = _new_version(request, form, network=network, note=data["version_note"], changes=changes)
        if response is not None:
            return response
    return _page(
        request, network, "entry_edit.html", _("Change of an entry"), form=form, remove_form=remove_form, entry=entry
    )


# --- brief --------------------------------------------------------------------------------------------------


def _brief_choices(network: Network) -> dict:
    kinds = ServiceKind.objects.order_by("order", "code")
    return {"kinds": list(kinds), "orps": selectors.network_orps(network)}


def brief_form(network: Network, data=None, item: BriefItem | None = None) -> BriefItemForm:
    initial = {}
    if item is not None:
        initial = {
            "kind": item.kind_id,
            "orp": item.orp_id,
            "unit": item.unit,
            "target_capacity": item.target_capacity,
            "justification": item.justification,
            "plan_reference": item.plan_reference,
        }
    return BriefItemForm(data, initial=initial, **_brief_choices(network))


def save_brief(request, network: Network, *, item: BriefItem | None):
    """(redirect, None) when saved; (None, the form with its errors) otherwise."""
    form = brief_form(network, request.POST, item)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_brief_item(
                user=request.user,
                network=network,
                item=item,
                kind=ServiceKind.objects.get(pk=data["kind"]),
                orp=Orp.objects.get(pk=data["orp"]) if data["orp"] else None,
                unit=data["unit"],
                target_capacity=data["target_capacity"],
                justification=data["justification"],
                plan_reference=data["plan_reference"],
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The brief has been saved."))
            return redirect("network:brief", network_pk=network.pk), None
    return None, form


class _DeleteForm(forms.Form):
    delete = forms.CharField(widget=forms.HiddenInput, initial="1")


def _confirm_delete(request, network: Network, item: BriefItem):
    brief_url = reverse("network:brief", kwargs={"network_pk": network.pk})
    unit = defaults.unit_names().get(item.unit, item.unit)
    context = {
        "title": _("Delete the brief target?"),
        "crumbs": [*crumbs(network, None)[:-1], (network.name, network.get_absolute_url()), (_("Brief"), brief_url)],
        "summary": [
            (_("Kind of service"), item.kind.name),
            (_("Territory"), item.orp.name if item.orp else _("The whole network")),
            (_("Target capacity"), f"{format_number(item.target_capacity)} {unit}"),
        ],
        "warning": _("The target leaves the brief; the network's entries do not change."),
        "form": _DeleteForm(),
        "confirm_label": _("Delete the target"),
        "confirm_style": "danger",
        "cancel_url": brief_url,
    }
    return render(request, "core/confirm.html", context)


@login_required
def brief_item_edit(request, network_pk: int, brief_item_pk: int):
    network = _managed(request, network_pk)
    item = BriefItem.objects.filter(pk=brief_item_pk, network=network).select_related("kind", "orp").first()
    if item is None:
        raise Http404
    form = brief_form(network, item=item)
    if request.method == "POST" and "delete" in request.POST:
        if "confirm" not in request.POST:
            return _confirm_delete(request, network, item)
        actions.delete_brief_item(user=request.user, item=item)
        messages.success(request, _("The brief item has been deleted."))
        return redirect("network:brief", network_pk=network.pk)
    if request.method == "POST":
        response, form = save_brief(request, network, item=item)
        if response is not None:
            return response
    return _page(request, network, "brief_item.html", _("Brief item"), form=form, item=item)


__all__ = ["Tier"]
