"""Quality frameworks as versioned data: a library (URN + integer version) with a requirement tree,
score scales and a pass rule. A version used by an assessment is never changed in place."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Framework(models.Model):
    urn = models.CharField(_("URN"), max_length=200)  # urn:qmss:framework:sqss
    version = models.PositiveIntegerField(_("version"))
    locale = models.CharField(_("language"), max_length=10, default="cs")
    short_name = models.CharField(_("short name"), max_length=40)  # SQSS
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    pass_rule = models.JSONField(_("pass rule"), default=dict, blank=True)
    default_scale = models.ForeignKey(
        "Scale", verbose_name=_("default scale"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checksum = models.CharField(_("checksum"), max_length=64)
    is_latest = models.BooleanField(_("latest version"), default=True)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["short_name", "-version"]
        constraints = [models.UniqueConstraint(fields=["urn", "version"], name="unique_framework_version")]

    def __str__(self) -> str:
        return f"{self.short_name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("frameworks:detail", kwargs={"framework_pk": self.pk})


class Scale(models.Model):
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="scales"
    )
    key = models.CharField(_("key"), max_length=40)  # points / fulfilment / maturity
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("score scale")
        verbose_name_plural = _("score scales")
        ordering = ["framework", "key"]
        constraints = [models.UniqueConstraint(fields=["framework", "key"], name="unique_scale_key")]

    def __str__(self) -> str:
        return self.name


class ScaleValue(models.Model):
    scale = models.ForeignKey(Scale, verbose_name=_("scale"), on_delete=models.CASCADE, related_name="values")
    key = models.CharField(_("key"), max_length=40)  # "0".."3" / fulfilled / partly / not / na
    label = models.CharField(_("label"), max_length=200)
    score = models.DecimalField(
        _("score"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty for 'not applicable': the criterion does not count."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("scale value")
        verbose_name_plural = _("scale values")
        ordering = ["scale", "order"]
        constraints = [models.UniqueConstraint(fields=["scale", "key"], name="unique_scale_value_key")]

    def __str__(self) -> str:
        return self.label


class Requirement(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", _("standard")
        CRITERION = "criterion", _("criterion")
        AREA = "area", _("area")
        GROUP = "group", _("group")

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="requirements"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    ref_id = models.CharField(_("reference"), max_length=40)  # "1", "1a", "MAIN-2"
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    order = models.PositiveIntegerField(_("order"), default=0)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    guidance = models.TextField(_("guidance"), blank=True)
    typical_evidence = models.JSONField(_("typical evidence"), default=list, blank=True)
    essential = models.BooleanField(_("essential"), default=False)
    verified = models.BooleanField(_("verified"), default=False)
    source = models.TextField(
        _("source"), blank=True, help_text=_("Where the wording and the essential flag are confirmed.")
    )
    assessable = models.BooleanField(_("assessed"), default=False, help_text=_("Results are recorded on this node."))
    applicability = models.JSONField(
        _("applicability"),
        default=dict,
        blank=True,
        help_text=_('{"kinds": [service kind codes], "forms": [form codes]}; empty = applies to all.'),
    )
    scale = models.ForeignKey(
        Scale,
        verbose_name=_("scale"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Overrides the framework's default scale for this requirement."),
    )

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "ref_id"], name="unique_requirement_ref")]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"

    def applies_to(self, *, kind_code: str | None = None, form_codes: list[str] | tuple[str, ...] = ()) -> bool:
        kinds = self.applicability.get("kinds") or []
        forms = self.applicability.get("forms") or []
        if kinds and kind_code not in kinds:
            return False
        return not (forms and form_codes and not set(forms) & set(form_codes))


class RuleSetAdoption(models.Model):
    """An administrator's decision that the pass rule and essential flags of one framework version, although not
    (all) confirmed by a source, give verdicts in QMSS. Without it an unverified rule gives no pass/fail verdict."""

    framework = models.OneToOneField(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="rule_set_adoption"
    )
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("adopted by"), on_delete=models.PROTECT, related_name="+"
    )
    adopted_at = models.DateTimeField(_("adopted at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("rule set adoption")
        verbose_name_plural = _("rule set adoptions")

    def __str__(self) -> str:
        return f"{self.framework} – {self.adopted_by}"
