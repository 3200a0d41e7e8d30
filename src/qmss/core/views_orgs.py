"""Organisation pages: list, detail with members, editing, invitations, member roles, audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qmss.core import actions, history, hooks, selectors
from qmss.core.forms import InvitationSignupForm, InviteForm, OrganisationForm, RoleForm
from qmss.core.pagination import paginate
from qmss.core.roles import Perm
from qmss.core.scoping import get_object_or_404_scoped, get_scope


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def organisation_list(request):
    scope = get_scope(request)
    page = paginate(request, selectors.organisation_list(scope))
    return render(request, "core/organisation_list.html", {"page_obj": page, "organisations": page.object_list})


@login_required
def organisation_detail(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_organisation(scope, organisation_pk)
    can_manage = scope.has_perm(Perm.MANAGE_MEMBERS, organisation.pk)
    context = {
        "organisation": organisation,
        "members": selectors.members_in_order(organisation),
        "can_manage": can_manage,
        "can_view_log": scope.has_perm(Perm.VIEW_AUDIT_LOG, organisation.pk),
        "invitations": selectors.open_invitations(organisation) if can_manage else [],
        "invite_form": InviteForm(organisation=organisation) if can_manage else None,
        "role_form_choices": RoleForm(organisation=organisation).fields["role"].choices if can_manage else [],
        "organisation_panels": [p for ps in hooks.call_all("organisation_panels", request, organisation) for p in ps],
    }
    return render(request, "core/organisation_detail.html", context)


@login_required
def organisation_edit(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_organisation(scope, organisation_pk)
    if not scope.has_perm(Perm.MANAGE_MEMBERS, organisation.pk):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_organisation(scope=scope, organisation=organisation, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect(organisation)
    return render(request, "core/organisation_edit.html", {"organisation": organisation, "form": form})


@login_required
@require_POST
def invitation_create(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_organisation(scope, organisation_pk)
    if not scope.has_perm(Perm.MANAGE_MEMBERS, organisation.pk):
        raise PermissionDenied
    form = InviteForm(request.POST, organisation=organisation)
    if form.is_valid():
        try:
            actions.invite_member(
                scope=scope,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                accept_url_builder=lambda token: request.build_absolute_uri(
                    reverse("invitation_accept", kwargs={"token": token})
                ),
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect(organisation)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect(organisation)


def _confirm_page(request, organisation, *, title: str, current: str, summary, warning: str, label: str):
    """The shared confirmation page (``core/confirm.html``) of a destructive step on the organisation page."""
    context = {
        "title": title,
        "crumbs": [
            (_("Organisations"), reverse("organisation_list")),
            (organisation.name, organisation.get_absolute_url()),
            (current, None),
        ],
        "summary": summary,
        "warning": warning,
        "confirm_label": label,
        "confirm_style": "danger",
        "cancel_url": organisation.get_absolute_url(),
    }
    return render(request, "core/confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request, organisation_pk: int, invitation_pk: int):
    """GET: the confirmation page; POST with ``confirm``: revoke. A GET never revokes."""
    scope = get_scope(request)
    organisation = selectors.get_organisation(scope, organisation_pk)
    if not scope.has_perm(Perm.MANAGE_MEMBERS, organisation.pk):
        raise PermissionDenied
    invitation = get_object_or_404_scoped(selectors.open_invitations(organisation), pk=invitation_pk)
    if request.method == "POST" and request.POST.get("confirm"):
        actions.revoke_invitation(scope=scope, invitation=invitation)
        messages.success(request, _("The invitation has been revoked."))
        return redirect(organisation)
    return _confirm_page(
        request,
        organisation,
        title=_("Revoke the invitation for %(email)s?") % {"email": invitation.email},
        current=_("Revoke invitation"),
        summary=[
            (_("Organisation"), organisation.name),
            (_("E-mail"), invitation.email),
            (_("Role"), invitation.get_role_display()),
        ],
        warning=_("The link in the invitation e-mail will stop working."),
        label=_("Revoke invitation"),
    )


@login_required
@require_POST
def member_role(request, organisation_pk: int, membership_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_organisation(scope, organisation_pk)
    membership = selectors.get_membership(scope, organisation, membership_pk)
    form = RoleForm(request.POST, organisation=organisation)
    if not scope.has_perm(Perm.MANAGE_MEMBERS, organisation.pk):
        raise PermissionDenied
    if form.is_valid():
        try:
            actions.change_member_role(scope=scope, membership=membership, role=form.cleaned_data["role"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("The role has been changed."))
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect(organisation)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, organisation_pk: int, membership_pk: int):
    """GET: the confirmation page ("Odebrat"); POST with ``confirm``: remove. A GET never removes."""
    scope = get_scope(request)
    organisation = selectors.get_organisation(scope, organisation_pk)
    if not scope.has_perm(Perm.MANAGE_MEMBERS, organisation.pk):
        raise PermissionDenied
    membership = selectors.get_membership(scope, organisation, membership_pk)
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            actions.remove_member(scope=scope, membership=membership)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("The member has been removed from the organisation."))
        return redirect(organisation)
    name = membership.user.get_full_name() or membership.user.get_username()
    return _confirm_page(
        request,
        organisation,
        title=_("Remove %(name)s from %(organisation)s?") % {"name": name, "organisation": organisation.name},
        current=_("Remove member"),
        summary=[
            (_("Member"), name),
            (_("E-mail"), membership.user.email),
            (_("Role"), membership.get_role_display()),
        ],
        warning=_("The person loses access to the organisation's data at once. They can be invited again."),
        label=_("Remove member"),
    )


@login_required
def organisation_log(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = selectors.get_organisation(scope, organisation_pk)
    if not scope.has_perm(Perm.VIEW_AUDIT_LOG, organisation.pk):
        raise PermissionDenied
    page = paginate(request, selectors.organisation_log(scope, organisation))
    return render(
        request,
        "core/organisation_log.html",
        {"organisation": organisation, "page_obj": page, "entries": history.redacted_entries(scope, page)},
    )


def invitation_accept(request, token: str):
    invitation = selectors.invitation_by_token(token)
    if invitation is None or not invitation.is_open:
        return render(request, "core/invitation_invalid.html", {}, status=404)
    if request.user.is_authenticated:
        if request.method == "POST":
            actions.accept_invitation(invitation=invitation, user=request.user)
            messages.success(request, _("You are now a member of %(org)s.") % {"org": invitation.organisation})
            return redirect(invitation.organisation)
        return render(request, "core/invitation_accept.html", {"invitation": invitation})
    form = InvitationSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.register_and_accept(
            invitation=invitation,
            username=form.cleaned_data["username"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account has been created. Welcome to QMSS."))
        return redirect(invitation.organisation)
    return render(request, "core/invitation_accept.html", {"invitation": invitation, "form": form})
