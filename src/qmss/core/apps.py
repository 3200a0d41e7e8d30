from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qmss.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from qmss.core import models

        auditlog.register(models.Organisation)
        auditlog.register(models.Membership)
        auditlog.register(models.Invitation, exclude_fields=["token"])
