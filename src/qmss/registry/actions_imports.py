"""Writes around registry imports (re-exported by :mod:`qmss.registry.actions`): starting an import with its
uploaded file, marking runs failed, and the housekeeping the task worker does when it starts (runs left behind
by a dead worker, uploaded files left behind). Each write is one transaction (``qmss.core.audit.action``) and
recorded in the audit log (RegistryImport is registered in ``apps.py``) with the acting user – none for the
worker's own housekeeping. The import itself (``importer.run_import``) writes its rows without audit entries:
its change log is the RegistryChange table.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from qmss.core.audit import action
from qmss.registry import tasks
from qmss.registry.error_codes import RegistryImportErrorCode as Code
from qmss.registry.models import RegistryImport

logger = logging.getLogger(__name__)

UPLOAD_DIR = "registry-imports"
PENDING = (RegistryImport.Status.QUEUED, RegistryImport.Status.RUNNING)
ERROR_MAX_CHARS = 10000


def upload_directory() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def save_upload(*, registry_import: RegistryImport, upload: UploadedFile) -> Path:
    """Store the uploaded file as ``MEDIA_ROOT/registry-imports/<pk>-<its name>`` (removed after the import)."""
    directory = upload_directory()
    directory.mkdir(parents=True, exist_ok=True)
    name = get_valid_filename(Path(upload.name or "").name)[-100:] or "rpss.json"
    path = directory / f"{registry_import.pk}-{name}"
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return path


@action
def start_import(
    *, user, upload: UploadedFile | None = None, dry_run: bool = False, force: bool = False
) -> RegistryImport:
    """Queue an import of the uploaded file or of the official URL (``QMSS_REGISTRY_URL``).

    ``force`` lets the import end services although the file holds far fewer valid records than the registry
    has services (the user confirmed it is the whole registry). The row, its file and the queued task are
    created together: the task is enqueued in the same transaction (database task backend).
    """
    registry_import = RegistryImport.objects.create(
        status=RegistryImport.Status.QUEUED,
        source=settings.QMSS_REGISTRY_URL if upload is None else "upload",
        user=user,
        dry_run=dry_run,
        force=force,
    )
    if upload is not None:
        registry_import.source = str(save_upload(registry_import=registry_import, upload=upload))
        registry_import.save(update_fields=["source"])
    result = tasks.import_registry_task.enqueue(import_pk=registry_import.pk, source=registry_import.source)
    registry_import.refresh_from_db()  # an immediate task backend has run the import already
    registry_import.task_id = str(result.id)[:64]
    registry_import.save(update_fields=["task_id"])
    return registry_import


@action
def mark_failed(*, import_pk: int, error: str, user=None) -> bool:
    """Record that the run failed, unless it has already ended (then nothing changes); True if it was marked."""
    run = RegistryImport.objects.select_for_update().filter(pk=import_pk, status__in=PENDING).first()
    if run is None:
        return False
    run.status = RegistryImport.Status.FAILED
    run.error = (error or "")[:ERROR_MAX_CHARS]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    return True


def remove_upload(*, registry_import: RegistryImport) -> bool:
    """Delete the run's uploaded file (only a file in the upload folder: never a path given to the command)."""
    path = Path(registry_import.source or "")
    directory = upload_directory().resolve()
    try:
        resolved = path.resolve()
    except OSError:
        return False
    if resolved.parent != directory or not resolved.is_file():
        return False
    with contextlib.suppress(FileNotFoundError):
        resolved.unlink()
    return True


# -- runs a dead worker left behind -----------------------------------------------------------------------------
def heartbeat() -> dict:
    """Who is working on an import: stored with its progress, read by :func:`worker_is_gone`."""
    return {"at": time.time(), "pid": os.getpid(), "host": socket.gethostname()}


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def worker_is_gone(progress: dict | None, *, started_at=None, stall_seconds: int | None = None) -> bool:
    """The process that ran an import is known to be dead (same host), or its progress has not moved for
    ``QMSS_REGISTRY_IMPORT_STALL_SECONDS`` (another host, or no progress recorded at all)."""
    stall = settings.QMSS_REGISTRY_IMPORT_STALL_SECONDS if stall_seconds is None else stall_seconds
    if not progress or "at" not in progress:
        last = started_at.timestamp() if started_at is not None else None
        return last is None or time.time() - last > stall
    if progress.get("host") == socket.gethostname() and isinstance(progress.get("pid"), int):
        return not _process_exists(progress["pid"])
    return time.time() - float(progress["at"]) > stall


