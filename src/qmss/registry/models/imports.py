"""Registry imports (one row per run, with progress for the UI) and their change log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class RegistryImport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=1000)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    force = models.BooleanField(
        _("end services despite few records"),
        default=False,
        help_text=_("The importing user confirmed that the file is the whole registry although it holds far fewer "
                    "valid records than the registry has services."),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_bytes = models.PositiveBigIntegerField(_("file size"), default=0)
    processed_bytes = models.PositiveBigIntegerField(_("bytes read"), default=0)
    processed_records = models.PositiveIntegerField(_("records read"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    skipped = models.JSONField(
        _("skipped records"), default=list, blank=True, help_text=_("[{portal_id, field, message}]")
    )
    unmapped = models.JSONField(_("unmapped codes"), default=dict, blank=True, help_text=_("{code: occurrences}"))
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("registry:import_detail", kwargs={"import_pk": self.pk})

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(100 * self.processed_bytes / self.total_bytes))


class RegistryChange(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", _("new service")
        ENDED = "ended", _("ended service")
        CHANGED = "changed", _("changed field")
        MISSING = "missing", _("no longer in the source")

    registry_import = models.ForeignKey(
        RegistryImport, verbose_name=_("import"), on_delete=models.CASCADE, related_name="changes"
    )
    service = models.ForeignKey(
        "registry.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )
    portal_id = models.PositiveBigIntegerField(_("registry portal id"), db_index=True)
    kind = models.CharField(_("kind of change"), max_length=10, choices=Kind.choices)
    field = models.CharField(_("changed field"), max_length=200, blank=True)
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry change")
        verbose_name_plural = _("registry changes")
        ordering = ["registry_import", "portal_id", "kind", "field"]

    def __str__(self) -> str:
        return f"{self.portal_id} {self.kind} {self.field}"
