"""The one loader of every versioned YAML library in ``libraries/`` (frameworks, registry reference data, process
templates, and every library to come: needs taxonomy, indicators, network rules, reference values).

A library is one YAML mapping: an **envelope** that every library has, and a body that its app defines::

    urn: urn:qmss:<app>:<name>     # required, starts with "urn:"
    version: 1                     # required, whole number >= 1; a used version is never changed in place
    locale: cs                     # required
    title: …                       # required
    source: …                      # required: citation / URL / title of where the content comes from
    description: …                 # optional
    valid_from: 2007-01-01         # optional dates (YYYY-MM-DD); valid_to must not be earlier
    valid_to: null
    …                              # the body, validated by the app's schema

How an app uses it (the whole API)::

    from qmss.core import libraries as lib

    class MyLibrary(lib.Envelope):           # the app's pydantic (v2) schema: envelope + body
        items: lib.NonEmptyList[MyItem]       # MyItem(lib.Schema) – unknown keys are refused

    library = lib.read_library(path, MyLibrary, label="x.yaml", error=MyLibraryError, urn="urn:qmss:x:y")
    library.data          # the validated MyLibrary instance
    library.raw           # the parsed YAML (plain Python)
    library.checksum      # SHA-256 of the file's bytes
    library.content_checksum   # SHA-256 of the parsed content (comments and formatting do not count)
    library.line(("items", 3, "name"))        # line of a value (of its mapping when the key is missing)
    raise library.error(("items", 3, "name"), _("problem sentence."))   # file, line and field in the message
    lib.check_version(library, stored={1: "<checksum>"}, used={1})       # UNCHANGED / CHANGED / NEW or error

Field types with Czech (gettext) messages for schemas: :func:`text`, ``Code`` (text; a number is read as
text), ``StrictCode``, ``Flag`` (true/false), ``Whole`` (whole number), ``Day`` (a date), ``Number`` (at most
two decimal places), each also as ``Optional…`` (null allowed), ``Texts`` (list of texts), ``Codes`` (list of
distinct codes), ``NonEmptyList[T]``. Use these rather than ``X | None`` so messages name the field exactly.
A schema's own ``field_validator`` / ``model_validator`` may raise ``ValueError(_("sentence."))``: the
sentence is shown with file, line and field. Checks across items (references, order) run after validation in
the app and raise ``library.error(loc, problem)``.

Every problem raises ``error`` (a :class:`qmss.core.errors.QmssImportError`, :class:`LibraryError` by default)
whose message names the file, the line (from the YAML node marks) and the field; nothing is written by this
module – writing ("apply to the database") stays in each app.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

import yaml
from annotated_types import Len
from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

from qmss.core.errors import QmssImportError, located_error

__all__ = [
    "Code",
    "Codes",
    "Day",
    "Envelope",
    "Flag",
    "Library",
    "LibraryError",
    "NonEmptyList",
    "Number",
    "OptionalDay",
    "OptionalFlag",
    "OptionalNumber",
    "OptionalWhole",
    "Schema",
    "StrictCode",
    "Texts",
    "VersionStatus",
    "Whole",
    "check_version",
    "dotted_field",
    "leaf_field",
    "read_library",
    "text",
]

Loc = tuple[str | int, ...]
ID_KEYS = ("ref_id", "code", "key")  # a list item is named by the first of these it has
MAX_NUMBER = Decimal("9999")
T = TypeVar("T")
S = TypeVar("S", bound="Envelope")


class LibraryError(QmssImportError):
    """A library file is missing, malformed or may not be loaded; the message names file, line and field."""


# --------------------------------------------------------------------------------------------- field types


def _text_value(value: Any, *, max_length: int | None, blank: bool, numbers: bool, nullable: bool) -> str | None:
    if value is None:
        if nullable:
            return None
        raise ValueError(_("a value is required."))
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # ref_id: 1 means "1"
    if not isinstance(value, str):
        raise ValueError(_("must be text (put it in quotes)."))
    value = value.strip()
    if not value and not blank:
        if nullable:
            return None
        raise ValueError(_("must not be empty."))
    if max_length and len(value) > max_length:
        raise ValueError(_("is longer than {max} characters.").format(max=max_length))
    return value


def text(max_length: int | None = None, *, blank: bool = False, numbers: bool = False, nullable: bool = False) -> Any:
    """A text field (stripped): non-empty unless ``blank``; ``numbers`` reads 1 as "1"; ``nullable`` turns a
    missing value (null or empty) into None."""

    def check(value: Any) -> str | None:
        return _text_value(value, max_length=max_length, blank=blank, numbers=numbers, nullable=nullable)

    return Annotated[str | None, BeforeValidator(check)] if nullable else Annotated[str, BeforeValidator(check)]


def _nullable(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else check(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(_("must be true or false."))
    return value


def _whole(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(_("must be a whole number."))
    return value


def _day(value: Any) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(_("must be a date written as YYYY-MM-DD.")) from None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError(_("must be a date written as YYYY-MM-DD."))
    return value


def _number(value: Any) -> Decimal:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(_("must be a number."))
    try:
        number = Decimal(str(value))
    except InvalidOperation:  # pragma: no cover - str() of a float is always a number
        raise ValueError(_("must be a number.")) from None
    if not number.is_finite() or abs(number) > MAX_NUMBER or number != round(number, 2):
        raise ValueError(_("must be a number with at most two decimal places."))
    return number


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(_("must be a list of texts."))
    return [item.strip() for item in value]


def _codes(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValueError(_("must be a list of codes (text)."))
    if len(set(value)) != len(value):
        raise ValueError(_("lists a code more than once."))
    return value


Code = text(numbers=True)
StrictCode = text()
Flag = Annotated[bool, BeforeValidator(_flag)]
OptionalFlag = Annotated[bool | None, BeforeValidator(_nullable(_flag))]
Whole = Annotated[int, BeforeValidator(_whole)]
OptionalWhole = Annotated[int | None, BeforeValidator(_nullable(_whole))]
Day = Annotated[dt.date, BeforeValidator(_day)]
OptionalDay = Annotated[dt.date | None, BeforeValidator(_nullable(_day))]
Number = Annotated[Decimal, BeforeValidator(_number)]
OptionalNumber = Annotated[Decimal | None, BeforeValidator(_nullable(_number))]
Texts = Annotated[list[str], BeforeValidator(_texts)]
Codes = Annotated[list[str], BeforeValidator(_codes)]
NonEmptyList = Annotated[list[T], Len(min_length=1)]


class Schema(BaseModel):
    """Base of every library schema node: unknown keys are refused, values are validated as given."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Envelope(Schema):
    """The header every library has; an app's library schema subclasses it and adds its body."""

    urn: text(200)
    version: Whole
    locale: text(10)
    title: text(300)
    source: text()
    description: text(blank=True) = ""
    valid_from: OptionalDay = None
    valid_to: OptionalDay = None

    @model_validator(mode="after")
    def _check_envelope(self):
        if not self.urn.startswith("urn:"):
            raise _EnvelopeError("urn", _("must start with “urn:”."))
        if self.version < 1:
            raise _EnvelopeError("version", _("must be a whole number of at least 1."))
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise _EnvelopeError("valid_to", _("must not be earlier than “{start}”.").format(start="valid_from"))
        return self


