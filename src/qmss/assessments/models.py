"""Assessments of a service (or a whole organisation) against a framework version: self-assessments,
audits/consultations and inspection records, with per-criterion results, findings and evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qmss.core.models import OrganisationOwned, TimeStamped
from qmss.core.validation import validate_date_range


class Assessment(TimeStamped, OrganisationOwned):
    class Kind(models.TextChoices):
        SELF = "self", _("self-assessment")
        AUDIT = "audit", _("audit")
        CONSULTATION = "consultation", _("consultation")
        INSPECTION = "inspection", _("inspection record")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_PROGRESS = "in_progress", _("in progress")
        IN_REVIEW = "in_review", _("in review")
        PUBLISHED = "published", _("published")
        CLOSED = "closed", _("closed")

    class InspectionType(models.TextChoices):
        BASIC = "basic", _("basic")
        FOLLOW_UP = "follow_up", _("follow-up")
        COMPLAINT = "complaint", _("on complaint")

    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("provider organisation"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    service = models.ForeignKey(
        "registry.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
        help_text=_("Empty for an assessment of the whole organisation."),
    )
    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework version"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    title = models.CharField(_("title"), max_length=300)
    auditing_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("audit body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audits",
    )
    assigned_by = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_audits",
        help_text=_("The region that assigned the audit, if any."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    period_start = models.DateField(_("assessed from"), null=True, blank=True)
    period_end = models.DateField(_("assessed until"), null=True, blank=True)
    visit_date = models.DateField(_("date of the visit"), null=True, blank=True)
    inspection_type = models.CharField(_("inspection type"), max_length=20, choices=InspectionType.choices, blank=True)
    inspection_authority = models.CharField(_("inspecting authority"), max_length=300, blank=True)
    inspection_team = models.TextField(_("inspection team"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    internal_notes = models.TextField(
        _("working notes"), blank=True, help_text=_("Seen only by the assessors until publication.")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    partial = models.BooleanField(
        _("partial assessment"),
        default=False,
        help_text=_("Published although not every criterion was assessed; the reason is shown on the report."),
    )
    partial_reason = models.TextField(_("reason for a partial assessment"), blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", kwargs={"assessment_pk": self.pk})

    def clean(self) -> None:
        validate_date_range(self.period_start, self.period_end, start_field="period_start", end_field="period_end")


class Result(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="results"
    )
    requirement = models.ForeignKey(
        "frameworks.Requirement", verbose_name=_("requirement"), on_delete=models.PROTECT, related_name="results"
    )
    value = models.ForeignKey(
        "frameworks.ScaleValue",
        verbose_name=_("result"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    internal_note = models.TextField(
        _("working note"), blank=True, help_text=_("Seen only by the assessors until publication.")
    )
    evidence = models.ManyToManyField("Evidence", verbose_name=_("evidence"), blank=True, related_name="results")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["assessment", "requirement__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "requirement"], name="unique_result")]

    def __str__(self) -> str:
        return f"{self.requirement.ref_id}: {self.value or '–'}"

    def get_additional_data(self) -> dict:
        # assessment_id: lets the history views apply the assessment's confidentiality (core.confidential)
        return {"organisation_id": self.assessment.organisation_id, "assessment_id": self.assessment_id}


class Finding(TimeStamped):
    class Kind(models.TextChoices):
        STRENGTH = "strength", _("strength")
        MAJOR = "major_nc", _("major nonconformity")
        MINOR = "minor_nc", _("minor nonconformity")
        OBSERVATION = "observation", _("observation")
        RECOMMENDATION = "recommendation", _("recommendation")

    result = models.ForeignKey(Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"))
    measure = models.TextField(_("required measure"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["result", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    @property
    def is_nonconformity(self) -> bool:
        return self.kind in (self.Kind.MAJOR, self.Kind.MINOR)

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.result.assessment.organisation_id, "assessment_id": self.result.assessment_id}


def evidence_upload_to(instance: EvidenceVersion, filename: str) -> str:
    return f"evidence/{instance.evidence.organisation_id}/{instance.evidence_id}/v{instance.number}-{filename}"


class Evidence(TimeStamped, OrganisationOwned):
    """A document or internal rule that proves criteria; reusable across criteria and assessments."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("document")
        INTERNAL_RULE = "internal_rule", _("internal rule")
        RECORD = "record", _("record")

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DOCUMENT)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before expiry"), default=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:evidence_detail", kwargs={"evidence_pk": self.pk})


class EvidenceVersion(models.Model):
    evidence = models.ForeignKey(
        Evidence, verbose_name=_("evidence"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=500)
    original_name = models.CharField(_("file name"), max_length=300)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence version")
        verbose_name_plural = _("evidence versions")
        ordering = ["evidence", "-number"]
        constraints = [models.UniqueConstraint(fields=["evidence", "number"], name="unique_evidence_version")]

    def __str__(self) -> str:
        return f"{self.evidence} v{self.number}"

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.evidence.organisation_id}
