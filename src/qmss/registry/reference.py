"""Load the registry's reference data (code lists) from the versioned YAML libraries in ``libraries/registry/``.

``load_reference(directory)`` first reads and validates EVERY library file – YAML syntax, header keys, item
fields, duplicate codes and the references between files (a kind's forms and activities must exist) – and only
then writes, in one transaction, an idempotent upsert keyed by ``code``. A library whose file content is
unchanged (same SHA-256 as ``ReferenceLibrary.checksum``) is skipped, so a second run writes nothing. Items that
a newer version of a library no longer contains are never deleted (services reference them): they get
``valid_to``. Every problem raises :class:`ReferenceLibraryError` naming the file, the line and the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qmss.core.errors import QmssImportError, located_error
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

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
HEADER_REQUIRED = ("urn", "version", "locale", "title", "source", "valid_from", "description", "items")
HEADER_OPTIONAL = ("valid_to",)
SUPPORTED_LOCALE = "cs"


class ReferenceLibraryError(QmssImportError):
    """A reference library file is missing or malformed; the message (gettext) names file, line and field."""


def _error(file: str, line: int | None, field_name: str, problem: str) -> ReferenceLibraryError:
    return located_error(ReferenceLibraryError, file, line, field_name, problem)


# --------------------------------------------------------------------------------------------- specification


@dataclass(frozen=True)
class FieldSpec:
    """One item field: its type (text, bool, date, int, choice, codes), constraints and whether it is stored."""

    name: str
    type: str
    required: bool = False
    max_length: int | None = None
    blank: bool = False
    unique: bool = False
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    refs: str = ""  # for "codes": the file whose item codes may be referenced (a many-to-many field)
    stored: bool = True


@dataclass(frozen=True)
class LibrarySpec:
    file: str
    urn: str
    model: type[models.Model]
    label: str  # prefix of the counts, e.g. "service_kinds"
    extra: tuple[FieldSpec, ...] = ()

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        common = (
            FieldSpec("code", "text", required=True, unique=True, max_length=_max_length(self.model, "code")),
            FieldSpec("name", "text", required=True, max_length=_max_length(self.model, "name")),
            FieldSpec("valid_from", "date"),
            FieldSpec("valid_to", "date"),
            FieldSpec("verified", "bool", required=True),
            FieldSpec("note", "text", stored=False),
        )
        return common + self.extra


def _max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


def _text(model: type[models.Model], name: str, **kwargs: Any) -> FieldSpec:
    return FieldSpec(name, "text", max_length=_max_length(model, name), **kwargs)


# Load order matters: service kinds reference delivery forms and basic activities.
LIBRARIES: tuple[LibrarySpec, ...] = (
    LibrarySpec(
        "delivery-forms.yaml",
        "urn:qmss:registry:delivery-forms",
        DeliveryForm,
        "delivery_forms",
        (_text(DeliveryForm, "key", required=True, unique=True),),
    ),
    LibrarySpec(
        "capacity-types.yaml",
        "urn:qmss:registry:capacity-types",
        CapacityType,
        "capacity_types",
        (_text(CapacityType, "unit", required=True),),
    ),
    LibrarySpec("basic-activities.yaml", "urn:qmss:registry:basic-activities", BasicActivity, "basic_activities"),
    LibrarySpec(
        "service-kinds.yaml",
        "urn:qmss:registry:service-kinds",
        ServiceKind,
        "service_kinds",
        (
            _text(ServiceKind, "section", blank=True),
            FieldSpec("category", "choice", required=True, choices=tuple(ServiceKind.Category.values)),
            FieldSpec("legacy_registry_id", "int", minimum=1),
            FieldSpec("forms", "codes", refs="delivery-forms.yaml"),
            FieldSpec("activities", "codes", refs="basic-activities.yaml"),
            FieldSpec("forms_verified", "bool", stored=False),
            FieldSpec("activities_verified", "bool", stored=False),
        ),
    ),
    LibrarySpec("target-groups.yaml", "urn:qmss:registry:target-groups", TargetGroup, "target_groups"),
    LibrarySpec(
        "age-groups.yaml",
        "urn:qmss:registry:age-groups",
        AgeGroup,
        "age_groups",
        (FieldSpec("age_from", "int", minimum=0, maximum=150), FieldSpec("age_to", "int", minimum=0, maximum=150)),
    ),
)


def default_directory() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "registry"


# ------------------------------------------------------------------------------------------------- reading


@dataclass
class ParsedItem:
    values: dict[str, Any]
    line: int
    field_lines: dict[str, int]

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)


@dataclass
class ParsedLibrary:
    spec: LibrarySpec
    checksum: str
    header: dict[str, Any]
    header_lines: dict[str, int]
    items: list[ParsedItem] = field(default_factory=list)

    @property
    def codes(self) -> set[str]:
        return {item.values["code"] for item in self.items}


def _walk(node: yaml.Node) -> Iterator[yaml.Node]:
    yield node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _walk(key)
            yield from _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _walk(child)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _key_lines(node: yaml.Node) -> dict[str, int]:
    """Line of each key's VALUE in a mapping node (where a wrong value is to be fixed)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): _line(value) for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _parse_yaml(text: str, file: str) -> tuple[yaml.Node | None, Any]:
    """Compose (keeping line marks) and construct one YAML document with the safe loader."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        for child in _walk(node):
            if isinstance(child, yaml.MappingNode):
                seen: set[str] = set()
                for key, _value in child.value:
                    if not isinstance(key, yaml.ScalarNode):
                        continue
                    if key.value in seen:
                        raise _error(file, _line(key), str(key.value), _("the key is repeated in the same mapping."))
                    seen.add(key.value)
        try:
            return node, loader.construct_document(node)
        except ValueError as exc:  # e.g. 2007-13-45 looks like a date but is none
            line = next((_line(n) for n in _walk(node) if _bad_timestamp(n)), None)
            raise _error(file, line, "", _("invalid value: {problem}").format(problem=exc)) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise _error(
            file, mark.line + 1 if mark else None, "", _("this is not valid YAML: {problem}").format(problem=problem)
        ) from exc
    except yaml.YAMLError as exc:
        raise _error(file, None, "", _("this is not valid YAML: {problem}").format(problem=exc)) from exc
    finally:
        loader.dispose()


def _bad_timestamp(node: yaml.Node) -> bool:
    if not (isinstance(node, yaml.ScalarNode) and node.tag == TIMESTAMP_TAG):
        return False
    try:
        yaml.SafeLoader("").construct_yaml_timestamp(node)
    except ValueError:
        return True
    return False


def _clean(spec: FieldSpec, value: Any) -> Any:
    """Return the cleaned value of one field or raise ValueError with the problem (a translated sentence)."""
    if value is None:
        if spec.required:
            raise ValueError(_("a value is required."))
        return [] if spec.type == "codes" else ("" if spec.type == "text" and spec.stored else None)
    if spec.type == "text":
        if not isinstance(value, str):
            raise ValueError(_("must be text (put it in quotes)."))
        value = value.strip()
        if not value and not spec.blank:
            raise ValueError(_("must not be empty."))
        if spec.max_length and len(value) > spec.max_length:
            raise ValueError(_("is longer than {max} characters.").format(max=spec.max_length))
        return value
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise ValueError(_("must be true or false."))
        return value
    if spec.type == "date":
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(_("must be a date written as YYYY-MM-DD.")) from None
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ValueError(_("must be a date written as YYYY-MM-DD."))
        return value
    if spec.type == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(_("must be a whole number."))
        if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
            raise ValueError(_("is out of the allowed range."))
        return value
    if spec.type == "choice":
        if value not in spec.choices:
            raise ValueError(_("must be one of: {choices}.").format(choices=", ".join(spec.choices)))
        return value
    if spec.type == "codes":
        if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
            raise ValueError(_("must be a list of codes (text)."))
        if len(set(value)) != len(value):
            raise ValueError(_("lists a code more than once."))
        return value
    raise AssertionError(spec.type)  # pragma: no cover


def _check_period(file: str, values: dict[str, Any], lines: dict[str, int], start: str, end: str) -> None:
    if values.get(start) is not None and values.get(end) is not None and values[start] > values[end]:
        raise _error(file, lines.get(end), end, _("must not be earlier than “{start}”.").format(start=start))


def _read_header(spec: LibrarySpec, file: str, data: Any, node: yaml.Node | None) -> tuple[dict, dict[str, int]]:
    if not isinstance(data, dict):
        raise _error(file, _line(node) if node else 1, "", _("the file must be a mapping with a header and items."))
    lines = _key_lines(node)
    for key in data:
        if key not in HEADER_REQUIRED + HEADER_OPTIONAL:
            raise _error(file, lines.get(str(key)), str(key), _("unknown key in the library header."))
    for key in HEADER_REQUIRED:
        if key not in data:
            raise _error(file, 1, key, _("the library header lacks this key."))
    header: dict[str, Any] = {}
    checks = {
        "urn": FieldSpec("urn", "text", required=True, max_length=_max_length(ReferenceLibrary, "urn")),
        "version": FieldSpec("version", "int", required=True, minimum=1),
        "locale": FieldSpec("locale", "text", required=True),
        "title": FieldSpec("title", "text", required=True, max_length=_max_length(ReferenceLibrary, "title")),
        "source": FieldSpec("source", "text", required=True),
        "description": FieldSpec("description", "text", required=True),
        "valid_from": FieldSpec("valid_from", "date"),
        "valid_to": FieldSpec("valid_to", "date"),
    }
    for key, check in checks.items():
        try:
            header[key] = _clean(check, data.get(key))
        except ValueError as exc:
            raise _error(file, lines.get(key), key, str(exc)) from None
    if header["urn"] != spec.urn:
        raise _error(file, lines["urn"], "urn", _("must be “{urn}”.").format(urn=spec.urn))
    if header["locale"] != SUPPORTED_LOCALE:
        problem = _("only “{locale}” is supported.").format(locale=SUPPORTED_LOCALE)
        raise _error(file, lines["locale"], "locale", problem)
    _check_period(file, header, lines, "valid_from", "valid_to")
    return header, lines


def _read_items(spec: LibrarySpec, file: str, data: dict, node: yaml.MappingNode, line: int) -> list[ParsedItem]:
    raw_items = data["items"]
    items_node = next((value for key, value in node.value if key.value == "items"), None)
    if not isinstance(raw_items, list) or not raw_items or not isinstance(items_node, yaml.SequenceNode):
        raise _error(file, line, "items", _("must be a non-empty list of items."))
    known = {field_spec.name: field_spec for field_spec in spec.fields}
    parsed: list[ParsedItem] = []
    first_line: dict[tuple[str, Any], int] = {}
    for raw, item_node in zip(raw_items, items_node.value, strict=True):
        item_line = _line(item_node)
        if not isinstance(raw, dict):
            raise _error(file, item_line, "items", _("each item must be a mapping of fields."))
        lines = _key_lines(item_node)
        for key in raw:
            if key not in known:
                raise _error(file, lines.get(str(key), item_line), str(key), _("unknown field of an item."))
        values: dict[str, Any] = {}
        for name, field_spec in known.items():
            if field_spec.required and name not in raw:
                raise _error(file, item_line, name, _("the item lacks this required field."))
            try:
                values[name] = _clean(field_spec, raw.get(name))
            except ValueError as exc:
                raise _error(file, lines.get(name, item_line), name, str(exc)) from None
            if field_spec.unique:
                line = lines.get(name, item_line)
                if (name, values[name]) in first_line:
                    earlier = first_line[(name, values[name])]
                    problem = _("the value “{value}” is already used on line {line}.")
                    raise _error(file, line, name, problem.format(value=values[name], line=earlier))
                first_line[(name, values[name])] = line
        _check_period(file, values, lines, "valid_from", "valid_to")
        _check_period(file, values, lines, "age_from", "age_to")
        values["order"] = len(parsed) + 1
        parsed.append(ParsedItem(values, item_line, lines))
    return parsed


def _read_file(spec: LibrarySpec, path: Path) -> ParsedLibrary:
    file = spec.file
    if not path.is_file():
        raise _error(file, None, "", _("the file is missing."))
    content = path.read_bytes()
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise _error(file, line, "", _("the file is not UTF-8 encoded; save it as UTF-8.")) from None
    node, data = _parse_yaml(text, file)
    header, lines = _read_header(spec, file, data, node)
    library = ParsedLibrary(spec, hashlib.sha256(content).hexdigest(), header, lines)
    library.items = _read_items(spec, file, data, node, lines["items"])
    return library


def _check_references(libraries: dict[str, ParsedLibrary]) -> None:
    for library in libraries.values():
        for field_spec in library.spec.fields:
            if field_spec.type != "codes":
                continue
            known = libraries[field_spec.refs].codes
            for item in library.items:
                for code in item.values[field_spec.name]:
                    if code not in known:
                        raise _error(
                            library.spec.file,
                            item.line_of(field_spec.name),
                            field_spec.name,
                            _("the code “{code}” is not in {file}.").format(code=code, file=field_spec.refs),
                        )


def read_libraries(directory: Path | None = None) -> list[ParsedLibrary]:
    """Read and validate all library files (nothing is written); raise ReferenceLibraryError on any problem."""
    directory = Path(directory) if directory is not None else default_directory()
    if not directory.is_dir():
        raise _error(str(directory), None, "", _("the directory of reference libraries does not exist."))
    libraries = {spec.file: _read_file(spec, directory / spec.file) for spec in LIBRARIES}
    _check_references(libraries)
    return list(libraries.values())


# ------------------------------------------------------------------------------------------------- writing


def _stored_values(library: ParsedLibrary, item: ParsedItem, library_id: int) -> dict[str, Any]:
    values = {spec.name: item.values[spec.name] for spec in library.spec.fields if spec.stored and spec.type != "codes"}
    values.pop("code")
    values["order"] = item.values["order"]
    values["library_id"] = library_id
    return values


def _sync_items(library: ParsedLibrary, record: ReferenceLibrary, retire_on: dt.date) -> dict[str, int]:
    """Upsert the items of one library by code; items no longer listed get ``valid_to`` (never deleted)."""
    model = library.spec.model
    m2m = [spec for spec in library.spec.fields if spec.type == "codes"]
    related_ids = {}
    for spec in m2m:
        related_model = model._meta.get_field(spec.name).related_model
        related_ids[spec.name] = dict(related_model.objects.values_list("code", "pk"))
    existing = {obj.code: obj for obj in model.objects.prefetch_related(*(spec.name for spec in m2m))}
    counts = {"created": 0, "updated": 0, "retired": 0}
    for item in library.items:
        code = item.values["code"]
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
        for spec in m2m:
            wanted = item.values[spec.name]
            manager = getattr(obj, spec.name)
            current = set() if code not in existing else {related.code for related in manager.all()}
            if current != set(wanted):
                manager.set([related_ids[spec.name][related_code] for related_code in wanted])
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
        if record is not None and library.header["version"] < record.version:
            raise _error(
                library.spec.file,
                library.header_lines["version"],
                "version",
                _("version {version} is older than the loaded version {loaded}.").format(
                    version=library.header["version"], loaded=record.version
                ),
            )
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
