"""Territory of the Czech Republic: regions (kraje), districts (okresy), ORPs and municipalities (obce).

Reference data, loaded by ``qmss import_territory`` from official open data (ČSÚ, RÚIAN, MMR), or built as a
clearly labelled synthetic demo when no data directory is available.
"""

from __future__ import annotations

import unicodedata

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qmss.core.collation import sort_key


def search_key(text: str) -> str:
    """Lower-case text without diacritics, for database-independent search: "Ústí n. L." → "usti n. l."."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def czech_sort_key(text: str) -> bytes:
    """The Czech (ICU) sort key of a name: :func:`qmss.core.collation.sort_key`."""
    return sort_key(text)


class Region(models.Model):
    code = models.CharField(_("NUTS 3 code"), max_length=5, unique=True)  # CZ072
    ruian_code = models.PositiveIntegerField(_("RÚIAN code"), null=True, blank=True)  # 141
    name = models.CharField(_("name"), max_length=100)
    abbreviation = models.CharField(_("abbreviation"), max_length=3, blank=True)  # ZLK
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territory:region", kwargs={"region_code": self.code})


class District(models.Model):
    code = models.CharField(_("LAU 1 code"), max_length=6, unique=True)  # CZ0724
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="districts")
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Orp(models.Model):
    """Správní obvod obce s rozšířenou působností – the planning unit for social-service need."""

    ruian_code = models.PositiveIntegerField(_("RÚIAN code"), unique=True)  # 1465; Praha 19
    csu_code = models.PositiveIntegerField(_("ČSÚ code"), unique=True)  # 7213; Praha 0
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="orps")
    seat_code = models.CharField(_("seat municipality code"), max_length=6, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)

    class Meta:
        verbose_name = _("ORP")
        verbose_name_plural = _("ORPs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territory:orp", kwargs={"orp_code": self.ruian_code})


class Municipality(models.Model):
    class Status(models.TextChoices):
        MUNICIPALITY = "O", _("municipality")
        TOWN = "M", _("town")
        STATUTORY_CITY = "S", _("statutory city")
        MARKET_TOWN = "T", _("market town")
        DIVIDED_CITY = "U", _("statutory city divided into districts")
        CAPITAL = "H", _("capital city")

    code = models.CharField(_("municipality code"), max_length=6, unique=True)  # 500011
    name = models.CharField(_("name"), max_length=100, db_index=True)
    search_name = models.CharField(
        _("name for search"),
        max_length=100,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_("The name in lower case without diacritics; filled in automatically."),
    )
    status = models.CharField(_("status"), max_length=1, choices=Status.choices, default=Status.MUNICIPALITY)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="municipalities"
    )
    orp = models.ForeignKey(Orp, verbose_name=_("ORP"), on_delete=models.PROTECT, related_name="municipalities")
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="municipalities"
    )
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_name = search_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("territory:municipality", kwargs={"municipality_code": self.code})


class Population(models.Model):
    """Residents of a municipality on a reference date; age bands where the source has them."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="population"
    )
    reference_date = models.DateField(_("reference date"))
    total = models.PositiveIntegerField(_("residents total"))
    men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    average_age = models.DecimalField(_("average age"), max_digits=6, decimal_places=4, null=True, blank=True)
    age_15_plus = models.PositiveIntegerField(_("aged 15+"), null=True, blank=True)
    age_15_64 = models.PositiveIntegerField(_("aged 15–64"), null=True, blank=True)
    age_65_plus = models.PositiveIntegerField(_("aged 65+"), null=True, blank=True)

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["municipality", "-reference_date"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "reference_date"], name="unique_population_date")
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.reference_date}: {self.total}"


class TerritoryImport(models.Model):
    """One load of territory data: where from, by whom, what it changed."""

    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=500)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    user = models.ForeignKey(
        "auth.User",
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    counts = models.JSONField(_("counts"), default=dict)
    # SHA-256 of the importer's rules version and every source file; an unchanged re-import is skipped
    fingerprint = models.CharField(_("fingerprint of the source files"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("territory import")
        verbose_name_plural = _("territory imports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} ({self.started_at:%Y-%m-%d %H:%M})"


class ExclusionIndex(models.Model):
    """MMR index of social exclusion of a municipality (0–30 points, four categories) for one year."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="exclusion_indexes"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    points = models.PositiveSmallIntegerField(_("points (0–30)"))
    category = models.CharField(_("category"), max_length=20)

    class Meta:
        verbose_name = _("social exclusion index")
        verbose_name_plural = _("social exclusion indexes")
        ordering = ["municipality", "-year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="unique_exclusion_index_year")]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}: {self.points}"
