"""Second-factor pages: set up the authenticator, enter a code after login, recovery codes, turn it off."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from qmss.core import actions_mfa, mfa
from qmss.core.scoping import get_scope

SETUP_KEY_SESSION = "qmss_totp_setup_key"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def _owes_verification(request) -> bool:
    return not request.user.is_verified() and mfa.has_device(request.user)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """After the password: the authenticator code or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not mfa.has_device(request.user):
        return redirect("mfa_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Whether django-otp already made the user wait is decided before this attempt: the attempt itself starts
        # a new (short) wait, and a first wrong code must read "not valid", not "too many".
        was_throttled = actions_mfa.throttled(request.user)
        device = actions_mfa.verify_code(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session[mfa.SESSION_KEY] = mfa.STATE_VERIFY
            if device.name == mfa.RECOVERY_DEVICE_NAME:
                left = mfa.remaining_recovery_codes(request.user)
                messages.warning(request, _("You used a recovery code. Recovery codes left: %(n)s.") % {"n": left})
            return redirect(_next_url(request))
        if was_throttled:
            form.add_error("code", _("Too many wrong codes. Wait a moment and try again."))
        else:
            form.add_error("code", _("The code is not valid. Enter the current code from your app or a recovery code."))
    return render(request, "core/mfa/verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Pair an authenticator app: QR code and the secret for typing, confirmed with a current code."""
    if _owes_verification(request):
        # Someone with only the password must not add their own device next to the owner's.
        return redirect("mfa_verify")
    if mfa.totp_device(request.user) is not None:
        messages.info(request, _("The authenticator is already set up."))
        return redirect("mfa_manage")
    hex_key = request.session.get(SETUP_KEY_SESSION)
    if not hex_key:
        hex_key = actions_mfa.new_totp_key()
        request.session[SETUP_KEY_SESSION] = hex_key
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = actions_mfa.add_authenticator(user=request.user, hex_key=hex_key, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            request.session.pop(SETUP_KEY_SESSION, None)
            otp_login(request, device)
            request.session[mfa.SESSION_KEY] = mfa.STATE_VERIFY
            codes = actions_mfa.issue_recovery_codes(user=request.user)
            messages.success(request, _("The second factor is on. Keep the recovery codes below in a safe place."))
            return render(request, "core/mfa/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
    uri = mfa.otpauth_uri(hex_key=hex_key, label=request.user.get_username())
    context = {
        "form": form,
        "qr_svg": mfa.qr_svg(uri, title=_("QR code for the authenticator app")),
        "secret": mfa.grouped(mfa.base32_secret(hex_key)),
        "required": mfa.must_use_second_factor(get_scope(request)),
        "next": _next_url(request),
    }
    return render(request, "core/mfa/setup.html", context)


@login_required
def manage(request):
    """The state of the second factor (reached from the profile page)."""
    device = mfa.totp_device(request.user)
    context = {
        "device": device,
        "recovery_left": mfa.remaining_recovery_codes(request.user),
        "required": mfa.must_use_second_factor(get_scope(request)),
    }
    return render(request, "core/mfa/manage.html", context)


@login_required
@require_http_methods(["POST"])
def recovery_codes(request):
    """Issue new recovery codes (the old ones stop working) and show them once."""
    if not mfa.has_device(request.user) or not request.user.is_verified():
        return redirect("mfa_setup")
    codes = actions_mfa.issue_recovery_codes(user=request.user)
    messages.success(request, _("New recovery codes were issued; the previous ones no longer work."))
    return render(request, "core/mfa/recovery_codes.html", {"codes": codes, "next": ""})


@login_required
@require_http_methods(["GET", "POST"])
def disable(request):
    """Turn the second factor off: only for accounts that are not required to use it, with a current code."""
    scope = get_scope(request)
    if mfa.must_use_second_factor(scope):
        raise PermissionDenied
    if not mfa.has_device(request.user):
        return redirect("mfa_manage")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if actions_mfa.verify_code(user=request.user, code=form.cleaned_data["code"]) is None:
            form.add_error("code", _("The code is not valid. Enter the current code from your app or a recovery code."))
        else:
            actions_mfa.disable_second_factor(user=request.user, scope=scope)
            request.session[mfa.SESSION_KEY] = mfa.STATE_NONE
            messages.success(request, _("The second factor is off."))
            return redirect("profile")
    return render(request, "core/mfa/disable.html", {"form": form})
