from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    name = "qmss.frameworks"
    label = "frameworks"
    verbose_name = _("Quality frameworks")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from qmss.frameworks.models import RuleSetAdoption

        auditlog.register(RuleSetAdoption)
