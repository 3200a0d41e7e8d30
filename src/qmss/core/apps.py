from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qmss.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.contrib.auth import get_user_model

        from qmss.core import models

        auditlog.register(models.Organisation)
        auditlog.register(models.Membership)
        auditlog.register(models.Invitation, exclude_fields=["token"])
        auditlog.register(
            get_user_model(), include_fields=["username", "first_name", "last_name", "email", "is_active"]
        )

        from qmss.core import mfa

        mfa.register_audit(auditlog)

        from qmss.core import history, hooks, selectors, stats

        hooks.register("stats", stats.core_stats)

        from qmss.core import global_search, views_help

        hooks.register("global_search", global_search.organisations)
        hooks.register("dashboard_sections", views_help.help_section)

        history.register(models.Organisation, selectors.visible_organisations)
        history.register(models.Membership, selectors.visible_memberships)
