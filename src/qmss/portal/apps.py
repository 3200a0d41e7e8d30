from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "qmss.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        # Each part of the app registers its hooks from its own module; see qmss.portal.registration.
        from qmss.portal import registration

        registration.register_all()
