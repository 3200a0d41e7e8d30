"""Portal models: reports (podněty) of suspected unregistered social services (owned by the reports part).

A member of the public reports a "service" that seems to provide social services without registration
(zákon č. 108/2006 Sb., § 78 and § 107). The report goes to the inbox of the regional authority of the region
where the reported service operates (``region``, derived from ``municipality``); its staff move it through
received → being checked → closed with an outcome. The reporter's contact is optional personal data, declared
confidential (``hooks_reports``) and kept out of the audit log; an anonymous report stores no contact at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

__all__ = ["UnregisteredReport"]

CONTACT_FIELDS = ("reporter_name", "reporter_email", "reporter_phone")


class UnregisteredReport(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        CHECKING = "checking", _("being checked")
        CLOSED = "closed", _("closed")

    class Outcome(models.TextChoices):
        REGISTERED = "registered", _("registered after all")
        REGISTRATION = "registration", _("referred to the region's registration department")
        AUTHORITIES = "authorities", _("referred to the police or the trade licensing office")
        UNFOUNDED = "unfounded", _("unfounded")
        OTHER = "other", _("other")

    region = models.ForeignKey(
        "territory.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="unregistered_reports"
    )
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="unregistered_reports",
    )
    service_name = models.CharField(_("name of the service or of who provides it"), max_length=200)
    place = models.CharField(_("address or place"), max_length=300, blank=True)
    what_happened = models.TextField(_("what happened"))
    when = models.CharField(_("when it happened"), max_length=200, blank=True)
    reporter_name = models.CharField(_("reporter's name"), max_length=150, blank=True)
    reporter_email = models.EmailField(_("reporter's e-mail"), max_length=254, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.RECEIVED, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("note on the outcome"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report of an unregistered service")
        verbose_name_plural = _("reports of unregistered services")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["region", "state", "-created_at"], name="portal_report_inbox")]

    def __str__(self) -> str:
        return self.service_name

    def get_absolute_url(self) -> str:
        return reverse("portal:report", kwargs={"report_pk": self.pk})

    def get_additional_data(self) -> dict:
        return {"region_id": self.region_id}

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED
