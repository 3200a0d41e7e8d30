from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "qmss.registry"
    label = "registry"
    verbose_name = _("Registry of social services")

    def ready(self) -> None:
        from qmss.core import hooks
        from qmss.registry import stats

        hooks.register("stats", stats.registry_stats)

        from qmss.registry import places

        hooks.register("place_sections", places.place_sections)  # services on the ORP and municipality pages

        from qmss.registry import global_search

        hooks.register("global_search", global_search.services)
        hooks.register("global_search", global_search.providers)

        from qmss.registry import dashboard_region

        hooks.register("dashboard_sections", dashboard_region.dashboard_sections)

        from auditlog.registry import auditlog

        from qmss.core import history
        from qmss.registry import models, selectors_links, views_links

        auditlog.register(models.ProviderClaim)
        auditlog.register(models.ProviderLink)
        auditlog.register(  # who started, forced or failed an import (progress and results are not audited)
            models.RegistryImport, include_fields=["status", "source", "user", "dry_run", "force", "error", "task_id"]
        )
        history.register(models.ProviderClaim, selectors_links.visible_claims)
        hooks.register("organisation_panels", views_links.organisation_panel)

        import importlib.util

        if importlib.util.find_spec("qmss.registry.signals"):
            import qmss.registry.signals  # noqa: F401
