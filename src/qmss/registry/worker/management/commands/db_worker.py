"""qmss db_worker – the background worker (django-tasks-db), after the registry's housekeeping.

Before it takes the first task: imports left "queued" or "running" by a worker that died are marked failed with
a Czech reason, and uploaded import files older than ``QMSS_REGISTRY_UPLOAD_KEEP_SECONDS`` whose import has
ended are removed (``qmss.registry.actions_imports.prepare_worker``). Everything else is the package's command.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    def handle(self, *args, **options):
        from qmss.registry.actions_imports import prepare_worker

        with translation.override(settings.LANGUAGE_CODE):  # the reasons stored on failed imports are Czech
            prepare_worker()
        return super().handle(*args, **options)
