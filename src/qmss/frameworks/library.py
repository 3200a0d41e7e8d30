"""Load quality frameworks from the versioned YAML libraries in ``libraries/frameworks/``.

``load_libraries()`` first reads and validates EVERY file (:mod:`qmss.frameworks.validation`), then writes all
of them in ONE transaction, so a single bad file or a refused version loads nothing. Versioning, per (urn,
version):

Files are read and versions compared by the one library loader :mod:`qmss.core.libraries`.

* the version exists with the same checksum → nothing is written (``unchanged``);
* it exists with another checksum → if no assessment uses it, it is updated in place: scales and requirements
  are upserted by key / ref_id and the removed ones deleted (``updated``); if an assessment uses it the load is
  refused – a used version is never changed, a corrected library must raise the version number;
* a version higher than every stored one → a NEW framework row with its own scales and requirements; ``is_latest``
  moves to it and older versions keep their rows, so published assessments keep the text they were made against
  (``new_version``; ``created`` for the first version of a URN);
* a new version lower than the latest stored one → refused.

The audit log is disabled for these bulk writes: the framework's ``loaded_at`` records the load.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core.libraries import VersionStatus, check_version
from qmss.frameworks.models import Framework, Requirement, Scale, ScaleValue
from qmss.frameworks.validation import FrameworkLibraryError, LibrarySpec, library_error, read_library

__all__ = ["FrameworkLibraryError", "LoadResult", "LoadStatus", "default_directory", "load_libraries", "read_all"]

SUFFIXES = (".yaml", ".yml")
REQUIREMENT_FIELDS = (
    "parent_id", "kind", "order", "depth", "title", "description", "guidance", "typical_evidence", "essential",
    "verified", "source", "assessable", "applicability", "scale_id",
)  # fmt: skip
FRAMEWORK_FIELDS = (
    "locale", "short_name", "title", "description", "source", "valid_from", "valid_to", "pass_rule", "checksum",
)  # fmt: skip


class LoadStatus(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    UPDATED = "updated"
    NEW_VERSION = "new_version"


@dataclass(frozen=True)
class LoadResult:
    urn: str
    version: int
    status: LoadStatus
    short_name: str = ""
    file: str = ""
    framework_id: int | None = None


def default_directory() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "frameworks"


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


def read_all(directory: Path | None = None, *, files: list[Path] | None = None) -> list[LibrarySpec]:
    """Read and validate the libraries (nothing is written), ordered by URN and version."""
    if files is None:
        directory = Path(directory) if directory is not None else default_directory()
        if not directory.is_dir():
            raise library_error(str(directory), None, "", _("the directory of framework libraries does not exist."))
        files = sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file())
    specs = [read_library(Path(path), _label(Path(path))) for path in files]
    seen: dict[tuple[str, int], str] = {}
    for spec in specs:
        key = (spec.urn, spec.version)
        if key in seen:
            problem = _("version {version} of {urn} is also in {other}.").format(
                version=spec.version, urn=spec.urn, other=seen[key]
            )
            raise library_error(spec.file, spec.line_of("version"), "version", problem)
        seen[key] = spec.file
    return sorted(specs, key=lambda spec: (spec.urn, spec.version))


def load_libraries(directory: Path | None = None, *, files: list[Path] | None = None) -> list[LoadResult]:
    """Validate all libraries, then load them in one transaction; raise FrameworkLibraryError and load nothing
    on any problem. Returns one LoadResult per library."""
    specs = read_all(directory, files=files)
    results: list[LoadResult] = []
    with transaction.atomic(), disable_auditlog():
        for spec in specs:
            results.append(_load_one(spec))
        if any(result.status != LoadStatus.UNCHANGED for result in results):
            from qmss.frameworks.selectors import clear_tree_cache

            transaction.on_commit(clear_tree_cache)
    return results


# ------------------------------------------------------------------------------------------------ writing


def _load_one(spec: LibrarySpec) -> LoadResult:
    from qmss.frameworks.selectors import assessment_count

    versions = list(Framework.objects.select_for_update().filter(urn=spec.urn).order_by("-version"))
    same = next((fw for fw in versions if fw.version == spec.version), None)

    def result(status: LoadStatus, framework: Framework) -> LoadResult:
        return LoadResult(spec.urn, spec.version, status, spec.short_name, spec.file, framework.pk)

    changed = same is not None and same.checksum != spec.checksum
    used = {spec.version} if changed and assessment_count(same) else set()
    status = check_version(
        spec.library, stored={fw.version: fw.checksum for fw in versions}, used=used, checksum=spec.checksum
    )
    if status == VersionStatus.UNCHANGED:
        return result(LoadStatus.UNCHANGED, same)
    if status == VersionStatus.CHANGED:
        _update(same, spec)
        return result(LoadStatus.UPDATED, same)
    latest = versions[0] if versions else None
    framework = Framework.objects.create(urn=spec.urn, version=spec.version, is_latest=True, **_framework_values(spec))
    scale_ids = _sync_scales(framework, spec, fresh=True)
    framework.default_scale_id = scale_ids[spec.default_scale]
    framework.save(update_fields=["default_scale"])
    _sync_requirements(framework, spec, scale_ids, fresh=True)
    if latest is None:
        return result(LoadStatus.CREATED, framework)
    Framework.objects.filter(urn=spec.urn).exclude(pk=framework.pk).update(is_latest=False)
    return result(LoadStatus.NEW_VERSION, framework)


def _framework_values(spec: LibrarySpec) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in FRAMEWORK_FIELDS}


def _update(framework: Framework, spec: LibrarySpec) -> None:
    """Change an unused framework version in place to match ``spec``."""
    for name, value in _framework_values(spec).items():
        setattr(framework, name, value)
    framework.loaded_at = timezone.now()
    scale_ids = _sync_scales(framework, spec, fresh=False)
    framework.default_scale_id = scale_ids[spec.default_scale]
    framework.save()
    _sync_requirements(framework, spec, scale_ids, fresh=False)
    Scale.objects.filter(framework=framework).exclude(key__in=scale_ids).delete()


def _ids_after_create(model: type[models.Model], created: list, key: str, **filters: Any) -> dict[str, int]:
    """Primary keys of freshly bulk-created rows (re-read when the backend does not return them)."""
    if all(obj.pk is not None for obj in created):
        return {getattr(obj, key): obj.pk for obj in created}
    keys = [getattr(obj, key) for obj in created]
    return dict(model.objects.filter(**filters, **{f"{key}__in": keys}).values_list(key, "pk"))


def _sync_scales(framework: Framework, spec: LibrarySpec, *, fresh: bool) -> dict[str, int]:
    """Upsert the scales and their values by key; return scale key → id (removed scales are deleted later).
    ``fresh``: the framework row was just created, so there is nothing to compare with."""
    existing = {} if fresh else {scale.key: scale for scale in Scale.objects.filter(framework=framework)}
    scale_ids: dict[str, int] = {}
    new_scales: list[Scale] = []
    for scale_spec in spec.scales:
        values = {"name": scale_spec.name, "description": scale_spec.description, "max_score": scale_spec.max_score}
        scale = existing.get(scale_spec.key)
        if scale is None:
            new_scales.append(Scale(framework=framework, key=scale_spec.key, **values))
            continue
        scale_ids[scale.key] = scale.pk
        if any(getattr(scale, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(scale, name, value)
            scale.save(update_fields=list(values))
    if new_scales:
        Scale.objects.bulk_create(new_scales)
        scale_ids.update(_ids_after_create(Scale, new_scales, "key", framework=framework))

    current: dict[tuple[int, str], ScaleValue] = {}
    if existing:
        current = {(v.scale_id, v.key): v for v in ScaleValue.objects.filter(scale__framework=framework)}
    to_create: list[ScaleValue] = []
    to_update: list[ScaleValue] = []
    wanted: set[tuple[int, str]] = set()
    for scale_spec in spec.scales:
        scale_id = scale_ids[scale_spec.key]
        for value_spec in scale_spec.values:
            wanted.add((scale_id, value_spec.key))
            values = {"label": value_spec.label, "score": value_spec.score, "order": value_spec.order}
            value = current.get((scale_id, value_spec.key))
            if value is None:
                to_create.append(ScaleValue(scale_id=scale_id, key=value_spec.key, **values))
            elif any(getattr(value, name) != new for name, new in values.items()):
                for name, new in values.items():
                    setattr(value, name, new)
                to_update.append(value)
    ScaleValue.objects.bulk_create(to_create)
    if to_update:
        ScaleValue.objects.bulk_update(to_update, ["label", "score", "order"])
    removed = [value.pk for key, value in current.items() if key not in wanted]
    if removed:
        ScaleValue.objects.filter(pk__in=removed).delete()
    return scale_ids


def _sync_requirements(framework: Framework, spec: LibrarySpec, scale_ids: dict[str, int], *, fresh: bool) -> None:
    """Upsert the requirement tree by ref_id, level by level (parents first), then delete removed nodes."""
    existing = {} if fresh else {req.ref_id: req for req in Requirement.objects.filter(framework=framework)}
    ids: dict[str, int] = {}
    to_update: list[Requirement] = []
    for depth in sorted({req.depth for req in spec.requirements}):
        new: list[Requirement] = []
        for req in spec.requirements:
            if req.depth != depth:
                continue
            values = {
                "parent_id": ids[req.parent] if req.parent else None,
                "kind": req.kind,
                "order": req.order,
                "depth": req.depth,
                "title": req.title,
                "description": req.description,
                "guidance": req.guidance,
                "typical_evidence": req.typical_evidence,
                "essential": req.essential,
                "verified": req.verified,
                "source": req.source,
                "assessable": req.assessable,
                "applicability": req.applicability,
                "scale_id": scale_ids[req.scale] if req.scale else None,
            }
            current = existing.get(req.ref_id)
            if current is None:
                new.append(Requirement(framework=framework, ref_id=req.ref_id, **values))
                continue
            ids[req.ref_id] = current.pk
            if any(getattr(current, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(current, name, value)
                to_update.append(current)
        if new:
            Requirement.objects.bulk_create(new)
            ids.update(_ids_after_create(Requirement, new, "ref_id", framework=framework))
    if to_update:
        Requirement.objects.bulk_update(to_update, list(REQUIREMENT_FIELDS))
    removed = [req.pk for ref_id, req in existing.items() if ref_id not in ids]
    if removed:
        Requirement.objects.filter(pk__in=removed).delete()
