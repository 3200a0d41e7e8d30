from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    name = "qmss.frameworks"
    label = "frameworks"
    verbose_name = _("Quality frameworks")

    def ready(self) -> None:
        from qmss.core import hooks
        from qmss.frameworks import stats

        hooks.register("stats", stats.framework_stats)

        from auditlog.registry import auditlog

        from qmss.frameworks.models import RuleSetAdoption

        auditlog.register(RuleSetAdoption)