def _task_state(task_id: str) -> str | None:
    """The task's status (READY, RUNNING, FAILED, SUCCESSFUL), "" if it no longer exists, None if unknown."""
    from django_tasks.exceptions import TaskResultDoesNotExist

    if not task_id or not tasks.import_registry_task.get_backend().supports_get_result:
        return None
    try:
        return str(tasks.import_registry_task.get_result(task_id).status)
    except TaskResultDoesNotExist:
        return ""
    except Exception:  # noqa: BLE001 – a task of another version or backend: nothing to judge by
        logger.warning("cannot read the task %s of a registry import", task_id, exc_info=True)
        return None


def _stale_reason(run: RegistryImport, *, at_worker_start: bool) -> str:
    """Why the pending run will never end (in the active language), or "" if it may still be alive."""
    progress = tasks.read_progress(run.pk)
    since = run.started_at or run.created_at
    if progress and not worker_is_gone(progress, started_at=since):
        return ""
    state = _task_state(run.task_id)
    if run.status == RegistryImport.Status.QUEUED and state == "READY":
        return ""  # waiting for a worker
    if state in ("", "FAILED", "SUCCESSFUL"):
        return _("The background task of this import no longer exists or has ended without finishing the import.")
    if progress or (at_worker_start and run.status == RegistryImport.Status.RUNNING):
        return _(
            "The worker process running this import stopped before it finished (it was killed or restarted); "
            "nothing of the import was written. Start the import again."
        )
    if worker_is_gone(None, started_at=since):
        return _("The progress of this import has not moved for a long time; it was marked failed.")
    return ""


def fail_stale_imports(*, import_pk: int | None = None, at_worker_start: bool = False) -> list[int]:
    """Mark failed the queued or running imports that can no longer end; return their primary keys.

    At worker start a running import whose worker is not alive is stale; an import page checks one import with
    the same rules, except that a running import without progress data waits ``QMSS_REGISTRY_IMPORT_STALL_SECONDS``.
    """
    runs = RegistryImport.objects.filter(status__in=PENDING).order_by("pk")
    if import_pk is not None:
        runs = runs.filter(pk=import_pk)
    failed = []
    for run in runs:
        reason = _stale_reason(run, at_worker_start=at_worker_start)
        if reason and mark_failed(import_pk=run.pk, error=reason):
            logger.warning("registry import %s marked failed: %s", run.pk, Code.WORKER_STOPPED.value)
            failed.append(run.pk)
    return failed


def cleanup_uploads(*, keep_seconds: int | None = None) -> list[Path]:
    """Delete uploaded import files older than ``keep_seconds`` whose import is not queued or running."""
    keep = settings.QMSS_REGISTRY_UPLOAD_KEEP_SECONDS if keep_seconds is None else keep_seconds
    directory = upload_directory()
    if not directory.is_dir():
        return []
    limit = time.time() - keep
    pending = set(RegistryImport.objects.filter(status__in=PENDING).values_list("pk", flat=True))
    removed = []
    for path in directory.iterdir():
        if not path.is_file() or path.stat().st_mtime > limit:
            continue
        prefix = path.name.split("-", 1)[0].split(".", 1)[0]
        if prefix.isdigit() and int(prefix) in pending:
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        removed.append(path)
    return removed


def prepare_worker() -> dict[str, int]:
    """Housekeeping when the task worker starts: fail the imports a dead worker left, remove stale uploads."""
    failed = fail_stale_imports(at_worker_start=True)
    removed = cleanup_uploads()
    if failed or removed:
        logger.warning("registry: %s stale imports marked failed, %s old uploads removed", len(failed), len(removed))
    return {"failed": len(failed), "removed": len(removed)}