class _EnvelopeError(ValueError):
    """A problem with one envelope field found after the fields were validated."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key
        self.problem = problem


# ------------------------------------------------------------------------------------------------- YAML


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _walk(node: yaml.Node) -> Iterator[yaml.Node]:
    yield node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _walk(key)
            yield from _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _walk(child)


def _bad_timestamp(node: yaml.Node) -> bool:
    if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp"):
        return False
    try:
        yaml.SafeLoader("").construct_yaml_timestamp(node)
    except ValueError:
        return True
    return False


def _parse_yaml(text_: str, fail: Callable[[int | None, str, str], QmssImportError]) -> tuple[yaml.Node | None, Any]:
    """Compose (keeping the line marks) and construct one YAML document with the safe loader; a key repeated in
    one mapping is an error (YAML would silently keep the last one)."""
    loader = yaml.SafeLoader(text_)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        for child in _walk(node):
            if isinstance(child, yaml.MappingNode):
                seen: set[str] = set()
                for key, _value in child.value:
                    if isinstance(key, yaml.ScalarNode):
                        if key.value in seen:
                            raise fail(_line(key), str(key.value), _("the key is repeated in the same mapping."))
                        seen.add(key.value)
        try:
            return node, loader.construct_document(node)
        except ValueError as exc:  # e.g. 2007-13-45 looks like a date but is none
            line = next((_line(n) for n in _walk(node) if _bad_timestamp(n)), None)
            raise fail(line, "", _("invalid value: {problem}").format(problem=exc)) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        line = mark.line + 1 if mark else None
        raise fail(line, "", _("this is not valid YAML: {problem}").format(problem=problem)) from exc
    except yaml.YAMLError as exc:
        raise fail(None, "", _("this is not valid YAML: {problem}").format(problem=exc)) from exc
    finally:
        loader.dispose()


def parse_yaml(text_: str, fail: Callable[[int | None, str, str], QmssImportError]) -> tuple[yaml.Node | None, Any]:
    """One YAML document embedded in another file (e.g. the front matter of a Markdown library item), parsed by the
    same rules as the library files: safe loader, line marks kept, repeated keys refused; ``fail(line, field,
    problem)`` builds the error (lines counted within ``text_``)."""
    return _parse_yaml(text_, fail)


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node | None, yaml.Node | None]:
    """(key node, value node) of ``part`` in a mapping / sequence node; (None, None) when absent."""
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and str(key.value) == part:
                return key, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None, None


# ------------------------------------------------------------------------------------------ field names


def _item_name(raw: Any, loc: Loc, position: int) -> str:
    item = raw
    for part in loc[: position + 1]:
        try:
            item = item[part]
        except (KeyError, IndexError, TypeError):
            return str(loc[position])
    if isinstance(item, dict):
        for key in ID_KEYS:
            value = item.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                return str(value).strip()
    return str(loc[position])


def dotted_field(raw: Any, loc: Loc) -> str:
    """``requirements.2c.title``: keys joined by dots, a list item named by its ref_id / code / key."""
    return ".".join(_item_name(raw, loc, n) if isinstance(part, int) else str(part) for n, part in enumerate(loc))


def leaf_field(raw: Any, loc: Loc) -> str:
    """``title``: the last key only (for flat libraries of items)."""
    names = [str(part) for part in loc if not isinstance(part, int)]
    return names[-1] if names else ""


# ---------------------------------------------------------------------------------------------- library


@dataclass
class Library(Generic[S]):
    """One read and validated library file."""

    file: str
    checksum: str  # SHA-256 of the file's bytes
    content_checksum: str  # SHA-256 of the parsed content
    raw: Any
    node: yaml.Node
    data: S = None  # type: ignore[assignment]
    error_class: type[QmssImportError] = LibraryError
    field_name: Callable[[Any, Loc], str] = field(default=dotted_field)
    schema: type[BaseModel] | None = None

    @property
    def urn(self) -> str:
        return self.data.urn

    @property
    def version(self) -> int:
        return self.data.version

    def line(self, loc: Loc = ()) -> int:
        """Line of the value at ``loc``; of the innermost mapping or list that exists when it is missing."""
        node = self.node
        for part in loc:
            _key, value = _child(node, part)
            if value is None:
                return _line(node)
            node = value
        return _line(node)

    def key_line(self, loc: Loc) -> int:
        """Line of the KEY at ``loc`` (where an unknown key is written)."""
        parent = self.node
        for part in loc[:-1]:
            _key, parent = _child(parent, part)
            if parent is None:
                return self.line(loc)
        key, value = _child(parent, loc[-1]) if loc else (None, None)
        node = key or value
        return _line(node) if node is not None else self.line(loc)

    def error(self, loc: Loc, problem: str, *, line: int | None = None) -> QmssImportError:
        """The error for ``problem`` at ``loc``, with file, line and field in its (translated) message."""
        field_name = self.field_name(self.raw, loc) if loc else ""
        return located_error(self.error_class, self.file, line or self.line(loc), field_name, problem)


def _problem(error: dict[str, Any]) -> str:
    """A translated sentence for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "missing":
        return _("this required key is missing.")
    if kind == "extra_forbidden":
        return _("unknown key.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("must be a mapping.")
    if kind in ("list_type", "too_short"):
        return _("must be a non-empty list.")
    if kind in ("literal_error", "enum"):
        return _("must be one of: {choices}.").format(choices=str(ctx.get("expected", "")).replace("'", ""))
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _("is out of the allowed range.")
    if error.get("input") is None:
        return _("a value is required.")
    return _("invalid value: {problem}").format(problem=error["msg"])


def _clean_loc(raw: Any, loc: Loc) -> Loc:
    """``loc`` without the names pydantic adds for the members of a union (``function-before[…]``, ``none``)."""
    kept: list[str | int] = []
    node = raw
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and "[" not in part:
            kept.append(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            kept.append(part)
            node = node[part] if 0 <= part < len(node) else None
        elif node is None and isinstance(part, str) and not kept:
            kept.append(part)
    return tuple(kept)


def _first_error(library: Library, exc: ValidationError) -> QmssImportError:
    """The error of the first problem in file order (pydantic lists them in schema order)."""
    located = []
    for error in exc.errors(include_url=False):
        loc: Loc = _clean_loc(library.raw, tuple(error["loc"]))
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, _EnvelopeError):
            loc = (*loc, cause.key)
        if error["type"] == "extra_forbidden":
            line = library.key_line(loc)
            allowed = _allowed_keys(library.schema, loc) if library.schema else []
            problem = _("unknown key; allowed: {keys}.").format(keys=", ".join(allowed)) if allowed else _problem(error)
        else:
            line = library.line(loc)
            problem = cause.problem if isinstance(cause, _EnvelopeError) else _problem(error)
        located.append((line, loc, problem))
    line, loc, problem = min(located, key=lambda item: item[0])
    return library.error(loc, problem, line=line)


def _allowed_keys(schema: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a schema node allows at ``loc`` (the unknown key's mapping)."""
    model: Any = schema
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return []
        model = _model_in(info.annotation)
        if model is None:
            return []
    return list(getattr(model, "model_fields", {}))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or getattr(annotation, "__metadata__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _model_in(origin) if origin is not None and origin is not annotation else None


def read_library(
    path: Path,
    schema: type[S],
    *,
    label: str | None = None,
    error: type[QmssImportError] = LibraryError,
    urn: str | None = None,
    field_name: Callable[[Any, Loc], str] = dotted_field,
    context: dict[str, Any] | None = None,
) -> Library[S]:
    """Read one library file and validate it against ``schema`` (an :class:`Envelope` subclass).

    ``label`` is the file's name in messages (default: the path); ``error`` the exception class raised;
    ``urn`` the URN the file must have, if fixed; ``field_name`` how a location is named in messages
    (:func:`dotted_field` or :func:`leaf_field`); ``context`` is passed to the schema's validators.
    """
    file = label or str(path)

    def fail(line: int | None, field_name_: str, problem: str) -> QmssImportError:
        return located_error(error, file, line, field_name_, problem)

    if not Path(path).is_file():
        raise fail(None, "", _("the file is missing."))
    content = Path(path).read_bytes()
    try:
        text_ = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise fail(line, "", _("the file is not UTF-8 encoded; save it as UTF-8.")) from None
    node, raw = _parse_yaml(text_, fail)
    if node is None:
        raise fail(None, "", _("the file is empty."))
    if not isinstance(raw, dict):
        raise fail(_line(node), "", _("the file must be a mapping with a header and its content."))
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    library: Library[S] = Library(
        file=file,
        checksum=hashlib.sha256(content).hexdigest(),
        content_checksum=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        raw=raw,
        node=node,
        error_class=error,
        field_name=field_name,
        schema=schema,
    )
    try:
        library.data = schema.model_validate(raw, context=context)
    except ValidationError as exc:
        raise _first_error(library, exc) from None
    if urn is not None and library.data.urn != urn:
        raise library.error(("urn",), _("must be “{urn}”.").format(urn=urn))
    return library


# --------------------------------------------------------------------------------------------- versions


class VersionStatus(StrEnum):
    NEW = "new"  # a version not loaded yet (higher than every loaded one)
    UNCHANGED = "unchanged"  # loaded with the same checksum
    CHANGED = "changed"  # loaded with another checksum and not used: the app may update it in place


def check_version(
    library: Library, *, stored: dict[int, str], used: set[int] | frozenset[int] = frozenset(), checksum: str = ""
) -> VersionStatus:
    """Compare ``library`` with the versions already loaded (``stored``: version → checksum).

    A used version (in ``used``) whose content changed is refused – a corrected library must raise the version
    number; a version lower than the latest loaded one is refused too. ``checksum`` defaults to the file's.
    """
    checksum = checksum or library.checksum
    version = library.version
    if version in stored:
        if stored[version] == checksum:
            return VersionStatus.UNCHANGED
        if version in used:
            problem = _(
                "version {version} of {urn} is used and cannot be changed; raise the version number to publish "
                "the changed text."
            ).format(version=version, urn=library.urn)
            raise library.error(("version",), problem)
        return VersionStatus.CHANGED
    if stored and version < max(stored):
        problem = _("version {version} is lower than the latest loaded version {latest} of {urn}.").format(
            version=version, latest=max(stored), urn=library.urn
        )
        raise library.error(("version",), problem)
    return VersionStatus.NEW
