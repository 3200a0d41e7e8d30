"""The process map of a provider organisation: management, main and support processes (one level of
sub-processes), each linked to services, evidence and criteria, with KPIs measured over time."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qmss.core.models import OrganisationOwned, TimeStamped


class Process(TimeStamped, OrganisationOwned):
    class Kind(models.TextChoices):
        # The order is the order of the bands on the map, top to bottom.
        MANAGEMENT = "management", _("management process")
        MAIN = "main", _("main process")
        SUPPORT = "support", _("support process")

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="processes"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.MAIN)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent process"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        help_text=_("Fill in for a sub-process; it takes the type of its parent."),
    )
    code = models.CharField(_("code"), max_length=20, blank=True, help_text=_("A short mark such as H2 or P1.3."))
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    inputs = models.TextField(_("inputs"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True)
    customers = models.TextField(_("customers"), blank=True, help_text=_("Who receives the outputs."))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("process owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_processes",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    services = models.ManyToManyField(
        "registry.Service", verbose_name=_("services"), blank=True, related_name="processes"
    )
    evidence = models.ManyToManyField(
        "assessments.Evidence", verbose_name=_("evidence"), blank=True, related_name="processes"
    )
    requirements = models.ManyToManyField(
        "frameworks.Requirement", verbose_name=_("criteria"), blank=True, related_name="processes"
    )

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        ordering = ["organisation", "order", "code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], condition=~models.Q(code=""), name="unique_process_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("improvement:process_detail", kwargs={"process_pk": self.pk})

    def clean(self) -> None:
        if self.parent_id is None:
            return
        parent = self.parent
        if self.pk and parent.pk == self.pk:
            raise ValidationError({"parent": _("A process cannot be its own parent.")})
        if parent.organisation_id != self.organisation_id:
            raise ValidationError({"parent": _("The parent process belongs to another organisation.")})
        if parent.parent_id is not None:
            raise ValidationError({"parent": _("A sub-process cannot have sub-processes of its own.")})
        if self.pk and self.children.exists():
            raise ValidationError({"parent": _("A process with sub-processes cannot become a sub-process.")})


class Kpi(TimeStamped):
    """A key performance indicator of a process, with a target and the direction that counts as better."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    process = models.ForeignKey(Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2, null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    description = models.TextField(_("how it is measured"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the values come from, e.g. a quality indicator; empty when entered by hand."),
    )
    indicator_code = models.CharField(
        _("indicator from data collection"),
        max_length=40,
        blank=True,
        default="",
        help_text=_("Quality indicator computed from the approved data-collection reports."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["process", "order", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.process.organisation_id}

    def meets_target(self, value) -> bool | None:
        if value is None or self.target_value is None:
            return None
        if self.direction == self.Direction.LOWER:
            return value <= self.target_value
        return value >= self.target_value


class KpiMeasurement(models.Model):
    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("Empty when entered by hand."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        ordering = ["kpi", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value} ({self.date})"

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.kpi.process.organisation_id}
