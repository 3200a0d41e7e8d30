"""Forms of network applications (all work without JavaScript)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qmss.core.choice_fields import CHOOSE, CzechModelChoiceField, blank_choice
from qmss.core.collation import czech_sorted
from qmss.network import uploads_applications as uploads
from qmss.network.models import Application, MunicipalityStatement
from qmss.network.selectors_applications import Territory

MAX_TEXT = 10000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; ``cleaned_data`` is a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": uploads.ACCEPT_ATTRIBUTE, "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def files_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("At most %(n)s files of up to %(mb)s MB each: PDF, Office documents, images, text.")
        % {"n": uploads.max_files(), "mb": uploads.max_megabytes()},
    )


class ServiceChoiceField(CzechModelChoiceField):
    def __init__(self, *args, in_network=frozenset(), **kwargs):
        self.in_network = in_network
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        kind = obj.kind.name if obj.kind_id else ""
        marker = _("in the network") if obj.pk in self.in_network else _("not in the network")
        return f"{obj.name} ({kind}; {marker})" if kind else f"{obj.name} ({marker})"


class TermsForm(forms.Form):
    """What an application asks for: capacity, unit, territory, tier, financing, justification, files."""

    capacity = forms.DecimalField(label=_("Requested capacity"), max_digits=10, decimal_places=2, min_value=0.01)
    unit = forms.ChoiceField(label=_("Unit"))
    orp_codes = forms.MultipleChoiceField(
        label=_("ORPs served"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The whole administrative district of each ORP chosen."),
    )
    municipality_codes = forms.MultipleChoiceField(
        label=_("Municipalities served"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Only some municipalities: choose them here (hold Ctrl to choose several)."),
    )
    tier = forms.ModelChoiceField(label=_("Requested tier"), queryset=None, required=False, empty_label=CHOOSE)
    financing_category = forms.ChoiceField(label=_("Financing category"), required=False)
    justification = forms.CharField(
        label=_("Justification"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why the network needs the service or the change: the need, the territory, the users."),
    )

    def __init__(self, *args, network, territory: Territory, **kwargs):
        super().__init__(*args, **kwargs)
        from qmss.network.library import default_rules
        from qmss.network.units import units

        self.fields["unit"].choices = [(code, unit.name) for code, unit in units().items()]
        self.fields["orp_codes"].choices = [(str(orp.ruian_code), orp.name) for orp in territory.orps]
        groups: dict[str, list[tuple[str, str]]] = {}
        for municipality in territory.municipalities:
            groups.setdefault(municipality.orp.name, []).append((municipality.code, municipality.name))
        self.fields["municipality_codes"].choices = [(name, groups[name]) for name in czech_sorted(groups)]
        tier_field = self.fields["tier"]
        tier_field.queryset = network.tiers.order_by("order", "code")
        tier_field.label_from_instance = lambda tier: f"{tier.name} ({_('frozen')})" if tier.frozen else tier.name
        self.fields["financing_category"].choices = blank_choice() + [
            (category.code, category.name) for category in default_rules().financing_categories
        ]
        self.fields["files"] = files_field()

    def clean(self):
        data = super().clean()
        if not data.get("orp_codes") and not data.get("municipality_codes"):
            self.add_error("orp_codes", _("Choose the territory the service serves: ORPs or municipalities."))
        return data


class ApplicationForm(TermsForm):
    kind = forms.ChoiceField(label=_("Kind of application"), choices=Application.Kind.choices, widget=forms.RadioSelect)
    service = ServiceChoiceField(label=_("Service"), queryset=None)

    field_order = ["kind", "service", "capacity", "unit", "orp_codes", "municipality_codes", "tier",
                   "financing_category", "justification", "files"]  # fmt: skip

    def __init__(self, *args, services, in_network=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].in_network = in_network
        self.fields["service"].help_text = _(
            "Only the services of your verified provider with a facility in the network's territory."
        )
        self.order_fields(self.field_order)


class CorrectionForm(TermsForm):
    note = forms.CharField(
        label=_("What you corrected"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"] = files_field()
        self.fields["files"].required = True


class StepForm(forms.Form):
    state = forms.ChoiceField(label=_("Move the application to"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to everyone involved. Required when returning the application for completion."),
    )

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [(state, Application.State(state).label) for state in states]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("approved")), ("reject", pgettext_lazy("decision", "rejected"))],
        widget=forms.RadioSelect,
    )
    decision_body = forms.CharField(
        label=_("Deciding body"), max_length=200, help_text=_("E.g. the regional council (rada kraje).")
    )
    resolution_number = forms.CharField(label=_("Resolution number"), max_length=100)
    decision_date = forms.DateField(label=_("Date of the decision"), widget=DateInput())
    reasons = forms.CharField(
        label=_("Reasons"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The provider and the municipalities read them."),
    )


class StatementForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Municipality"), queryset=None, empty_label=None)
    position = forms.ChoiceField(
        label=_("Position"), choices=MunicipalityStatement.Position.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(label=_("Statement"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        from qmss.core.models import Organisation

        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
            self.fields["organisation"].widget = forms.HiddenInput()


class FilterForm(forms.Form):
    sit = forms.TypedChoiceField(label=_("Network"), required=False, coerce=int, empty_value=None)
    stav = forms.ChoiceField(label=_("State"), required=False)
    typ = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sit"].choices = blank_choice(_("All networks")) + [(n.pk, n.name) for n in networks]
        self.fields["stav"].choices = blank_choice(_("All states")) + list(Application.State.choices)
        self.fields["typ"].choices = blank_choice(_("All kinds")) + list(Application.Kind.choices)
