"""Reference values (referenční hodnoty) of a manager for a year: usual cost and usual own revenue per unit of
capacity, the maximum public share and staff-mix norms, per kind × form. Each import makes a new numbered set;
the newest set of a manager and year is the one in force."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qmss.core.models import OrganisationOwned

USER = settings.AUTH_USER_MODEL


class ReferenceValueSet(OrganisationOwned):
    """One imported set of reference values; never changed after import (a correction is a new version)."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("manager"), on_delete=models.PROTECT, related_name="reference_value_sets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=300)
    source = models.CharField(
        _("source"), max_length=500, help_text=_("Where the values come from: a resolution, an analysis, a file.")
    )
    verified = models.BooleanField(_("verified against the source"), default=False)
    note = models.TextField(_("note"), blank=True)
    file_name = models.CharField(_("imported file"), max_length=255, blank=True)
    checksum = models.CharField(_("checksum"), max_length=64, blank=True)
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("imported by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("reference value set")
        verbose_name_plural = _("reference value sets")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "version"], name="financing_refset_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year}, v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("financing:reference_set", kwargs={"reference_set_pk": self.pk})


class ReferenceValue(models.Model):
    """Values per unit and year for one kind and delivery form (form empty = every form of the kind)."""

    reference_set = models.ForeignKey(
        ReferenceValueSet, verbose_name=_("reference value set"), on_delete=models.CASCADE, related_name="values"
    )
    kind = models.ForeignKey("registry.ServiceKind", verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+")
    form = models.ForeignKey(
        "registry.DeliveryForm",
        verbose_name=_("delivery form"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.CharField(_("unit"), max_length=40, help_text=_("A unit code of the network rules library."))
    usual_cost = models.DecimalField(_("usual cost per unit"), max_digits=12, decimal_places=2)
    usual_revenue = models.DecimalField(_("usual own revenue per unit"), max_digits=12, decimal_places=2)
    max_public_share = models.DecimalField(
        _("maximum public share"), max_digits=5, decimal_places=4, help_text=_("A share of the usual cost, 0–1.")
    )
    direct_fte_per_unit = models.DecimalField(
        _("direct-care FTE per unit (minimum)"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    direct_share_min = models.DecimalField(
        _("minimum direct-care share of FTE"), max_digits=5, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = _("reference value")
        verbose_name_plural = _("reference values")
        ordering = ["kind__code", "form__code"]
        constraints = [
            models.UniqueConstraint(fields=["reference_set", "kind", "form"], name="financing_refvalue_unique"),
            models.UniqueConstraint(
                fields=["reference_set", "kind"],
                condition=models.Q(form__isnull=True),
                name="financing_refvalue_unique_any_form",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_id} {self.form_id or '*'}"
