"""Year-end settlement (vyúčtování) of a subsidy application: actual costs and revenues, the public money
received from every source, and the overcompensation check with carry-over and return."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qmss.core.models import OrganisationOwned, TimeStamped

USER = settings.AUTH_USER_MODEL


class Settlement(OrganisationOwned, TimeStamped):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for correction")
        ACCEPTED = "accepted", _("accepted")

    application = models.OneToOneField(
        "financing.SubsidyApplication",
        verbose_name=_("subsidy application"),
        on_delete=models.PROTECT,
        related_name="settlement",
    )
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("provider organisation"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    units = models.DecimalField(_("actual units"), max_digits=10, decimal_places=2, null=True, blank=True)
    actual_costs = models.JSONField(_("actual costs"), default=dict, blank=True)
    actual_revenues = models.JSONField(_("actual own revenues"), default=dict, blank=True)
    public_money = models.JSONField(_("public money received"), default=dict, blank=True)
    # results of qmss.financing.settlement_engine (stored when submitted and when accepted)
    net_cost = models.DecimalField(_("net cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    reasonable_profit = models.DecimalField(
        _("reasonable profit"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    overcompensation = models.DecimalField(
        _("overcompensation"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    carry_over = models.DecimalField(_("carried over"), max_digits=14, decimal_places=2, null=True, blank=True)
    to_return = models.DecimalField(_("to return"), max_digits=14, decimal_places=2, null=True, blank=True)
    parameters = models.JSONField(_("parameters used"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    reviewer_note = models.TextField(_("reviewer's note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    checked_by = models.ForeignKey(
        USER, verbose_name=_("checked by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.application}"

    def get_absolute_url(self) -> str:
        return reverse("financing:settlement", kwargs={"settlement_pk": self.pk})
