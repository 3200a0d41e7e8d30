from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "qmss.needs"
    label = "needs"
    verbose_name = _("Needs and data collection")

    def ready(self) -> None:
        # Each part of the app registers its hooks (stats, dashboard sections, service sections, auditlog) from
        # its own module so that parts stay independent; see qmss.needs.registration.
        from qmss.needs import registration

        registration.register_all()
