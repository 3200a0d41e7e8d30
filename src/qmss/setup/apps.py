from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SetupConfig(AppConfig):
    name = "qmss.setup"
    label = "qmss_setup"
    verbose_name = _("Installation set-up and demo data")
