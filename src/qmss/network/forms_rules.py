"""Forms of the rules part: a new version of the rules (weights of the criteria and their parts, thresholds,
admission tests, reference values, scoring parameters) and a new version of the demand parameters.

Numbers are typed as text (a decimal comma is fine) and checked by the library's own rules
(:func:`qmss.network.checks_rules.check_rule_values` / :func:`check_demand_values`) – one rule for the file and the
form; a problem is shown at its field."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qmss.core.formatting import format_decimal
from qmss.network.checks_rules import check_demand_values, check_rule_values
from qmss.network.library import (
    CRITERIA,
    PARAMETERS,
    TARGETS,
    THRESHOLDS,
    Demand,
    RuleValues,
    default_rules,
)

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
KIND_RE = re.compile(r"^[0-9A-Za-z_-]{1,20}$")
MAX_TESTS = 30
MAX_KINDS = 80


def threshold_labels() -> dict[str, str]:
    return {
        "min_quality": _("Minimum quality score (points)"),
        "min_total": _("Minimum total score (points)"),
    }


def parameter_labels() -> dict[str, str]:
    return {
        "distance_full_km": _("Distance with full points (km)"),
        "distance_zero_km": _("Distance with zero points (km)"),
        "nonconformity_major_points": _("Points lost per open major nonconformity"),
        "nonconformity_minor_points": _("Points lost per open minor nonconformity"),
        "cost_ratio_zero": _("Unit cost ratio with zero points (× reference)"),
        "missing_score": _("Points of a criterion part without data"),
    }


def target_labels() -> dict[str, str]:
    return {"65+": _("people aged 65 and over"), "all": _("all residents")}


def _number_input(**kwargs: Any) -> forms.CharField:
    return forms.CharField(
        max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input--short"}), **kwargs
    )


def _initial(number) -> str:
    return format_decimal(number) if number is not None else ""


def _unit_choices() -> list[tuple[str, str]]:
    return [(unit.code, unit.name) for unit in default_rules().units.values()]


class _ProblemsMixin:
    """Put the library checks' problems (dotted fields) on the form's fields."""

    field_of: dict[str, str]

    def _add_problems(self, problems: list[tuple[str, str]]) -> None:
        for dotted, problem in problems:
            field = self._field_for(dotted)
            if field in self.fields:  # type: ignore[attr-defined]
                self.add_error(field, problem)  # type: ignore[attr-defined]
            else:
                self.add_error(None, problem)  # type: ignore[attr-defined]

    def _field_for(self, dotted: str) -> str | None:
        while dotted:
            if dotted in self.field_of:
                return self.field_of[dotted]
            dotted = dotted.rpartition(".")[0]
        return None


class RuleSetForm(_ProblemsMixin, forms.Form):
    """A new version of the rules, pre-filled with the version in force."""

    name = forms.CharField(label=gettext_lazy("Name of the version"), max_length=300)
    note = forms.CharField(
        label=gettext_lazy("What changes and why"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    admission_tests = forms.CharField(
        label=gettext_lazy("Admission tests"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "One test a line: a code (lower-case letters, digits, hyphens), a colon and the wording."
        ),
    )

    def __init__(self, *args: Any, values: RuleValues, kinds: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        library = default_rules()
        self.kinds = kinds  # kind code -> name, the kinds offered for reference values
        self.field_of = {"admission_tests": "admission_tests"}
        self.criteria_fields: list[tuple[str, str, list[tuple[str, str]]]] = []
        for code, part_codes in CRITERIA.items():
            criterion = values.criteria[code]
            field = f"w_{code}"
            self.fields[field] = _number_input(
                label=_("Weight of the criterion “{name}”").format(name=library.criterion_name(code)),
                initial=_initial(criterion.weight),
            )
            self.field_of[f"criteria.{code}.weight"] = field
            self.field_of[f"criteria.{code}"] = field
            parts = []
            for part in part_codes:
                part_field = f"w_{code}__{part}"
                self.fields[part_field] = _number_input(
                    label=library.part_name(code, part), initial=_initial(criterion.parts[part].weight)
                )
                self.field_of[f"criteria.{code}.parts.{part}"] = part_field
                parts.append((part, part_field))
            self.field_of[f"criteria.{code}.parts"] = f"w_{code}__{part_codes[0]}"
            self.criteria_fields.append((code, field, parts))
        self.field_of["criteria"] = f"w_{next(iter(CRITERIA))}"
        for key, label in threshold_labels().items():
            self.fields[f"t_{key}"] = _number_input(label=label, initial=_initial(values.thresholds.get(key)))
            self.field_of[f"thresholds.{key}"] = f"t_{key}"
        for key, label in parameter_labels().items():
            self.fields[f"p_{key}"] = _number_input(label=label, initial=_initial(values.parameters.get(key)))
            self.field_of[f"parameters.{key}"] = f"p_{key}"
        self.cost_fields: list[tuple[str, str, str]] = []
        for kind, kind_name in kinds.items():
            cost = values.reference_costs.get(kind)
            value_field, unit_field = f"rc_{kind}", f"rc_{kind}__unit"
            self.fields[value_field] = _number_input(
                label=_("Reference value of kind {kind} (CZK per unit and year)").format(kind=f"{kind} – {kind_name}"),
                required=False,
                initial=_initial(cost.value) if cost else "",
            )
            self.fields[unit_field] = forms.ChoiceField(
                label=_("Unit of the reference value of kind {kind}").format(kind=kind),
                choices=_unit_choices(),
                initial=cost.unit if cost else library.demand[kind].unit if kind in library.demand else "klienti",
            )
            self.field_of[f"reference_costs.{kind}"] = value_field
            self.field_of[f"reference_costs.{kind}.value"] = value_field
            self.field_of[f"reference_costs.{kind}.unit"] = unit_field
            self.cost_fields.append((kind, value_field, unit_field))
        self.fields["rc_new_kind"] = forms.CharField(
            label=_("Another kind of service (registry code)"), required=False, max_length=20
        )
        self.fields["rc_new"] = _number_input(label=_("Its reference value (CZK per unit and year)"), required=False)
        self.fields["rc_new__unit"] = forms.ChoiceField(label=_("Its unit"), choices=_unit_choices(), initial="klienti")
        if not self.is_bound:
            self.fields["admission_tests"].initial = "\n".join(f"{t.code}: {t.name}" for t in values.admission_tests)

    def _tests(self) -> list[dict[str, str]]:
        tests = []
        for number, line in enumerate((self.cleaned_data.get("admission_tests") or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            code, colon, name = line.partition(":")
            code, name = code.strip(), name.strip()
            if not colon or not CODE_RE.match(code) or not name:
                self.add_error(
                    "admission_tests",
                    _("Line {line}: write a code, a colon and the wording of the test.").format(line=number),
                )
                continue
            tests.append({"code": code, "name": name[:500]})
        if len(tests) > MAX_TESTS:
            self.add_error("admission_tests", _("At most {n} admission tests.").format(n=MAX_TESTS))
        return tests

    def _new_kind(self) -> str:
        kind = (self.cleaned_data.get("rc_new_kind") or "").strip()
        value = (self.cleaned_data.get("rc_new") or "").strip()
        if kind and not KIND_RE.match(kind):
            self.add_error("rc_new_kind", _("Write the kind's code from the registry, e.g. 13."))
        elif kind and kind in self.kinds:
            self.add_error("rc_new_kind", _("The kind is listed above; fill in its value there."))
        elif bool(kind) != bool(value):
            self.add_error("rc_new_kind" if value else "rc_new", _("Give both the kind and its value."))
        return kind if kind and value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        tests = self._tests()
        new_kind = self._new_kind()
        if self.errors:
            return data
        payload = self.payload(tests)
        if new_kind:
            payload["reference_costs"][new_kind] = {"unit": data.get("rc_new__unit"), "value": data.get("rc_new")}
            self.field_of[f"reference_costs.{new_kind}"] = "rc_new_kind"
            self.field_of[f"reference_costs.{new_kind}.value"] = "rc_new"
            self.field_of[f"reference_costs.{new_kind}.unit"] = "rc_new__unit"
        from qmss.network.selectors_rules import known_kind_codes

        stored, problems = check_rule_values(**payload, kinds=known_kind_codes())
        if problems:
            self._add_problems(problems)
        else:
            data["values"] = stored
        return data

    def payload(self, tests: list[dict[str, str]]) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "criteria": {
                code: {
                    "weight": data.get(field, ""),
                    "parts": {part: data.get(part_field, "") for part, part_field in parts},
                }
                for code, field, parts in self.criteria_fields
            },
            "thresholds": {key: data.get(f"t_{key}", "") for key in THRESHOLDS},
            "parameters": {key: data.get(f"p_{key}", "") for key in PARAMETERS},
            "admission_tests": tests,
            "reference_costs": {
                kind: {"unit": data.get(unit_field, ""), "value": data.get(value_field)}
                for kind, value_field, unit_field in self.cost_fields
                if (data.get(value_field) or "").strip()
            },
        }


class ParameterSetForm(_ProblemsMixin, forms.Form):
    """A new version of the demand parameters, pre-filled with the set in force; a kind whose prevalence is left
    empty is not part of the new set."""

    source = forms.CharField(
        label=gettext_lazy("Source of the values"),
        max_length=500,
        required=False,
        help_text=gettext_lazy(
            "Where the values come from (a study, a decision of the council, a data round); empty: set by the "
            "network manager."
        ),
    )

    def __init__(self, *args: Any, demand: dict[str, Demand], kinds: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_of = {}
        self.rows: list[tuple[str, str, dict[str, str]]] = []
        targets = list(target_labels().items())
        for kind, kind_name in kinds.items():
            current = demand.get(kind)
            fields = {
                "target": f"d_{kind}__target",
                "prevalence": f"d_{kind}__prevalence",
                "exclusion_weight": f"d_{kind}__exclusion_weight",
                "unit": f"d_{kind}__unit",
            }
            label = f"{kind} – {kind_name}"
            self.fields[fields["target"]] = forms.ChoiceField(
                label=_("Target population of kind {kind}").format(kind=label),
                choices=targets,
                initial=current.target if current else TARGETS[1],
            )
            self.fields[fields["prevalence"]] = _number_input(
                label=_("Prevalence of kind {kind} (units per person)").format(kind=label),
                required=False,
                initial=_initial(current.prevalence) if current else "",
            )
            self.fields[fields["exclusion_weight"]] = _number_input(
                label=_("Weight of social exclusion of kind {kind}").format(kind=label),
                required=False,
                initial=_initial(current.exclusion_weight) if current else "0",
            )
            self.fields[fields["unit"]] = forms.ChoiceField(
                label=_("Unit of kind {kind}").format(kind=label),
                choices=_unit_choices(),
                initial=current.unit if current else "klienti",
            )
            for key, field in fields.items():
                self.field_of[f"{kind}.{key}"] = field
            self.field_of[kind] = fields["prevalence"]
            self.rows.append((kind, kind_name, fields))
        self.known_kinds = set(kinds)
        self.fields["d_new_kind"] = forms.CharField(
            label=_("Another kind of service (registry code)"), required=False, max_length=20
        )
        self.fields["d_new__target"] = forms.ChoiceField(
            label=_("Its target population"), choices=targets, initial=TARGETS[1]
        )
        self.fields["d_new__prevalence"] = _number_input(label=_("Its prevalence (units per person)"), required=False)
        self.fields["d_new__exclusion_weight"] = _number_input(
            label=_("Its weight of social exclusion"), required=False, initial="0"
        )
        self.fields["d_new__unit"] = forms.ChoiceField(label=_("Its unit"), choices=_unit_choices(), initial="klienti")
        self.new_fields = ["d_new_kind", "d_new__target", "d_new__prevalence", "d_new__exclusion_weight", "d_new__unit"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        values = {}
        for kind, _name, fields in self.rows:
            prevalence = (data.get(fields["prevalence"]) or "").strip()
            if not prevalence:
                continue
            values[kind] = {
                "target": data.get(fields["target"]),
                "prevalence": prevalence,
                "exclusion_weight": (data.get(fields["exclusion_weight"]) or "").strip() or "0",
                "unit": data.get(fields["unit"]),
            }
        kind = (data.get("d_new_kind") or "").strip()
        prevalence = (data.get("d_new__prevalence") or "").strip()
        if kind and not KIND_RE.match(kind):
            self.add_error("d_new_kind", _("Write the kind's code from the registry, e.g. 13."))
        elif kind and kind in self.known_kinds:
            self.add_error("d_new_kind", _("The kind is listed above; fill in its value there."))
        elif bool(kind) != bool(prevalence):
            self.add_error("d_new_kind" if prevalence else "d_new__prevalence", _("Give both the kind and its value."))
        elif kind:
            values[kind] = {
                "target": data.get("d_new__target"),
                "prevalence": prevalence,
                "exclusion_weight": (data.get("d_new__exclusion_weight") or "").strip() or "0",
                "unit": data.get("d_new__unit"),
            }
            for key in ("target", "prevalence", "exclusion_weight", "unit"):
                self.field_of[f"{kind}.{key}"] = f"d_new__{key}"
            self.field_of[kind] = "d_new_kind"
        if self.errors:
            return data
        from qmss.network.selectors_rules import known_kind_codes

        stored, problems = check_demand_values(values, kinds=known_kind_codes())
        if problems:
            self._add_problems(problems)
        else:
            data["values"] = stored
        return data
