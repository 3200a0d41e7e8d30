"""Forms of the verified provider link: finding a registry provider to claim, deciding a claim, revoking a link."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ProviderSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Provider in the registry (name or IČO)"),
        max_length=200,
        required=False,
        help_text=_("At least two characters; an eight-digit number is searched as the company ID (IČO)."),
    )


class ClaimForm(forms.Form):
    provider = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    VERIFY, REJECT = "verify", "reject"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (VERIFY, _("Verify: the organisation is this provider")),
            (REJECT, _("Reject the claim")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("How you checked the claim (e.g. a call to the registry's phone number) or why you reject it."),
    )
    confirm = forms.BooleanField(
        label=_("I have checked the claim against the registry's contact data of the provider."), required=True
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=2000, widget=TEXTAREA)
    confirm = forms.BooleanField(
        label=_("I understand that the organisation's work will no longer be attributed to the provider's services."),
        required=True,
    )
