"""Forms of the entrustments part: a proposal's obligation, period and act reference; the proposals chosen to be
proposed or issued. The actions check everything again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qmss.financing.actions_entrustments import MAX_TEXT

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntrustmentForm(forms.Form):
    obligation = forms.CharField(
        label=_("Content of the public-service obligation"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    period_start = forms.DateField(label=_("Valid from"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Valid until"), widget=DATE_WIDGET)
    act_reference = forms.CharField(
        label=_("Act of entrustment"),
        max_length=300,
        required=False,
        help_text=_("E.g. a council resolution number and date."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period must not be earlier than its start."))
        return data


class ProposeForm(forms.Form):
    """The pending proposals to turn into PROPOSED records (keys ``<service id>:<unit>``)."""

    proposal = forms.MultipleChoiceField(label=_("Proposals"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].choices = [(key, key) for key in keys]


class IssueForm(forms.Form):
    """The PROPOSED records to issue."""

    entrustment = forms.TypedMultipleChoiceField(
        label=_("Proposed entrustments"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entrustment"].choices = [(pk, pk) for pk in ids]
