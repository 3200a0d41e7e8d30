"""Forms of the assessment pages. Choices are always limited to what the user may pick."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qmss.assessments import uploads
from qmss.assessments.models import Assessment, Evidence, Finding
from qmss.assessments.selectors import (
    EXPIRY_EXPIRED,
    EXPIRY_NONE,
    EXPIRY_SOON,
    EXPIRY_VALID,
    is_service_of,
)
from qmss.core.choice_fields import CzechChoicesMixin, CzechModelChoiceField
from qmss.core.validation import validate_date_range

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


class OrgChoiceField(CzechModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class ServiceChoiceField(CzechModelChoiceField):
    def label_from_instance(self, obj) -> str:
        kind = f" – {obj.kind.name}" if getattr(obj, "kind", None) else ""
        return f"{obj.name or obj.portal_id}{kind}"


class AssessmentCreateForm(forms.Form):
    organisation = OrgChoiceField(label=_("Provider"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Assessment.Kind.choices)
    service = ServiceChoiceField(
        label=_("Service"),
        queryset=None,
        required=False,
        empty_label=_("The whole organisation"),
        help_text=_(
            "Services of the provider in the registry of social services – offered only once the organisation's "
            "link to the registry has been verified."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False, help_text=_("Optional."))
    period_start = forms.DateField(label=_("Assessed from"), required=False, widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Assessed until"), required=False, widget=DATE_WIDGET)
    inspection_type = forms.ChoiceField(
        label=_("Inspection type"),
        choices=[("", "–"), *Assessment.InspectionType.choices],
        required=False,
        help_text=_("Only for an inspection record."),
    )
    visit_date = forms.DateField(
        label=_("Date of the visit"), required=False, widget=DATE_WIDGET, help_text=_("Only for an inspection record.")
    )
    inspection_authority = forms.CharField(
        label=_("Inspecting authority"), max_length=300, required=False, help_text=_("Only for an inspection record.")
    )
    inspection_team = forms.CharField(
        label=_("Inspection team"), required=False, widget=TEXTAREA, help_text=_("Only for an inspection record.")
    )

    def __init__(self, *args, organisations, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["service"].queryset = services

    def clean(self):
        data = super().clean()
        service, organisation = data.get("service"), data.get("organisation")
        if service is not None and organisation is not None and not is_service_of([organisation.pk], service):
            self.add_error("service", _("The service does not belong to this provider."))
        if data.get("kind") != Assessment.Kind.INSPECTION:
            for name in ("inspection_type", "inspection_authority", "inspection_team"):
                data[name] = ""
        _check_period(self, data)
        return data


def _check_period(form: forms.Form, data: dict) -> None:
    """The shared date-range rule (:func:`qmss.core.validation.validate_date_range`) on the period fields."""
    try:
        validate_date_range(data.get("period_start"), data.get("period_end"))
    except ValidationError as exc:
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name, error)


class AssessmentEditForm(CzechChoicesMixin, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = [
            "title",
            "period_start",
            "period_end",
            "visit_date",
            "inspection_type",
            "inspection_authority",
            "inspection_team",
            "summary",
            "internal_notes",
        ]
        widgets = {
            "period_start": DATE_WIDGET,
            "period_end": DATE_WIDGET,
            "visit_date": DATE_WIDGET,
            "inspection_team": TEXTAREA,
            "summary": forms.Textarea(attrs={"rows": 5}),
            "internal_notes": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, show_internal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_internal:
            del self.fields["internal_notes"]
        if self.instance.kind != Assessment.Kind.INSPECTION:
            for name in ("inspection_type", "inspection_authority", "inspection_team", "visit_date"):
                del self.fields[name]

    # The period is checked by the model's clean() (the shared date-range rule), which a ModelForm runs.


class AuditBodyChoiceMixin(forms.Form):
    """Pick an audit body from the offered ones (the region's) or give the IČO of any other."""

    auditing_organisation = OrgChoiceField(
        label=_("Audit or consulting body"), queryset=None, required=False, empty_label=_("– choose –")
    )
    auditing_ico = forms.CharField(
        label=_("…or the company ID (IČO) of another audit body"),
        max_length=10,
        required=False,
        help_text=_("Eight digits; the audit body must use QMSS."),
    )

    def set_bodies(self, bodies) -> None:
        self.fields["auditing_organisation"].queryset = bodies

    def needs_audit_body(self, data) -> bool:
        return True

    def clean(self):
        from qmss.assessments.selectors import audit_body_by_ico

        data = super().clean()
        if not self.needs_audit_body(data):
            data["auditing_organisation"] = None
            data.pop("auditing_ico", None)
            return data
        body, ico = data.get("auditing_organisation"), (data.get("auditing_ico") or "").strip()
        if ico:
            found = audit_body_by_ico(ico)
            if found is None:
                self.add_error("auditing_ico", _("No audit or consulting body with this company ID uses QMSS."))
            elif body is not None and body != found:
                self.add_error("auditing_ico", _("Choose a body from the list or give a company ID, not both."))
            body = found or body
        elif body is None and "auditing_organisation" not in self.errors:
            self.add_error("auditing_organisation", _("Choose an audit body or give its company ID."))
        data["auditing_organisation"] = body
        data.pop("auditing_ico", None)
        return data


class InviteAuditorForm(AuditBodyChoiceMixin):
    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_bodies(bodies)


class AssignAuditForm(AuditBodyChoiceMixin):
    """A region assigns an audit (or consultation) to an audit body, or records an inspection itself."""

    region_organisation = OrgChoiceField(label=_("Regional authority"), queryset=None, empty_label=None)
    service = ServiceChoiceField(label=_("Service"), queryset=None)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Assessment.Kind.AUDIT, Assessment.Kind.AUDIT.label),
            (Assessment.Kind.CONSULTATION, Assessment.Kind.CONSULTATION.label),
            (Assessment.Kind.INSPECTION, Assessment.Kind.INSPECTION.label),
        ],
        help_text=_("An inspection record is entered by the region itself; no audit body is needed."),
    )

    field_order = ["region_organisation", "service", "kind", "auditing_organisation", "auditing_ico"]

    def __init__(self, *args, regions, services, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_organisation"].queryset = regions
        self.fields["service"].queryset = services
        self.set_bodies(bodies)

    def needs_audit_body(self, data) -> bool:
        return data.get("kind") != Assessment.Kind.INSPECTION


class ResultForm(forms.Form):
    value = forms.ChoiceField(label=_("Result"), required=False, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    internal_note = forms.CharField(
        label=_("Working note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Seen only by those who record the results of this assessment (in an audit, never by the provider)."
        ),
    )
    evidence = forms.MultipleChoiceField(
        label=_("Linked evidence"), required=False, widget=forms.CheckboxSelectMultiple
    )
    new_file = forms.FileField(
        label=_("Upload new evidence"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": uploads.ACCEPT_ATTRIBUTE}),
    )
    new_title = forms.CharField(label=_("Title of the new evidence"), max_length=300, required=False)

    def __init__(
        self, *args, values, evidence_choices, show_internal: bool, can_upload: bool, with_evidence=True, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.scale_values = {str(v.pk): v for v in values}
        self.fields["value"].choices = [("", _("Not assessed yet"))] + [(str(v.pk), v.label) for v in values]
        self.fields["evidence"].choices = [(str(e.pk), e.title) for e in evidence_choices]
        self.fields["new_file"].help_text = _("Up to %(limit)s MB; PDF, office documents, images or text.") % {
            "limit": uploads.max_megabytes()
        }
        if not show_internal:
            del self.fields["internal_note"]
        if not can_upload:
            del self.fields["new_file"]
            del self.fields["new_title"]
        if not with_evidence:  # a row of the entry page: the links stay as they are
            del self.fields["evidence"]

    def clean_value(self):
        key = self.cleaned_data.get("value")
        return self.scale_values.get(key) if key else None

    def clean_evidence(self):
        return [int(pk) for pk in self.cleaned_data.get("evidence", [])]

    def clean_new_file(self):
        upload = self.cleaned_data.get("new_file")
        if upload:
            uploads.check_upload(upload)
        return upload


class FindingForm(CzechChoicesMixin, forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["kind", "text", "measure", "deadline"]
        widgets = {"text": TEXTAREA, "measure": TEXTAREA, "deadline": DATE_WIDGET}


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": uploads.ACCEPT_ATTRIBUTE}))
    title = forms.CharField(label=_("Title"), max_length=300, required=False, help_text=_("The file name if empty."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Evidence.Kind.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=TEXTAREA)
    expires_on = forms.DateField(label=_("Valid until"), required=False, widget=DATE_WIDGET)
    remind_days_before = forms.IntegerField(
        label=_("Remind days before expiry"), min_value=0, max_value=365, initial=30, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Up to %(limit)s MB; PDF, office documents, images or text.") % {
            "limit": uploads.max_megabytes()
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload)
        return upload


class EvidenceVersionForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": uploads.ACCEPT_ATTRIBUTE}))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    expires_on = forms.DateField(label=_("Valid until"), required=False, widget=DATE_WIDGET)
    remind_days_before = forms.IntegerField(
        label=_("Remind days before expiry"), min_value=0, max_value=365, required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload)
        return upload


class EvidenceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *Evidence.Kind.choices])
    status = forms.ChoiceField(
        label=_("Validity"),
        required=False,
        choices=[
            ("", _("All")),
            (EXPIRY_EXPIRED, _("expired")),
            (EXPIRY_SOON, _("expiring soon")),
            (EXPIRY_VALID, _("valid")),
            (EXPIRY_NONE, _("no expiry")),
        ],
    )


class AssessmentFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *Assessment.Kind.choices])
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *Assessment.State.choices])
    service = forms.TypedChoiceField(label=_("Service"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, services: list[tuple[int, str]] = (), **kwargs):
        """``services``: ``(portal id, name)`` the user may filter by; ``?service=<portal id>`` stays the query."""
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All services")), *services]


class MoveFrameworkForm(forms.Form):
    framework = forms.ModelChoiceField(label=_("Framework version"), queryset=None, empty_label=None)
    confirm = forms.BooleanField(
        label=_("I understand that results of criteria missing in the new version will be removed."), required=True
    )

    def __init__(self, *args, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks


class PublishForm(forms.Form):
    """The publish confirmation: an incomplete assessment is published only as a partial one, with a reason."""

    partial = forms.BooleanField(
        label=_("Publish as a partial assessment (not every criterion has been assessed)"), required=False
    )
    partial_reason = forms.CharField(
        label=_("Reason for the partial assessment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the report page, in the PDF and in the XLSX."),
    )

    def clean(self):
        data = super().clean()
        if data.get("partial") and not (data.get("partial_reason") or "").strip():
            self.add_error("partial_reason", _("Give the reason why the assessment is published as partial."))
        return data
