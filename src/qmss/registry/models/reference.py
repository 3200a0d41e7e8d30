"""Reference data of the registry: service kinds, delivery forms, capacity types, target and age groups.

Loaded from the versioned YAML libraries in ``libraries/registry/`` (each with its source and validity dates)
by ``qmss load_reference``; never edited by hand.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceLibrary(models.Model):
    """One loaded YAML library: what it is, where it comes from, and since when it applies."""

    urn = models.CharField(_("URN"), max_length=200, unique=True)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    source = models.TextField(_("source"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    checksum = models.CharField(_("checksum"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        verbose_name = _("reference library")
        verbose_name_plural = _("reference libraries")
        ordering = ["urn"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class ReferenceItem(models.Model):
    """Common shape of a code-list item: the registry code, a Czech name, validity and provenance."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    library = models.ForeignKey(ReferenceLibrary, verbose_name=_("library"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Confirmed in an official source (else from domain knowledge).")
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class DeliveryForm(ReferenceItem):
    """forma poskytování: pobytová / ambulantní / terénní (registry code pob / amb / ter)."""

    key = models.CharField(_("key"), max_length=20, unique=True)  # residential / outpatient / field

    class Meta(ReferenceItem.Meta):
        verbose_name = _("delivery form")
        verbose_name_plural = _("delivery forms")


class CapacityType(ReferenceItem):
    """Unit of registered capacity: beds, clients, interventions, contacts, calls (registry code luzka …)."""

    unit = models.CharField(_("unit"), max_length=60, help_text=_("After 0 and 5 or more: “40 lůžek”."))
    unit_one = models.CharField(_("unit after 1"), max_length=60, blank=True, help_text=_("“1 lůžko”."))
    unit_few = models.CharField(_("unit after 2 to 4"), max_length=60, blank=True, help_text=_("“3 lůžka”."))

    class Meta(ReferenceItem.Meta):
        verbose_name = _("capacity type")
        verbose_name_plural = _("capacity types")


class BasicActivity(ReferenceItem):
    """základní činnost, e.g. PVO – help with everyday self-care."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("basic activity")
        verbose_name_plural = _("basic activities")


class ServiceKind(ReferenceItem):
    """druh sociální služby; ``code`` is the number N of the registry reference ``DruhSocialniSluzby/N``."""

    class Category(models.TextChoices):
        COUNSELLING = "counselling", _("social counselling")
        CARE = "care", _("social care services")
        PREVENTION = "prevention", _("social prevention services")
        OTHER = "other", _("other")

    class LegalBasis(models.TextChoices):
        ACT = "act", _("kind defined in Act 108/2006")
        CODELIST = "codelist", _("kind of the MPSV code list only (not defined in the Act)")

    section = models.CharField(_("section of Act 108/2006"), max_length=10, blank=True)  # "49"
    legal_basis = models.CharField(_("legal basis"), max_length=10, choices=LegalBasis.choices, default=LegalBasis.ACT)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    legacy_registry_id = models.PositiveIntegerField(_("registry API id"), null=True, blank=True)  # 3847
    forms = models.ManyToManyField(DeliveryForm, verbose_name=_("allowed delivery forms"), blank=True)
    activities = models.ManyToManyField(BasicActivity, verbose_name=_("basic activities"), blank=True)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("service kind")
        verbose_name_plural = _("service kinds")

    def __str__(self) -> str:
        return f"§{self.section} {self.name}" if self.section else self.name


class TargetGroup(ReferenceItem):
    """cílová skupina; ``code`` is N of ``CilovaSkupinaOsoby/N`` where known."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class AgeGroup(ReferenceItem):
    """věková skupina uživatelů."""

    age_from = models.PositiveSmallIntegerField(_("age from"), null=True, blank=True)
    age_to = models.PositiveSmallIntegerField(_("age to"), null=True, blank=True)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("age group")
        verbose_name_plural = _("age groups")
