"""Development plans and their actions. An action may answer findings and criteria, declares the effect it
should have (a criterion score or a KPI value) and, once done, gets an effectiveness review."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qmss.core.models import OrganisationOwned, TimeStamped
from qmss.core.validation import validate_date_range, validate_date_within


class DevelopmentPlan(TimeStamped, OrganisationOwned):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="development_plans"
    )
    service = models.ForeignKey(
        "registry.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="development_plans",
        help_text=_("Empty for a plan of the whole organisation."),
    )
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    goals = models.TextField(_("goals"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    source_assessment = models.ForeignKey(
        "assessments.Assessment",
        verbose_name=_("drafted from assessment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="development_plans",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["-period_start", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("improvement:plan_detail", kwargs={"plan_pk": self.pk})

    def clean(self) -> None:
        validate_date_range(self.period_start, self.period_end, start_field="period_start", end_field="period_end")


class Action(TimeStamped):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    class Priority(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")

    class Verdict(models.TextChoices):
        EFFECTIVE = "effective", _("effective")
        PARTLY = "partly", _("partly effective")
        NOT_EFFECTIVE = "not_effective", _("not effective")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("entered by hand")
        NONCONFORMITY = "nonconformity", _("nonconformity of an assessment")
        ESSENTIAL = "essential", _("unmet essential criterion")

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    plan = models.ForeignKey(
        DevelopmentPlan, verbose_name=_("development plan"), on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvement_actions",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, default=Origin.MANUAL)
    order = models.PositiveIntegerField(_("order"), default=0)
    findings = models.ManyToManyField(
        "assessments.Finding", verbose_name=_("findings"), blank=True, related_name="improvement_actions"
    )
    requirements = models.ManyToManyField(
        "frameworks.Requirement", verbose_name=_("criteria"), blank=True, related_name="improvement_actions"
    )
    # Expected effect: a criterion score should rise, or a KPI should reach a value.
    target_requirement = models.ForeignKey(
        "frameworks.Requirement",
        verbose_name=_("criterion to improve"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expected_score_change = models.DecimalField(
        _("expected score change"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("By how many points the criterion score should rise in the next assessment."),
    )
    target_kpi = models.ForeignKey(
        "improvement.Kpi",
        verbose_name=_("KPI to improve"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    expected_kpi_value = models.DecimalField(
        _("expected KPI value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # Effectiveness review.
    review_text = models.TextField(_("effectiveness review"), blank=True)
    review_verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "order", "deadline", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("improvement:action_detail", kwargs={"action_pk": self.pk})

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.plan.organisation_id}

    def clean(self) -> None:
        """The deadline lies inside the plan's period (the shared date rule of :mod:`qmss.core.validation`)."""
        if self.plan_id and self.deadline is not None:
            validate_date_within(self.deadline, self.plan.period_start, self.plan.period_end, field="deadline")

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.deadline is not None and self.deadline < today

    @property
    def has_review(self) -> bool:
        return bool(self.review_text.strip()) and bool(self.review_verdict)


class ActionReminder(models.Model):
    """One reminder digest sent to one person on one day (keeps the daily e-mail idempotent)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField(_("sent on"))
    action_count = models.PositiveIntegerField(_("actions"), default=0)

    class Meta:
        verbose_name = _("action reminder")
        verbose_name_plural = _("action reminders")
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"], name="unique_action_reminder_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.sent_on}"
