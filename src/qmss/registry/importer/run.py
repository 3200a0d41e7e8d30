"""``run_import``: one import of the registry file, from the source to the RegistryImport record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils import timezone

from qmss.core.dbstats import refresh_statistics
from qmss.registry.importer.apply import Importer
from qmss.registry.importer.codelists import add_codelist_codes, load_code_maps
from qmss.registry.importer.parse import RecordStream, check_file
from qmss.registry.importer.rows import load_places
from qmss.registry.importer.source import local_file
from qmss.registry.models import Capacity, Facility, Provider, RegistryImport, Service, ServiceForm

#: Keys every finished import has in ``counts`` (further keys: records, relinked, rewritten, providers_updated,
#: reference_added).
COUNT_KEYS = (
    "services", "facilities", "providers", "new", "ended", "changed", "field_changes", "unchanged", "skipped",
    "missing",
)  # fmt: skip
MAX_SKIPPED_LISTED = 1000

Progress = Callable[[int, int, int], None]


def run_import(
    source: str | Path,
    *,
    user=None,
    dry_run: bool = False,
    registry_import: RegistryImport | None = None,
    codelists: str | Path | None = None,
    progress: Progress | None = None,
    partial: bool = False,
    force: bool = False,
) -> RegistryImport:
    """Import the registry file at ``source`` (a path or an http(s) URL); see the package docstring.

    Refused (RegistryImportError, nothing written): a file over the size, depth or record limits (pre-scan), a
    file with no valid record, and – unless ``partial`` or ``force`` – a file whose valid records are fewer than
    ``QMSS_REGISTRY_MIN_SHARE`` of the services in the registry (it would end the others).
    """
    passed = registry_import is not None
    run = registry_import if passed else RegistryImport(source=str(source)[:1000], user=user)
    if user is not None and run.user_id is None:
        run.user = user
    run.dry_run = dry_run
    run.status = RegistryImport.Status.RUNNING
    run.started_at, run.finished_at, run.error = timezone.now(), None, ""
    run.processed_bytes = run.processed_records = 0
    run.pending_changes = []
    persist_passed = passed and not dry_run
    if persist_passed:
        run.save()

    def report(processed: int, total: int, records: int) -> None:
        run.processed_bytes, run.total_bytes, run.processed_records = processed, total, records
        if progress is not None:
            progress(processed, total, records)

    try:
        with local_file(source) as path:
            run.total_bytes = path.stat().st_size
            check_file(path)  # too large, too deep, not shaped right: fails here, before any transaction
            options = {"codelists": codelists, "partial": partial, "force": force, "report": report}
            if dry_run:
                _execute(run, path, dry_run=True, **options)
            else:
                with transaction.atomic(), disable_auditlog():
                    run.save()  # the changes need its primary key; rolled back with everything else on failure
                    _execute(run, path, dry_run=False, **options)
                    run.save()
                refresh_statistics(Provider, Service, ServiceForm, Capacity, Facility)
    except BaseException as exc:
        run.status = RegistryImport.Status.FAILED
        run.error = str(exc) or exc.__class__.__name__
        run.finished_at = timezone.now()
        if persist_passed:
            run.save()
        elif not passed and run.pk is not None:  # its insert was rolled back
            run.pk = None
            run._state.adding = True
        raise
    return run


def _execute(
    run: RegistryImport, path: Path, *, codelists, dry_run: bool, partial: bool, force: bool, report: Progress
) -> None:
    maps = load_code_maps()
    added = add_codelist_codes(maps, codelists, write=not dry_run) if codelists else 0
    importer = Importer(
        run, maps=maps, places=load_places(), dry_run=dry_run, partial=partial, force=force, file_name=path.name
    )
    stream = RecordStream(path, progress=report, prescanned=True)
    for index, record in stream:
        importer.process(index, record)
    importer.finish()

    counts: dict[str, Any] = dict.fromkeys(COUNT_KEYS, 0)
    counts.update(importer.counts)
    counts["records"] = stream.records
    counts["reference_added"] = added
    run.counts = counts
    run.skipped = importer.skipped[:MAX_SKIPPED_LISTED]
    run.unmapped = dict(sorted(importer.unmapped.items()))
    run.pending_changes = importer.pending_changes
    run.processed_bytes, run.processed_records = stream.processed_bytes, stream.records
    run.status = RegistryImport.Status.DONE
    run.finished_at = timezone.now()
