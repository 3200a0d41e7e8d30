"""Forms of the service cards and of the minimum form. The card is one form with three fields per need
(response, basic activity, note), so it works without JavaScript; the actions re-check everything."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qmss.needs.actions_service_cards import ResponseInput, activity_required_message, parse_threshold
from qmss.needs.minimum import DEFAULT_THRESHOLD
from qmss.needs.models import ServiceCardResponse
from qmss.needs.selectors_service_cards import current_year, year_choices


class ServiceCardForm(forms.Form):
    """Per need: ``response_<pk>``, ``activity_<pk>``, ``note_<pk>``."""

    def __init__(self, *args, needs, activities, responses, disabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = list(needs)
        response_choices = [("", _("– not answered yet –")), *ServiceCardResponse.Response.choices]
        activity_choices = [("", _("– choose a basic activity –"))] + [(str(a.pk), a.name) for a in activities]
        for need in self.needs:
            current = responses.get(need.pk)
            self.fields[f"response_{need.pk}"] = forms.ChoiceField(
                label=_("Response"),
                choices=response_choices,
                required=False,
                initial=current.response if current else "",
                disabled=disabled,
            )
            self.fields[f"activity_{need.pk}"] = forms.ChoiceField(
                label=_("Basic activity"),
                choices=activity_choices,
                required=False,
                initial=str(current.activity_id) if current and current.activity_id else "",
                disabled=disabled,
            )
            self.fields[f"note_{need.pk}"] = forms.CharField(
                label=_("Note"),
                max_length=1000,
                required=False,
                initial=current.note if current else "",
                widget=forms.Textarea(attrs={"rows": 2}),
                disabled=disabled,
            )

    def rows(self):
        """(need, response field, activity field, note field) per need, for the template's table."""
        return [
            (need, self[f"response_{need.pk}"], self[f"activity_{need.pk}"], self[f"note_{need.pk}"])
            for need in self.needs
        ]

    def clean(self):
        cleaned = super().clean()
        for need in self.needs:
            if cleaned.get(f"response_{need.pk}") == ServiceCardResponse.Response.BASIC_ACTIVITY and not cleaned.get(
                f"activity_{need.pk}"
            ):
                self.add_error(f"activity_{need.pk}", activity_required_message(need))
        return cleaned

    def responses(self) -> dict[int, ResponseInput]:
        result = {}
        for need in self.needs:
            activity = self.cleaned_data.get(f"activity_{need.pk}") or ""
            result[need.pk] = ResponseInput(
                response=self.cleaned_data.get(f"response_{need.pk}") or "",
                activity_id=int(activity) if activity.isdigit() else None,
                note=self.cleaned_data.get(f"note_{need.pk}") or "",
            )
        return result


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Period (year)"), coerce=int, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in year_choices()]

    def chosen_year(self, default: int | None = None) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return default or current_year()


class ThresholdField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return DEFAULT_THRESHOLD
        try:
            return parse_threshold(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code="invalid") from exc


class ProposalForm(YearForm):
    """The period of the cards and the share of services a proposed need must reach (GET)."""

    threshold = ThresholdField(
        label=_("Share of services"),
        required=False,
        help_text=_("From 0 to 1: 0.5 proposes the needs that at least half of the services address."),
    )

    def chosen_threshold(self) -> Decimal:
        if self.is_valid():
            return self.cleaned_data["threshold"]
        return DEFAULT_THRESHOLD


class MinimumConfirmForm(forms.Form):
    """The region confirms the proposal, possibly with needs added or removed (POST)."""

    needs = forms.MultipleChoiceField(
        label=_("Needs of the minimum form"), required=False, widget=forms.CheckboxSelectMultiple
    )
    year = forms.TypedChoiceField(label=_("Period (year)"), coerce=int, widget=forms.HiddenInput)
    threshold = ThresholdField(label=_("Share of services"), widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, need_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.need_objects = {str(need.pk): need for need in need_choices}
        self.fields["needs"].choices = [(str(need.pk), need.name) for need in need_choices]
        self.fields["year"].choices = [(year, str(year)) for year in year_choices()]

    def chosen_needs(self) -> list:
        return [self.need_objects[pk] for pk in self.cleaned_data["needs"]]
