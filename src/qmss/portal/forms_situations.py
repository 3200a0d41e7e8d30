"""The editors' form of a situation phrasing: its words, the needs they mean, optional target groups and (for a
new phrasing) the editorial organisation it belongs to."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qmss.portal.library_situations import target_group_choices
from qmss.portal.situations import need_choices


class PhraseForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    text = forms.CharField(
        label=_("Phrasing"),
        max_length=200,
        help_text=_(
            "How people describe the situation in their own words, e.g. “babička po operaci kyčle”. The finder "
            "recognises the words in any grammatical form and without diacritics."
        ),
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The needs of the needs taxonomy the finder offers for these words."),
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = need_choices()
        self.fields["target_groups"].choices = target_group_choices()
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
            self.order_fields(["organisation", "text", "needs", "target_groups"])
