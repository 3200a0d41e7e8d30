"""Data collection: the form template (data elements, disaggregations, validation rules, indicator definitions)
as a versioned library, rounds run by a region, and submissions per service with their values."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qmss.needs.models.base import LibraryVersion
from qmss.needs.models.taxonomy import Taxonomy

USER = settings.AUTH_USER_MODEL


class CollectionTemplate(LibraryVersion):
    """A version of the collection form library: what is collected, how it is checked, what is computed."""

    class Meta(LibraryVersion.Meta):
        verbose_name = _("collection template")
        verbose_name_plural = _("collection templates")
        constraints = [models.UniqueConstraint(fields=["urn", "version"], name="needs_template_unique_version")]


class Disaggregation(models.Model):
    """A breakdown of a data element (age band, refusal reason, staff role, cost category…).

    ``dynamic`` breakdowns take their categories from other data at fill-in time: ``orp`` (the ORPs of the round's
    region) – their categories are not stored.
    """

    class Dynamic(models.TextChoices):
        NONE = "", _("fixed categories")
        ORP = "orp", _("ORP of the user's residence")

    template = models.ForeignKey(
        CollectionTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="disaggregations"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    dynamic = models.CharField(_("categories from"), max_length=20, choices=Dynamic.choices, blank=True, default="")
    source_note = models.CharField(_("source"), max_length=500, blank=True)
    verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        verbose_name = _("disaggregation")
        verbose_name_plural = _("disaggregations")
        ordering = ["template", "code"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="needs_disagg_unique_code")]

    def __str__(self) -> str:
        return self.name


class DisaggregationCategory(models.Model):
    disaggregation = models.ForeignKey(
        Disaggregation, verbose_name=_("disaggregation"), on_delete=models.CASCADE, related_name="categories"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["disaggregation", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["disaggregation", "code"], name="needs_category_unique_code")]

    def __str__(self) -> str:
        return self.name


class DataElement(models.Model):
    """One figure a provider reports (users, new users, refused applicants by reason, hours of direct work…)."""

    class ValueType(models.TextChoices):
        INTEGER = "integer", _("whole number")
        DECIMAL = "decimal", _("number with decimals")
        MONEY = "money", _("amount in CZK")

    class Prefill(models.TextChoices):
        NONE = "", _("entered by the provider")
        REGISTERED_CAPACITY = "registered_capacity", _("registered capacity (from the registry)")
        PERIOD_DAYS = "period_days", _("days of the period")
        CARD_RESPONSES = "card_responses", _("needs by response type (from the service card)")

    template = models.ForeignKey(
        CollectionTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="elements"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    help_text = models.TextField(_("help"), blank=True)
    section = models.CharField(_("section of the form"), max_length=200, blank=True)
    value_type = models.CharField(_("value type"), max_length=20, choices=ValueType.choices, default=ValueType.INTEGER)
    unit = models.CharField(
        _("unit"), max_length=60, blank=True, help_text=_("Empty with “unit of the kind”: the kind's capacity unit.")
    )
    unit_of_kind = models.BooleanField(_("unit of the kind"), default=False)
    disaggregation = models.ForeignKey(
        Disaggregation,
        verbose_name=_("disaggregation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    min_value = models.DecimalField(_("minimum"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=14, decimal_places=2, null=True, blank=True)
    prefill = models.CharField(_("pre-filled"), max_length=30, choices=Prefill.choices, blank=True, default="")
    locked = models.BooleanField(_("locked"), default=False, help_text=_("Pre-filled and not editable by providers."))
    required = models.BooleanField(_("required"), default=True)
    forms = models.JSONField(
        _("delivery forms"), default=list, blank=True, help_text=_("Keys of the delivery forms; empty = all.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    verified = models.BooleanField(_("verified"), default=False)
    source_note = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        ordering = ["template", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="needs_element_unique_code")]

    def __str__(self) -> str:
        return self.name


class ValidationRule(models.Model):
    """A check over a submission's values with a Czech message; a blocking rule stops submission, a warning asks
    for a comment. ``expression`` is in the small safe language of :mod:`qmss.needs.expressions`."""

    class Severity(models.TextChoices):
        BLOCKING = "blocking", _("blocking")
        WARNING = "warning", _("warning")

    template = models.ForeignKey(
        CollectionTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="rules"
    )
    code = models.CharField(_("code"), max_length=40)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    expression = models.CharField(_("condition that must hold"), max_length=500)
    message = models.TextField(_("message"))
    order = models.PositiveIntegerField(_("order"), default=0)
    source_note = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["template", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="needs_rule_unique_code")]

    def __str__(self) -> str:
        return self.code


class Indicator(models.Model):
    """An indicator as a definition (numerator / denominator × factor over data elements, with filters); its
    values are computed on demand from approved submissions and never stored."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")
        NEUTRAL = "neutral", _("no direction")

    template = models.ForeignKey(
        CollectionTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    numerator = models.CharField(_("numerator"), max_length=500)
    denominator = models.CharField(_("denominator"), max_length=500, blank=True)
    factor = models.DecimalField(_("factor"), max_digits=12, decimal_places=4, default=1)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimal places"), default=1)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.NEUTRAL)
    kinds = models.JSONField(_("service kinds"), default=list, blank=True, help_text=_("Kind codes; empty = all."))
    forms = models.JSONField(_("delivery forms"), default=list, blank=True, help_text=_("Form keys; empty = all."))
    order = models.PositiveIntegerField(_("order"), default=0)
    verified = models.BooleanField(_("verified"), default=False)
    source_note = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["template", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="needs_indicator_unique_code")]

    def __str__(self) -> str:
        return self.name


