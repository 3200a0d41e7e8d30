"""Forms of the process map and development plans. Choices are limited to the organisation's own members,
services, evidence, findings and KPIs; the actions in :mod:`qmss.improvement.actions` check again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qmss.core.choice_fields import CzechChoicesMixin, CzechModelChoiceField, CzechModelMultipleChoiceField
from qmss.core.validation import format_date
from qmss.frameworks.models import Requirement
from qmss.improvement import selectors
from qmss.improvement.models import Action, DevelopmentPlan, Kpi, KpiMeasurement, Process
from qmss.improvement.templates import available_templates


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _user_label(user) -> str:
    return user.get_full_name() or user.username


class UserChoiceField(CzechModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _user_label(obj)


class RequirementMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.framework.short_name} · {obj.ref_id} {obj.title}"


class RequirementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.framework.short_name} · {obj.ref_id} {obj.title}"


class FindingMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        text = obj.text if len(obj.text) <= 90 else obj.text[:89] + "…"
        return f"{obj.result.requirement.ref_id} – {obj.get_kind_display()}: {text} ({obj.result.assessment.title})"


class ServiceMultipleField(CzechModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name or str(obj.portal_id)


class ProcessForm(CzechChoicesMixin, forms.ModelForm):
    owner = UserChoiceField(queryset=None, required=False, label=_("Process owner"))
    services = ServiceMultipleField(
        queryset=None, required=False, label=_("Services"), widget=forms.SelectMultiple(attrs={"size": 5})
    )
    evidence = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Evidence"), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    requirements = RequirementMultipleField(
        queryset=None, required=False, label=_("Criteria"), widget=forms.SelectMultiple(attrs={"size": 10})
    )

    class Meta:
        model = Process
        fields = [
            "kind",
            "parent",
            "code",
            "name",
            "purpose",
            "inputs",
            "outputs",
            "customers",
            "owner",
            "order",
            "services",
            "evidence",
            "requirements",
        ]
        widgets = {field: forms.Textarea(attrs={"rows": 3}) for field in ("purpose", "inputs", "outputs", "customers")}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.organisation = organisation  # the model's clean() compares it with the parent's
        parents = Process.objects.filter(organisation=organisation, parent__isnull=True).order_by("order", "code")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["owner"].queryset = selectors.member_users(organisation)
        self.fields["services"].queryset = selectors.organisation_services(organisation)
        self.fields["evidence"].queryset = selectors.organisation_evidence(organisation)
        current = self.instance.requirements.all() if self.instance.pk else None
        self.fields["requirements"].queryset = selectors.requirement_choices(current)
        self.fields["requirements"].help_text = _("Criteria of the quality frameworks the process fulfils.")
        self.fields["services"].help_text = _("Registered services of the organisation the process serves.")


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = ["name", "unit", "target_value", "direction", "description", "source", "indicator_code"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        from qmss.needs.selectors_indicators import indicator_choices

        super().__init__(*args, **kwargs)
        self.fields["indicator_code"] = forms.ChoiceField(
            label=_("Values from data collection"),
            choices=[("", _("none – values entered by hand")), *indicator_choices()],
            required=False,
            help_text=_(
                "A quality indicator whose values are computed from the approved data-collection reports of the "
                "process's services (or of all the organisation's services)."
            ),
        )


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = KpiMeasurement
        fields = ["date", "value", "note"]
        widgets = {"date": DateInput()}


class TemplateCopyForm(forms.Form):
    template = forms.ChoiceField(label=_("Starter template"), widget=forms.RadioSelect)
    confirm = forms.BooleanField(label=_("Add the processes even though the map is not empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.key, t.name) for t in available_templates()]


class ServiceChoiceField(CzechModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name or str(obj.portal_id)


class PlanForm(CzechChoicesMixin, forms.ModelForm):
    service = ServiceChoiceField(
        queryset=None,
        required=False,
        label=_("Service"),
        empty_label=_("The whole organisation"),
        help_text=_("Empty for a plan of the whole organisation."),
    )

    class Meta:
        model = DevelopmentPlan
        fields = ["title", "service", "period_start", "period_end", "goals", "state"]
        widgets = {"period_start": DateInput(), "period_end": DateInput(), "goals": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = selectors.organisation_services(organisation)


class DraftFromAssessmentForm(CzechChoicesMixin, forms.Form):
    assessment = forms.ModelChoiceField(queryset=None, label=_("Published assessment"))
    title = forms.CharField(
        label=_("Title of the plan"),
        required=False,
        max_length=300,
        help_text=_("Leave empty to name the plan after the assessment."),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = selectors.published_assessments_of(organisation)
        self.fields["assessment"].label_from_instance = lambda a: (
            f"{a.title} ({a.get_kind_display()}, {format_date(a.published_at)})" if a.published_at else a.title
        )


class ActionForm(CzechChoicesMixin, forms.ModelForm):
    owner = UserChoiceField(queryset=None, required=False, label=_("Responsible person"))
    findings = FindingMultipleField(
        queryset=None, required=False, label=_("Findings"), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    requirements = RequirementMultipleField(
        queryset=None, required=False, label=_("Criteria"), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    target_requirement = RequirementChoiceField(queryset=None, required=False, label=_("Criterion to improve"))

    class Meta:
        model = Action
        fields = [
            "title",
            "description",
            "owner",
            "deadline",
            "priority",
            "findings",
            "requirements",
            "target_requirement",
            "expected_score_change",
            "target_kpi",
            "expected_kpi_value",
        ]
        widgets = {"deadline": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.plan = plan  # the model's clean() keeps the deadline inside the plan's period
        organisation = plan.organisation
        self.fields["deadline"].help_text = _("Inside the plan's period (%(start)s – %(end)s).") % {
            "start": format_date(plan.period_start),
            "end": format_date(plan.period_end),
        }
        self.fields["owner"].queryset = selectors.member_users(organisation)
        self.fields["findings"].queryset = selectors.published_findings(organisation)
        current = self.instance.requirements.all() if self.instance.pk else None
        self.fields["requirements"].queryset = selectors.requirement_choices(current)
        target = self.instance.target_requirement_id if self.instance.pk else None
        linked = Requirement.objects.filter(pk=target) if target else None
        self.fields["target_requirement"].queryset = selectors.requirement_choices(linked)
        self.fields["target_kpi"].queryset = selectors.organisation_kpis(organisation)
        self.fields["target_kpi"].label_from_instance = lambda kpi: f"{kpi.process} – {kpi.name}"


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    review_text = forms.CharField(
        label=_("Effectiveness review"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to close an action that answers a nonconformity."),
    )
    review_verdict = forms.ChoiceField(
        label=_("Verdict"), required=False, choices=[("", "–")] + list(Action.Verdict.choices)
    )


class ActionReviewForm(forms.Form):
    review_text = forms.CharField(
        label=_("Effectiveness review"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What changed, and how do you know?"),
    )
    review_verdict = forms.ChoiceField(label=_("Verdict"), choices=Action.Verdict.choices)
