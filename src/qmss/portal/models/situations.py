"""Portal models: situations (owned by the situations part) – the editors' own phrasings of the finder.

The finder turns a situation described in plain Czech into needs of the needs taxonomy using the library
``libraries/portal/situations.yaml`` (:mod:`qmss.portal.library_situations`). Editors of a regional authority or of
the ministry extend it without a new library version: a phrasing ("babička po operaci kyčle") with the needs it
means. Active phrasings take part in matching at once (:mod:`qmss.portal.situations`); a retired one is kept
(``active`` false) for the audit trail. The text of a phrasing is never shown to the public: it only steers the
matching.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["SituationPhrase"]


class SituationPhrase(models.Model):
    text = models.CharField(_("phrasing"), max_length=200)
    need_codes = models.JSONField(_("needs"), default=list)
    target_group_codes = models.JSONField(_("target groups"), default=list, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="situation_phrases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("situation phrasing")
        verbose_name_plural = _("situation phrasings")
        ordering = ("text", "pk")

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        from qmss.portal.library_situations import validate_phrase_codes

        validate_phrase_codes(self.need_codes, self.target_group_codes)
