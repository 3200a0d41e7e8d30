"""Forms of programmes and subsidy applications (all work without JavaScript). The actions validate again."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from qmss.core.choice_fields import CzechChoicesMixin, CzechModelChoiceField, blank_choice
from qmss.financing.actions_applications import (
    MAX_AMOUNT,
    MAX_BUDGET,
    MAX_TEXT,
    MAX_UNITS,
    MAX_YEAR,
    MIN_YEAR,
    parameter_labels,
)
from qmss.financing.library import default_rules
from qmss.financing.models import Programme, SubsidyApplication

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal(0)}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class NetworkChoiceField(CzechModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class ProgrammeTermsForm(forms.Form):
    name = forms.CharField(label=_("Name of the programme"), max_length=300)
    budget = forms.DecimalField(label=_("Budget (CZK)"), max_value=MAX_BUDGET, **MONEY)
    deadline = forms.DateField(
        label=_("Application deadline"),
        required=False,
        widget=DateInput(),
        help_text=_("Providers submit applications until the end of this day."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )


class ProgrammeForm(ProgrammeTermsForm):
    network = NetworkChoiceField(label=_("Network"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)

    field_order = ["network", "year", "name", "budget", "deadline", "description"]

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        from qmss.network.models import Network

        self.fields["network"].queryset = Network.objects.filter(pk__in=[n.pk for n in networks]).select_related(
            "organisation"
        )


class ProgrammeEditForm(ProgrammeTermsForm):
    """The terms and – while the programme is not decided – its parameters."""

    max_public_share = forms.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)
    adjustment_enabled = forms.BooleanField(required=False)
    quality_threshold = forms.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    reasonable_profit_rate = forms.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)
    carry_over_max_share = forms.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)

    PARAMETERS = (
        "max_public_share",
        "adjustment_enabled",
        "quality_threshold",
        "reasonable_profit_rate",
        "carry_over_max_share",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in parameter_labels().items():
            self.fields[name].label = label
        for name in ("max_public_share", "reasonable_profit_rate", "carry_over_max_share"):
            self.fields[name].help_text = _("A share from 0 to 1 (0.9 = 90 %).")

    def parameters(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.PARAMETERS}


class ProgrammeStateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"))

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Programme.State.choices)
        self.fields["state"].choices = [(state, labels[state]) for state in states]


class ProgrammeFilterForm(CzechChoicesMixin, forms.Form):
    stav = forms.ChoiceField(label=_("State"), required=False)
    rok = forms.IntegerField(label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stav"].choices = blank_choice(_("all")) + list(Programme.State.choices)


class ServiceChoiceField(CzechModelChoiceField):
    def label_from_instance(self, obj) -> str:
        kind = obj.kind.name if obj.kind_id else ""
        return f"{obj.name} ({kind})" if kind else obj.name


class StartForm(forms.Form):
    service = ServiceChoiceField(
        label=_("Service"),
        queryset=None,
        help_text=_(
            "Services of your organisation's verified registry link that are in the network's current version."
        ),
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class ApplicationForm(forms.Form):
    """Capacity, budget lines by the library's categories, the requested amount and a note."""

    units = forms.DecimalField(
        label=_("Capacity"), max_digits=10, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_UNITS
    )
    requested = forms.DecimalField(label=_("Requested amount (CZK)"), max_value=MAX_AMOUNT, **MONEY)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, unit_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if unit_label:
            self.fields["units"].label = _("Capacity (%(unit)s)") % {"unit": unit_label}
        rules = default_rules()
        self.cost_names = []
        self.revenue_names = []
        for category in rules.cost_categories:
            name = f"cost_{category.code}"
            self.fields[name] = forms.DecimalField(label=category.name, max_value=MAX_AMOUNT, **MONEY)
            self.cost_names.append(name)
        for category in rules.revenue_categories:
            name = f"revenue_{category.code}"
            self.fields[name] = forms.DecimalField(label=category.name, max_value=MAX_AMOUNT, **MONEY)
            if category.public:
                self.fields[name].help_text = _("Public money from other sources (not the provider's own revenue).")
            self.revenue_names.append(name)
        self.order_fields(["units", *self.cost_names, *self.revenue_names, "requested", "note"])

    @classmethod
    def initial_for(cls, application: SubsidyApplication) -> dict:
        initial = {"units": application.units, "requested": application.requested, "note": application.note}
        initial |= {f"cost_{code}": value for code, value in (application.costs or {}).items()}
        initial |= {f"revenue_{code}": value for code, value in (application.revenues or {}).items()}
        return initial

    def costs(self) -> dict:
        return {name.removeprefix("cost_"): self.cleaned_data[name] for name in self.cost_names}

    def revenues(self) -> dict:
        return {name.removeprefix("revenue_"): self.cleaned_data[name] for name in self.revenue_names}

    def cost_fields(self):
        return [self[name] for name in self.cost_names]

    def revenue_fields(self):
        return [self[name] for name in self.revenue_names]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("accept", _("Accept")),
            ("return", _("Return for correction")),
            ("reject", _("Reject")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning or rejecting; the provider sees it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in ("return", "reject") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for returning or rejecting the application."))
        return data


class ApplicationFilterForm(CzechChoicesMixin, forms.Form):
    program = forms.ChoiceField(label=_("Programme"), required=False)
    stav = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = blank_choice(_("all")) + [(str(p.pk), str(p)) for p in programmes]
        self.fields["stav"].choices = blank_choice(_("all")) + list(SubsidyApplication.State.choices)
