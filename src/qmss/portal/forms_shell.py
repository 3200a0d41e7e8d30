"""Forms of the portal's shell: the display modes (high contrast, text size)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qmss.portal import display


class DisplayForm(forms.Form):
    contrast = forms.ChoiceField(
        label=_("Contrast"), choices=list(display.CONTRASTS.items()), widget=forms.RadioSelect, initial="normal"
    )
    size = forms.ChoiceField(
        label=_("Text size"), choices=list(display.SIZES.items()), widget=forms.RadioSelect, initial="normal"
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def display(self) -> display.Display:
        return display.Display(contrast=self.cleaned_data["contrast"], size=self.cleaned_data["size"])
