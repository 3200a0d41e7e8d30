"""Applications to a network (A new service, B change of capacity or territory, C development or substantial
change), their attachments, municipalities' statements of need, the steps of the workflow and what-if
scenarios."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qmss.core.models import OrganisationOwned, TimeStamped

USER = settings.AUTH_USER_MODEL


class Application(OrganisationOwned, TimeStamped):
    class Kind(models.TextChoices):
        NEW = "A", _("A – new service")
        CHANGE = "B", _("B – change of capacity or territory")
        DEVELOPMENT = "C", _("C – development or substantial change")

    class State(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("application state", "submitted")
        FORMAL_CHECK = "formal_check", _("formal check")
        RETURNED = "returned", _("returned for completion")
        EVALUATION = "evaluation", _("evaluation")
        PROPOSAL = "proposal", _("proposal for decision")
        APPROVED = "approved", pgettext_lazy("application state", "approved")
        REJECTED = "rejected", pgettext_lazy("application state", "rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("application state", "withdrawn")

    network = models.ForeignKey(
        "network.Network", verbose_name=_("network"), on_delete=models.CASCADE, related_name="applications"
    )
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="network_applications"
    )
    kind = models.CharField(_("kind of application"), max_length=1, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SUBMITTED)
    service = models.ForeignKey(
        "registry.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="network_applications",
    )
    capacity = models.DecimalField(_("requested capacity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40)
    orp_codes = models.JSONField(_("ORPs served"), default=list, blank=True)
    municipality_codes = models.JSONField(_("municipalities served"), default=list, blank=True)
    tier = models.ForeignKey(
        "network.Tier",
        verbose_name=_("requested tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    financing_category = models.CharField(_("financing category"), max_length=40, blank=True)
    justification = models.TextField(_("justification"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the decision
    decision_body = models.CharField(_("deciding body"), max_length=200, blank=True)
    resolution_number = models.CharField(_("resolution number"), max_length=100, blank=True)
    decision_date = models.DateField(_("date of the decision"), null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    rule_set = models.ForeignKey(
        "network.RuleSet",
        verbose_name=_("rules used"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    parameter_set = models.ForeignKey(
        "network.ParameterSet",
        verbose_name=_("parameters used"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score_snapshot = models.JSONField(_("scores at the decision"), default=dict, blank=True)
    resulting_version = models.ForeignKey(
        "network.NetworkVersion",
        verbose_name=_("network version created"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("network application")
        verbose_name_plural = _("network applications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.service}"

    def get_absolute_url(self) -> str:
        return reverse("network:application", kwargs={"application_pk": self.pk})


class ApplicationStep(models.Model):
    """One move of an application in its workflow, with the reason everyone involved sees."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="steps"
    )
    state = models.CharField(_("state"), max_length=20, choices=Application.State.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    created_by = models.ForeignKey(USER, verbose_name=_("who"), null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["application", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application} – {self.get_state_display()}"


class ApplicationAttachment(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="network/attachments/%Y/")
    original_name = models.CharField(_("file name"), max_length=300)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["application", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class MunicipalityStatement(OrganisationOwned, TimeStamped):
    """A municipality's statement of need for an application (filed by the municipality's users)."""

    class Position(models.TextChoices):
        SUPPORTS = "supports", _("the municipality confirms the need")
        PARTLY = "partly", _("the municipality confirms the need in part")
        OPPOSES = "opposes", _("the municipality does not confirm the need")

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="statements"
    )
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    text = models.TextField(_("statement"))
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("statement of need")
        verbose_name_plural = _("statements of need")
        ordering = ["application", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "organisation"], name="network_statement_one_per_municipality"
            )
        ]


class Scenario(TimeStamped):
    """A saved what-if: weights, applications added, entries removed and capacities changed; never applied."""

    network = models.ForeignKey(
        "network.Network", verbose_name=_("network"), on_delete=models.CASCADE, related_name="scenarios"
    )
    name = models.CharField(_("name"), max_length=200)
    weights = models.JSONField(_("weights"), default=dict)
    added_applications = models.JSONField(_("applications added"), default=list, blank=True)
    removed_entries = models.JSONField(_("entries removed"), default=list, blank=True)
    capacity_changes = models.JSONField(_("capacities changed"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["network", "-created_at"]

    def __str__(self) -> str:
        return self.name
