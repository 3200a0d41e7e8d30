"""Forms of the standards part: a staff position (qualification from the library's list), a building, a household
and a room. Bounds are repeated from the actions so that a wrong value is shown at its field."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from qmss.financing.actions_standards import MAX_BEDS, MAX_FTE
from qmss.financing.library import default_rules


def qualification_choices() -> list[tuple[str, str]]:
    """The library's qualifications with their Czech names and § references."""
    choices = []
    for item in default_rules().qualifications:
        label = item.name if not item.section or item.section in item.name else f"{item.name} ({item.section})"
        choices.append((item.code, label))
    return choices


class PositionForm(forms.Form):
    position = forms.CharField(label=_("Position"), max_length=200)
    fte = forms.DecimalField(
        label=_("FTE"),
        min_value=Decimal("0.01"),
        max_value=MAX_FTE,
        max_digits=6,
        decimal_places=2,
        help_text=_("Full-time equivalents of the position (e.g. 0.5 for a half-time job)."),
    )
    direct_care = forms.BooleanField(label=_("Direct care"), required=False)
    qualification = forms.ChoiceField(label=_("Qualification"), choices=())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification"].choices = [("", "—"), *qualification_choices()]


class BuildingForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)


class HouseholdForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("A household or a ward of the building."))


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    beds = forms.IntegerField(label=_("Beds"), min_value=1, max_value=MAX_BEDS)
