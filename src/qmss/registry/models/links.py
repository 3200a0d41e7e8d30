"""The verified link of a provider organisation in QMSS to its provider in the registry mirror.

An organisation's IČO proves nothing: anyone can type one. A provider organisation's administrator *claims* a
registry provider; a superuser or an administrator of a regional authority of a region where the provider's
services are delivered checks the claim against the registry's contact data and verifies or rejects it. Only a
verified claim creates the :class:`ProviderLink`, and only the link attributes an organisation's work to the
provider's registered services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qmss.core.models import OrganisationOwned
from qmss.registry.models.registered import Provider


class ProviderClaim(OrganisationOwned, models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("awaiting verification")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")
        REVOKED = "revoked", _("verification revoked")

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="provider_claims"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("registry provider"), on_delete=models.CASCADE, related_name="claims"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("claimed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("claim of a registry provider")
        verbose_name_plural = _("claims of registry providers")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(state="pending"), name="one_pending_claim_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.provider} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("registry:claim_detail", kwargs={"claim_pk": self.pk})


class ProviderLink(OrganisationOwned, models.Model):
    """A verified link; exists only through a verified :class:`ProviderClaim`."""

    organisation = models.OneToOneField(
        "core.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="provider_link"
    )
    provider = models.OneToOneField(
        Provider, verbose_name=_("registry provider"), on_delete=models.CASCADE, related_name="link"
    )
    claim = models.ForeignKey(
        ProviderClaim, verbose_name=_("claim"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified"))

    class Meta:
        verbose_name = _("verified link to the registry")
        verbose_name_plural = _("verified links to the registry")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.organisation} = {self.provider}"
