"""Forms of the reference values: the list's filter and the import (organisation, year, name, source, verified
flag, file)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmss.financing.actions_reference import MAX_YEAR, MIN_YEAR, NAME_LENGTH, SOURCE_LENGTH
from qmss.financing.xlsx_reference import MAX_BYTES


class ReferenceFilterForm(forms.Form):
    spravce = forms.TypedChoiceField(label=_("Manager (territory)"), required=False, coerce=int, empty_value=None)
    rok = forms.IntegerField(
        label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR, widget=forms.Select
    )

    def __init__(self, *args, managers=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["spravce"].choices = [("", _("All"))] + [(pk, label) for pk, label in managers]
        self.fields["rok"].widget.choices = [("", _("All"))] + [(year, str(year)) for year in years]


class ReferenceImportForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Manager"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    name = forms.CharField(label=_("Name of the set"), max_length=NAME_LENGTH)
    source = forms.CharField(
        label=_("Source"),
        max_length=SOURCE_LENGTH,
        help_text=_("Where the values come from: a resolution of the council, an analysis, a file."),
    )
    verified = forms.BooleanField(label=_("The values have been verified against the source"), required=False)
    file = forms.FileField(
        label=_("Filled-in template (XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {org.pk: org for org in organisations}
        self.fields["organisation"].choices = [(org.pk, org.name) for org in organisations]
        self.fields["year"].initial = timezone.localdate().year + 1
        self.fields["file"].help_text = _(
            "The template downloaded from this page, at most %(size)s MB. Nothing is saved unless the whole file "
            "is valid."
        ) % {"size": MAX_BYTES // 1024 // 1024}

    def clean_organisation(self):
        return self.organisations[self.cleaned_data["organisation"]]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(size)s MB).") % {"size": MAX_BYTES // 1024 // 1024},
                code="too_large",
            )
        return upload