class CollectionRound(models.Model):
    """A data-collection round of a region: period, deadline, services in scope, the form template version."""

    class State(models.TextChoices):
        DRAFT = "draft", _("in preparation")
        OPEN = "open", pgettext_lazy("round state", "open")
        CLOSED = "closed", pgettext_lazy("round state", "closed")

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("regional authority"), on_delete=models.PROTECT, related_name="rounds"
    )
    region = models.ForeignKey("territory.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    deadline = models.DateField(_("deadline"))
    template = models.ForeignKey(
        CollectionTemplate, verbose_name=_("form template"), on_delete=models.PROTECT, related_name="rounds"
    )
    taxonomy = models.ForeignKey(Taxonomy, verbose_name=_("needs taxonomy"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    kind_codes = models.JSONField(_("service kinds"), default=list, blank=True)
    form_keys = models.JSONField(_("delivery forms"), default=list, blank=True)
    orp_codes = models.JSONField(_("ORPs"), default=list, blank=True)
    reminder_days = models.PositiveSmallIntegerField(_("remind days before the deadline"), default=7)
    instructions = models.TextField(_("instructions for providers"), blank=True)
    synthetic = models.BooleanField(
        _("synthetic demo data"), default=False, help_text=_("Generated for the demo; not real figures.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("data-collection round")
        verbose_name_plural = _("data-collection rounds")
        ordering = ["-period_end", "name"]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """One service's report in a round: draft → submitted → approved, or returned with comments → corrected."""

    class State(models.TextChoices):
        DRAFT = "draft", _("being filled in")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for correction")
        APPROVED = "approved", _("approved")

    round = models.ForeignKey(
        CollectionRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="submissions"
    )
    service = models.ForeignKey(
        "registry.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="submissions"
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    registry_facts = models.JSONField(
        _("registry facts"), default=dict, blank=True, help_text=_("Kind, forms and registered capacity at opening.")
    )
    warning_comments = models.JSONField(
        _("comments on warnings"), default=dict, blank=True, help_text=_("Rule code → the provider's explanation.")
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    last_saved_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    last_saved_by = models.ForeignKey(
        USER, verbose_name=_("last saved by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["round", "service__name_sort"]
        constraints = [models.UniqueConstraint(fields=["round", "service"], name="needs_submission_unique")]
        indexes = [models.Index(fields=["round", "state"])]

    def __str__(self) -> str:
        return f"{self.round} – {self.service}"


class SubmissionValue(models.Model):
    """One value of a submission: an element, a category of its disaggregation ("" = the total) and a number."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="values"
    )
    element = models.ForeignKey(DataElement, verbose_name=_("data element"), on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=40, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("submitted value")
        verbose_name_plural = _("submitted values")
        constraints = [models.UniqueConstraint(fields=["submission", "element", "category"], name="needs_value_unique")]
        indexes = [models.Index(fields=["element", "category"])]

    def __str__(self) -> str:
        return f"{self.element_id}[{self.category}]={self.value}"


class SubmissionComment(models.Model):
    """A note in the conversation over a submission: the region's return comments and the provider's replies."""

    class Kind(models.TextChoices):
        RETURN = "return", _("returned with comments")
        APPROVAL = "approval", _("approval note")
        REPLY = "reply", _("provider's reply")

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="comments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        USER, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("submission comment")
        verbose_name_plural = _("submission comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]
