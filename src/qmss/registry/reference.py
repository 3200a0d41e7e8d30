"""Load the registry's reference data (code lists) from the versioned YAML libraries in ``libraries/registry/``.

``load_reference(directory)`` first reads and validates EVERY library file – YAML syntax, header keys, item
fields, duplicate codes and the references between files (a kind's forms and activities must exist) – and only
then writes, in one transaction, an idempotent upsert keyed by ``code``. A library whose file content is
unchanged (same SHA-256 as ``ReferenceLibrary.checksum``) is skipped, so a second run writes nothing. Items that
a newer version of a library no longer contains are never deleted (services reference them): they get
``valid_to``. Every problem raises :class:`ReferenceLibraryError` naming the file, the line and the field.

Reading, the envelope (urn, version, source, validity), version checks and file/line errors come from the one
library loader :mod:`qmss.core.libraries`; the item schemas (pydantic) and the writing are this app's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import create_model

from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError
from qmss.registry.models import (
    AgeGroup,
    BasicActivity,
    CapacityType,
    DeliveryForm,
    ReferenceLibrary,
    ServiceKind,
    TargetGroup,
)

__all__ = ["LIBRARIES", "ReferenceLibraryError", "default_directory", "load_reference", "read_libraries"]

SUPPORTED_LOCALE = "cs"
UNSTORED = ("note", "forms_verified", "activities_verified")  # documentation in the file, not stored


class ReferenceLibraryError(QmssImportError):
    """A reference library file is missing or malformed; the message (gettext) names file, line and field."""


def _max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


# --------------------------------------------------------------------------------------------- schemas


class ItemIn(lib.Schema):
    """Fields every code-list item has."""

    code: lib.text(_max_length(ServiceKind, "code"))
    name: lib.text(_max_length(ServiceKind, "name"))
    valid_from: lib.OptionalDay = None
    valid_to: lib.OptionalDay = None
    verified: lib.Flag
    note: lib.text(blank=True, nullable=True) = None


class DeliveryFormIn(ItemIn):
    key: lib.text(_max_length(DeliveryForm, "key"))


class CapacityTypeIn(ItemIn):
    unit: lib.text(_max_length(CapacityType, "unit"))  # after 0 and 5+ ("40 lůžek")
    unit_one: lib.text(_max_length(CapacityType, "unit_one"), blank=True, nullable=True) = None  # "1 lůžko"
    unit_few: lib.text(_max_length(CapacityType, "unit_few"), blank=True, nullable=True) = None  # "3 lůžka"


class ServiceKindIn(ItemIn):
    section: lib.text(_max_length(ServiceKind, "section"), blank=True, nullable=True) = None
    category: Literal[tuple(ServiceKind.Category.values)]  # type: ignore[valid-type]
    legal_basis: Literal[tuple(ServiceKind.LegalBasis.values)] = ServiceKind.LegalBasis.ACT  # type: ignore[valid-type]
    legacy_registry_id: lib.OptionalWhole = None
    forms: lib.Codes = []
    activities: lib.Codes = []
    forms_verified: lib.OptionalFlag = None
    activities_verified: lib.OptionalFlag = None


class AgeGroupIn(ItemIn):
    age_from: lib.OptionalWhole = None
    age_to: lib.OptionalWhole = None


@dataclass(frozen=True)
class LibrarySpec:
    file: str
    urn: str
    model: type[models.Model]
    label: str  # prefix of the counts, e.g. "service_kinds"
    item: type[ItemIn] = ItemIn
    unique: tuple[str, ...] = ("code",)
    refs: dict[str, str] = field(default_factory=dict)  # many-to-many field -> file whose codes it lists
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # whole-number field -> (minimum, maximum)

    @property
    def schema(self) -> type[lib.Envelope]:
        return create_model(
            f"{self.model.__name__}Library",
            __base__=lib.Envelope,
            description=(lib.text(), ...),
            items=(lib.NonEmptyList[self.item], ...),
        )

    @property
    def stored(self) -> list[str]:
        return [name for name in self.item.model_fields if name not in UNSTORED and name not in self.refs]


# Load order matters: service kinds reference delivery forms and basic activities.
LIBRARIES: tuple[LibrarySpec, ...] = (
    LibrarySpec(
        "delivery-forms.yaml", "urn:qmss:registry:delivery-forms", DeliveryForm, "delivery_forms", DeliveryFormIn,
        unique=("code", "key"),
    ),
    LibrarySpec(
        "capacity-types.yaml", "urn:qmss:registry:capacity-types", CapacityType, "capacity_types", CapacityTypeIn
    ),
    LibrarySpec("basic-activities.yaml", "urn:qmss:registry:basic-activities", BasicActivity, "basic_activities"),
    LibrarySpec(
        "service-kinds.yaml", "urn:qmss:registry:service-kinds", ServiceKind, "service_kinds", ServiceKindIn,
        refs={"forms": "delivery-forms.yaml", "activities": "basic-activities.yaml"},
        ranges={"legacy_registry_id": (1, 2**31 - 1)},
    ),
    LibrarySpec("target-groups.yaml", "urn:qmss:registry:target-groups", TargetGroup, "target_groups"),
    LibrarySpec(
        "age-groups.yaml", "urn:qmss:registry:age-groups", AgeGroup, "age_groups", AgeGroupIn,
        ranges={"age_from": (0, 150), "age_to": (0, 150)},
    ),
)  # fmt: skip


def default_directory() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "registry"


# ------------------------------------------------------------------------------------------------- reading


@dataclass
class ParsedLibrary:
    spec: LibrarySpec
    library: lib.Library
    items: list[dict[str, Any]] = field(default_factory=list)  # cleaned values with "order"

    @property
    def checksum(self) -> str:
        return self.library.checksum

    @property
    def header(self) -> dict[str, Any]:
        return self.library.data.model_dump(exclude={"items"})

    @property
    def codes(self) -> set[str]:
        return {item["code"] for item in self.items}


def _check_items(parsed: ParsedLibrary) -> None:
    """Checks across fields and items: periods, ranges and unique values."""
    library, spec = parsed.library, parsed.spec
    first: dict[tuple[str, Any], int] = {}
    for index, item in enumerate(library.data.items):
        values = item.model_dump()
        for name, (low, high) in spec.ranges.items():
            if values.get(name) is not None and not low <= values[name] <= high:
                raise library.error(("items", index, name), _("is out of the allowed range."))
        for start, end in (("valid_from", "valid_to"), ("age_from", "age_to")):
            if values.get(start) is not None and values.get(end) is not None and values[start] > values[end]:
                problem = _("must not be earlier than “{start}”.").format(start=start)
                raise library.error(("items", index, end), problem)
        for name in spec.unique:
            line = library.line(("items", index, name))
            if (name, values[name]) in first:
                problem = _("the value “{value}” is already used on line {line}.")
                raise library.error(
                    ("items", index, name), problem.format(value=values[name], line=first[(name, values[name])])
                )
            first[(name, values[name])] = line
        values["order"] = index + 1
        parsed.items.append(values)


def _read_file(spec: LibrarySpec, path: Path) -> ParsedLibrary:
    library = lib.read_library(
        path, spec.schema, label=spec.file, error=ReferenceLibraryError, urn=spec.urn, field_name=lib.leaf_field
    )
    if library.data.locale != SUPPORTED_LOCALE:
        raise library.error(("locale",), _("only “{locale}” is supported.").format(locale=SUPPORTED_LOCALE))
    parsed = ParsedLibrary(spec, library)
    _check_items(parsed)
    return parsed


def _check_references(libraries: dict[str, ParsedLibrary]) -> None:
    for parsed in libraries.values():
        for name, refs in parsed.spec.refs.items():
            known = libraries[refs].codes
            for index, item in enumerate(parsed.items):
                for code in item[name]:
                    if code not in known:
                        problem = _("the code “{code}” is not in {file}.").format(code=code, file=refs)
                        raise parsed.library.error(("items", index, name), problem)


def read_libraries(directory: Path | None = None) -> list[ParsedLibrary]:
    """Read and validate all library files (nothing is written); raise ReferenceLibraryError on any problem."""
    from qmss.core.errors import located_error

    directory = Path(directory) if directory is not None else default_directory()
    if not directory.is_dir():
        problem = _("the directory of reference libraries does not exist.")
        raise located_error(ReferenceLibraryError, str(directory), None, "", problem)
    libraries = {spec.file: _read_file(spec, directory / spec.file) for spec in LIBRARIES}
    _check_references(libraries)
    return list(libraries.values())


# ------------------------------------------------------------------------------------------------- writing


def _stored_values(library: ParsedLibrary, item: dict[str, Any], library_id: int) -> dict[str, Any]:
    values = {name: item[name] for name in library.spec.stored if name != "code"}
    for name in values:
        if values[name] is None and name in ("section", "note", "unit_one", "unit_few"):
            values[name] = ""
    values["order"] = item["order"]
    values["library_id"] = library_id
    return values


def _sync_items(library: ParsedLibrary, record: ReferenceLibrary, retire_on: dt.date) -> dict[str, int]:
    """Upsert the items of one library by code; items no longer listed get ``valid_to`` (never deleted)."""
    model = library.spec.model
    m2m = list(library.spec.refs)
    related_ids = {}
    for name in m2m:
        related_model = model._meta.get_field(name).related_model
        related_ids[name] = dict(related_model.objects.values_list("code", "pk"))
    existing = {obj.code: obj for obj in model.objects.prefetch_related(*m2m)}
    counts = {"created": 0, "updated": 0, "retired": 0}
    for item in library.items:
        code = item["code"]
        values = _stored_values(library, item, record.pk)
        obj = existing.get(code)
        if obj is None:
            obj = model.objects.create(code=code, **values)
            changed = True
            counts["created"] += 1
        else:
            changed_fields = [name for name, value in values.items() if getattr(obj, name) != value]
            if changed_fields:
                for name in changed_fields:
                    setattr(obj, name, values[name])
                obj.save(update_fields=changed_fields)
            changed = bool(changed_fields)
        for name in m2m:
            wanted = item[name]
            manager = getattr(obj, name)
            current = set() if code not in existing else {related.code for related in manager.all()}
            if current != set(wanted):
                manager.set([related_ids[name][related_code] for related_code in wanted])
                changed = True
        if changed and code in existing:
            counts["updated"] += 1
    listed = library.codes
    for code, obj in existing.items():
        if obj.library_id != record.pk or code in listed:
            continue  # rows of other libraries (e.g. added from the MPSV code lists) are not this library's to end
        if obj.valid_to is None or obj.valid_to > retire_on:
            obj.valid_to = retire_on
            obj.save(update_fields=["valid_to"])
            counts["retired"] += 1
    return counts


def _save_library(library: ParsedLibrary, record: ReferenceLibrary | None) -> ReferenceLibrary:
    header = library.header
    values = {
        "version": header["version"],
        "title": header["title"],
        "source": header["source"],
        "valid_from": header["valid_from"],
        "valid_to": header["valid_to"],
        "checksum": library.checksum,
    }
    if record is None:
        return ReferenceLibrary.objects.create(urn=header["urn"], **values)
    for name, value in values.items():
        setattr(record, name, value)
    record.save()
    return record


def load_reference(directory: Path | None = None, *, today: dt.date | None = None) -> dict[str, int]:
    """Validate all libraries in ``directory`` (default ``BASE_DIR/libraries/registry``), then upsert them.

    Returns counts: ``libraries_loaded``, ``libraries_skipped`` (unchanged files) and for every library label
    (``delivery_forms``, ``capacity_types``, ``basic_activities``, ``service_kinds``, ``target_groups``,
    ``age_groups``) ``<label>_created``, ``<label>_updated`` and ``<label>_retired`` (items dropped by a newer
    version, given ``valid_to`` = the day before ``today``). Raises ReferenceLibraryError and writes nothing when
    any file is malformed or older than the version already loaded.
    """
    libraries = read_libraries(directory)
    stored = {record.urn: record for record in ReferenceLibrary.objects.filter(urn__in=[s.urn for s in LIBRARIES])}
    for library in libraries:
        record = stored.get(library.spec.urn)
        if record is not None:
            lib.check_version(library.library, stored={record.version: record.checksum})
    counts = {"libraries_loaded": 0, "libraries_skipped": 0}
    for spec in LIBRARIES:
        counts.update({f"{spec.label}_{action}": 0 for action in ("created", "updated", "retired")})
    changed = [lib for lib in libraries if lib.spec.urn not in stored or stored[lib.spec.urn].checksum != lib.checksum]
    counts["libraries_skipped"] = len(libraries) - len(changed)
    if not changed:
        return counts
    retire_on = (today or timezone.localdate()) - dt.timedelta(days=1)
    with transaction.atomic(), disable_auditlog():
        for library in changed:  # in LIBRARIES order: forms and activities before the kinds that use them
            record = _save_library(library, stored.get(library.spec.urn))
            for action, number in _sync_items(library, record, retire_on).items():
                counts[f"{library.spec.label}_{action}"] += number
            counts["libraries_loaded"] += 1
    return counts
