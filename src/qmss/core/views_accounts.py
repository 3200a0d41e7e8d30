"""The user's own account: profile and memberships."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from qmss.core import actions, history, selectors, throttle
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


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers to a locked-out login (settings ``AXES_LOCKOUT_CALLABLE``): a Czech page, 429."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(
        request, "registration/locked_out.html", {"cooloff_timedelta": True, "cooloff_minutes": minutes}, status=429
    )


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Password reset with a limit on requests per client address and per e-mail address (``QMSS_RESET_*``).

    The limits apply whether or not an account has the address, so the answer reveals nothing."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def post(self, request, *args, **kwargs):
        email = request.POST.get("email", "")
        window = settings.QMSS_RESET_WINDOW_SECONDS
        allowed = throttle.allow(
            "reset-ip", throttle.client_ip(request), limit=settings.QMSS_RESET_LIMIT_PER_IP, window_seconds=window
        )
        if allowed and email.strip():
            allowed = throttle.allow(
                "reset-email", email, limit=settings.QMSS_RESET_LIMIT_PER_EMAIL, window_seconds=window
            )
        if not allowed:
            return render(request, "registration/locked_out.html", {"reset_throttled": True}, status=429)
        return super().post(request, *args, **kwargs)
