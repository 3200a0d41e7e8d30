"""Entrustments (pověření) of services in a network: the act that makes a service a service of general economic
interest, with its obligation, territory, capacity and compensation parameters. Versioned with the network: a new
network version only *proposes* updated entrustments; the manager issues them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qmss.core.models import OrganisationOwned, TimeStamped

USER = settings.AUTH_USER_MODEL


class Entrustment(OrganisationOwned, TimeStamped):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ISSUED = "issued", _("issued")
        SUPERSEDED = "superseded", _("superseded")
        ENDED = "ended", _("ended")

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("manager"), on_delete=models.PROTECT, related_name="entrustments"
    )
    network = models.ForeignKey(
        "network.Network", verbose_name=_("network"), on_delete=models.PROTECT, related_name="entrustments"
    )
    network_version = models.ForeignKey(
        "network.NetworkVersion", verbose_name=_("network version"), on_delete=models.PROTECT, related_name="+"
    )
    entry = models.ForeignKey(
        "network.NetworkEntry", verbose_name=_("network entry"), on_delete=models.PROTECT, related_name="entrustments"
    )
    service = models.ForeignKey(
        "registry.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="entrustments"
    )
    number = models.CharField(_("number"), max_length=60)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PROPOSED)
    period_start = models.DateField(_("valid from"))
    period_end = models.DateField(_("valid until"))
    obligation = models.TextField(_("content of the public-service obligation"))
    orp_codes = models.JSONField(_("ORPs served"), default=list, blank=True)
    municipality_codes = models.JSONField(_("municipalities served"), default=list, blank=True)
    unit = models.CharField(_("unit"), max_length=40)
    capacity = models.DecimalField(_("capacity"), max_digits=10, decimal_places=2)
    # how the compensation is computed, controlled and reviewed (reference values, formula, caps; see the spec)
    compensation_parameters = models.JSONField(_("compensation parameters"), default=dict, blank=True)
    overcompensation_rule = models.TextField(_("overcompensation rule"))
    act_reference = models.CharField(
        _("act of entrustment"), max_length=300, blank=True, help_text=_("E.g. a council resolution number and date.")
    )
    supersedes = models.ForeignKey(
        "self", verbose_name=_("supersedes"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    change_summary = models.CharField(_("what changed"), max_length=500, blank=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    issued_by = models.ForeignKey(
        USER, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)

    class Meta:
        verbose_name = _("entrustment")
        verbose_name_plural = _("entrustments")
        ordering = ["network", "number"]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("financing:entrustment", kwargs={"entrustment_pk": self.pk})
