"""Rules of a network as data: versioned criteria sets (weights, thresholds, admission tests, reference values)
and versioned demand parameters (target population and prevalence per kind). A decision records the versions
it used; a used version is never changed – a change is a new version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class RuleSet(models.Model):
    """One version of a network's criteria: the criteria tree with weights, thresholds, admission tests and the
    reference unit costs per kind.

    ``criteria``: ``{"quality": {"weight": "30", "parts": {"audit": "40", ...}}, "availability": {...}, ...}``
    (the four top criteria quality / availability / need / cost and their sub-criteria, weights as decimal text);
    ``thresholds``: ``{"min_quality": "40", "min_total": "50"}``; ``admission_tests``: ``[{"code": ..., "name": ...}]``;
    ``reference_costs``: ``{"<kind code>": {"unit": "<unit code>", "value": "<Kč per unit>"}}``;
    ``parameters``: the distances and points the sub-scores use (see the library ``libraries/network/rules.yaml``).
    """

    network = models.ForeignKey(
        "network.Network", verbose_name=_("network"), on_delete=models.CASCADE, related_name="rule_sets"
    )
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=300)
    criteria = models.JSONField(_("criteria and weights"), default=dict)
    thresholds = models.JSONField(_("thresholds"), default=dict, blank=True)
    admission_tests = models.JSONField(_("admission tests"), default=list, blank=True)
    reference_costs = models.JSONField(_("reference values per kind"), default=dict, blank=True)
    parameters = models.JSONField(_("scoring parameters"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["network", "-version"]
        constraints = [models.UniqueConstraint(fields=["network", "version"], name="network_ruleset_unique_version")]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class ParameterSet(models.Model):
    """One version of the demand parameters of a network.

    ``values``: ``{"<kind code>": {"target": "65+", "prevalence": "0.0123", "exclusion_weight": "0",
    "unit": "<unit code>"}}`` – demand in an ORP = target population × prevalence × (1 + exclusion_weight ×
    exclusion share) + refused for capacity + waiting list. A proposal estimated from a round waits for the
    manager, who accepts it (it becomes the current set) or keeps the old one.
    """

    class State(models.TextChoices):
        CURRENT = "current", _("in force")
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted, replaced later")
        KEPT = "kept", _("not accepted")

    network = models.ForeignKey(
        "network.Network", verbose_name=_("network"), on_delete=models.CASCADE, related_name="parameter_sets"
    )
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.CURRENT)
    values = models.JSONField(_("parameters per kind"), default=dict)
    source = models.CharField(_("source"), max_length=500, blank=True)
    round = models.ForeignKey(
        "needs.CollectionRound",
        verbose_name=_("estimated from round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    explanation = models.JSONField(_("how it was estimated"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("parameter set")
        verbose_name_plural = _("parameter sets")
        ordering = ["network", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["network", "version"], name="network_parameterset_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.network} – {self.version}"
