"""Pages of the standards part: the list of services with their pass / fail, a service's staff positions,
buildings and checks, and the forms of positions, buildings, households and rooms. The provider's editors change
them; its members and the network managers of the service's region read them; everyone else gets 404."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from qmss.core.pagination import filter_query_string, paginate
from qmss.core.scoping import get_scope
from qmss.financing import actions_standards as actions
from qmss.financing import permissions
from qmss.financing import selectors_standards as selectors
from qmss.financing import standards_checks as checks
from qmss.financing.forms_standards import BuildingForm, HouseholdForm, PositionForm, RoomForm, qualification_choices


def _crumbs(*extra):
    crumbs = []
    with contextlib.suppress(NoReverseMatch):  # the hub (H8) may not be there yet
        crumbs.append((_("Financing"), reverse("financing:index")))
    crumbs.append((_("Standards"), reverse("financing:standards")))
    return [*crumbs, *extra]


def _service_url(service) -> str:
    return reverse("financing:service_standards", kwargs={"service_portal_id": service.portal_id})


def _service_crumb(service):
    return (service.name, _service_url(service))


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _require_edit(request, service) -> None:
    if not permissions.can_edit_service_standards(get_scope(request), service):
        raise PermissionDenied


# --- the list and the service ------------------------------------------------------------------------------------


@login_required
@require_safe
def standards(request):
    scope = get_scope(request)
    page = paginate(request, selectors.list_services(scope))
    rows = list(page.object_list)
    results = checks.check_services([s.pk for s in rows])
    for service in rows:
        service.summary = results[service.pk].summary
    page.object_list = rows
    context = {"services": rows, "page_obj": page, "query_string": filter_query_string(request),
               "crumbs": _crumbs()[:-1] + [(_("Standards"), "")]}  # fmt: skip
    return render(request, "financing/standards/list.html", context)


@login_required
@require_safe
def service_standards(request, service_portal_id: int):
    scope = get_scope(request)
    service = selectors.get_service(scope, service_portal_id)
    result = checks.check_services([service.pk])[service.pk]
    positions = selectors.positions_of(service)
    names = dict(qualification_choices())
    for position in positions:
        position.qualification_name = names.get(position.qualification, position.qualification)
    direct = sum((p.fte for p in positions if p.direct_care), 0)
    total = sum((p.fte for p in positions), 0)
    context = {
        "service": service,
        "positions": positions,
        "direct_fte": direct,
        "total_fte": total,
        "buildings": selectors.buildings_of(service),
        "check": result,
        "summary": result.summary,
        "personnel_findings": [f for f in result.findings if f.standard == checks.PERSONNEL],
        "mts_findings": [f for f in result.findings if f.standard == checks.MTS],
        "norm_label": checks.verification_label(verified=result.norm.verified, own_rule=result.norm.own_rule)
        if result.norm
        else "",
        "mts_label": checks.verification_label(verified=result.mts_rule.verified, own_rule=result.mts_rule.own_rule)
        if result.mts_rule
        else "",
        "can_edit": permissions.can_edit_service_standards(scope, service),
        "crumbs": _crumbs((service.name, "")),
    }
    return render(request, "financing/standards/service.html", context)


# --- generic form and delete pages -------------------------------------------------------------------------------


def _form_page(request, *, form, title, intro, crumbs, cancel_url, save, done_message, done_url, readonly=None):
    """Show ``form`` (or a read-only summary for a user who may only see); on a valid POST call ``save(data)``."""
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, done_message)
            return redirect(done_url() if callable(done_url) else done_url)
    context = {"form": form, "title": title, "intro": intro, "crumbs": crumbs, "cancel_url": cancel_url,
               "readonly": readonly or []}  # fmt: skip
    return render(request, "financing/standards/form.html", context)


def _delete_page(request, *, title, summary, crumbs, cancel_url, delete, done_message, done_url, warning=""):
    if request.method == "POST":
        delete()
        messages.success(request, done_message)
        return redirect(done_url)
    context = {"title": title, "summary": summary, "crumbs": crumbs, "cancel_url": cancel_url,
               "warning": warning or _("This cannot be undone."), "confirm_label": _("Delete"),
               "confirm_style": "danger"}  # fmt: skip
    return render(request, "core/confirm.html", context)


# --- staff positions ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def position_add(request, service_portal_id: int):
    service = selectors.get_service(get_scope(request), service_portal_id)
    _require_edit(request, service)
    return _form_page(
        request,
        form=PositionForm(request.POST or None),
        title=_("Add a staff position"),
        intro=_(
            "A position of the service's staff without names: its FTE, whether it is direct care, and the "
            "qualification under the Social Services Act."
        ),  # fmt: skip
        crumbs=_crumbs(_service_crumb(service), (_("Add a staff position"), "")),
        cancel_url=_service_url(service),
        save=lambda data: actions.create_position(user=request.user, service=service, **data),
        done_message=_("The position has been added."),
        done_url=_service_url(service),
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_edit(request, position_pk: int):
    scope = get_scope(request)
    position = selectors.get_position(scope, position_pk)
    service = position.service
    editable = permissions.can_edit_service_standards(scope, service)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    initial = {f: getattr(position, f) for f in ("position", "fte", "direct_care", "qualification", "note")}
    names = dict(qualification_choices())
    readonly = [
        (_("Position"), position.position),
        (_("FTE"), position.fte),
        (_("Direct care"), _("yes") if position.direct_care else _("no")),
        (_("Qualification"), names.get(position.qualification, position.qualification)),
        (_("Note"), position.note),
    ]
    return _form_page(
        request,
        form=PositionForm(request.POST or None, initial=initial) if editable else None,
        title=_("Staff position: %(name)s") % {"name": position.position},
        intro="",
        crumbs=_crumbs(_service_crumb(service), (position.position, "")),
        cancel_url=_service_url(service),
        save=lambda data: actions.update_position(user=request.user, staff_position=position, **data),
        done_message=_("The position has been saved."),
        done_url=_service_url(service),
        readonly=None if editable else readonly,
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_delete(request, position_pk: int):
    position = selectors.get_position(get_scope(request), position_pk)
    service = position.service
    _require_edit(request, service)
    return _delete_page(
        request,
        title=_("Delete the staff position?"),
        summary=[(_("Position"), position.position), (_("FTE"), position.fte)],
        crumbs=_crumbs(_service_crumb(service), (position.position, ""), (_("Delete"), "")),
        cancel_url=_service_url(service),
        delete=lambda: actions.delete_position(user=request.user, staff_position=position),
        done_message=_("The position has been deleted."),
        done_url=_service_url(service),
    )


# --- buildings -------------------------------------------------------------------------------------------------


def _building_url(building) -> str:
    return reverse("financing:building_edit", kwargs={"building_pk": building.pk})


@login_required
@require_http_methods(["GET", "POST"])
def building_add(request, service_portal_id: int):
    service = selectors.get_service(get_scope(request), service_portal_id)
    _require_edit(request, service)
    created = []

    def save(data):
        created.append(actions.create_building(user=request.user, service=service, **data))

    return _form_page(
        request,
        form=BuildingForm(request.POST or None),
        title=_("Add a building"),
        intro=_("Then add the building's households and their rooms with beds."),
        crumbs=_crumbs(_service_crumb(service), (_("Add a building"), "")),
        cancel_url=_service_url(service),
        save=save,
        done_message=_("The building has been added."),
        done_url=lambda: _building_url(created[0]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def building_edit(request, building_pk: int):
    """The building's page: its households with rooms and beds, and (for the provider's editors) its form."""
    scope = get_scope(request)
    building = selectors.get_building(scope, building_pk)
    service = building.service
    editable = permissions.can_edit_service_standards(scope, service)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    form = BuildingForm(request.POST or None, initial={"name": building.name, "address": building.address})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_building(user=request.user, building=building, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The building has been saved."))
            return redirect(_building_url(building))
    households = selectors.households_of(building)
    context = {
        "service": service,
        "building": building,
        "households": households,
        "persons": sum(h.persons for h in households),
        "rule": checks.mts_rule(service.kind.code if service.kind_id else None),
        "form": form if editable else None,
        "can_edit": editable,
        "crumbs": _crumbs(_service_crumb(service), (building.name, "")),
    }
    return render(request, "financing/standards/building.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def building_delete(request, building_pk: int):
    building = selectors.get_building(get_scope(request), building_pk)
    service = building.service
    _require_edit(request, service)
    return _delete_page(
        request,
        title=_("Delete the building?"),
        summary=[(_("Building"), building.name), (_("Address"), building.address)],
        crumbs=_crumbs(_service_crumb(service), (building.name, _building_url(building)), (_("Delete"), "")),
        cancel_url=_building_url(building),
        delete=lambda: actions.delete_building(user=request.user, building=building),
        done_message=_("The building has been deleted."),
        done_url=_service_url(service),
        warning=_("The building's households and rooms are deleted with it. This cannot be undone."),
    )


# --- households --------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def household_add(request, building_pk: int):
    building = selectors.get_building(get_scope(request), building_pk)
    _require_edit(request, building.service)
    return _form_page(
        request,
        form=HouseholdForm(request.POST or None),
        title=_("Add a household"),
        intro="",
        crumbs=_crumbs(
            _service_crumb(building.service), (building.name, _building_url(building)), (_("Add a household"), "")
        ),  # fmt: skip
        cancel_url=_building_url(building),
        save=lambda data: actions.create_household(user=request.user, building=building, **data),
        done_message=_("The household has been added."),
        done_url=_building_url(building),
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, household_pk: int):
    scope = get_scope(request)
    household = selectors.get_household(scope, household_pk)
    building = household.building
    editable = permissions.can_edit_service_standards(scope, building.service)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    return _form_page(
        request,
        form=HouseholdForm(request.POST or None, initial={"name": household.name}) if editable else None,
        title=_("Household: %(name)s") % {"name": household.name},
        intro="",
        crumbs=_crumbs(
            _service_crumb(building.service), (building.name, _building_url(building)), (household.name, "")
        ),  # fmt: skip
        cancel_url=_building_url(building),
        save=lambda data: actions.update_household(user=request.user, household=household, **data),
        done_message=_("The household has been saved."),
        done_url=_building_url(building),
        readonly=None if editable else [(_("Household"), household.name), (_("Building"), building.name)],
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_delete(request, household_pk: int):
    household = selectors.get_household(get_scope(request), household_pk)
    building = household.building
    _require_edit(request, building.service)
    return _delete_page(
        request,
        title=_("Delete the household?"),
        summary=[(_("Household"), household.name), (_("Building"), building.name)],
        crumbs=_crumbs(
            _service_crumb(building.service), (building.name, _building_url(building)), (_("Delete"), "")
        ),  # fmt: skip
        cancel_url=_building_url(building),
        delete=lambda: actions.delete_household(user=request.user, household=household),
        done_message=_("The household has been deleted."),
        done_url=_building_url(building),
        warning=_("The household's rooms are deleted with it. This cannot be undone."),
    )


# --- rooms -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def room_add(request, household_pk: int):
    household = selectors.get_household(get_scope(request), household_pk)
    building = household.building
    _require_edit(request, building.service)
    return _form_page(
        request,
        form=RoomForm(request.POST or None),
        title=_("Add a room to %(household)s") % {"household": household.name},
        intro=_("The beds of a room count as its persons."),
        crumbs=_crumbs(
            _service_crumb(building.service), (building.name, _building_url(building)), (_("Add a room"), "")
        ),  # fmt: skip
        cancel_url=_building_url(building),
        save=lambda data: actions.create_room(user=request.user, household=household, **data),
        done_message=_("The room has been added."),
        done_url=_building_url(building),
    )


@login_required
@require_http_methods(["GET", "POST"])
def room_edit(request, room_pk: int):
    scope = get_scope(request)
    room = selectors.get_room(scope, room_pk)
    building = room.household.building
    editable = permissions.can_edit_service_standards(scope, building.service)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    return _form_page(
        request,
        form=RoomForm(request.POST or None, initial={"name": room.name, "beds": room.beds}) if editable else None,
        title=_("Room: %(name)s") % {"name": room.name},
        intro="",
        crumbs=_crumbs(_service_crumb(building.service), (building.name, _building_url(building)), (room.name, "")),
        cancel_url=_building_url(building),
        save=lambda data: actions.update_room(user=request.user, room=room, **data),
        done_message=_("The room has been saved."),
        done_url=_building_url(building),
        readonly=None
        if editable
        else [(_("Room"), room.name), (_("Beds"), room.beds), (_("Household"), room.household.name)],
    )


@login_required
@require_http_methods(["GET", "POST"])
def room_delete(request, room_pk: int):
    room = selectors.get_room(get_scope(request), room_pk)
    building = room.household.building
    _require_edit(request, building.service)
    return _delete_page(
        request,
        title=_("Delete the room?"),
        summary=[(_("Room"), room.name), (_("Beds"), room.beds), (_("Household"), room.household.name)],
        crumbs=_crumbs(
            _service_crumb(building.service), (building.name, _building_url(building)), (_("Delete"), "")
        ),  # fmt: skip
        cancel_url=_building_url(building),
        delete=lambda: actions.delete_room(user=request.user, room=room),
        done_message=_("The room has been deleted."),
        done_url=_building_url(building),
    )
