"""Networks of services: a manager's network for a period, its tiers, numbered versions and entries, and the
brief (zadání) – what the network must cover."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qmss.core.models import OrganisationOwned, TimeStamped

USER = settings.AUTH_USER_MODEL


class Network(OrganisationOwned, TimeStamped):
    """A network of services run by one manager (a regional authority, or a municipality for a local network)
    for one period. Who is in it is public; every change makes a new numbered version."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("network manager"), on_delete=models.PROTECT, related_name="networks"
    )
    region = models.ForeignKey(
        "territory.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="networks"
    )
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="networks",
        help_text=_("Only for a municipality's local network."),
    )
    name = models.CharField(_("name"), max_length=300)
    period_start = models.DateField(_("valid from"))
    period_end = models.DateField(_("valid until"))
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["-period_start", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:network", kwargs={"network_pk": self.pk})


class Tier(models.Model):
    """A tier of a network (basic, development, in preparation, admitted with reservation…), defined as data."""

    network = models.ForeignKey(Network, verbose_name=_("network"), on_delete=models.CASCADE, related_name="tiers")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    frozen = models.BooleanField(
        _("frozen"), default=False, help_text=_("No new services and no capacity growth while the tier is frozen.")
    )

    class Meta:
        verbose_name = _("network tier")
        verbose_name_plural = _("network tiers")
        ordering = ["network", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["network", "code"], name="network_tier_unique_code")]

    def __str__(self) -> str:
        return self.name


class NetworkVersion(models.Model):
    """One numbered state of a network. Entries belong to a version; a change copies the entries into a new one."""

    network = models.ForeignKey(Network, verbose_name=_("network"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    application = models.ForeignKey(
        "network.Application",
        verbose_name=_("decided application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("network version")
        verbose_name_plural = _("network versions")
        ordering = ["network", "-number"]
        constraints = [models.UniqueConstraint(fields=["network", "number"], name="network_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.network} – {self.number}"


class NetworkEntry(models.Model):
    """A service in one version of a network: its capacity in the kind's unit, the territory it serves, its tier
    and financing category. Territory is held as codes (RÚIAN ORP codes, municipality codes), stable across
    territory re-imports."""

    version = models.ForeignKey(
        NetworkVersion, verbose_name=_("network version"), on_delete=models.CASCADE, related_name="entries"
    )
    service = models.ForeignKey(
        "registry.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="network_entries"
    )
    capacity = models.DecimalField(_("capacity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("A unit code of the network rules library."))
    orp_codes = models.JSONField(_("ORPs served"), default=list, blank=True)
    municipality_codes = models.JSONField(_("municipalities served"), default=list, blank=True)
    tier = models.ForeignKey(Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="entries")
    financing_category = models.CharField(_("financing category"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("network entry")
        verbose_name_plural = _("network entries")
        ordering = ["version", "service__name_sort", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["version", "service", "unit"], name="network_entry_unique_service_unit")
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.capacity} {self.unit})"


class BriefItem(TimeStamped):
    """The brief (zadání): a target capacity of a kind in a territory (an ORP, or the whole network when empty),
    with its justification."""

    network = models.ForeignKey(Network, verbose_name=_("network"), on_delete=models.CASCADE, related_name="brief")
    kind = models.ForeignKey("registry.ServiceKind", verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+")
    orp = models.ForeignKey(
        "territory.Orp",
        verbose_name=_("ORP"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the whole territory of the network."),
    )
    unit = models.CharField(_("unit"), max_length=40)
    target_capacity = models.DecimalField(_("target capacity"), max_digits=10, decimal_places=2)
    justification = models.TextField(_("justification"))
    plan_reference = models.CharField(_("strategic plan reference"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("brief item")
        verbose_name_plural = _("brief items")
        ordering = ["network", "kind", "orp"]
        constraints = [
            models.UniqueConstraint(fields=["network", "kind", "orp", "unit"], name="network_brief_unique_target")
        ]

    def __str__(self) -> str:
        return f"{self.kind} – {self.orp or self.network}"
