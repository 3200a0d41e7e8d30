"""Forms of the kind cards and their consultation (plain HTML forms, no JavaScript needed). Choices are limited to
the card's kind and taxonomy; :mod:`qmss.needs.actions_cards` checks again."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from qmss.needs.actions_cards import MAX_TEXT, NeedLine
from qmss.needs.models import CardComment, KindCard, KindCardNeed, Need
from qmss.registry.models import BasicActivity, CapacityType


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ActivityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


@dataclass
class NeedRow:
    """One need of the taxonomy in the edit form: its area, the tick box, the activities and the note."""

    need: Need
    area_changed: bool
    chosen: forms.BoundField
    activities: forms.BoundField
    note: forms.BoundField


class CardEditForm(forms.Form):
    purpose = forms.CharField(
        label=_("What the service is for"), widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_TEXT
    )
    public_expectations = forms.CharField(
        label=_("What the public can expect"),
        help_text=_("Plain words for the people who use the service and their families."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_TEXT,
    )
    capacity_type = forms.ModelChoiceField(
        queryset=CapacityType.objects.order_by("order", "code"),
        label=_("Unit of capacity"),
        required=False,
        empty_label=_("– choose –"),
    )
    activities = ActivityChoiceField(
        queryset=BasicActivity.objects.none(),
        label=_("Basic activities"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, card: KindCard, needs: list[Need], lines: list[KindCardNeed], **kwargs):
        self.card = card
        self.needs = needs
        kind_activities = card.kind.activities.order_by("order", "code")
        if "initial" not in kwargs:
            kwargs["initial"] = self._initial(card, lines)
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = kind_activities
        self.activity_choices = list(kind_activities)
        self.activity_by_pk = {str(a.pk): a for a in self.activity_choices}
        choices = [(str(a.pk), a.name) for a in self.activity_choices]  # one query for every need's tick boxes
        for need in needs:
            self.fields[f"need_{need.pk}"] = forms.BooleanField(label=need.name, required=False)
            self.fields[f"need_{need.pk}_activities"] = forms.MultipleChoiceField(
                choices=choices,
                label=_("Activities that answer “{need}”").format(need=need.name),
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.fields[f"need_{need.pk}_note"] = forms.CharField(
                label=_("Note on “{need}”").format(need=need.name), required=False, max_length=1000
            )

    @staticmethod
    def _initial(card: KindCard, lines: list[KindCardNeed]) -> dict:
        initial = {
            "purpose": card.purpose,
            "public_expectations": card.public_expectations,
            "capacity_type": card.capacity_type_id,
            "activities": [a.pk for a in card.activities.all()],
        }
        for line in lines:
            initial[f"need_{line.need_id}"] = True
            initial[f"need_{line.need_id}_activities"] = [str(a.pk) for a in line.activities.all()]
            initial[f"need_{line.need_id}_note"] = line.note
        return initial

    def need_rows(self) -> list[NeedRow]:
        rows = []
        area = None
        for need in self.needs:
            rows.append(
                NeedRow(
                    need=need,
                    area_changed=need.area_id != area,
                    chosen=self[f"need_{need.pk}"],
                    activities=self[f"need_{need.pk}_activities"],
                    note=self[f"need_{need.pk}_note"],
                )
            )
            area = need.area_id
        return rows

    def need_lines(self) -> list[NeedLine]:
        data = self.cleaned_data
        return [
            NeedLine(
                need=need,
                activities=[self.activity_by_pk[pk] for pk in data.get(f"need_{need.pk}_activities") or []],
                note=data.get(f"need_{need.pk}_note") or "",
            )
            for need in self.needs
            if data.get(f"need_{need.pk}")
        ]


class ConsultationForm(forms.Form):
    message = forms.CharField(
        label=_("Message to providers"),
        help_text=_("What you ask the providers to look at, and how the consultation will go on."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_TEXT,
    )
    deadline = forms.DateField(label=_("Comments until"), widget=DateInput)


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=300)
    attendees = forms.CharField(label=_("Who attended"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_TEXT)


class NeedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class CommentForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, label=_("On behalf of"), empty_label=None)
    field = forms.ChoiceField(label=_("The comment concerns"), choices=CardComment.Field.choices)
    need = NeedChoiceField(
        queryset=Need.objects.none(),
        label=_("Need"),
        required=False,
        help_text=_("Only when the comment concerns a need."),
        empty_label=_("– choose –"),
    )
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_TEXT)

    def __init__(self, *args, organisations, card: KindCard, **kwargs):
        super().__init__(*args, **kwargs)
        from qmss.core.models import Organisation

        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
            self.fields["organisation"].widget = forms.HiddenInput()
        self.fields["need"].queryset = Need.objects.filter(taxonomy_id=card.taxonomy_id).order_by(
            "area__order", "order"
        )

    def clean(self):
        data = super().clean()
        if data.get("field") == CardComment.Field.NEED and not data.get("need"):
            self.add_error("need", _("Choose the need the comment is about."))
        return data


class SettleForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Settlement"),
        choices=[(CardComment.Status.ACCEPTED, _("accepted")), (CardComment.Status.REJECTED, _("rejected"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Required when the comment is rejected."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_TEXT,
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == CardComment.Status.REJECTED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for rejecting the comment."))
        return data
