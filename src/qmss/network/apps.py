from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "qmss.network"
    label = "network"
    verbose_name = _("Networks of services")

    def ready(self) -> None:
        # Each part of the app registers its hooks from its own module; see qmss.network.registration.
        from qmss.network import registration

        registration.register_all()
