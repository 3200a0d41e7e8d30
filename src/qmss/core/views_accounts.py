"""The user's own account: profile and memberships."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from qmss.core import actions, history, selectors
from qmss.core.forms import ProfileForm
from qmss.core.scoping import get_object_or_404_scoped, get_scope


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        actions.update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("profile")
    return render(request, "core/profile.html", {"form": form, "memberships": selectors.user_memberships(request.user)})


@login_required
def object_history(request, model_label: str, object_pk: str):
    scope = get_scope(request)
    visible = history.visible_queryset(model_label, scope)
    if visible is None:
        raise Http404
    obj = get_object_or_404_scoped(visible, pk=object_pk)
    entries = history.redacted_entries(scope, selectors.object_history(obj)[:500])
    return render(request, "core/object_history.html", {"object": obj, "entries": entries})
