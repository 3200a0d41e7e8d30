from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "qmss.improvement"
    label = "improvement"
    verbose_name = _("Improvement")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from qmss.core import history, hooks
        from qmss.improvement import models, selectors, stats

        hooks.register("stats", stats.improvement_stats)
        hooks.register("dashboard_provider_figures", selectors.dashboard_provider_figures)

        auditlog.register(models.Process, m2m_fields={"services", "evidence", "requirements"})
        auditlog.register(models.Kpi)
        auditlog.register(models.KpiMeasurement)
        auditlog.register(models.DevelopmentPlan)
        auditlog.register(models.Action, m2m_fields={"findings", "requirements"})

        history.register(models.Process, selectors.visible_processes)
        history.register(models.DevelopmentPlan, selectors.visible_plans)
        history.register(models.Action, selectors.visible_actions)
