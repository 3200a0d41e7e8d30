"""Forms of the XLSX page: the layout of the download and the uploaded file (bounded in size)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qmss.needs import xlsx


def layout_choices():
    return [
        (xlsx.LAYOUT_SHEETS, _("One sheet per service (registry facts at the top, one row per figure)")),
        (xlsx.LAYOUT_TIDY, _("One table for all services (one row per figure)")),
    ]


class _OrganisationMixin:
    def _organisation_field(self, organisations) -> None:
        if len(organisations) > 1:
            self.fields["organisation"] = forms.TypedChoiceField(
                label=_("Provider organisation"),
                choices=[(org.pk, org.name) for org in organisations],
                coerce=int,
            )


class DownloadForm(_OrganisationMixin, forms.Form):
    layout = forms.ChoiceField(label=_("Layout of the workbook"), widget=forms.RadioSelect, initial=xlsx.LAYOUT_SHEETS)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layout"].choices = layout_choices()
        self._organisation_field(list(organisations))


class UploadForm(_OrganisationMixin, forms.Form):
    file = forms.FileField(
        label=_("Filled-in template (XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "The workbook downloaded above, at most %(size)s MB. Nothing is saved unless the whole file is valid."
        ) % {"size": xlsx.MAX_BYTES // 1024 // 1024}
        self._organisation_field(list(organisations))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > xlsx.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(size)s MB).") % {"size": xlsx.MAX_BYTES // 1024 // 1024},
                code="too_large",
            )
        return upload
