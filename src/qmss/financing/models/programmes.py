"""A manager's financing programme for a year (dotační program) and the providers' subsidy applications in it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qmss.core.models import OrganisationOwned, TimeStamped

USER = settings.AUTH_USER_MODEL


class Programme(OrganisationOwned, TimeStamped):
    """Money a manager distributes to the services of its network for one year."""

    class State(models.TextChoices):
        PREPARED = "prepared", _("in preparation")
        OPEN = "open", _("open for applications")
        CLOSED = "closed", _("closed, being assessed")
        DECIDED = "decided", _("decided")
        SETTLED = "settled", _("settled")

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("manager"), on_delete=models.PROTECT, related_name="financing_programmes"
    )
    network = models.ForeignKey(
        "network.Network", verbose_name=_("network"), on_delete=models.PROTECT, related_name="financing_programmes"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=300)
    budget = models.DecimalField(_("budget (CZK)"), max_digits=14, decimal_places=2)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PREPARED)
    deadline = models.DateField(_("application deadline"), null=True, blank=True)
    reference_set = models.ForeignKey(
        "financing.ReferenceValueSet",
        verbose_name=_("reference values"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    # The library's compensation and settlement parameters copied at creation; the manager may change them while
    # the programme is not decided. Keys: see FinancingRules.programme_parameters().
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)

    class Meta:
        verbose_name = _("financing programme")
        verbose_name_plural = _("financing programmes")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "year", "name"], name="financing_programme_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("financing:programme", kwargs={"programme_pk": self.pk})


class SubsidyApplication(OrganisationOwned, TimeStamped):
    """A verified provider's application for one service and one programme: budget and capacity in units.

    ``costs`` and ``revenues`` map category codes of the financing rules library to amounts in CZK (strings of
    decimals); see :mod:`qmss.financing.budget` for the one place that sums them.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for correction")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="applications"
    )
    service = models.ForeignKey(
        "registry.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="subsidy_applications"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("provider organisation"),
        on_delete=models.PROTECT,
        related_name="subsidy_applications",
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    units = models.DecimalField(_("capacity in units"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40)
    costs = models.JSONField(_("budgeted costs"), default=dict, blank=True)
    revenues = models.JSONField(_("budgeted revenues"), default=dict, blank=True)
    requested = models.DecimalField(_("requested amount (CZK)"), max_digits=14, decimal_places=2, default=0)
    note = models.TextField(_("note"), blank=True)
    prefilled_from = models.CharField(_("pre-filled from"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)

    class Meta:
        verbose_name = _("subsidy application")
        verbose_name_plural = _("subsidy applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "service"], name="financing_application_unique_service")
        ]

    def __str__(self) -> str:
        return f"{self.programme} – {self.service_id}"

    def get_absolute_url(self) -> str:
        return reverse("financing:application", kwargs={"subsidy_pk": self.pk})
