from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "qmss.registry.worker"
    label = "registry_worker"
    verbose_name = "QMSS task worker"
