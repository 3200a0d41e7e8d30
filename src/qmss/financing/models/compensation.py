"""Compensation calculations (výpočet vyrovnávací platby) of a programme: numbered runs, a line per application
with every input and intermediate figure, so each amount can be explained."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class CompensationRun(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    programme = models.ForeignKey(
        "financing.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="runs"
    )
    number = models.PositiveIntegerField(_("number"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    budget = models.DecimalField(_("budget (CZK)"), max_digits=14, decimal_places=2)
    coefficient = models.DecimalField(_("budget coefficient"), max_digits=9, decimal_places=6)
    total_capped = models.DecimalField(_("total before scaling (CZK)"), max_digits=16, decimal_places=2, default=0)
    total_real = models.DecimalField(_("total compensation (CZK)"), max_digits=16, decimal_places=2, default=0)
    parameters = models.JSONField(_("parameters used"), default=dict)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("computed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("compensation calculation")
        verbose_name_plural = _("compensation calculations")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="financing_run_unique_number")]

    def __str__(self) -> str:
        return f"{self.programme} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("financing:compensation", kwargs={"programme_pk": self.programme_id}) + f"?vypocet={self.number}"


class CompensationLine(models.Model):
    run = models.ForeignKey(
        CompensationRun, verbose_name=_("calculation"), on_delete=models.CASCADE, related_name="lines"
    )
    application = models.ForeignKey(
        "financing.SubsidyApplication",
        verbose_name=_("subsidy application"),
        on_delete=models.CASCADE,
        related_name="compensation_lines",
    )
    service = models.ForeignKey(
        "registry.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    units = models.DecimalField(_("units"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40)
    usual_cost = models.DecimalField(_("usual cost per unit"), max_digits=12, decimal_places=2, null=True)
    usual_revenue = models.DecimalField(_("usual own revenue per unit"), max_digits=12, decimal_places=2, null=True)
    max_public_share = models.DecimalField(_("maximum public share"), max_digits=5, decimal_places=4, null=True)
    optimal = models.DecimalField(_("optimal compensation"), max_digits=14, decimal_places=2, default=0)
    adjustment_percent = models.DecimalField(_("criteria adjustment (%)"), max_digits=6, decimal_places=2, default=0)
    adjusted = models.DecimalField(_("after the adjustment"), max_digits=14, decimal_places=2, default=0)
    cap_public_share = models.DecimalField(_("cap by the public share"), max_digits=14, decimal_places=2, null=True)
    cap_net_cost = models.DecimalField(_("cap by the budgeted net cost"), max_digits=14, decimal_places=2, null=True)
    capped = models.DecimalField(_("after the caps"), max_digits=14, decimal_places=2, default=0)
    real = models.DecimalField(_("compensation"), max_digits=14, decimal_places=2, default=0)
    # why a line has no amount (no reference value, unit mismatch…) – a code of financing.error_codes
    problem = models.CharField(_("problem"), max_length=60, blank=True)
    inputs = models.JSONField(_("inputs"), default=dict)  # everything the explanation shows

    class Meta:
        verbose_name = _("compensation line")
        verbose_name_plural = _("compensation lines")
        ordering = ["run", "service__name"]
        constraints = [models.UniqueConstraint(fields=["run", "application"], name="financing_line_unique_application")]

    def __str__(self) -> str:
        return f"{self.run} – {self.service_id}"

    def get_absolute_url(self) -> str:
        return reverse("financing:compensation_line", kwargs={"line_pk": self.pk})
