"""Forms of the networks part: a network, a tier, an entry (new or changed) and a brief item. Choices come from
the network (its tiers, its region's ORPs) and the rules library (units, financing categories); the actions check
everything again."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qmss.core.collation import sort_key
from qmss.network import defaults_networks as defaults
from qmss.network.actions_networks import MAX_CAPACITY

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _capacity_field(label, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=Decimal(0), max_value=MAX_CAPACITY, max_digits=10, decimal_places=2, required=required
    )


class NetworkForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    period_start = forms.DateField(label=_("Valid from"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Valid until"), widget=DATE_WIDGET)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period must not be earlier than its start."))
        return data


class NetworkCreateForm(NetworkForm):
    organisation = forms.TypedChoiceField(label=_("Network manager"), coerce=int)
    prefill = forms.BooleanField(
        label=_("Fill version 1 with the active registry services of the territory"), required=False, initial=True
    )
    field_order = ["organisation", "name", "period_start", "period_end", "description", "prefill"]

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class TierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    frozen = forms.BooleanField(label=_("Frozen (no new services, no capacity growth)"), required=False)


class NewTierForm(forms.Form):
    name = forms.CharField(label=_("Name of the new tier"), max_length=200)
    code = forms.SlugField(
        label=_("Code"), max_length=40, required=False, help_text=_("Letters, digits and dashes; empty: from the name.")
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _tier_label(tier) -> str:
    return gettext("%(name)s (frozen)") % {"name": tier.name} if tier.frozen else tier.name


def _orp_choices(orps) -> list[tuple[int, str]]:
    return [(orp.ruian_code, orp.name) for orp in orps]


class EntryForm(forms.Form):
    """The values of an entry and the note of the version the change makes."""

    capacity = _capacity_field(_("Capacity"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    tier = forms.TypedChoiceField(label=_("Tier"), coerce=int)
    orp_codes = forms.TypedMultipleChoiceField(
        label=_("ORPs served"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    municipality_codes = forms.MultipleChoiceField(
        label=_("Municipalities served"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Choose only when the service serves part of the ORPs; none: the whole ORPs."),
    )
    financing_category = forms.ChoiceField(label=_("Financing category"), required=False)
    note = forms.CharField(label=_("Note to the entry"), required=False, max_length=500)
    version_note = forms.CharField(
        label=_("What changed and why"),
        max_length=500,
        help_text=_("Shown in the list of the network's versions."),
    )

    def __init__(self, *args, tiers=(), orps=(), municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality_codes"].choices = list(municipalities)
        self.fields["unit"].choices = [("", _("– by the kind of the service –"))] + [
            (code, name) for code, name in defaults.unit_names().items()
        ]
        self.fields["tier"].choices = [
            (tier.pk, f"{tier.name}{_(' (frozen)') if tier.frozen else ''}") for tier in tiers
        ]
        self.fields["orp_codes"].choices = _orp_choices(orps)
        self.fields["financing_category"].choices = [("", _("– none –"))] + [
            (code, name) for code, name in defaults.financing_names().items()
        ]

    def clean_municipality_codes(self) -> list[str]:
        return sorted(set(self.cleaned_data.get("municipality_codes") or []))


class EntryAddForm(EntryForm):
    service = forms.TypedChoiceField(label=_("Service"), coerce=int)
    field_order = ["service", "capacity", "unit", "tier", "orp_codes", "municipality_codes", "financing_category"]

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].help_text = _("Empty: the capacity registered in the registry.")
        self.fields["service"].choices = [
            (s.pk, f"{s.name} – {s.provider.name} ({s.identifier or s.portal_id})") for s in services
        ]


class EntryEditForm(EntryForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].required = True
        self.fields["unit"].required = True
        self.fields["unit"].choices = self.fields["unit"].choices[1:]


class RemoveEntryForm(forms.Form):
    version_note = forms.CharField(label=_("Why is the service leaving the network"), max_length=500)


class BriefItemForm(forms.Form):
    kind = forms.TypedChoiceField(label=_("Kind of service"), coerce=int)
    orp = forms.TypedChoiceField(label=_("Territory"), coerce=int, required=False, empty_value=None)
    unit = forms.ChoiceField(label=_("Unit"))
    target_capacity = _capacity_field(_("Target capacity"))
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3}))
    plan_reference = forms.CharField(
        label=_("Strategic plan reference"),
        required=False,
        max_length=300,
        help_text=_("E.g. the chapter or measure of the regional mid-term plan."),
    )

    def __init__(self, *args, kinds=(), orps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.pk, f"{kind.code} – {kind.name}") for kind in kinds]
        self.fields["orp"].choices = [("", _("The whole network"))] + [(orp.pk, orp.name) for orp in orps]
        self.fields["unit"].choices = list(defaults.unit_names().items())


def sorted_by_name(items, attribute: str = "name") -> list:
    return sorted(items, key=lambda item: sort_key(getattr(item, attribute)))
