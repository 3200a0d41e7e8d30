"""Forms of data-collection rounds: the round (period, deadline, scope filters), the cells of a submission's
section (Czech number input), the warning comments, the region's return comment and the provider's reply."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from qmss.core.collation import czech_sorted
from qmss.core.validation import validate_date_range
from qmss.needs.layout import TOTAL, ElementSpec

CELL_PREFIX = "v__"
WARNING_PREFIX = "warning__"
MAX_TEXT = 2000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def kind_choices() -> list[tuple[str, str]]:
    from qmss.registry.models import ServiceKind

    rows = ServiceKind.objects.values_list("code", "section", "name")
    return [
        (code, f"§ {section} {name}" if section else name)
        for code, section, name in czech_sorted(rows, key=lambda row: row[2])
    ]


def form_choices() -> list[tuple[str, str]]:
    from qmss.registry.models import DeliveryForm

    return czech_sorted(DeliveryForm.objects.exclude(key="").values_list("key", "name"), key=lambda row: row[1])


def orp_choices(region_ids) -> list[tuple[str, str]]:
    from qmss.territory.models import Orp

    rows = Orp.objects.filter(region_id__in=list(region_ids)).values_list("ruian_code", "name")
    return [(str(code), name) for code, name in czech_sorted(rows, key=lambda row: row[1])]


class RoundForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, label=_("Regional authority"), required=True, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    period_start = forms.DateField(label=_("Period from"), widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), widget=DateInput())
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    reminder_days = forms.IntegerField(
        label=_("Remind days before the deadline"),
        min_value=0,
        max_value=90,
        initial=7,
        help_text=_("Providers that have not submitted get one e-mail this many days before the deadline."),
    )
    instructions = forms.CharField(
        label=_("Instructions for providers"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    kind_codes = forms.MultipleChoiceField(
        label=_("Service kinds"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )
    form_keys = forms.MultipleChoiceField(
        label=_("Delivery forms"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every form."),
    )
    orp_codes = forms.MultipleChoiceField(
        label=_("ORPs"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "A service is in scope when one of its facilities lies in a chosen ORP; none chosen: the whole region. "
            "Membership in the regional network will be a further filter once the network is kept in QMSS."
        ),
    )

    def __init__(self, *args, organisations, round=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        if round is not None:
            del self.fields["organisation"]
            region_ids = [round.region_id]
        else:
            field = self.fields["organisation"]
            field.queryset = organisations
            field.label_from_instance = lambda org: org.name
            region_ids = list(organisations.values_list("region_id", flat=True))
            if len(region_ids) == 1:
                field.initial = organisations.first().pk
                field.widget = forms.HiddenInput()
        self.fields["kind_codes"].choices = kind_choices()
        self.fields["form_keys"].choices = form_choices()
        self.fields["orp_codes"].choices = orp_choices(region_ids)
        if round is not None and round.state != "draft":
            for name in ("period_start", "period_end", "kind_codes", "form_keys", "orp_codes"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once the round is open.")

    def clean(self):
        data = super().clean()
        start, end, deadline = data.get("period_start"), data.get("period_end"), data.get("deadline")
        if start and end:
            try:
                validate_date_range(start, end)
            except forms.ValidationError as exc:
                self.add_error("period_end", exc)
        if start and deadline and deadline < start:
            self.add_error("deadline", _("The deadline cannot be before the start of the period."))
        return data


def cell_name(code: str, category: str) -> str:
    return f"{CELL_PREFIX}{code}__{category}"


def parse_number(text: str) -> Decimal | None:
    """A number typed the Czech way ("1 234,5") or the plain way ("1234.5"); "" → None; raises ValueError."""
    cleaned = "".join((text or "").split()).replace("\u00a0", "").replace(",", ".")
    if not cleaned:
        return None
    if len(cleaned) > 20:
        raise ValueError(cleaned)
    try:
        number = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(cleaned) from exc
    if not number.is_finite():
        raise ValueError(cleaned)
    return number


def read_cells(data, specs: list[ElementSpec]) -> tuple[dict[tuple[str, str], Decimal | None], dict[str, str]]:
    """The cells of ``specs`` present in POST ``data`` (only editable cells are read) and per-cell parse errors
    (field name → Czech message)."""
    from django.utils.translation import gettext as gettext_now

    values: dict[tuple[str, str], Decimal | None] = {}
    errors: dict[str, str] = {}
    for spec in specs:
        if spec.locked:
            continue
        for category, _name in spec.categories:
            name = cell_name(spec.code, category)
            if name not in data:
                continue
            try:
                values[(spec.code, category or TOTAL)] = parse_number(data.get(name, ""))
            except ValueError:
                errors[name] = gettext_now("Enter a number, e.g. 12 or 3,5.")
    return values, errors


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What the provider should correct"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The provider sees this comment with the report."),
    )


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the provider (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your reply"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))


class SubmissionFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        from qmss.needs.models import Submission

        self.fields["state"].choices = [("", _("all states")), *Submission.State.choices, ("late", _("late"))]
        self.fields["kind"].choices = [("", _("all kinds")), *kinds]
