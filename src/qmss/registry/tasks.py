"""Background work of the registry: one import run per task (django-tasks; `qmss db_worker` runs the queue).

The import writes in one transaction, so its progress is invisible in the database until it commits; the
progress callback therefore writes to the cache (shared by the worker and the web processes), where the
progress page reads it first. The entry also says which process works on the run (host, pid, time), so that a
run left behind by a killed worker is recognised and marked failed (``actions_imports.fail_stale_imports``).
The uploaded file of the run is removed when the run ends, whether it succeeded or failed.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django_tasks import task

from qmss.registry.models import RegistryImport

logger = logging.getLogger(__name__)

PROGRESS_TIMEOUT = 6 * 60 * 60  # seconds a stale progress entry may linger after a crashed worker
DRY_RUN_FIELDS = [
    "status", "started_at", "finished_at", "total_bytes", "processed_bytes", "processed_records", "counts",
    "skipped", "unmapped", "error",
]  # fmt: skip


def progress_key(import_pk: int) -> str:
    return f"registry-import-progress:{import_pk}"


def read_progress(import_pk: int) -> dict | None:
    """``{"bytes", "total", "records"}`` of a running import, or None when the cache knows nothing."""
    value = cache.get(progress_key(import_pk))
    return value if isinstance(value, dict) else None


def _mark_failed(import_pk: int, error: str) -> None:
    """Record the failure unless the importer has already recorded how the run ended."""
    from qmss.registry.actions_imports import mark_failed

    mark_failed(import_pk=import_pk, error=error)


def _remove_upload(registry_import: RegistryImport) -> None:
    from qmss.registry.actions_imports import remove_upload

    try:
        remove_upload(registry_import=registry_import)
    except OSError:
        logger.warning("could not remove the uploaded file of registry import %s", registry_import.pk, exc_info=True)


@task()
def import_registry_task(import_pk: int, source: str) -> None:
    """Run the registry import for the queued :class:`RegistryImport` ``import_pk`` from ``source``."""
    registry_import = RegistryImport.objects.select_related("user").filter(pk=import_pk).first()
    if registry_import is None:
        logger.warning("registry import %s no longer exists", import_pk)
        return
    key = progress_key(import_pk)
    from qmss.registry.actions_imports import heartbeat

    def progress(processed_bytes: int, total_bytes: int, records: int) -> None:
        entry = {"bytes": processed_bytes, "total": total_bytes, "records": records, **heartbeat()}
        cache.set(key, entry, PROGRESS_TIMEOUT)

    try:
        from qmss.registry.importer import run_import
    except ImportError as exc:
        _mark_failed(import_pk, f"The importer is not available: {exc}")
        raise
    progress(0, 0, 0)
    try:
        result = run_import(
            source,
            registry_import=registry_import,
            user=registry_import.user,
            dry_run=registry_import.dry_run,
            force=registry_import.force,
            progress=progress,
        )
        if result.dry_run:
            # A dry run writes nothing, not even its own row: keep its outcome for the import page.
            result.save(update_fields=DRY_RUN_FIELDS)
    except Exception as exc:
        logger.exception("registry import %s failed", import_pk)
        _mark_failed(import_pk, str(exc) or exc.__class__.__name__)
        raise
    finally:
        cache.delete(key)
        _remove_upload(registry_import)
