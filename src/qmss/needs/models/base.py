"""The envelope every loaded library version of this app stores (see qmss.core.libraries)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LibraryVersion(models.Model):
    """One loaded version of a YAML library: a used version is never changed in place; a new one is loaded."""

    urn = models.CharField(_("URN"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    source = models.TextField(_("source"))
    description = models.TextField(_("description"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    checksum = models.CharField(_("checksum"), max_length=64)
    content_checksum = models.CharField(_("content checksum"), max_length=64, blank=True)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    published_at = models.DateTimeField(
        _("published"), null=True, blank=True, help_text=_("Empty while an administrator has not published it.")
    )

    class Meta:
        abstract = True
        ordering = ["urn", "-version"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"
