"""Forms of year-end settlements (all work without JavaScript). The actions validate again."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from qmss.core.choice_fields import CzechChoicesMixin, blank_choice
from qmss.financing.actions_settlement import MAX_AMOUNT, MAX_TEXT, MAX_UNITS
from qmss.financing.library import default_rules, own_revenue_codes
from qmss.financing.models import Settlement

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal(0), "max_value": MAX_AMOUNT}


class SettlementForm(forms.Form):
    """Actual units, costs by the library's cost categories, own revenues, public money by source and a note."""

    units = forms.DecimalField(
        label=_("Actual units"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=MAX_UNITS,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, unit_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if unit_label:
            self.fields["units"].label = _("Actual units (%(unit)s)") % {"unit": unit_label}
        rules = default_rules()
        own = set(own_revenue_codes(rules))
        self.groups: dict[str, list[str]] = {"cost_": [], "revenue_": [], "public_": []}
        categories = (
            ("cost_", rules.cost_categories),
            ("revenue_", [c for c in rules.revenue_categories if c.code in own]),
            ("public_", rules.public_sources),
        )
        for prefix, items in categories:
            for category in items:
                name = f"{prefix}{category.code}"
                self.fields[name] = forms.DecimalField(label=category.name, **MONEY)
                self.groups[prefix].append(name)
        self.fields["public_compensation"].help_text = _(
            "Pre-filled with the compensation the manager awarded; enter what you actually received."
        )
        self.order_fields(["units", *self.groups["cost_"], *self.groups["revenue_"], *self.groups["public_"], "note"])

    @classmethod
    def initial_for(cls, settlement: Settlement) -> dict:
        initial = {"units": settlement.units, "note": settlement.note}
        initial |= {f"cost_{code}": value for code, value in (settlement.actual_costs or {}).items()}
        initial |= {f"revenue_{code}": value for code, value in (settlement.actual_revenues or {}).items()}
        initial |= {f"public_{code}": value for code, value in (settlement.public_money or {}).items()}
        return initial

    def amounts(self, prefix: str) -> dict:
        return {name.removeprefix(prefix): self.cleaned_data[name] for name in self.groups[prefix]}

    def fields_of(self, prefix: str):
        return [self[name] for name in self.groups[prefix]]

    def cost_fields(self):
        return self.fields_of("cost_")

    def revenue_fields(self):
        return self.fields_of("revenue_")

    def public_fields(self):
        return self.fields_of("public_")


class CheckForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("accept", _("Accept the settlement")), ("return", _("Return for correction"))],
    )
    note = forms.CharField(
        label=_("Note for the provider"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning: say what to correct."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what the provider should correct."))
        return data


class FilterForm(CzechChoicesMixin, forms.Form):
    program = forms.TypedChoiceField(label=_("Programme"), required=False, coerce=int, empty_value=None)
    stav = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = blank_choice(_("All programmes")) + [
            (p.pk, f"{p.name} {p.year}") for p in programmes
        ]
        self.fields["stav"].choices = blank_choice(_("All states")) + list(Settlement.State.choices)
