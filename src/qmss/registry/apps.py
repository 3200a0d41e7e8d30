from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "qmss.registry"
    label = "registry"
    verbose_name = _("Registry of social services")

    def ready(self) -> None:
        import importlib.util

        if importlib.util.find_spec("qmss.registry.signals"):
            import qmss.registry.signals  # noqa: F401
