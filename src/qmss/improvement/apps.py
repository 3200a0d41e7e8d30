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

        from qmss.improvement import global_search

        hooks.register("global_search", global_search.plans)

        # the overdue/upcoming actions of a provider panel are a dashboard section (improvement.dashboard_provider)
        from qmss.improvement import dashboard_provider

        hooks.register("dashboard_sections", dashboard_provider.dashboard_sections)
        hooks.register("service_workspace_sections", dashboard_provider.service_workspace_sections)

        from qmss.improvement import dashboard_region

        hooks.register("dashboard_sections", dashboard_region.dashboard_sections)

        auditlog.register(models.Process, m2m_fields={"services", "evidence", "requirements"})
        auditlog.register(models.Kpi)
        auditlog.register(models.KpiMeasurement)
        auditlog.register(models.DevelopmentPlan)
        auditlog.register(models.Action, m2m_fields={"findings", "requirements"})

        history.register(models.Process, selectors.visible_processes)
        history.register(models.DevelopmentPlan, selectors.visible_plans)
        history.register(models.Action, selectors.visible_actions)
