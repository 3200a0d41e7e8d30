"""Kind cards (karta druhu služby) with their consultation, provider service cards (karta služby) and the minimum
form of a kind (minimální podoba služby)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qmss.needs.models.taxonomy import Need, Taxonomy

USER = settings.AUTH_USER_MODEL


class KindCard(models.Model):
    """One version of the card of a service kind: which needs the kind addresses and how, in plain Czech.

    ``region`` empty = the QMSS model card shipped in the library (a starting draft for regions); a region's
    card passes draft → consultation → published; publishing supersedes the previous published version.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        CONSULTATION = "consultation", _("in consultation")
        PUBLISHED = "published", _("published")
        SUPERSEDED = "superseded", _("superseded")

    region = models.ForeignKey(
        "territory.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("regional authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kind_cards",
    )
    kind = models.ForeignKey(
        "registry.ServiceKind", verbose_name=_("service kind"), on_delete=models.PROTECT, related_name="cards"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    taxonomy = models.ForeignKey(Taxonomy, verbose_name=_("needs taxonomy"), on_delete=models.PROTECT, related_name="+")
    purpose = models.TextField(_("what the service is for"), blank=True)
    public_expectations = models.TextField(_("what the public can expect"), blank=True)
    capacity_type = models.ForeignKey(
        "registry.CapacityType",
        verbose_name=_("unit of capacity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    activities = models.ManyToManyField(
        "registry.BasicActivity", verbose_name=_("basic activities"), blank=True, related_name="+"
    )
    source = models.TextField(_("source"), blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER, verbose_name=_("published by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("kind card")
        verbose_name_plural = _("kind cards")
        ordering = ["kind__order", "kind__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "version"], name="needs_kindcard_unique_version"),
            models.UniqueConstraint(
                fields=["kind", "version"], condition=models.Q(region__isnull=True), name="needs_model_card_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} (v{self.version})"


class KindCardNeed(models.Model):
    """A need the kind addresses, with the basic activities that answer it."""

    card = models.ForeignKey(KindCard, verbose_name=_("kind card"), on_delete=models.CASCADE, related_name="needs")
    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.PROTECT, related_name="+")
    activities = models.ManyToManyField(
        "registry.BasicActivity", verbose_name=_("basic activities"), blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("need of a kind card")
        verbose_name_plural = _("needs of a kind card")
        ordering = ["card", "order", "need__order"]
        constraints = [models.UniqueConstraint(fields=["card", "need"], name="needs_cardneed_unique")]

    def __str__(self) -> str:
        return str(self.need)


class Consultation(models.Model):
    """The region sends a draft card to the providers of the kind; they comment, the region settles."""

    card = models.OneToOneField(
        KindCard, verbose_name=_("kind card"), on_delete=models.CASCADE, related_name="consultation"
    )
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("regional authority"), on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("message to providers"), blank=True)
    deadline = models.DateField(_("comments until"), null=True, blank=True)
    recipients = models.ManyToManyField(
        "core.Organisation", verbose_name=_("providers asked"), blank=True, related_name="card_consultations"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by = models.ForeignKey(
        USER, verbose_name=_("opened by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("card consultation")
        verbose_name_plural = _("card consultations")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return str(self.card)


class ConsultationMeeting(models.Model):
    """A consultation meeting per kind: date, place, who attended, outcome."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=300)
    attendees = models.TextField(_("who attended"))
    outcome = models.TextField(_("outcome"))
    created_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("consultation meeting")
        verbose_name_plural = _("consultation meetings")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.place}"


class CardComment(models.Model):
    """A provider's comment on a draft card, per need or field, settled by the region."""

    class Field(models.TextChoices):
        GENERAL = "general", _("the card as a whole")
        PURPOSE = "purpose", _("what the service is for")
        PUBLIC_EXPECTATIONS = "public_expectations", _("what the public can expect")
        ACTIVITIES = "activities", _("basic activities")
        CAPACITY_TYPE = "capacity_type", _("unit of capacity")
        NEED = "need", _("a need")

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting settlement")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="comments"
    )
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        USER, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    field = models.CharField(_("field"), max_length=30, choices=Field.choices, default=Field.GENERAL)
    need = models.ForeignKey(Need, verbose_name=_("need"), null=True, blank=True, on_delete=models.PROTECT)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    reason = models.TextField(_("reason"), blank=True)
    settled_by = models.ForeignKey(
        USER, verbose_name=_("settled by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        verbose_name = _("card comment")
        verbose_name_plural = _("card comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ServiceCard(models.Model):
    """karta služby: a provider's answer, per service and period, to each need of its kind's card."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        CONFIRMED = "confirmed", _("confirmed")

    service = models.ForeignKey(
        "registry.Service", verbose_name=_("service"), on_delete=models.CASCADE, related_name="need_cards"
    )
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="service_cards"
    )
    year = models.PositiveSmallIntegerField(_("period (year)"))
    kind_card = models.ForeignKey(
        KindCard, verbose_name=_("kind card"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taxonomy = models.ForeignKey(Taxonomy, verbose_name=_("needs taxonomy"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    prefilled_from = models.ForeignKey(
        "self", verbose_name=_("pre-filled from"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        USER, verbose_name=_("confirmed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("service card")
        verbose_name_plural = _("service cards")
        ordering = ["-year", "service__name_sort"]
        constraints = [models.UniqueConstraint(fields=["service", "year"], name="needs_servicecard_unique_year")]

    def __str__(self) -> str:
        return f"{self.service} {self.year}"


class ServiceCardResponse(models.Model):
    """How the service responds to one need."""

    class Response(models.TextChoices):
        BASIC_ACTIVITY = "basic_activity", _("by a basic activity of the service")
        BROKERING = "brokering", _("by brokering contact with another service")
        REFERRAL = "referral", _("by referral to the municipal social worker")
        NOT_ADDRESSED = "not_addressed", _("not addressed")

    card = models.ForeignKey(
        ServiceCard, verbose_name=_("service card"), on_delete=models.CASCADE, related_name="responses"
    )
    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.PROTECT, related_name="+")
    response = models.CharField(_("response"), max_length=20, choices=Response.choices)
    activity = models.ForeignKey(
        "registry.BasicActivity",
        verbose_name=_("basic activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("response to a need")
        verbose_name_plural = _("responses to needs")
        ordering = ["card", "need__area__order", "need__order"]
        constraints = [models.UniqueConstraint(fields=["card", "need"], name="needs_response_unique")]

    def __str__(self) -> str:
        return f"{self.need}: {self.get_response_display()}"


class MinimumForm(models.Model):
    """minimální podoba služby: the needs every service of the kind must address by a basic activity, as the
    region confirmed it (a versioned rule, proposed by QMSS from the service cards)."""

    region = models.ForeignKey("territory.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("regional authority"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.ForeignKey(
        "registry.ServiceKind", verbose_name=_("service kind"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    taxonomy = models.ForeignKey(Taxonomy, verbose_name=_("needs taxonomy"), on_delete=models.PROTECT, related_name="+")
    threshold = models.DecimalField(
        _("share of services"),
        max_digits=4,
        decimal_places=3,
        help_text=_("A need enters the proposal when at least this share of the kind's services address it."),
    )
    year = models.PositiveSmallIntegerField(_("period of the service cards used"))
    needs = models.ManyToManyField(Need, verbose_name=_("needs"), related_name="+")
    note = models.TextField(_("note"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        USER, verbose_name=_("confirmed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("minimum form of a service kind")
        verbose_name_plural = _("minimum forms of service kinds")
        ordering = ["kind__order", "-version"]
        constraints = [models.UniqueConstraint(fields=["region", "kind", "version"], name="needs_minimum_unique")]

    def __str__(self) -> str:
        return f"{self.kind} (v{self.version})"
