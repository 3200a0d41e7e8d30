"""Organisations, memberships and invitations: who acts for whom."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmss.core.roles import ROLES_BY_KIND, OrganisationKind, Role


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class OrganisationOwned(models.Model):
    """Mixin for domain data owned by one organisation; the owner is recorded in every audit entry."""

    owner_field = "organisation"

    class Meta:
        abstract = True

    def get_additional_data(self) -> dict:
        return {"organisation_id": getattr(self, f"{self.owner_field}_id")}


class Organisation(TimeStamped):
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=255)
    ico = models.CharField(
        _("company ID (IČO)"),
        max_length=8,
        blank=True,
        db_index=True,
        help_text=_(
            "Eight digits; for information only – a provider is linked to the registry of social services by a "
            "verified claim, not by this number."
        ),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    region = models.ForeignKey(
        "territory.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("For a regional authority the region it governs; otherwise the region of its seat."),
    )
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    is_demo = models.BooleanField(_("demo organisation"), default=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="region") | models.Q(region__isnull=False),
                name="region_org_has_region",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation_detail", kwargs={"organisation_pk": self.pk})

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.pk}

    def clean(self) -> None:
        if self.ico and (len(self.ico) != 8 or not self.ico.isdigit()):
            raise ValidationError({"ico": _("The company ID (IČO) must have exactly 8 digits.")})
        if self.kind == OrganisationKind.REGION and not self.region_id:
            raise ValidationError({"region": _("A regional authority must be linked to its region.")})


class Membership(TimeStamped, OrganisationOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership_role")]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"

    def clean(self) -> None:
        if self.organisation_id and self.role not in ROLES_BY_KIND[self.organisation.kind]:
            raise ValidationError({"role": _("This role is not available for this kind of organisation.")})


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(TimeStamped, OrganisationOwned):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
