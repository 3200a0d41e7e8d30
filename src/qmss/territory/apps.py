from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "qmss.territory"
    label = "territory"
    verbose_name = _("Territory")

    def ready(self) -> None:
        from qmss.core import hooks
        from qmss.territory import selectors, stats

        hooks.register("stats", stats.territory_stats)
        hooks.register("context", selectors.territory_context)
        hooks.register("dashboard_region_figures", selectors.dashboard_region_figures)
        hooks.register("dashboard_system_figures", selectors.dashboard_system_figures)

        from qmss.territory import dashboard_region

        hooks.register("dashboard_sections", dashboard_region.dashboard_sections)
