"""Providers, services, their forms and capacities, and facilities – a faithful mirror of the MPSV registry.

Rows are written only by the registry import (keyed by the registry's ids); nobody re-types them.
Personal data of the source (names of statutory bodies, heads of facilities) is never stored.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmss.core.collation import sort_key
from qmss.registry.models.reference import CapacityType, DeliveryForm, ServiceKind, TargetGroup

#: Only the start of a long name decides its place in a list (the key of 120 letters fits the column).
NAME_SORT_CHARS = 120
NAME_SORT_LENGTH = 600


def name_sort_key(name: str | None) -> str:
    """The Czech (ICU) sort key of a name as hex: hex strings compare like the key's bytes, in SQLite and
    PostgreSQL alike, so lists of thousands of names are ordered by the database in Czech order."""
    return sort_key((name or "")[:NAME_SORT_CHARS]).hex()[:NAME_SORT_LENGTH]


class Provider(models.Model):
    ico = models.CharField(_("company ID (IČO)"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=500, db_index=True)
    legal_form = models.CharField(_("legal form"), max_length=200, blank=True)
    registry_id = models.CharField(_("registry id"), max_length=64, blank=True)
    emails = models.JSONField(_("e-mails"), default=list, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    websites = models.JSONField(_("websites"), default=list, blank=True)
    search_name = models.CharField(_("name for search"), max_length=500, blank=True, db_index=True)
    name_sort = models.CharField(
        _("name for sorting"), max_length=NAME_SORT_LENGTH, blank=True, db_index=True, editable=False
    )

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name_sort", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:provider", kwargs={"provider_ico": self.ico})


class ServiceQuerySet(models.QuerySet):
    def active(self, on=None):
        """Registered on the day: the service's dates allow it (a facility's dates do not revive it)."""
        day = on or timezone.localdate()
        return self.filter(Q(date_from__isnull=True) | Q(date_from__lte=day)).filter(
            Q(date_to__isnull=True) | Q(date_to__gte=day)
        )

    def ended(self, on=None):
        day = on or timezone.localdate()
        return self.filter(date_to__lt=day)


class Service(models.Model):
    portal_id = models.PositiveBigIntegerField(_("registry portal id"), unique=True)
    registry_id = models.CharField(_("registry id"), max_length=64, blank=True)
    identifier = models.CharField(_("service identifier"), max_length=20, blank=True, db_index=True)
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="services"
    )
    kind = models.ForeignKey(
        ServiceKind, verbose_name=_("kind"), null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    kind_code = models.CharField(
        _("kind code in the registry"), max_length=100, help_text=_("As in the source, e.g. DruhSocialniSluzby/13.")
    )
    name = models.CharField(_("name"), max_length=500, blank=True)
    name_sort = models.CharField(_("name for sorting"), max_length=NAME_SORT_LENGTH, blank=True, editable=False)
    date_from = models.DateField(_("registered from"), null=True, blank=True)
    date_to = models.DateField(_("registered until"), null=True, blank=True)
    target_groups = models.ManyToManyField(TargetGroup, verbose_name=_("target groups"), blank=True)
    unmapped_codes = models.JSONField(
        _("unmapped codes"),
        default=list,
        blank=True,
        help_text=_("Code-list references no reference library knows; kept as they are, never guessed."),
    )
    emails = models.JSONField(_("e-mails"), default=list, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    websites = models.JSONField(_("websites"), default=list, blank=True)
    snapshot = models.JSONField(_("normalised source record"), default=dict)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    first_imported_at = models.DateTimeField(_("first imported"), auto_now_add=True)
    last_changed_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("social service")
        verbose_name_plural = _("social services")
        ordering = ["name_sort", "portal_id"]
        # The catalogue's default order (Czech order of names, first page without reading every row) and its
        # "registered on the day" count (a covering index instead of a scan of a table holding the source snapshots).
        indexes = [
            models.Index(fields=["name_sort", "portal_id"], name="registry_service_name_sort_idx"),
            models.Index(fields=["date_to", "date_from"], name="registry_service_dates_idx"),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.kind or self.kind_code} ({self.provider})"

    def get_absolute_url(self) -> str:
        return reverse("registry:service", kwargs={"service_portal_id": self.portal_id})

    def is_active_on(self, day=None) -> bool:
        day = day or timezone.localdate()
        return (self.date_from is None or self.date_from <= day) and (self.date_to is None or self.date_to >= day)


class ServiceForm(models.Model):
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="forms")
    form = models.ForeignKey(
        DeliveryForm, verbose_name=_("delivery form"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    form_code = models.CharField(_("form code in the registry"), max_length=100)
    continuous = models.BooleanField(_("provided non-stop"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery form of a service")
        verbose_name_plural = _("delivery forms of services")
        ordering = ["service", "form_code"]

    def __str__(self) -> str:
        return str(self.form or self.form_code)


class Capacity(models.Model):
    """Registered maximum capacity of one form in one unit (not free places)."""

    service_form = models.ForeignKey(
        ServiceForm, verbose_name=_("delivery form"), on_delete=models.CASCADE, related_name="capacities"
    )
    capacity_type = models.ForeignKey(
        CapacityType, verbose_name=_("capacity type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    type_code = models.CharField(_("capacity type code in the registry"), max_length=100)
    count = models.PositiveIntegerField(_("registered capacity"))
    description = models.CharField(_("description"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("registered capacity")
        verbose_name_plural = _("registered capacities")
        ordering = ["service_form", "type_code"]

    def __str__(self) -> str:
        return f"{self.count} {self.capacity_type or self.type_code}"


class Facility(models.Model):
    """A place where a service is delivered (zařízení / místo poskytování)."""

    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="facilities")
    position = models.PositiveIntegerField(_("position in the source"), default=0)
    name = models.CharField(_("name"), max_length=500, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    orientation_number = models.CharField(_("orientation number"), max_length=20, blank=True)
    address_note = models.CharField(_("address note"), max_length=300, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    address_point_code = models.PositiveBigIntegerField(_("RÚIAN address point"), null=True, blank=True)
    municipality_code = models.CharField(_("municipality code"), max_length=6, blank=True)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilities",
    )
    region = models.ForeignKey(
        "territory.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilities",
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    coordinates_approximate = models.BooleanField(
        _("approximate coordinates"), default=True, help_text=_("Coordinates of the municipality, not of the address.")
    )
    secret_address = models.BooleanField(
        _("address not published"), default=False, help_text=_("The registry gives no address (e.g. a shelter).")
    )
    date_from = models.DateField(_("provided from"), null=True, blank=True)
    date_to = models.DateField(_("provided until"), null=True, blank=True)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["service", "position"]
        indexes = [models.Index(fields=["region", "municipality"])]

    def __str__(self) -> str:
        return self.name or str(self.service)

    @property
    def address_line(self) -> str:
        number = "/".join(n for n in (self.house_number, self.orientation_number) if n)
        street = " ".join(p for p in (self.street, number) if p)
        town = " ".join(p for p in (self.postal_code, str(self.municipality or "")) if p)
        return ", ".join(p for p in (street, town) if p)
