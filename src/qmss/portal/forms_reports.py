"""Forms of the reports part: the public report form (municipality resolved without JavaScript) and the handlers'
state form. Every text is bounded; the spam checks live in :mod:`qmss.portal.spam_reports`."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qmss.portal import spam_reports as spam
from qmss.portal.actions_reports import MOVES
from qmss.portal.models import UnregisteredReport
from qmss.territory.models import Municipality, search_key

MAX_WHAT = 3000
MAX_NOTE = 2000
MAX_CHOICES = 20
_PHONE = re.compile(r"^\+?[0-9 ]{9,20}$")
_LABEL = re.compile(r"^(.+?)\s*\((?:okres\s+|district\s+)?([^()]+)\)$", re.IGNORECASE)

State = UnregisteredReport.State


class ReportForm(forms.Form):
    obec_kod = forms.CharField(required=False, max_length=6, widget=forms.HiddenInput)
    obec = forms.CharField(
        label=gettext_lazy("Municipality where the service operates"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("The report goes to the regional authority of the region of this municipality."),
    )
    service_name = forms.CharField(
        label=gettext_lazy("Name of the service, of the facility or of who provides it"), max_length=200
    )
    place = forms.CharField(label=gettext_lazy("Address or description of the place"), max_length=300, required=False)
    what_happened = forms.CharField(
        label=gettext_lazy("What happened, what you noticed"),
        max_length=MAX_WHAT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Describe what the service does and why you think it is not registered."),
    )
    when = forms.CharField(label=gettext_lazy("When it happened"), max_length=200, required=False)
    anonymous = forms.BooleanField(
        label=gettext_lazy("I want to stay anonymous (no contact is stored)"), required=False
    )
    reporter_name = forms.CharField(label=gettext_lazy("Your name"), max_length=150, required=False)
    reporter_email = forms.EmailField(label=gettext_lazy("Your e-mail"), max_length=254, required=False)
    reporter_phone = forms.CharField(label=gettext_lazy("Your phone"), max_length=30, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.municipality: Municipality | None = None
        self.municipality_choices: list[Municipality] = []
        self.fields["obec"].widget.attrs["autocomplete"] = "off"
        self.fields["reporter_email"].widget.attrs["autocomplete"] = "email"
        self.fields["reporter_name"].widget.attrs["autocomplete"] = "name"
        self.fields["reporter_phone"].widget.attrs["autocomplete"] = "tel"

    def clean_reporter_phone(self) -> str:
        phone = self.cleaned_data["reporter_phone"].strip()
        if phone and not _PHONE.match(phone):
            raise forms.ValidationError(_("Enter the phone number in digits, for example +420 123 456 789."))
        return phone

    def _resolve_municipality(self, code: str, name: str) -> None:
        district = ""
        labelled = _LABEL.match(name.strip())
        if labelled:  # "Lhota (okres Kolín)", as the finder's suggestions offer it
            name, district = labelled.group(1), search_key(labelled.group(2))
        key = search_key(name)
        if code:
            chosen = Municipality.objects.select_related("region", "district").filter(code=code).first()
            if chosen is not None and (not key or chosen.search_name == key):
                self.municipality = chosen
                return
        if not key:
            self.add_error("obec", _("Enter the municipality where the service operates."))
            return
        matches = list(
            Municipality.objects.select_related("region", "district").filter(search_name=key)[: MAX_CHOICES + 1]
        )
        if district and len(matches) > 1:
            matches = [m for m in matches if search_key(m.district.name) == district] or matches
        if len(matches) == 1:
            self.municipality = matches[0]
        elif matches:
            self.municipality_choices = matches[:MAX_CHOICES]
            self.add_error("obec", _("Several municipalities have this name. Choose one of them below."))
        else:
            self.add_error("obec", _("No municipality of this name was found. Check the spelling."))

    def clean(self):
        data = super().clean()
        self._resolve_municipality((data.get("obec_kod") or "").strip(), data.get("obec") or "")
        texts = (
            data.get("service_name", ""),
            data.get("place", ""),
            data.get("what_happened", ""),
            data.get("when", ""),
        )
        if spam.count_links(*texts) > spam.MAX_LINKS:
            raise forms.ValidationError(
                _("The report contains too many links (at most %(n)s).") % {"n": spam.MAX_LINKS}
            )
        if data.get("anonymous"):
            for name in ("reporter_name", "reporter_email", "reporter_phone"):
                data[name] = ""
        return data


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label=gettext_lazy("New state"))
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome (when closing)"),
        required=False,
        choices=[("", gettext_lazy("– choose when closing –")), *UnregisteredReport.Outcome.choices],
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=MAX_NOTE, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, report: UnregisteredReport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = [(s, State(s).label) for s in MOVES.get(report.state, ())]
