"""Personnel standard (staff positions of a service) and material-technical standard (buildings, households,
rooms and beds of a residential service), recorded by the provider and checked against limits held as data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qmss.core.models import OrganisationOwned, TimeStamped

USER = settings.AUTH_USER_MODEL


class StaffPosition(OrganisationOwned, TimeStamped):
    """One position of a service's staff (no names: a position, its FTE and qualification)."""

    service = models.ForeignKey(
        "registry.Service", verbose_name=_("service"), on_delete=models.CASCADE, related_name="staff_positions"
    )
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("provider organisation"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(_("position"), max_length=200)
    fte = models.DecimalField(_("FTE"), max_digits=6, decimal_places=2)
    direct_care = models.BooleanField(_("direct care"), default=False)
    qualification = models.CharField(
        _("qualification"), max_length=40, help_text=_("A qualification code of the financing rules library.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("staff position")
        verbose_name_plural = _("staff positions")
        ordering = ["service", "-direct_care", "position"]

    def __str__(self) -> str:
        return self.position


class Building(OrganisationOwned, TimeStamped):
    service = models.ForeignKey(
        "registry.Service", verbose_name=_("service"), on_delete=models.CASCADE, related_name="buildings"
    )
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("provider organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["service", "name"]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household (domácnost) or a ward of a building; persons = the beds of its rooms."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="households"
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building", "name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=100)
    beds = models.PositiveSmallIntegerField(_("beds"))

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["household", "name"]

    def __str__(self) -> str:
        return self.name
