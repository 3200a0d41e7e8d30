from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "qmss.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from qmss.assessments import models, selectors, stats
        from qmss.core import history, hooks

        hooks.register("stats", stats.assessment_stats)
        hooks.register("framework_usage_expression", selectors.framework_usage_expression)
        hooks.register("framework_in_use", selectors.framework_in_use)

        from qmss.assessments import global_search

        hooks.register("global_search", global_search.assessments)

        from qmss.assessments import dashboard_provider, views_services

        hooks.register("dashboard_sections", dashboard_provider.dashboard_sections)
        hooks.register("organisation_panels", views_services.organisation_panel)

        from qmss.assessments import dashboard_region

        hooks.register("dashboard_sections", dashboard_region.dashboard_sections)
        hooks.register("dashboard_region_columns", dashboard_region.region_columns)

        from qmss.assessments import registry_sections

        hooks.register("registry_service_sections", registry_sections.registry_service_sections)

        auditlog.register(models.Assessment)
        auditlog.register(models.Result, m2m_fields={"evidence"})
        auditlog.register(models.Finding)
        auditlog.register(models.Evidence)
        auditlog.register(models.EvidenceVersion)

        history.register(models.Assessment, selectors.visible_assessments)
        history.register(models.Evidence, selectors.visible_evidence)

        from qmss.assessments import confidential

        confidential.register()  # working notes, and results and findings until publication
