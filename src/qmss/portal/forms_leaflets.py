"""The GET form of the leaflets page: a leaflet or poster and a place (a municipality by name or code, or an ORP)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_NAME_LENGTH = 100


class LeafletForm(forms.Form):
    letak = forms.ChoiceField(label=_("Leaflet or poster"), required=True)
    obec = forms.CharField(
        label=_("Municipality"),
        required=False,
        max_length=MAX_NAME_LENGTH,
        help_text=_("Type the name of the municipality; if there are more of the same name, we will offer them."),
    )
    orp = forms.ChoiceField(label=_("or a whole ORP (municipality with extended powers)"), required=False)

    def __init__(self, *args, articles=(), orps=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["letak"].choices = [("", _("– choose –"))] + [
            (a.slug, f"{a.published_revision.title} ({a.get_kind_display()})") for a in articles
        ]
        self.fields["letak"].error_messages["required"] = _("Choose a leaflet or a poster.")
        self.fields["letak"].error_messages["invalid_choice"] = _("Choose a leaflet or a poster from the list.")
        self.fields["orp"].choices = [("", _("– no ORP, the municipality above –"))] + list(orps)
        self.fields["orp"].error_messages["invalid_choice"] = _("Choose an ORP from the list.")

    def clean(self):
        data = super().clean()
        if not (data.get("obec") or "").strip() and not data.get("orp"):
            raise forms.ValidationError(_("Enter a municipality or choose an ORP."), code="required")
        return data
