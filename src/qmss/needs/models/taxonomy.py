"""The needs taxonomy: need areas with needs inside, one set per published library version."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from qmss.needs.models.base import LibraryVersion


class Taxonomy(LibraryVersion):
    """A version of the needs taxonomy (libraries/needs/…). Rounds and cards keep the version they started with."""

    class Meta(LibraryVersion.Meta):
        verbose_name = _("needs taxonomy")
        verbose_name_plural = _("needs taxonomies")
        constraints = [models.UniqueConstraint(fields=["urn", "version"], name="needs_taxonomy_unique_version")]


class NeedArea(models.Model):
    """oblast potřeb, e.g. self-care, housing, work and income."""

    taxonomy = models.ForeignKey(Taxonomy, verbose_name=_("taxonomy"), on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Confirmed in the cited source (else a QMSS proposal).")
    )
    source_note = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("need area")
        verbose_name_plural = _("need areas")
        ordering = ["taxonomy", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="needs_area_unique_code")]

    def __str__(self) -> str:
        return self.name


class Need(models.Model):
    """potřeba: one everyday-life need, with a plain-language wording for the public."""

    taxonomy = models.ForeignKey(Taxonomy, verbose_name=_("taxonomy"), on_delete=models.CASCADE, related_name="needs")
    area = models.ForeignKey(NeedArea, verbose_name=_("need area"), on_delete=models.CASCADE, related_name="needs")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    public_wording = models.TextField(_("wording for the public"))
    description = models.TextField(_("description"), blank=True)
    basic_life_need = models.BooleanField(_("basic life need of decree 505/2006, annex 1"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Confirmed in the cited source (else a QMSS proposal).")
    )
    source_note = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["taxonomy", "area__order", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="needs_need_unique_code")]

    def __str__(self) -> str:
        return self.name
