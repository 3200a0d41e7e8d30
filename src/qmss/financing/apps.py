from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancingConfig(AppConfig):
    name = "qmss.financing"
    label = "financing"
    verbose_name = _("Financing of services")

    def ready(self) -> None:
        # Each part of the app registers its hooks from its own module; see qmss.financing.registration.
        from qmss.financing import registration

        registration.register_all()
